"""The project overview: documents grouped by case, with attributes and the coder's progress."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Static

from coding.errors import KodeverkError
from coding.store import Project
from coding.views import DocumentRow, documents_overview
from tui.messages import OpenDocument, OpenScreen
from tui.screens.base import DomainActions

COLUMNS = ("Case", "Size", "Region", "Progress", "Done", "Document")


def progress_text(row: DocumentRow) -> str:
    share = row.coded_segments / row.segments if row.segments else 0.0
    return f"{row.coded_segments}/{row.segments} {share:4.0%}"


class OverviewScreen(DomainActions, Screen):
    """Documents by case; enter opens a document for coding. Type in the filter to narrow by
    case, attribute or document name; s cycles through the size classes, a opens the
    answer grid."""

    HELP_TITLE = "Project overview"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_document", "Code", show=False),
        Binding("slash", "focus_filter", "Filter"),
        Binding("a", "answers", "Answers"),
        Binding("s", "cycle_attribute", "Size class"),
        Binding("e", "codebook", "Codebook"),
        Binding("r", "review", "Review"),
        Binding("p", "prevalence", "Prevalence"),
        Binding("t", "matrix", "Matrix", show=False),
        Binding("g", "goals", "Goal attainment", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.rows: list[DocumentRow] = []
        self._cycle = -1

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filter: case, size class, region, document  (/)", id="filter")
        yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
        yield Static(id="summary")
        yield Footer()

    def on_mount(self) -> None:
        if hasattr(self.app, "hide_lead_keys"):
            self.app.hide_lead_keys(self, {"r": "review", "p": "prevalence", "e": "codebook"})
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        # after a refresh: when the app opens straight on a document, this screen is covered
        # at once and need not read the whole project
        self.call_after_refresh(self._refresh_if_shown)

    def _refresh_if_shown(self) -> None:
        if self.is_current:
            self.refresh_rows()

    def refresh_rows(self) -> None:
        """Read documents and progress in a worker thread with its own connection."""
        self._load_rows()

    @work(thread=True, exclusive=True, group="overview")
    def _load_rows(self) -> None:
        try:  # on a connection of its own (a file gone from disk: never an empty new file)
            rows = documents_overview(self.project, self.coder)
        except KodeverkError as exc:
            self.app.call_from_thread(self._show_problem, exc)
            return
        self.app.call_from_thread(self._show_rows, rows)

    def _show_problem(self, exc: KodeverkError) -> None:
        self.query_one("#summary", Static).update(str(exc))
        self.refused(exc)

    def _show_rows(self, rows: list[DocumentRow]) -> None:
        self.rows = rows
        self._fill(self.query_one("#filter", Input).value)

    def _fill(self, filter_text: str) -> None:
        table = self.query_one(DataTable)
        keep_row = table.cursor_row
        table.clear()
        needle = filter_text.strip().casefold()
        shown = [r for r in self.rows if not needle or needle in _haystack(r)]
        previous_case = None
        for row in shown:
            same_case = row.case == previous_case
            previous_case = row.case
            table.add_row(
                "" if same_case else (row.case or "(no case)"),
                "" if same_case else row.attributes.get("size_class", ""),
                "" if same_case else row.attributes.get("region", ""),
                progress_text(row),
                "✓ done" if row.done else "",
                row.name,
                key=str(row.id),
            )
        if shown:
            table.move_cursor(row=min(keep_row, len(shown) - 1))
        done = sum(r.done for r in shown)
        coded = sum(r.coded_segments for r in shown)
        total = sum(r.segments for r in shown)
        cases = len({r.case for r in shown})
        self.query_one("#summary", Static).update(
            f"{len(shown)} documents in {cases} cases · {coded}/{total} segments coded "
            f"by {self.coder} · {done} done"
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.open_document(int(event.row_key.value))

    def action_open_document(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
            self.open_document(int(key.value))

    def open_document(self, document_id: int, segment: int = 0) -> None:
        self.post_message(OpenDocument(document_id, segment))

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.query_one(DataTable).focus()

    def action_cycle_attribute(self) -> None:
        """Step through the size classes present (then back to everything)."""
        values = sorted({r.attributes.get("size_class", "") for r in self.rows} - {""})
        self._cycle = self._cycle + 1 if self._cycle + 1 <= len(values) else 0
        value = values[self._cycle] if self._cycle < len(values) else ""
        self.query_one("#filter", Input).value = value

    def action_codebook(self) -> None:
        self.post_message(OpenScreen("codebook"))

    def action_answers(self) -> None:
        self.post_message(OpenScreen("answers"))

    def action_review(self) -> None:
        self.post_message(OpenScreen("review"))

    def action_prevalence(self) -> None:
        self.post_message(OpenScreen("prevalence"))

    def action_matrix(self) -> None:
        self.post_message(OpenScreen("matrix"))

    def action_goals(self) -> None:
        self.post_message(OpenScreen("goals"))


def _haystack(row: DocumentRow) -> str:
    return " ".join([row.case, row.name, *row.attributes.values()]).casefold()
