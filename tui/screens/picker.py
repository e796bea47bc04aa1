"""The fuzzy code picker: type to narrow (rapidfuzz over names, descriptions, keywords)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rapidfuzz import fuzz, process, utils
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from coding.codes import CodeRow
from tui.i18n import Localized, Section
from tui.keymap import screen_bindings
from tui.widgets.code_tree import swatch
from tui.widgets.footer import Footer
from tui.widgets.steady_input import SteadyInput
from tui.widgets.steady_option_list import SteadyOptionList

LIMIT = 30
# below this score a code is not offered: «no match» beats an unrelated code (rapidfuzz 0–100;
# «sport» or «klimaendring» reach 55–60 against the bundled codebook, «bo» → Bolig 90)
THRESHOLD = 75
TEXT = Section("picker")


def rank_codes(codes: list[CodeRow], query: str, limit: int = LIMIT) -> list[CodeRow]:
    """Codes best matching ``query``, a match in the name counting more than one in the
    description or keywords; all codes in tree order when the query is empty."""
    if not query.strip():
        return codes[:limit] if limit else codes
    score = _scores(query, {c.id: c.name for c in codes}, fuzz.WRatio)
    texts = _scores(query, {c.id: c.search_text for c in codes}, fuzz.partial_ratio)
    for key, value in texts.items():
        score[key] = max(score.get(key, 0), 0.9 * value)
    kept = (c for c in codes if score.get(c.id, 0) >= THRESHOLD)
    ranked = sorted(kept, key=lambda c: -score[c.id])
    return ranked[:limit]


def _scores(query: str, texts: dict[int, str], scorer: Callable) -> dict[int, float]:
    """Each code id's score of ``query`` against its text."""
    found = process.extract(
        query, texts, scorer=scorer, processor=utils.default_process, limit=None
    )
    return {key: value for _, value, key in found}


class PickerScreen(Localized, ModalScreen[int | None]):
    """Pick one code; dismisses with its id, or None on escape."""

    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("picker")

    def __init__(
        self,
        codes: list[CodeRow],
        title: str | None = None,
        *,
        create: Callable[[str, int | None], int | None] | None = None,
        parent_id: int | None = None,
    ) -> None:
        """With ``create`` (name, parent id -> new code id) the picker offers to create a code
        named as typed (unless one has that name), under ``parent_id``: the caller's
        highlighted code, or the code whose digit waits for a sub-code."""
        super().__init__()
        self.codes = codes
        self.title_text = title or TEXT["apply_code"]
        self.create = create
        self.parent_id = parent_id
        self.query_text = ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield SteadyInput(placeholder=TEXT["placeholder"], id="picker-input")
            yield SteadyOptionList(id="picker-options")
        yield Footer()

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    def _fill(self, query: str) -> None:
        options = self.query_one(OptionList)
        self.query_text = query
        ranked = rank_codes(self.codes, query)
        shown = []
        for code in ranked:
            label = swatch(code)
            label.append(f" {code.name}")
            shown.append(Option(label, id=str(code.id)))
        if not ranked:
            shown.append(Option(TEXT["no_match"], id="none", disabled=True))
        if query.strip() and self.create is not None and not _exact(ranked, query):
            shown.append(Option(self._create_label(query), id="create"))
        options.set_options(shown)  # at once: one option at a time lays out the list each time
        first = next(
            (i for i in range(options.option_count) if not options.get_option_at_index(i).disabled),
            None,
        )
        options.highlighted = first

    def _create_label(self, query: str) -> str:
        parent = next((c for c in self.codes if c.id == self.parent_id), None)
        where = parent.name if parent else TEXT["top_level"]
        return TEXT["create"].format(name=query.strip(), parent=where)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id == "create" and self.create is not None:
            self.dismiss(self.create(self.query_text.strip(), self.parent_id))
        elif option_id and option_id.isdigit():
            self.dismiss(int(option_id))

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

    def action_cancel(self) -> None:
        self.dismiss(None)


def _exact(ranked: list[CodeRow], query: str) -> bool:
    needle = query.strip().casefold()
    return any(c.name.casefold() == needle for c in ranked)
