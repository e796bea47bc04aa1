"""Search the project's text (SQLite FTS5 via ``coding.search``); enter jumps to a hit."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from coding.search import SearchHit, search
from coding.store import Project
from tui.i18n import Section
from tui.keymap import screen_bindings
from tui.screens.base import DialogScreen

TEXT = Section("find")


class SearchScreen(DialogScreen[SearchHit | None]):
    """Type a query, enter to search, then pick a hit (enter) to jump to it."""

    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("search")

    def __init__(self, project: Project, query: str = "") -> None:
        super().__init__(TEXT["title"])
        self.project = project
        self.initial_query = query
        self.hits: list[SearchHit] = []

    def body(self) -> ComposeResult:
        yield Input(self.initial_query, placeholder=TEXT["placeholder"], id="search-input")
        yield OptionList(id="search-results")
        yield Label("", id="search-status", classes="dim")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)

    @work(exclusive=True, thread=False)
    async def run_search(self, query: str) -> None:
        try:
            self.hits = search(self.project, query)
        except Exception as exc:  # a malformed FTS query must not crash the app
            self.hits = []
            self.query_one("#search-status", Label).update(TEXT["failed"].format(problem=exc))
            return
        results = self.query_one(OptionList)
        results.clear_options()
        for i, hit in enumerate(self.hits):
            results.add_option(Option(f"{hit.document_name}: {hit.snippet}", id=str(i)))
        self.query_one("#search-status", Label).update(TEXT["hits"].format(n=len(self.hits)))
        if self.hits:
            results.highlighted = 0
            results.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.hits[int(event.option.id or 0)])

    def action_focus_results(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
