"""The review screen (for leads): agreement per code, the disagreements of a code by document,
both coders' spans side by side in context, and settling each into the ``consensus`` coder.
The lead chooses which two coders to compare (c, or the palette); by default the two human
coders with the most shared documents (``coding.consensus.default_pair``).

Settling calls ``coding.consensus.settle`` (one committed transaction, in the audit trail)
before the tables change, so what the screen shows is already on disk.

The screen paints at once: the agreement report and the disagreements are read in a worker
thread on a connection of its own (``Project.reading``), and fill the tables when done (a
«reading…» line meanwhile). A code's disagreements are a line-API list (``RowList``): opening a
code, moving and settling redraw the lines that changed, and a settling is confirmed in the
status line, not a toast.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import OptionList, Static

from coding.codes import short_path
from coding.consensus import (
    CoderPair,
    Disagreement,
    ReviewRead,
    coder_pairs,
    count_open,
    default_pair,
    settle,
)
from coding.documents import document_text
from coding.errors import KodeverkError
from coding.reliability import AgreementReport
from coding.review_tables import PairRead, ReviewTables
from coding.store import Project, ReviewWrites
from tui.i18n import Localized, Section
from tui.keymap import screen_bindings
from tui.screens.base import DomainActions, Refused
from tui.screens.coder_pairs import CoderPairPicker
from tui.widgets.row_list import RowList
from tui.widgets.steady_footer import SteadyFooter
from tui.widgets.text_pane import TextPane

CONTEXT = 160  # characters of context on each side of a disagreement
CODE_WIDTH = 26  # code paths are shortened to this (the leaf names the code) to fit 80 columns
TEXT = Section("rev")
HIGHLIGHT = "bold black on yellow"
PAIRS_IN_PALETTE = 12  # «Compare A vs B» palette entries, most shared documents first
SEGMENT = "underline"
OPEN_COLUMN = 2  # in the codes table: code, units, open, settled, …
SETTLED_COLUMN = 4  # in the disagreements table: document, segment, A, B, settled
PICKER_ACTIONS = frozenset({"pair_cursor", "pair_choose", "pair_cancel"})


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


class ReviewScreen(Localized, DomainActions, Screen):
    """Enter opens a code's disagreements; a / b / o / x settle the highlighted one; c chooses
    the coders."""

    HELP_TITLE = "screen.review"

    DEFAULT_CSS = """
    ReviewScreen { layers: default picker; }
    ReviewScreen #title { height: 1; background: $primary; color: $text; padding: 0 1; }
    ReviewScreen #codes { height: 1fr; }
    ReviewScreen #lower { height: 2fr; }
    ReviewScreen #disagreements { height: 1fr; }
    ReviewScreen #sides { height: 1fr; }
    ReviewScreen #status { height: 1; padding: 0 1; }
    ReviewScreen .side { width: 1fr; height: 1fr; border: round $secondary; padding: 0 1; }
    """

    # the pair picker's keys (priority: before the focused list's) are the screen's own
    # Textual draws the whole screen again at each move of the focus (a repainting reactive);
    # the widgets whose look follows the focus restyle and draw themselves (has_focus, and
    # focus-within by set_focus), so here a move draws only them: no frame of its own after
    # the one a key draws (enter on a code, choosing a pair: issue 14)
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)

    BINDINGS: ClassVar[list[BindingType]] = [
        *screen_bindings("review"),
        *screen_bindings("coder_pairs"),
    ]

    def __init__(self, project: Project, coder: str, coders: Sequence[str] | None = None) -> None:
        super().__init__()
        self.project = project
        self.lead = coder
        self.coders = tuple(coders) if coders else default_pair(project)
        self.code_id: int | None = None
        self.items: list[Disagreement] = []  # the open code's: the read model's own list
        self.read: ReviewRead | PairRead | None = None  # every code's, read with the report
        self.report: AgreementReport | None = None  # the figures of ``coders``
        self._text: tuple[int, str] | None = None  # the document shown beside, and its text
        self.loaded = False  # the report and disagreements of ``coders`` are shown
        self._reads = 0  # which read is the latest (an earlier one's result is dropped)
        self.pairs: list[CoderPair] | None = None  # read with the report
        # what any pair's read needs, kept across pairs while nothing it depends on is written
        self.tables: ReviewTables | None = None
        self._status_text = ""
        self._pair_picker: CoderPairPicker | None = None  # mounted when first opened

    # -- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(self._title(), id="title")
        yield RowList(
            [
                TEXT["col_code"],
                *(TEXT[f"col_{c}"] for c in ("units", "open", "settled", "agree")),
                *("κ", "α", "AC1"),
            ],
            id="codes",
        )
        with Vertical(id="lower"):
            yield RowList(
                [TEXT["col_document"], TEXT["col_segment"], "A", "B", TEXT["col_settled"]],
                id="disagreements",
            )
            with Horizontal(id="sides"):
                yield TextPane(id="side-a", classes="side")
                yield TextPane(id="side-b", classes="side")
        yield Static(id="status")
        yield SteadyFooter()

    def _title(self) -> str:
        if len(self.coders) < 2:
            return TEXT["choose"]
        a, b = self.coders
        return TEXT["title"].format(a=a, b=b, lead=self.lead)

    def on_mount(self) -> None:
        self._show_coders()
        # after the first paint: the read's first steps hold the GIL for tens of milliseconds
        self.call_after_refresh(self._read_pair)
        self.query_one("#codes", RowList).focus()

    def _show_coders(self) -> None:
        self.query_one("#title", Static).update(self._title(), layout=False)  # one line
        # Text: a coder's name is not markup
        self.query_one("#side-a", TextPane).border_title = Text(f"A: {self._coder_label(0)}")
        self.query_one("#side-b", TextPane).border_title = Text(f"B: {self._coder_label(1)}")

    def _coder_label(self, index: int) -> str:
        return self.coders[index] if len(self.coders) > index else "?"

    # -- the per-code table ------------------------------------------------------------------
    # -- which coders ------------------------------------------------------------------------
    def _pairs(self) -> list[CoderPair]:
        """The pairs the project's coders make, as of the last read (else read now)."""
        if self.pairs is None:
            self.pairs = coder_pairs(self.project)
        return self.pairs

    async def action_choose_coders(self) -> None:
        pairs = self._pairs()
        if not pairs:
            self.notify(TEXT["too_few"])
            return
        picker = await self._picker()
        picker.open(pairs, self.coders)
        self.refresh_bindings()  # now, not a frame later: the picker's keys come first
        self.call_after_refresh(self._prepare_pairs)  # while the lead chooses

    async def _picker(self) -> CoderPairPicker:
        """The pair picker, mounted the first time it is asked for (not in the first paint)."""
        if self._pair_picker is None:
            self._pair_picker = CoderPairPicker()
            await self.mount(self._pair_picker)
        return self._pair_picker

    def _picking(self) -> bool:
        return self._pair_picker is not None and self._pair_picker.is_open

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The picker's keys while it is open, the screen's own otherwise (hidden from the
        footer and passed on to the focused list, as under a modal dialog)."""
        return self._picking() == (action in PICKER_ACTIONS)

    def action_pair_cursor(self, move: str) -> None:
        """Up, down, home, end, page up or down in the pair picker."""
        if self._pair_picker is not None:
            getattr(self._pair_picker.options, f"action_{move}")()

    def action_pair_choose(self) -> None:
        if self._pair_picker is not None:
            self._close_picker(self._pair_picker.highlighted())

    def action_pair_cancel(self) -> None:
        self._close_picker(None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """A click on a pair."""
        event.stop()
        if self._pair_picker is not None and self._picking():
            self._close_picker(self._pair_picker.highlighted())

    def _close_picker(self, pair: tuple[str, str] | None) -> None:
        """Hide the picker and show ``pair`` (None: the pair as it was), in one frame: the
        focus and the footer's keys set now, not a frame later each (Textual's way)."""
        if self._pair_picker is not None:
            self._pair_picker.display = False
        if pair:
            self.compare(*pair)
        self.refresh_bindings()

    def _prepare_pairs(self) -> None:
        """Compute the pairs the picker lists first (``PAIRS_IN_PALETTE``) in a worker thread,
        from the tables as they are now: choosing one of them is then a look-up."""
        if self.tables is None or not self.pairs:
            return
        wanted = [(p.a, p.b) for p in self.pairs[:PAIRS_IN_PALETTE]]
        self._prepare(self.tables, self.project.review_writes(), wanted)

    @work(thread=True, group="review-prepare", exclusive=True)
    def _prepare(
        self, kept: ReviewTables, writes: ReviewWrites | None, pairs: list[tuple[str, str]]
    ) -> None:
        try:
            with self.project.reading() as reader, reader.read_snapshot():
                tables = ReviewTables.refreshed(kept, reader, writes)
                tables.prepare(reader, pairs)
        except KodeverkError:
            return  # the read of a pair chosen says what is wrong
        self.app.call_from_thread(self._prepared, kept, tables)

    def _prepared(self, kept: ReviewTables, tables: ReviewTables) -> None:
        if self.tables is kept:  # nothing read since: these are the newer tables
            self.tables = tables
        elif self.tables is not None:  # keep what was computed from the same parts
            self.tables = self.tables.with_pairs_of(tables)

    def compare(self, a: str, b: str) -> None:
        """Review ``a`` (A) against ``b`` (B) from now on."""
        self.coders = (a, b)
        self.code_id = None
        shown = self.query_one("#disagreements", RowList)
        if self.items or shown.row_count:  # else nothing to clear (nor to draw again)
            self.items = []
            shown.set_rows([])
            self._show_sides()
        self.read = None
        self.report = None
        self._show_coders()
        self._read_pair()
        # now (Widget.focus waits for the next message loop: the footer's keys a frame later)
        self.set_focus(self.query_one("#codes", RowList), scroll_visible=False)

    def action_refresh_tables(self) -> None:
        """Read everything again (r)."""
        self.tables = None
        self._read_pair()

    def _read_pair(self) -> None:
        """Show the pair's figures and disagreements: at once when ``tables`` has them and
        nothing they come from was written since; else read them in a worker thread, reusing
        the parts of ``tables`` whose keys (taken now, on the app's connection) are unchanged."""
        if len(self.coders) < 2:
            self.notify(TEXT["choose_c"], severity="warning")
            return
        self._reads += 1
        writes = self.project.review_writes()
        ready = self.tables.ready(writes, self.coders) if self.tables else None
        if ready and self.tables:  # computed, and nothing it comes from written since
            report, read = ready
            pairs = self.tables.coder_pairs()
            self._show_read(self._reads, report, read, _code_rows(report, read), pairs, self.tables)
            return
        self.loaded = False
        self._status(TEXT["reading"])
        self._read(self._reads, self.coders, self.tables, writes)

    @work(thread=True, group="review-read")
    def _read(
        self,
        read_id: int,
        coders: tuple[str, ...],
        kept: ReviewTables | None,
        writes: ReviewWrites | None,
    ) -> None:
        """Read the report and the disagreements on a connection of this thread's own."""
        try:
            with self.project.reading() as reader, reader.read_snapshot():
                tables = ReviewTables.refreshed(kept, reader, writes)
                report, read = tables.compare(reader, coders)
                pairs = tables.coder_pairs()
        except KodeverkError as exc:
            self.app.call_from_thread(self._read_failed, read_id, exc)
            return
        rows = _code_rows(report, read)  # here too: counting every code's rows takes a while
        self.app.call_from_thread(self._show_read, read_id, report, read, rows, pairs, tables)

    def _read_failed(self, read_id: int, exc: KodeverkError) -> None:
        if read_id == self._reads:
            self._status("")
            self.refused(exc)

    def _show_read(
        self,
        read_id: int,
        report: AgreementReport,
        read: ReviewRead | PairRead,
        rows: list[tuple[str, ...]],
        pairs: list[CoderPair],
        tables: ReviewTables,
    ) -> None:
        if read_id != self._reads or not self.is_attached:  # a later read is under way
            return
        first = self.tables is None
        self.read, self.pairs, self.report, self.tables = read, pairs, report, tables
        self._text = None
        table = self.query_one("#codes", RowList)
        keys = [str(row.code_id) for row in report.codes]
        table.set_rows(rows, cursor=table.cursor_row, keys=keys)
        if self.code_id is not None:
            self._load_disagreements(self.code_id)
        self.loaded = True
        self._status("")
        if first:  # the other pairs, while the lead looks at this one
            self._prepare_pairs()

    def _status(self, text: str) -> None:
        if text != self._status_text:  # a Static drawn again costs a frame's work
            self._status_text = text
            self.query_one("#status", Static).update(text, layout=False)

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        event.stop()
        if event.row_list.id == "codes":
            self.code_id = int(event.key)
            self._load_disagreements(self.code_id)
            self.query_one("#disagreements", RowList).focus()

    # -- the disagreements of one code -------------------------------------------------------
    def _load_disagreements(self, code_id: int, cursor: int | None = None) -> None:
        self.items = self.read.disagreements(code_id) if self.read else []  # a look-up
        table = self.query_one("#disagreements", RowList)
        row_before = table.cursor_row if cursor is None else cursor
        table.set_rows(
            [
                (
                    item.document,
                    f"{item.start}–{item.end}",
                    "✓" if item.spans_a else "",
                    "✓" if item.spans_b else "",
                    item.settled or "",
                )
                for item in self.items
            ],
            cursor=row_before,
        )
        self._show_sides()

    def on_row_list_highlighted(self, event: RowList.Highlighted) -> None:
        if event.row_list.id == "disagreements":
            self._show_sides()

    def _current(self) -> Disagreement | None:
        table = self.query_one("#disagreements", RowList)
        if not self.items or not 0 <= table.cursor_row < len(self.items):
            return None
        return self.items[table.cursor_row]

    def _show_sides(self) -> None:
        item = self._current()
        side_a = self.query_one("#side-a", TextPane)
        side_b = self.query_one("#side-b", TextPane)
        if item is None:
            side_a.update(TEXT["none_selected"])
            side_b.update("")
            return
        if self._text is None or self._text[0] != item.document_id:
            self._text = (item.document_id, document_text(self.project, item.document_id))
        text = self._text[1]
        side_a.update(_in_context(text, item, item.spans_a))
        side_b.update(_in_context(text, item, item.spans_b))

    # -- settling ----------------------------------------------------------------------------
    def action_settle(self, choice: str) -> None:
        item = self._current()
        if item is None or self.code_id is None:
            self.notify(TEXT["pick_first"], severity="warning")
            return
        if isinstance(self.call_domain(settle, self.project, item, choice, self.lead), Refused):
            return
        self._mark_settled(choice)
        self._status(  # a plain confirmation: the status line, not a toast
            TEXT["settled"].format(
                choice=TEXT[f"choice_{choice}"],
                document=item.document,
                start=item.start,
                end=item.end,
            )
        )

    def _mark_settled(self, choice: str) -> None:
        """Show the settled choice without recomputing anything: settling writes the consensus
        coder only, so A's and B's agreement and the list of disagreements stay as they are;
        only this row and the code's open/settled counts change (recomputing both tables took
        2.6 s per key on a study of 60 000 codings)."""
        table = self.query_one("#disagreements", RowList)
        row = table.cursor_row
        self.items[row] = replace(self.items[row], settled=choice)
        table.update_cell(row, SETTLED_COLUMN, choice)
        codes = self.query_one("#codes", RowList)
        pending, settled = count_open(self.items)
        code_row = codes.get_row_index(str(self.code_id))
        codes.update_cell(code_row, OPEN_COLUMN, str(pending))
        codes.update_cell(code_row, OPEN_COLUMN + 1, str(settled))
        table.move_cursor(row=self._next_open(row))

    def _next_open(self, row: int) -> int:
        """The next unsettled disagreement after ``row`` (or ``row`` when none is left)."""
        for i in range(row + 1, len(self.items)):
            if self.items[i].settled is None:
                return i
        return row

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Commands this screen offers in the command palette (none while the pair picker is
        open, as under a modal dialog)."""
        if self._picking():
            return []
        return [
            *(
                (TEXT[f"cmd.{name}"], TEXT[f"cmd.{name}.help"], partial(self.action_settle, name))
                for name in ("a", "b", "both", "neither")
            ),
            (TEXT["cmd.refresh"], TEXT["cmd.refresh.help"], self.action_refresh_tables),
            (TEXT["cmd.coders"], TEXT["cmd.coders.help"], self.action_choose_coders),
            *self._pair_commands(),
        ]  # fmt: skip

    def _pair_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        return [
            (TEXT["cmd.compare"].format(label=p.label),
             TEXT["cmd.compare.help"].format(a=p.a, b=p.b, n=p.shared),
             partial(self.compare, p.a, p.b))
            for p in self._pairs()[:PAIRS_IN_PALETTE]
        ]  # fmt: skip

    def action_back(self) -> None:
        codes = self.query_one("#codes", RowList)
        if codes.has_focus:
            self.app.pop_screen()
        else:
            codes.focus()


def _code_rows(report: AgreementReport, read: ReviewRead | PairRead) -> list[tuple[str, ...]]:
    """The codes table's cells: code, units, open, settled, % agree, κ, α, AC1."""
    rows: list[tuple[str, ...]] = []
    for row in report.codes:
        pending, done = read.counts(row.code_id)
        percent = "–" if row.percent_agreement is None else f"{row.percent_agreement:.0%}"
        rows.append(
            (
                _fit(short_path(row.code, CODE_WIDTH), CODE_WIDTH),
                str(row.units),
                str(pending),
                str(done),
                percent,
                _fmt(row.kappa),
                _fmt(row.alpha),
                _fmt(row.ac1),
            )
        )
    return rows


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _in_context(text: str, item: Disagreement, spans: tuple[tuple[int, int], ...]) -> Text:
    """The segment with context around it; the coder's spans highlighted, the segment
    underlined."""
    lo = max(0, item.start - CONTEXT)
    hi = min(len(text), item.end + CONTEXT)
    shown = Text(("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else ""))
    shift = 1 if lo else 0
    shown.stylize(SEGMENT, item.start - lo + shift, item.end - lo + shift)
    for start, end in spans:
        shown.stylize(HIGHLIGHT, max(start, lo) - lo + shift, min(end, hi) - lo + shift)
    if not spans:
        shown.append(TEXT["not_coded"], style="italic")
    return shown
