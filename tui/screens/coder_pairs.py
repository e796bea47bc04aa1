"""Choose the two coders a review compares: every pair, most shared documents first.

A box over the review screen (a layer of its own, so the tables beneath keep their layout),
not a screen of its own: popping a modal screen restyled and repainted the whole review
beneath, and each move of the focus repaints the whole screen too, which was most of what
switching the pair cost (issue 14). So the box never takes the focus: while it is open, the
review's keys for it (``[coder_pairs]`` in tui/keys.toml: arrows, enter, escape) come first,
and the review's other keys rest.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from coding.consensus import CoderPair
from tui.i18n import Section

LIST_HEIGHT = 12  # the list's height at most, with its border (as .dialog OptionList in app.tcss)


class PairList(OptionList, can_focus=False):
    """The pairs; drawn as a focused list (its keys are the screen's while it is open)."""

    BINDINGS: ClassVar[list[BindingType]] = []  # never focused: [coder_pairs] of keys.toml

    DEFAULT_CSS = """
    PairList {
        border: tall $border;
        background-tint: $foreground 5%;
        & > .option-list--option-highlighted {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
    }
    """


class CoderPairPicker(Vertical):
    """The pair picker over the review screen: hidden until ``open``."""

    # the look of a .dialog (app.tcss), here too for a screen shown without the app's CSS
    DEFAULT_CSS = """
    CoderPairPicker {
        layer: picker;
        dock: top;
        display: none;
        width: 70;
        max-width: 95%;
        height: auto;
        max-height: 90%;
        padding: 0 1;
        border: thick $accent;
        background: $surface;
        & > .dialog-title { text-style: bold; margin-bottom: 1; }
        & > PairList { height: auto; max-height: 12; }  /* LIST_HEIGHT */
    }
    """

    def __init__(self) -> None:
        super().__init__(classes="dialog")
        self.pairs: list[CoderPair] = []

    def compose(self) -> ComposeResult:
        yield Label(Section("pairs")["title"], classes="dialog-title")
        yield PairList(id="coder-pairs")

    @property
    def is_open(self) -> bool:
        return self.display

    @property
    def options(self) -> PairList:
        return self.query_one(PairList)

    def open(self, pairs: list[CoderPair], current: tuple[str, ...]) -> None:
        """Show ``pairs`` (``current`` highlighted) in the middle of the screen."""
        options = self.options
        if pairs != self.pairs:  # else the options drawn last time
            self.pairs = list(pairs)
            text = Section("pairs")["shared"]
            options.set_options(
                Option(text.format(label=p.label, n=p.shared), id=str(i))
                for i, p in enumerate(pairs)
            )
        now = next((i for i, p in enumerate(pairs) if (p.a, p.b) == tuple(current)), 0)
        if options.option_count:
            options.highlighted = now
        self._place(len(pairs))
        self.display = True

    def _place(self, count: int) -> None:
        """In the middle of the screen, as a modal dialog is (the box: its border, the title
        and a blank line, the list in its border)."""
        width, height = self.screen.size
        box = min(70, width * 95 // 100)
        tall = min(count + 2, LIST_HEIGHT) + 4
        self.styles.offset = (max(0, (width - box) // 2), max(0, (height - tall) // 2))

    def highlighted(self) -> tuple[str, str] | None:
        """The pair highlighted (None when there is none)."""
        index = self.options.highlighted
        if index is None or not 0 <= index < len(self.pairs):
            return None
        pair = self.pairs[index]
        return pair.a, pair.b
