"""Choose the two coders a review compares: every pair, most shared documents first."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from coding.consensus import CoderPair
from tui.i18n import Localized, Section
from tui.keymap import screen_bindings
from tui.widgets.footer import Footer


class CoderPairScreen(Localized, ModalScreen[tuple[str, str] | None]):
    """Dismisses with the chosen (A, B) coders, or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("coder_pairs")

    def __init__(self, pairs: list[CoderPair], current: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.pairs = pairs
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Section("pairs")["title"], classes="dialog-title")
            yield OptionList(
                *(
                    Option(Section("pairs")["shared"].format(label=p.label, n=p.shared), id=str(i))
                    for i, p in enumerate(self.pairs)
                ),
                id="coder-pairs",
            )
        yield Footer()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        now = next((i for i, p in enumerate(self.pairs) if (p.a, p.b) == tuple(self.current)), 0)
        if options.option_count:
            options.highlighted = now
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        pair = self.pairs[int(event.option.id or 0)]
        self.dismiss((pair.a, pair.b))

    def action_cancel(self) -> None:
        self.dismiss(None)
