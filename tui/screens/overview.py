"""The project overview: documents grouped by case, with attributes and the coder's progress."""

from __future__ import annotations

import sqlite3
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from coding.errors import KodeverkError, ProjectGone
from coding.store import Project
from tui.project_view import DocumentRow, coder_id_or_none, document_rows
from tui.widgets.document_table import DocumentTable

COLUMNS = ("Case", "Size", "Region", "Progress", "Done", "Document")

WORDS = {  # this screen's words, together for the coming message catalogue
    "empty": (
        "This project has no documents yet.\n\n"
        "Press i to import a transcript (.txt .md .docx .vtt .srt) or a folder of them here.\n\n"
        "Or, from a shell:\n"
        "  kodeverk import PROJECT intervju.docx\n"
        "  kodeverk import PROJECT intervjuer/\n"
        "  kodeverk import PROJECT svar.xlsx --text-column Svar --case-column Kommune\n"
        "  kodeverk import PROJECT prosjekt.qdpx"
    ),
}


def progress_text(row: DocumentRow) -> str:
    share = row.coded_segments / row.segments if row.segments else 0.0
    return f"{row.coded_segments}/{row.segments} {share:4.0%}"


class OverviewScreen(Screen):
    """Documents by case; enter opens a document for coding. Type in the filter to narrow by
    case, attribute or document name; a cycles through the size classes."""

    HELP_TITLE = "Project overview"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_document", "Code", show=False),
        Binding("slash", "focus_filter", "Filter"),
        Binding("a", "cycle_attribute", "Size class"),
        Binding("i", "import_files", "Import"),
        Binding("e", "codebook", "Codebook"),
        Binding("r", "review", "Review"),
        Binding("p", "prevalence", "Prevalence"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.rows: list[DocumentRow] = []
        self._cells: list[tuple[str, ...]] = []  # per row: its cells when it heads its case
        self._haystacks: list[str] = []
        self._cycle = -1

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder="filter: case, size class, region, document  (/)", id="filter")
        with Vertical(id="documents-box"):
            yield DocumentTable(COLUMNS, group_columns=3, id="documents")
            yield Static(WORDS["empty"], id="empty")
        yield Static(id="summary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#empty", Static).display = False
        self.query_one(DocumentTable).focus()

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
        try:
            conn = self.project.reader()
        except KodeverkError as exc:  # removed or replaced on disk: never an empty new file
            self.app.call_from_thread(self._show_problem, exc)
            return
        try:
            rows = document_rows(conn, coder_id_or_none(conn, self.coder))
        except sqlite3.Error as exc:
            self.app.call_from_thread(self._show_problem, KodeverkError(f"cannot read: {exc}"))
            return
        finally:
            conn.close()
        self.app.call_from_thread(self._show_rows, rows)

    def _show_problem(self, exc: KodeverkError) -> None:
        self.query_one("#summary", Static).update(str(exc))
        if isinstance(exc, ProjectGone):
            self.app.write_refused(exc)
        else:
            self.notify(str(exc), severity="error")

    def _show_rows(self, rows: list[DocumentRow]) -> None:
        """Keep the rows' cells and filter text: each key of the filter only picks rows."""
        self.rows = rows
        self._cells = [_cells(r) for r in rows]
        self._haystacks = [_haystack(r) for r in rows]
        table = self.query_one(DocumentTable)
        table.measure(self._cells)
        empty = not rows
        self.query_one("#empty", Static).display = empty
        table.display = not empty
        self._fill(self.query_one("#filter", Input).value)

    def _fill(self, filter_text: str) -> None:
        table = self.query_one(DocumentTable)
        needle = filter_text.strip().casefold()
        picked = [i for i, hay in enumerate(self._haystacks) if not needle or needle in hay]
        shown = [self.rows[i] for i in picked]
        table.set_rows([self._cells[i] for i in picked], [r.id for r in shown])
        done = sum(r.done for r in shown)
        coded = sum(r.coded_segments for r in shown)
        total = sum(r.segments for r in shown)
        cases = len({r.case for r in shown})
        self.query_one("#summary", Static).update(
            f"{len(shown)} documents in {cases} cases · {coded}/{total} segments coded "
            f"by {self.coder} · {done} done",
            layout=False,  # one line, always
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DocumentTable).focus()

    def on_document_table_row_selected(self, event: DocumentTable.RowSelected) -> None:
        self.open_document(event.key)

    def action_open_document(self) -> None:
        key = self.query_one(DocumentTable).cursor_key
        if key is not None:
            self.open_document(key)

    def action_import_files(self) -> None:
        from tui.screens.import_dialog import ImportScreen

        def imported(documents: int | None) -> None:
            if documents:
                self.refresh_rows()

        self.app.push_screen(ImportScreen(self.project), imported)

    def open_document(self, document_id: int, segment: int = 0) -> None:
        self.app.open_document(document_id, segment)

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.query_one(DocumentTable).focus()

    def action_cycle_attribute(self) -> None:
        """Step through the size classes present (then back to everything)."""
        values = sorted({r.attributes.get("size_class", "") for r in self.rows} - {""})
        self._cycle = self._cycle + 1 if self._cycle + 1 <= len(values) else 0
        value = values[self._cycle] if self._cycle < len(values) else ""
        self.query_one("#filter", Input).value = value

    def action_codebook(self) -> None:
        self.app.action_codebook()

    def action_review(self) -> None:
        self.app.action_review()

    def action_prevalence(self) -> None:
        self.app.action_prevalence()


def _cells(row: DocumentRow) -> tuple[str, ...]:
    return (
        row.case or "(no case)",
        row.attributes.get("size_class", ""),
        row.attributes.get("region", ""),
        progress_text(row),
        "✓ done" if row.done else "",
        row.name,
    )


def _haystack(row: DocumentRow) -> str:
    return " ".join([row.case, row.name, *row.attributes.values()]).casefold()
