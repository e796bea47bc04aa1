"""The project overview: documents grouped by case, with attributes and the coder's progress."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.reactive import Reactive
from textual.widget import Widget
from textual.widgets import Header, Input, Static

from coding.errors import KodeverkError
from coding.store import Project
from coding.views import DocumentRow, documents_overview
from tui.i18n import t
from tui.keymap import screen_bindings
from tui.messages import OpenDocument, OpenScreen
from tui.screens.base import ProjectScreen
from tui.widgets.document_table import DocumentTable
from tui.widgets.steady_footer import SteadyFooter
from tui.widgets.steady_input import SteadyInput

COLUMNS = ("case", "size", "region", "progress", "done", "document")


def progress_text(row: DocumentRow) -> str:
    share = row.coded_segments / row.segments if row.segments else 0.0
    return f"{row.coded_segments}/{row.segments} {share:4.0%}"


def _opens(name: str) -> Callable[[ProjectScreen], None]:
    """An action asking the app to open the screen ``name`` (the app checks who may)."""

    def action(self: ProjectScreen) -> None:
        self.post_message(OpenScreen(name))

    return action


class OverviewScreen(ProjectScreen):
    """Documents by case; enter opens a document for coding. Type in the filter to narrow by
    case, attribute or document name; s cycles through the size classes, a opens the
    answer grid."""

    HELP_TITLE = "overview.title"
    HELP_DOC = "overview.doc"
    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("overview")
    # a change of focus repaints the widgets whose look changes (restyled), not the whole
    # screen (Textual's ``Screen.focused`` repaints it all: ``/`` and escape sent it whole)
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__(project, coder)
        self.rows: list[DocumentRow] = []
        self._cells: list[tuple[str, ...]] = []  # per row: its cells when it heads its case
        self._haystacks: list[str] = []
        self._picked: list[int] | None = None  # the rows shown and the text that picked them
        self._needle = ""
        self._sizes: list[str] = []  # the size classes present, for s
        self._cycle = -1

    def compose(self) -> ComposeResult:
        yield Header()
        # the rows are picked as the filter's value is set: one frame shows both
        yield SteadyInput(placeholder=t("overview.filter"), id="filter", on_value=self._fill)
        with Vertical(id="documents-box"):
            yield DocumentTable(
                [t(f"overview.col.{c}") for c in COLUMNS], group_columns=3, id="documents"
            )
            yield Static(id="empty")
        yield Static(id="summary")
        yield SteadyFooter()

    _deferred = False  # a frame waits for the screen's messages

    def _on_timer_update(self) -> None:
        """Paint once the widgets' repaints asked before this frame have reached the screen.
        A widget tells the screen when its own queue is next idle, and the screen's timer
        often came before the screen had read it: a change of focus restyles the list and its
        scroll bar, whose repaint came a frame later (two updates for ``/`` and escape). With
        messages waiting, the frame is painted right after them (not a timer period later)."""
        if self._message_queue.empty():
            super()._on_timer_update()
            return
        self._update_timer.pause()
        if not self._deferred:
            self._deferred = True
            self.call_later(self._paint_deferred)

    def _paint_deferred(self) -> None:
        self._deferred = False
        super()._on_timer_update()

    def on_mount(self) -> None:
        if hasattr(self.app, "hide_lead_keys"):
            self.app.hide_lead_keys(self, {"r": "review", "p": "prevalence", "e": "codebook"})
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
        """Keep the rows' cells and filter text: each key of the filter only picks rows."""
        self._keep_unchanged(rows)
        self._sizes = sorted({r.attributes.get("size_class", "") for r in rows} - {""})
        table = self.query_one(DocumentTable)
        table.measure(self._cells)
        empty = not rows
        self.query_one("#empty", Static).update(t("overview.empty") if empty else "")
        self.query_one("#empty", Static).display = empty
        table.display = not empty
        self._picked = None
        self._fill(self.query_one("#filter", Input).value)

    def _keep_unchanged(self, rows: list[DocumentRow]) -> None:
        """Take ``rows`` (read again on every return to this screen), keeping the row, cells and
        filter text of each document unchanged since the last read: the new ones are then freed
        at once. Replacing all of them (6 400 documents on the study, ~1 KB of small objects
        each) on every return made Python's allocator spread what lives on over more and more
        memory: the app's resident size grew by visits that changed nothing (issue 13)."""
        before = {row.id: i for i, row in enumerate(self.rows)}
        cells, haystacks = [], []
        for n, row in enumerate(rows):
            i = before.get(row.id)
            if i is not None and self.rows[i] == row:
                rows[n] = self.rows[i]
                cells.append(self._cells[i])
                haystacks.append(self._haystacks[i])
            else:
                cells.append(_cells(row))
                haystacks.append(_haystack(row))
        self.rows, self._cells, self._haystacks = rows, cells, haystacks

    def _fill(self, filter_text: str) -> None:
        """Show the rows whose text holds the filter's; a key that keeps the same rows (most
        letters of «kommune») repaints nothing."""
        needle = filter_text.strip().casefold()
        candidates: Sequence[int]
        if self._picked is not None and self._needle in needle:  # narrower: pick from those
            candidates = self._picked
        else:
            candidates = range(len(self._haystacks))
        haystacks = self._haystacks
        picked = [i for i in candidates if needle in haystacks[i]]
        self._needle = needle
        if picked == self._picked:
            return
        self._picked = picked
        rows, cells = self.rows, self._cells
        self.query_one(DocumentTable).set_rows(
            [cells[i] for i in picked], [rows[i].id for i in picked]
        )
        done = coded = total = 0
        cases = set()
        for i in picked:
            row = rows[i]
            done += row.done
            coded += row.coded_segments
            total += row.segments
            cases.add(row.case)
        self.query_one("#summary", Static).update(
            t(
                "overview.summary",
                documents=len(picked),
                cases=len(cases),
                coded=coded,
                total=total,
                coder=self.coder,
                done=done,
            ),
            layout=False,  # one line, always
        )

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
        self.post_message(OpenDocument(document_id, segment))

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.query_one(DocumentTable).focus()

    def action_cycle_attribute(self) -> None:
        """Step through the size classes present (then back to everything)."""
        values = self._sizes
        self._cycle = self._cycle + 1 if self._cycle + 1 <= len(values) else 0
        value = values[self._cycle] if self._cycle < len(values) else ""
        self.query_one("#filter", Input).value = value

    action_codebook = _opens("codebook")
    action_answers = _opens("answers")
    action_review = _opens("review")
    action_prevalence = _opens("prevalence")
    action_matrix = _opens("matrix")
    action_goals = _opens("goals")


def _cells(row: DocumentRow) -> tuple[str, ...]:
    return (
        row.case or t("overview.no_case"),
        row.attributes.get("size_class", ""),
        row.attributes.get("region", ""),
        progress_text(row),
        t("overview.done") if row.done else "",
        row.name,
    )


def _haystack(row: DocumentRow) -> str:
    return " ".join([row.case, row.name, *row.attributes.values()]).casefold()
