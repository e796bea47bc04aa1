"""The coding screen: read a document segment by segment and code it from the keyboard.

Every action calls ``coding.operations`` (one committed transaction) first and only then
updates the screen, so whatever the screen shows is already on disk.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right, insort
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from coding import operations as ops
from coding.codes import code_counts
from coding.errors import KodeverkError, ProjectBusy, ProjectGone
from coding.store import Project
from tui.project_view import (
    CodeInfo,
    CodingRow,
    SegmentRow,
    document_order,
    load_codes,
    load_codings,
    load_segments,
    unfinished_after,
)
from tui.suggestions import Suggestion, find_suggestions
from tui.widgets.code_tree import CodeTree, swatch
from tui.widgets.document_view import DocumentView

WORD = re.compile(r"\S+")
POLL_SECONDS = 2.0  # how often the all-coders view looks for other coders' new codings
PLACE_RETRY_SECONDS = 2.0  # saving where the coder is, again, after the write lock was busy

MESSAGES = {  # this screen's words, together for the coming message catalogue
    "move_on": "Move on to the next unfinished document? (enter: yes, escape: no)",
    "all_done": "every document is marked done",
    "last": "this is the last document",
    "first": "this is the first document",
    "opened": "{name}",
}


def _coder_id(project: Project, coder: str) -> int:
    """The coder's id; -1 (no codings of theirs yet) when a new coder cannot be created now:
    a read-only project, a full disk, a file gone from disk. Asked again after each write."""
    try:
        return project.coder_id(coder, create=not project.readonly)
    except KodeverkError:
        return -1


def code_style(colour: str) -> Style:
    """Background in the code's colour with black or white text, whichever reads better."""
    try:
        style = Style(bgcolor=colour)
        triplet = style.bgcolor.get_truecolor() if style.bgcolor else None
    except Exception:
        return Style(bgcolor="grey50", color="black")
    if triplet is None:
        return style
    luminance = 0.299 * triplet.red + 0.587 * triplet.green + 0.114 * triplet.blue
    return style + Style(color="black" if luminance > 140 else "white")


def stripe_style(colour: str) -> Style:
    """The code's colour as the colour of its stripe in the margin."""
    try:
        return Style(color=colour, bold=True)
    except Exception:
        return Style()


class CodingScreen(Screen):
    """Move with j/k, select with J/K and w/W, code with 1–9 or c, undo with u."""

    HELP_TITLE = "Coding"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "move(1)", "Next segment", show=False),
        Binding("k,up", "move(-1)", "Previous segment", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("n", "next_uncoded", "Next uncoded"),
        Binding("right_square_bracket,ctrl+down", "document(1)", "Next document", show=False),
        Binding("left_square_bracket,ctrl+up", "document(-1)", "Previous document", show=False),
        Binding("home,g", "edge(-1)", "Start of the document", show=False),
        Binding("end,G", "edge(1)", "End of the document", show=False),
        Binding(
            "J,shift+down",
            "extend(1)",
            "Extend selection down (stops at the end of a speaker's turn: press again to cross)",
            show=False,
        ),
        Binding(
            "K,shift+up",
            "extend(-1)",
            "Extend selection up (stops at the start of a speaker's turn: press again to cross)",
            show=False,
        ),
        Binding("w", "word_end(1)", "Widen by a word at the end", show=False),
        Binding("W", "word_end(-1)", "Narrow by a word at the end", show=False),
        Binding("b", "word_start(-1)", "Widen by a word at the start", show=False),
        Binding("B", "word_start(1)", "Narrow by a word at the start", show=False),
        *[
            Binding(d, f"shortcut('{d}')", "Apply the code with this shortcut", show=False)
            for d in "123456789"
        ],
        Binding("c", "pick", "Code"),
        Binding("x", "remove", "Remove"),
        Binding("u", "undo", "Undo"),
        Binding("ctrl+r", "redo", "Redo", show=False),
        Binding("m", "memo", "Memo"),
        Binding("d", "toggle_done", "Done"),
        Binding("slash", "search", "Search"),
        Binding("s", "suggest", "Suggest", show=False),
        Binding("a", "accept_suggestion", "Accept suggestion", show=False),
        Binding("r", "reject_suggestion", "Reject suggestion", show=False),
        Binding("v", "toggle_blind", "Own / all coders' codings", show=False),
        Binding("f", "focus_filter", "Filter codebook", show=False),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, project: Project, coder: str, document_id: int, segment: int = 0) -> None:
        super().__init__()
        self.project = project
        self.coder = coder
        self.coder_id = _coder_id(project, coder)
        self._place_retry: Timer | None = None
        self._place_error = ""  # the last reason saving the place failed: said once
        self.blind = True
        self.codes: list[CodeInfo] = []
        self.code_by_id: dict[int, CodeInfo] = {}
        self.codings: list[CodingRow] = []
        self.suggestions: list[Suggestion] = []
        self.project_counts: dict[int, int] = {}
        self.document_counts: dict[int, int] = {}
        self._start_segment = segment
        self._panel_height = -1
        self.load_document(document_id, reset_view=False)

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield DocumentView(self.text, id="document")
            with Vertical(id="side"):
                yield Static(id="on-selection")
                yield Input(placeholder="filter codes (f)", id="tree-filter", compact=True)
                yield CodeTree(id="tree")
        yield Footer()

    def on_mount(self) -> None:
        tree = self.query_one(CodeTree)
        tree.show_codes(self.codes)
        self._refresh_codings(full_counts=True)
        self.select_segment(self._start_segment)
        # the panel beside the text is filled once the screen counts as mounted
        self.call_after_refresh(self._show_selection_codes)
        self.query_one(DocumentView).focus()
        self._data_version = self._file_version()
        self.set_interval(POLL_SECONDS, self._show_others_changes)
        # The document's many small objects live as long as the screen: keep them out of the
        # garbage collector's full passes, which otherwise show up as 30–60 ms pauses on keys.
        gc.collect()
        gc.freeze()

    # -- loading ------------------------------------------------------------------------------
    def load_document(self, document_id: int, *, reset_view: bool = True, segment: int = 0) -> None:
        row = self.project.conn.execute(
            "SELECT name, text FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        if row is None:
            raise KodeverkError(f"no document with id {document_id}")
        self.document_id = document_id
        self.document_name, self.text = row
        self.segments = load_segments(self.project, document_id)
        if not self.segments:  # a document without segments: the whole text is one
            self.segments = [SegmentRow(0, max(len(self.text), 1), None)]
        self.segment_starts = [s.start for s in self.segments]
        self.has_speakers = any(s.speaker for s in self.segments)
        self._crossing: tuple[int, tuple[int, int]] | None = None  # J/K refused at a turn
        self.codes = load_codes(self.project)
        self.code_by_id = {c.id: c for c in self.codes}
        self.code_styles = {c.id: code_style(c.colour) for c in self.codes}
        self.code_rank = {c.id: rank for rank, c in enumerate(self.codes)}
        self.stripe_styles = {rank: stripe_style(c.colour) for rank, c in enumerate(self.codes)}
        self.suggestions = []
        self.selection = (self.segments[0].start, self.segments[0].end)
        self.sub_title = f"coder {self.coder} · {self.document_name}"
        if reset_view:
            view = self.query_one(DocumentView)
            view.set_text(self.text)
            view.set_marks([])
            self._refresh_codings(full_counts=True)
            self.select_segment(segment)

    def _refresh_codings(self, *, full_counts: bool, reload: bool = True) -> None:
        """Reload this document's codings (after a committed action) and redraw."""
        if self.coder_id < 0:  # a new coder whose creation failed: the action created them
            self.coder_id = _coder_id(self.project, self.coder)
        coder = self.coder if self.blind else None
        if reload:
            coder_id = None if coder is None else self.coder_id
            self.codings = load_codings(self.project, self.document_id, coder_id)
        view = self.query_one(DocumentView)
        styles, plain = self.code_styles, Style()
        view.set_highlights([(c[3], c[4], styles.get(c[1], plain)) for c in self.codings])
        rank = self.code_rank
        view.set_stripes(
            [(c[3], c[4], rank.get(c[1], -1)) for c in self.codings], self.stripe_styles
        )
        self._show_memos()
        old_document = self.document_counts
        self.document_counts = code_counts(self.project, self.document_id, coder)
        if full_counts:
            self.project_counts = code_counts(self.project, None, coder)
        else:  # only this document changed: adjust the project counts by the difference
            for code_id in set(old_document) | set(self.document_counts):
                delta = self.document_counts.get(code_id, 0) - old_document.get(code_id, 0)
                self.project_counts[code_id] = self.project_counts.get(code_id, 0) + delta
        self.query_one(CodeTree).set_counts(self.document_counts, self.project_counts)
        self._show_selection_codes()

    def _show_memos(self) -> None:
        """Mark where a memo on one of the shown codings starts (the coder's own in blind mode)."""
        sql = (
            "SELECT k.start FROM memos m JOIN codings k ON k.guid = m.target_guid "
            "WHERE m.target_kind = 'coding' AND k.document_id = ?"
        )
        params: tuple = (self.document_id,)
        if self.blind:
            sql += " AND m.coder_id = ?"
            params += (self.coder_id,)
        offsets = [r[0] for r in self.project.conn.execute(sql, params)]
        self.query_one(DocumentView).set_memos(offsets)

    def _file_version(self) -> int:
        """SQLite's data_version: changes when another connection commits to the file."""
        return self.project.conn.execute("PRAGMA data_version").fetchone()[0]

    def _show_others_changes(self) -> None:
        """In the all-coders view, show what other coders (other processes) committed since.
        Also notices a project file removed or replaced on disk (nothing more is saved)."""
        try:
            self.project.check_identity()
        except ProjectGone as exc:
            self.app.write_refused(exc)
            return
        version = self._file_version()
        if version != self._data_version:
            self._data_version = version
            if not self.blind:
                self._refresh_codings(full_counts=False)

    # -- selection ----------------------------------------------------------------------------
    def segment_at(self, offset: int) -> int:
        return max(bisect_right(self.segment_starts, offset) - 1, 0)

    @property
    def current_segment(self) -> int:
        return self.segment_at(self.selection[0])

    def select_segment(self, index: int) -> None:
        index = min(max(index, 0), len(self.segments) - 1)
        segment = self.segments[index]
        self.set_selection(segment.start, segment.end)
        self._save_place(index)

    def set_selection(self, start: int, end: int) -> None:
        start, end = self._within_speech(start, end)
        self.selection = (start, end)
        self.query_one(DocumentView).set_selection(start, end)
        self._show_selection_codes()

    def _within_speech(self, start: int, end: int) -> tuple[int, int]:
        """In a transcript a selection starts and ends inside what was said, never on a speaker
        label (the text between turns): a selection that lies on a label only becomes the
        segment after it."""
        if not self.has_speakers:
            return start, end
        segments = self.segments
        first = self.segment_at(start)
        if start >= segments[first].end and first + 1 < len(segments):
            first += 1  # in the gap after a segment: from the next one on
        new_start = max(start, segments[first].start)
        last = self.segment_at(end - 1)
        new_end = min(end, segments[last].end)
        if new_end <= new_start:
            return segments[first].start, segments[first].end
        return new_start, new_end

    def _other_turn(self, here: int, there: int) -> bool:
        """Whether segment ``there`` lies in another speaker turn than segment ``here``."""
        a, b = self.segments[here], self.segments[there]
        return a.block != b.block and bool(a.speaker or b.speaker)

    def _save_place(self, index: int) -> None:
        """Where the coder is, for reopening: one small transaction per move. Not an action the
        coder asked for: on a read-only project it is skipped; while another process holds the
        write lock it is retried (the latest place) a little later."""
        if self.project.readonly or self.app.write_problem or self._place_retry is not None:
            return
        try:
            with self.project.transaction():
                ops.remember(self.project, self.coder, "last_document", str(self.document_id))
                ops.remember(self.project, self.coder, f"segment:{self.document_id}", str(index))
        except ProjectBusy as exc:
            self.notify(f"{exc}; your place is saved once it is free", severity="warning")
            self._place_retry = self.set_timer(PLACE_RETRY_SECONDS, self._retry_place)
        except ProjectGone as exc:
            self.app.write_refused(exc)
        except KodeverkError as exc:  # a full disk, ...: said once, not on every move
            if str(exc) != self._place_error:
                self._place_error = str(exc)
                self.app.write_refused(exc)
        else:
            self._place_error = ""

    def _retry_place(self) -> None:
        self._place_retry = None
        self._save_place(self.current_segment)

    def selected_codings(self, own_only: bool = False) -> list[CodingRow]:
        start, end = self.selection
        return [
            c
            for c in self.codings
            if c.start < end and c.end > start and (not own_only or c.coder_id == self.coder_id)
        ]

    def _show_selection_codes(self) -> None:
        if not self.is_mounted:
            return
        start, end = self.selection
        index = self.current_segment
        segment = self.segments[index]
        done = ops.is_document_done(self.project, self.document_id, self.coder)
        header = Text(f"segment {index + 1}/{len(self.segments)}", style="bold")
        if segment.speaker:
            header.append(f" · {segment.speaker}")
        header.append(f"\n[{start}:{end}] {'✓ done' if done else 'not done'}")
        header.append(" blind" if self.blind else " all coders")  # fits 28 columns
        lines = [header]
        names = {r[0]: r[1] for r in self.project.conn.execute("SELECT id, name FROM coders")}
        for coding in self.selected_codings():
            code = self.code_by_id.get(coding.code_id)
            if code is None:
                continue
            line = swatch(code)
            line.append(f" {code.name}")
            if not self.blind:
                line.append(f" ({names.get(coding.coder_id, '?')})", style="dim")
            lines.append(line)
        if len(lines) == 1:
            lines.append(Text("no codes here", style="dim"))
        if self.suggestions:  # the proposed code stays in view until a or r
            shown = self.suggestions[self._current_suggestion() or 0]
            lines.append(Text(f"suggested: {shown.code_name}", style="bold reverse"))
            lines.append(
                Text(f"«{shown.matched}» · a accept, r reject ({len(self.suggestions)} left)")
            )
        panel = Text("\n").join(lines)
        height = panel.plain.count("\n")  # layout only when the panel's height may change
        self.query_one("#on-selection", Static).update(panel, layout=height != self._panel_height)
        self._panel_height = height
        view = self.query_one(DocumentView)
        view.border_title = self.document_name

    # -- movement -----------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        if step > 0:
            self.select_segment(self.segment_at(self.selection[1] - 1) + 1)
        else:
            self.select_segment(self.current_segment - 1)

    def action_page(self, direction: int) -> None:
        view = self.query_one(DocumentView)
        height = max(view.scrollable_content_region.height - 1, 1)
        line = min(
            max(view.line_of(self.selection[0]) + direction * height, 0), view.line_count - 1
        )
        self.select_segment(self.segment_at(view._starts[line]))

    def action_edge(self, direction: int) -> None:
        """The first (home, g) or last (end, G) segment of the document."""
        self.select_segment(0 if direction < 0 else len(self.segments) - 1)

    def action_document(self, step: int) -> None:
        """The next or previous document in the overview's order, without leaving the screen."""
        order = document_order(self.project.conn)
        here = order.index(self.document_id) if self.document_id in order else -1
        there = here + step
        if not 0 <= there < len(order):
            self.notify(MESSAGES["last" if step > 0 else "first"], timeout=2)
            return
        self.open_here(order[there])

    def action_next_document(self) -> None:
        self.action_document(1)

    def action_previous_document(self) -> None:
        self.action_document(-1)

    def open_here(self, document_id: int) -> None:
        """Show another document on this screen, at the segment the coder left it."""
        value = ops.recall(self.project, self.coder, f"segment:{document_id}")
        segment = int(value) if value and value.isdigit() else 0
        self.load_document(document_id, segment=segment)
        self.notify(MESSAGES["opened"].format(name=self.document_name), timeout=2)

    def _offer_next_unfinished(self) -> None:
        from tui.screens.confirm import ConfirmScreen

        following = unfinished_after(self.project.conn, self.document_id, self.coder)
        if following is None:
            self.notify(MESSAGES["all_done"], timeout=3)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.open_here(following)

        self.app.push_screen(ConfirmScreen(MESSAGES["move_on"], yes_first=True), answer)

    def action_next_uncoded(self) -> None:
        """One sweep over segments and the coder's codings (both in start order)."""
        own = [c for c in self.codings if c.coder_id == self.coder_id]
        i, reach = 0, -1  # reach: the furthest end of codings starting before this segment ends
        for index, segment in enumerate(self.segments):
            while i < len(own) and own[i].start < segment.end:
                reach = max(reach, own[i].end)
                i += 1
            if index > self.current_segment and reach <= segment.start:
                self.select_segment(index)
                return
        self.notify("no uncoded segment after this one")

    def action_extend(self, step: int) -> None:
        """Widen the selection by a segment; at the edge of a speaker's turn the first press
        stops (with a note) and a second press crosses into the next turn."""
        start, end = self.selection
        if step > 0:
            here = self.segment_at(end - 1)
            index = here + 1
            if index >= len(self.segments):
                return
            target = (start, self.segments[index].end)
        else:
            here = self.segment_at(start)
            index = here - (1 if start <= self.segments[here].start else 0)
            if index < 0:
                return
            target = (self.segments[index].start, end)
        crossing = index != here and self._other_turn(here, index)
        if crossing and self._crossing != (step, self.selection):
            self._crossing = (step, self.selection)
            key = "J" if step > 0 else "K"
            whose = self.segments[index].speaker or "the text around it"
            self.notify(
                f"end of {self.segments[here].speaker or 'this'} turn: press {key} again "
                f"to extend into {whose}",
                timeout=3,
            )
            return
        self._crossing = None
        self.set_selection(*target)

    def action_word_end(self, step: int) -> None:
        start, end = self.selection
        if step > 0:
            match = WORD.search(self.text, end)
            if match:
                self.set_selection(start, match.end())
        else:
            words = [m.end() for m in WORD.finditer(self.text, start, end) if m.end() < end]
            if words:
                self.set_selection(start, words[-1])

    def action_word_start(self, step: int) -> None:
        start, end = self.selection
        if step > 0:  # narrow: drop the first word
            match = WORD.search(self.text, start, end)
            following = WORD.search(self.text, match.end(), end) if match else None
            if following:
                self.set_selection(following.start(), end)
        else:
            before = [m.start() for m in WORD.finditer(self.text, max(0, start - 200), start)]
            if before:
                self.set_selection(before[-1], end)

    # -- coding actions -----------------------------------------------------------------------
    def apply_code(self, code_id: int | None) -> None:
        if code_id is None:
            return
        start, end = self.selection
        try:
            kept = ops.apply_coding(self.project, self.document_id, code_id, self.coder, start, end)
        except KodeverkError as exc:
            self.app.write_refused(exc)
            return
        self._absorb(kept, start, end)
        self._refresh_codings(full_counts=False, reload=False)
        self.notify(f"coded: {self.code_by_id[code_id].name}", timeout=2)

    def _commit(self, operation, *args):
        """Run a write; a refused one (another coder changed the same rows, ...) becomes a
        notification, never a crash. Returns the result, or False when refused."""
        try:
            return operation(*args)
        except KodeverkError as exc:
            self.app.write_refused(exc)
            return False

    def _absorb(self, kept: ops.Coding, start: int, end: int) -> None:
        """Mirror a committed ``apply_coding`` in the loaded codings without re-reading them:
        the coder's codings of that code touching the span were merged into ``kept``."""
        self.codings = [
            c
            for c in self.codings
            if not (
                c.coder_id == kept.coder_id
                and c.code_id == kept.code_id
                and c.start <= end
                and c.end >= start
            )
        ]
        row = CodingRow(kept.id, kept.code_id, kept.coder_id, kept.start, kept.end)
        insort(self.codings, row, key=lambda c: (c.start, c.id))

    def action_shortcut(self, key: str) -> None:
        matches = [c for c in self.codes if c.shortcut == key]
        if not matches:
            self.notify(f"no code has shortcut {key} (set one in the codebook editor)")
            return
        self.apply_code(matches[0].id)

    def action_pick(self) -> None:
        from tui.screens.picker import PickerScreen

        self.app.push_screen(PickerScreen(self.codes, "Apply code"), self.apply_code)

    def action_remove(self) -> None:
        code_ids = sorted({c.code_id for c in self.selected_codings(own_only=True)})
        if not code_ids:
            self.notify("none of your codes on the selection")
        elif len(code_ids) == 1:
            self.remove_code(code_ids[0])
        else:
            from tui.screens.picker import PickerScreen

            choices = [c for c in self.codes if c.id in code_ids]
            self.app.push_screen(PickerScreen(choices, "Remove code"), self.remove_code)

    def remove_code(self, code_id: int | None) -> None:
        if code_id is None:
            return
        start, end = self.selection
        if (
            self._commit(
                ops.remove_code, self.project, self.document_id, code_id, self.coder, start, end
            )
            is False
        ):
            return
        self._refresh_codings(full_counts=False)
        self.notify(f"removed: {self.code_by_id[code_id].name}", timeout=2)

    def action_undo(self) -> None:
        event = self._commit(ops.undo, self.project, self.coder)
        if event is False:
            return
        self._refresh_codings(full_counts=True)
        self.notify(f"undone: {event.summary}" if event else "nothing to undo", timeout=2)

    def action_redo(self) -> None:
        event = self._commit(ops.redo, self.project, self.coder)
        if event is False:
            return
        self._refresh_codings(full_counts=True)
        self.notify(f"redone: {event.summary}" if event else "nothing to redo", timeout=2)

    def action_memo(self) -> None:
        from tui.screens.memo import MemoScreen

        own = self.selected_codings(own_only=True)
        if own:
            kind, target, title = "coding", own[0].id, self.code_by_id[own[0].code_id].name
            title = f"Memo on the coding «{title}»"
        else:
            kind, target, title = "document", self.document_id, f"Memo on {self.document_name}"
        text = ops.get_memo(self.project, self.coder, kind, target)

        def save(new_text: str | None) -> None:
            if new_text is None:
                return
            if (
                self._commit(ops.set_memo, self.project, self.coder, kind, target, new_text)
                is False
            ):
                return
            self._show_memos()
            self.notify("memo saved" if new_text.strip() else "memo deleted", timeout=2)

        self.app.push_screen(MemoScreen(title, text), save)

    def action_toggle_done(self) -> None:
        done = not ops.is_document_done(self.project, self.document_id, self.coder)
        if (
            self._commit(ops.set_document_done, self.project, self.document_id, self.coder, done)
            is False
        ):
            return
        self._show_selection_codes()
        self.notify("document marked done" if done else "document marked not done", timeout=2)
        if done:
            self._offer_next_unfinished()

    def action_toggle_blind(self) -> None:
        self.blind = not self.blind
        self._refresh_codings(full_counts=True)
        self.notify("your codings only" if self.blind else "all coders' codings", timeout=2)

    # -- search and suggestions ---------------------------------------------------------------
    def action_search(self) -> None:
        from tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.project), self.jump_to_hit)

    def jump_to_hit(self, hit) -> None:
        if hit is None:
            return
        if hit.document_id != self.document_id:
            self.load_document(hit.document_id)
        self.set_selection(hit.start, hit.end)
        self._save_place(self.segment_at(hit.start))

    def action_suggest(self) -> None:
        self.suggestions = find_suggestions(self.project, self.document_id, self.coder)
        self.query_one(DocumentView).set_marks([(s.start, s.end) for s in self.suggestions])
        if not self.suggestions:
            self.notify("no keyword suggestions in this document")
            return
        self.notify(f"{len(self.suggestions)} suggestions: a accept, r reject", timeout=3)
        self._show_suggestion(0)

    def _show_suggestion(self, index: int) -> None:
        if not self.suggestions:
            self.query_one(DocumentView).set_marks([])
            self._show_selection_codes()
            return
        suggestion = self.suggestions[min(index, len(self.suggestions) - 1)]
        self.set_selection(suggestion.start, suggestion.end)
        self.notify(f"suggest «{suggestion.code_name}» (matched {suggestion.matched})", timeout=3)

    def _current_suggestion(self) -> int | None:
        for i, s in enumerate(self.suggestions):
            if (s.start, s.end) == self.selection:
                return i
        return 0 if self.suggestions else None

    def action_accept_suggestion(self) -> None:
        self._settle_suggestion(accept=True)

    def action_reject_suggestion(self) -> None:
        self._settle_suggestion(accept=False)

    def _settle_suggestion(self, *, accept: bool) -> None:
        index = self._current_suggestion()
        if index is None:
            self.notify("no suggestions: press s first")
            return
        suggestion = self.suggestions.pop(index)
        if accept:
            self.selection = (suggestion.start, suggestion.end)
            self.apply_code(suggestion.code_id)
        self.query_one(DocumentView).set_marks([(s.start, s.end) for s in self.suggestions])
        self._show_suggestion(index)

    # -- focus and leaving --------------------------------------------------------------------
    def on_tree_node_selected(self, event: CodeTree.NodeSelected) -> None:
        event.stop()
        if event.node.data is not None:
            self.apply_code(event.node.data)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "tree-filter":
            self.query_one(CodeTree).show_codes(self.codes, event.value)
            self.query_one(CodeTree).set_counts(self.document_counts, self.project_counts)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "tree-filter":
            self.query_one(CodeTree).focus()

    def action_focus_filter(self) -> None:
        self.query_one("#tree-filter", Input).focus()

    def action_back(self) -> None:
        view = self.query_one(DocumentView)
        if self.focused is not view:
            view.focus()
            return
        self.app.leave_coding(self)

    def palette_commands(self) -> list[tuple[str, str, object]]:
        """Commands this screen offers in the command palette."""
        return [
            ("Apply code…", "pick a code by name (c)", self.action_pick),
            ("Remove code", "remove a code from the selection (x)", self.action_remove),
            ("Undo", "undo your last action (u)", self.action_undo),
            ("Redo", "redo what you undid (ctrl+r)", self.action_redo),
            ("Memo", "memo on the coding here or the document (m)", self.action_memo),
            ("Toggle done", "mark this document done or not done (d)", self.action_toggle_done),
            ("Search", "search the project's text (/)", self.action_search),
            ("Suggestions", "mark keyword matches to accept or reject (s)", self.action_suggest),
            (
                "Next document",
                "the next document in the overview (] or ctrl+down)",
                self.action_next_document,
            ),
            (
                "Previous document",
                "the previous document ([ or ctrl+up)",
                self.action_previous_document,
            ),
            (
                "Next uncoded segment",
                "jump to the next segment you have not coded (n)",
                self.action_next_uncoded,
            ),
            ("Toggle blind mode", "own codings only or all coders' (v)", self.action_toggle_blind),
        ]
