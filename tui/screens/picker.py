"""The fuzzy code picker: type to narrow (rapidfuzz over names, descriptions, keywords)."""

from __future__ import annotations

from typing import ClassVar

from rapidfuzz import fuzz, process, utils
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, OptionList
from textual.widgets.option_list import Option

from coding.codes import CodeRow
from tui.widgets.code_tree import swatch

LIMIT = 30


def rank_codes(codes: list[CodeRow], query: str, limit: int = LIMIT) -> list[CodeRow]:
    """Codes best matching ``query``, a match in the name counting more than one in the
    description or keywords; all codes in tree order when the query is empty."""
    if not query.strip():
        return codes[:limit] if limit else codes
    names = process.extract(
        query,
        {c.id: c.name for c in codes},
        scorer=fuzz.WRatio,
        processor=utils.default_process,
        limit=None,
    )
    texts = process.extract(
        query,
        {c.id: c.search_text for c in codes},
        scorer=fuzz.partial_ratio,
        processor=utils.default_process,
        limit=None,
    )
    score = {key: value for _, value, key in names}
    for _, value, key in texts:
        score[key] = max(score.get(key, 0), 0.9 * value)
    ranked = sorted((c for c in codes if score.get(c.id, 0) >= 50), key=lambda c: -score[c.id])
    return ranked[:limit]


class PickerScreen(ModalScreen[int | None]):
    """Pick one code; dismisses with its id, or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move(1)", "Next"),
        Binding("up", "move(-1)", "Previous"),
    ]

    def __init__(self, codes: list[CodeRow], title: str = "Apply code") -> None:
        super().__init__()
        self.codes = codes
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(placeholder="type to search codes · enter applies", id="picker-input")
            yield OptionList(id="picker-options")
        yield Footer()

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        for code in rank_codes(self.codes, query):
            label = swatch(code)
            label.append(f" {code.name}")
            options.add_option(Option(label, id=str(code.id)))
        if options.option_count:
            options.highlighted = 0

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        self.dismiss(int(option_id) if option_id else None)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)
