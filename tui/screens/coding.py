"""The coding screen: read a document segment by segment and code it from the keyboard.

Every action calls ``coding.operations`` (one committed transaction) first and only then
updates the screen, so whatever the screen shows is already on disk.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, Literal, cast

from rich.style import Style
from rich.text import Text
from textual import messages
from textual._time import get_time
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.reactive import Reactive
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static

from coding import learn
from coding import operations as ops
from coding.accounts import can
from coding.codes import CodeRow, code_counts, list_codes
from coding.documents import document_name_and_text
from coding.errors import KodeverkError, ProjectBusy, ProjectGone
from coding.journal import Event
from coding.store import Project
from coding.views import (
    CodingIndex,
    CodingRow,
    SegmentRow,
    SegmentWindow,
    coder_names_by_id,
    coding_memo_starts,
    load_codings,
    load_segment_window,
    load_segments,
    neighbour_document,
    unfinished_after,
)
from tui.i18n import Section
from tui.keymap import palette_actions, palette_entries, screen_bindings
from tui.learning import LEARN_IDLE, Learner
from tui.messages import LeaveCoding
from tui.screens.base import REFUSED, ProjectScreen, Refused, step_back
from tui.shortcuts import RECENT, KeyState, build_keymap
from tui.suggestions import Suggestion, find_suggestions
from tui.widgets.code_tree import CodeTree, swatch
from tui.widgets.document_view import DocumentView
from tui.widgets.header import FixedHeader
from tui.widgets.steady_footer import SteadyFooter

if TYPE_CHECKING:  # imported when a search is opened
    from coding.search import SearchHit

WORD = re.compile(r"\S+")
POLL_SECONDS = 2.0  # how often the all-coders view looks for other coders' new codings
PLACE_RETRY_SECONDS = 2.0  # saving where the coder is, again, after the write lock was busy
SUGGESTION_TEXT = Section("suggest")
PALETTE = palette_actions("coding")
DOCUMENTS_KEPT = 4  # documents whose text and segments stay read (for ] and [)
# The first document's segments are read a window around the remembered one first, all of them
# this long after the screen is shown (or at once when a key needs one outside the window).
FINISH_READ = 0.3
# a document as read: name, text, segments, their starts, whether it has speakers
ReadDocument = tuple[str, str, list[SegmentRow], list[int], bool]
TEXT = Section("code")
# Lines the panel beside the text has room for from the start: the segment (two lines), a code,
# and the recent codes (a title and RECENT codes), the height it used to grow to with the first
# codes of a session, a layout each time. A key, ``]`` and ``[`` relayout nothing (issue 14) as
# long as a selection has no more than RECENT + 1 codes.
PANEL_LINES = 2 + 1 + 1 + RECENT


def _coder_id(project: Project, coder: str) -> int:
    """The coder's id; -1 (no codings of theirs yet) when a new coder cannot be created now:
    a read-only project, a full disk, a file gone from disk. Asked again after each write."""
    try:
        return project.coder_id(coder, create=not project.readonly)
    except KodeverkError:
        return -1


NEWLINE = Content("\n")


def _content(text: Text) -> Content:
    """A line of the panel as Textual draws it (``Static`` would convert it at each update)."""
    return Content.from_rich_text(text)


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


class CodingScreen(ProjectScreen):
    """Move with j/k, select with J/K and w/W, code with 1–9 or c, undo with u."""

    HELP_TITLE = "code.title"
    HELP_DOC = "code.doc"
    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("coding")

    def __init__(self, project: Project, coder: str, document_id: int, segment: int = 0) -> None:
        super().__init__(project, coder)
        self.coder_id = _coder_id(project, coder)
        self._place_retry: Timer | None = None
        self._place_due: tuple[int, int] | None = None  # (document, segment) not saved yet
        self._place_pending = False  # a save waits for the next paint
        self._place_error = ""  # the last reason saving the place failed: said once
        self.blind = True
        self.codes: list[CodeRow] = []
        self.code_by_id: dict[int, CodeRow] = {}
        self.code_styles: dict[int, Style] = {}
        self._counts_version = -1  # the file's data version when the project counts were read
        self.codings: list[CodingRow] = []  # the rows of ``_index``: a new list at each change
        self._index = CodingIndex()
        # the panel's lines as Textual draws them, made once: the header of the selection, a
        # code's line (by what it shows), the key lines (by the codes they name)
        self._header: tuple[tuple, Content] | None = None
        self._code_lines: dict[tuple, Content] = {}
        self._key_content: tuple[tuple, list[Content]] | None = None
        self.suggestions: list[Suggestion] = []
        # learned suggestions, trained in a thread once the keys rest (never during first paint)
        self.learner = Learner(self, project, coder, idle=LEARN_IDLE)
        self.project_counts: dict[int, int] = {}
        self.document_counts: dict[int, int] = {}
        # the done mark and the coders' names, read once per change (not at every key)
        self._done: bool | None = None
        self._coder_names: dict[int, str] | None = None
        self._start_segment = segment
        self.status = ""  # what the last key did, shown under the text
        self._said = ""  # the status on the text's border
        self._panel_height = -1  # the panel's height (in newlines): it only grows
        self._border_name: str | None = None  # the document name on the text's border
        self.keys = KeyState(build_keymap([]))
        self._read: dict[int, ReadDocument] = {}  # the documents shown last, by id
        self._read_version = -1  # the file's data version they were read at
        self._laid_out_at = -1.0  # when the last layout of the whole screen started
        self._codes_version: object = None  # the codebook's writes_version when read
        # the document's segments and their starts; None while only ``_window`` is read
        self._segments: list[SegmentRow] | None = None
        self._starts: list[int] = []
        self._window: SegmentWindow | None = None
        # Project.changes_key when a full screen went over this one (on_screen_suspend)
        self._left_at: tuple[int, int] | None = None
        self.load_document(document_id, reset_view=False, segment=segment)

    # -- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield FixedHeader()
        with Horizontal():
            yield DocumentView(self.text, id="document")
            with Vertical(id="side"):
                yield Static(id="on-selection")
                yield Input(placeholder=TEXT["filter"], id="tree-filter", compact=True)
                yield CodeTree(id="tree")
        # its keys composed with it (in the first frame), again only when the keys change
        yield SteadyFooter(keys_at_compose=True)

    def _refresh_layout(self, size: Size | None = None, scroll: bool = False) -> None:
        """Textual's, but its first frame is its only one on opening (issue 13): Textual laid
        the screen out a second time right after the first, for nothing. The layouts asked
        for while the screen was mounted reach it after the first layout as messages (taken
        up there already: ``_on_layout``), its flag is cleared only by its update timer, and
        each widget's virtual size, set by the first layout, asks for one more (sizes set by
        later layouts still do; a scrollbar shown or hidden always does)."""
        if (scroll and not self._layout_widgets) or not (size or self.outer_size):
            super()._refresh_layout(size, scroll)  # only what scrolled, or no size yet
            return
        self._layout_required = False  # what the layout itself asks for sets it again
        first, self._laid_out_at = self._laid_out_at < 0, get_time()
        if not first:
            super()._refresh_layout(size, scroll)
            return
        virtual_size = cast(Reactive, Widget.virtual_size)
        virtual_size._layout = False
        try:
            super()._refresh_layout(size, scroll)
        finally:
            virtual_size._layout = True

    async def _on_layout(self, message: messages.Layout) -> None:
        if message.time < self._laid_out_at:  # asked before the whole screen's last layout
            message.stop()
            message.prevent_default()  # not Screen._on_layout

    def on_key(self) -> None:
        self.learner.touch()  # training waits until the keys rest

    def on_mount(self) -> None:
        shared = getattr(self.app, "recent_codes", None)
        if isinstance(shared, list):  # the recent codes are the same on every screen
            self.keys.recent = shared
        tree = self._tree
        tree.keys_of = self.keys.keymap.keys_of
        self._refresh_codings(counts="read")  # the counts first: each label is made once
        tree.show_codes(self.codes)
        self.select_segment(self._start_segment)
        # the panel beside the text before the first layout: in the first frame, no second
        # layout for it (issue 13)
        self._show_selection_codes(force=True)
        view = self._view
        view.focus()
        view.before_layout()
        tree.before_layout()
        self._data_version = self._file_version()
        if self._segments is None:
            self.set_timer(FINISH_READ, self._read_all_segments)
        self.set_interval(POLL_SECONDS, self._show_others_changes)
        self.learner.start()

    # the widgets a key updates, found once (``query_one`` walks the screen's widgets)
    @cached_property
    def _view(self) -> DocumentView:
        return self.query_one(DocumentView)

    @cached_property
    def _tree(self) -> CodeTree:
        return self.query_one(CodeTree)

    @cached_property
    def _panel(self) -> Static:
        return self.query_one("#on-selection", Static)

    # -- loading ------------------------------------------------------------------------------
    def load_document(self, document_id: int, *, reset_view: bool = True, segment: int = 0) -> None:
        """Show a document (``reset_view``: on the mounted screen, at ``segment``); the
        screen's first only reads the segments around ``segment`` before it is shown."""
        self._read_document(document_id, None if reset_view else segment)
        self.document_id = document_id
        self._forget_status()
        self._crossing: tuple[int, tuple[int, int]] | None = None  # J/K refused at a turn
        self._read_codes()
        self.suggestions = []
        shown = self._segment(min(segment, self.segment_count - 1) if self._window else 0)
        self.selection = (shown.start, shown.end)
        self._set_sub_title(TEXT["sub_title"].format(coder=self.coder, document=self.document_name))
        if reset_view:
            view = self._view
            view.set_text(self.text)
            view.set_marks([])
            # another document: the project's counts stay, unless another process wrote
            others = self._file_version() != self._counts_version
            self._refresh_codings(counts="read" if others else "keep", panel=False)
            self.select_segment(segment)  # shows the panel

    def _read_codes(self) -> bool:
        """The codebook, read again only when it changed (True then)."""
        version = self.project.writes_version("codes")  # unchanged: the same codebook, kept
        same = version is not None and version == self._codes_version
        codes = self.codes if same else list_codes(self.project)
        self._codes_version = version
        if codes == self.codes and self.code_styles:
            return False
        self.codes = codes
        self.code_by_id = {c.id: c for c in codes}
        self.code_styles = {c.id: code_style(c.colour) for c in codes}
        self.code_rank = {c.id: rank for rank, c in enumerate(codes)}
        self.stripe_styles = {rank: stripe_style(c.colour) for rank, c in enumerate(codes)}
        self.keys.keymap = build_keymap(codes)
        return True

    def on_screen_suspend(self) -> None:
        """A screen over this one. A dialog of this screen's (picker, memo, ...) changes only
        what its callback shows here; a full screen (the codebook editor: merge, delete) may
        change the codebook and the codings: noted, to compare when this screen is back."""
        modal = isinstance(self.app.screen_stack[-1], ModalScreen)
        self._left_at = None if modal else self.project.changes_key()

    def on_screen_resume(self) -> None:
        """Back from a full screen that wrote (or another process did meanwhile): the
        codebook and the codings read again, so the screen and its index are the file's."""
        left_at, self._left_at = self._left_at, None
        if left_at is None or left_at == self.project.changes_key():
            return
        if self._read_codes():
            self._show_codebook()
        self._refresh_codings(counts="read")

    def _read_document(self, document_id: int, around: int | None = None) -> None:
        """A document's name, text and segments, kept for the last few shown (``[`` back to
        a long transcript reads nothing again) until another process writes: this
        app changes no document's name, text or segments. With ``around`` (a document not
        kept), only a window of segments around that one: ``_read_all_segments`` reads them."""
        version = self._file_version()
        if version != self._read_version:
            self._read.clear()
            self._read_version = version
        read = self._read.pop(document_id, None)
        if read is None:
            name, text = document_name_and_text(self.project, document_id)
            window = (
                None if around is None else load_segment_window(self.project, document_id, around)
            )
            if window is not None:
                self.document_name, self.text = name, text
                self._segments, self._starts, self._window = None, [], window
                self.has_speakers = window.has_speakers
                return
            read = self._all_segments(name, text, load_segments(self.project, document_id))
        self._keep(document_id, read)
        self.document_name, self.text, self._segments, self._starts = read[:4]
        self.has_speakers, self._window = read[4], None

    @staticmethod
    def _all_segments(name: str, text: str, segments: list[SegmentRow]) -> ReadDocument:
        if not segments:  # a document without segments: the whole text is one
            segments = [SegmentRow(0, max(len(text), 1), None)]
        starts = [s.start for s in segments]
        return name, text, segments, starts, any(s.speaker for s in segments)

    def _keep(self, document_id: int, read: ReadDocument) -> None:
        self._read[document_id] = read  # the last shown last
        while len(self._read) > DOCUMENTS_KEPT:
            del self._read[next(iter(self._read))]

    def _read_all_segments(self) -> None:
        """All segments of the document whose window was read (after the first frame)."""
        if self._segments is not None:
            return
        read = self._all_segments(
            self.document_name, self.text, load_segments(self.project, self.document_id)
        )
        self._segments, self._starts, self._window = read[2], read[3], None
        if self._file_version() == self._read_version:  # as read with the window
            self._keep(self.document_id, read)

    @property
    def segments(self) -> list[SegmentRow]:
        """The document's segments in order (all read, if only a window was so far)."""
        if self._segments is None:
            self._read_all_segments()
        assert self._segments is not None
        return self._segments

    @property
    def segment_starts(self) -> list[int]:
        self.segments  # noqa: B018 (all read)
        return self._starts

    @property
    def segment_count(self) -> int:
        return len(self._segments) if self._segments is not None else self._window.count  # type: ignore[union-attr]

    def _segment(self, index: int) -> SegmentRow:
        """Segment ``index``, from the window while it holds it."""
        if self._segments is None and self._window is not None:
            found = self._window.get(index)
            if found is not None:
                return found
        return self.segments[index]

    def _set_sub_title(self, sub_title: str) -> None:
        """The header names the document. Once shown, only the header's title is painted:
        setting ``sub_title`` repaints every widget on the screen (issue 14: ``]``, ``[``)."""
        if not self.is_mounted:
            self.sub_title = sub_title
            return
        self.set_reactive(CodingScreen.sub_title, sub_title)
        self.query_one(FixedHeader).show_title()

    def _refresh_codings(
        self, *, counts: Literal["read", "adjust", "keep"], panel: bool = True
    ) -> None:
        """Reload this document's codings (after a committed action) and redraw. The project
        counts are read again, adjusted by this document's change, or kept (another document
        is shown). ``panel``: False when the caller shows the panel next."""
        if self.coder_id < 0:  # a new coder whose creation failed: the action created them
            self.coder_id = _coder_id(self.project, self.coder)
        coder = self.coder if self.blind else None
        self._forget_status()
        coder_id = None if coder is None else self.coder_id
        self._hold(load_codings(self.project, self.document_id, coder_id))
        view = self._view
        styles, plain = self.code_styles, Style()
        view.set_highlights([(c[3], c[4], styles.get(c[1], plain)) for c in self.codings])
        rank = self.code_rank
        view.set_stripes(
            [(c[3], c[4], rank.get(c[1], -1)) for c in self.codings], self.stripe_styles
        )
        self._show_memos()
        old_document = self.document_counts
        # Counted from the codings in hand (those shown: this coder's when blind, else all),
        # not re-read: the query cost more than the rest of a key (issue 13).
        self.document_counts = dict.fromkeys(self.code_by_id, 0)
        for coding in self.codings:
            self.document_counts[coding.code_id] = self.document_counts.get(coding.code_id, 0) + 1
        if counts == "read":
            self._counts_version = self._file_version()
            self.project_counts = code_counts(self.project, None, coder)
        elif counts == "adjust":  # only this document changed: adjust by the difference
            for code_id in set(old_document) | set(self.document_counts):
                delta = self.document_counts.get(code_id, 0) - old_document.get(code_id, 0)
                self.project_counts[code_id] = self.project_counts.get(code_id, 0) + delta
        self._tree.set_counts(self.document_counts, self.project_counts)
        if panel:
            self._show_selection_codes()

    def _hold(self, rows: list[CodingRow]) -> None:
        """The document's codings as read: indexed by position (``selected_codings``)."""
        self._index = CodingIndex(rows)
        self.codings = self._index.rows

    def _forget_status(self) -> None:
        self._done = self._coder_names = None

    def _status(self) -> tuple[bool, dict[int, str]]:
        """Whether this coder marked the document done, and every coder's name by id (read
        only when the panel names coders: not in the blind view)."""
        if self._done is None:
            self._done = ops.is_document_done(self.project, self.document_id, self.coder)
        if self._coder_names is None and not self.blind:
            self._coder_names = coder_names_by_id(self.project)
        return self._done, self._coder_names or {}

    def _show_memos(self) -> None:
        """Mark where a memo on one of the shown codings starts (the coder's own in blind mode)."""
        coder_id = self.coder_id if self.blind else None
        offsets = coding_memo_starts(self.project, self.document_id, coder_id)
        self._view.set_memos(offsets)

    def _file_version(self) -> int:
        return self.project.data_version()

    def _show_others_changes(self) -> None:
        """In the all-coders view, show what other coders (other processes) committed since.
        Also notices a project file removed or replaced on disk (nothing more is saved)."""
        try:
            self.project.check_identity()
        except ProjectGone as exc:
            self.refused(exc)
            return
        version = self._file_version()
        if version != self._data_version:
            self._data_version = version
            self._forget_status()
            if not self.blind:
                self._refresh_codings(counts="adjust")

    # -- selection ----------------------------------------------------------------------------
    def segment_at(self, offset: int) -> int:
        if self._segments is None and self._window is not None:
            found = self._window.index_at(offset)
            if found is not None:
                return found
        return max(bisect_right(self.segment_starts, offset) - 1, 0)

    @property
    def current_segment(self) -> int:
        return self.segment_at(self.selection[0])

    def select_segment(self, index: int) -> None:
        index = min(max(index, 0), self.segment_count - 1)
        segment = self._segment(index)
        self.set_selection(segment.start, segment.end)
        self._save_place(index)

    def set_selection(self, start: int, end: int) -> None:
        start, end = self._within_speech(start, end)
        self.selection = (start, end)
        self._view.set_selection(start, end)
        self._show_selection_codes()

    def _within_speech(self, start: int, end: int) -> tuple[int, int]:
        """In a transcript a selection starts and ends inside what was said, never on a speaker
        label (the text between turns): a selection that lies on a label only becomes the
        segment after it."""
        if not self.has_speakers:
            return start, end
        segment = self._segment
        first = self.segment_at(start)
        if start >= segment(first).end and first + 1 < self.segment_count:
            first += 1  # in the gap after a segment: from the next one on
        new_start = max(start, segment(first).start)
        last = self.segment_at(end - 1)
        new_end = min(end, segment(last).end)
        if new_end <= new_start:
            return segment(first).start, segment(first).end
        return new_start, new_end

    def _other_turn(self, here: int, there: int) -> bool:
        """Whether segment ``there`` lies in another speaker turn than segment ``here``."""
        a, b = self._segment(here), self._segment(there)
        return a.block != b.block and bool(a.speaker or b.speaker)

    def _save_place(self, index: int) -> None:
        """Where the coder is, for reopening: saved once the key's change is painted (its
        commit waits for the disk: after the paint, not before), the latest place of the moves
        made meanwhile. Not an action the coder asked for: on a read-only project it is
        skipped; while another process holds the write lock it is retried a little later."""
        self._place_due = (self.document_id, index)
        if not self.is_mounted:
            self._write_place()
        elif not self._place_pending:
            self._place_pending = True
            self.call_after_refresh(self._write_place)

    def _write_place(self) -> None:
        """Save the place ``_save_place`` noted (if any): one small transaction."""
        self._place_pending = False
        due, self._place_due = self._place_due, None
        gone = getattr(self.app, "write_problem", None)  # KodeverkApp: the file went away
        if due is None or self.project.readonly or gone or self._place_retry is not None:
            return
        document_id, index = due
        try:
            ops.remember_place(self.project, self.coder, document_id, index)
        except ProjectBusy as exc:
            self.notify(TEXT["place_later"].format(problem=exc), severity="warning")
            self._place_retry = self.set_timer(PLACE_RETRY_SECONDS, self._retry_place)
        except ProjectGone as exc:
            self.refused(exc)
        except KodeverkError as exc:  # a full disk, ...: said once, not on every move
            if str(exc) != self._place_error:
                self._place_error = str(exc)
                self.refused(exc)
        else:
            self._place_error = ""

    def _retry_place(self) -> None:
        self._place_retry = None
        self._save_place(self.current_segment)

    def selected_codings(self, own_only: bool = False) -> list[CodingRow]:
        """The shown codings over the selection, by start (looked up in the index)."""
        found = self._index.overlapping(*self.selection)
        if own_only:
            return [c for c in found if c.coder_id == self.coder_id]
        return found

    def _show_selection_codes(self, *, force: bool = False) -> None:
        """The panel beside the text: the selected segment, the codes on the selection, the
        key lines. Its lines are made once (``_code_line``, ...) and joined at each key."""
        if not (self.is_mounted or force):  # force: in on_mount, the panel is there
            return
        lines = [self._header_line()]
        names = self._status()[1]
        code_by_id = self.code_by_id
        for coding in self.selected_codings():
            code = code_by_id.get(coding.code_id)
            if code is not None:
                coder = None if self.blind else names.get(coding.coder_id, "?")
                lines.append(self._code_line(code, coder))
        if len(lines) == 1:
            lines.append(self._plain_line(TEXT["no_codes"], "dim"))
        lines.extend(self._key_contents())
        if self.suggestions:  # the proposed code stays in view until a or r
            lines += [_content(line) for line in self._suggestion_lines()]
        panel = NEWLINE.join(lines)
        lines_now = panel.plain.count("\n")
        height = max(lines_now, self._panel_height, PANEL_LINES - 1)  # it only grows: and
        if height > lines_now:  # a layout only then
            panel = panel.append("\n" * (height - lines_now))
        self._panel.update(panel, layout=height > self._panel_height)
        self._panel_height = height
        if self._border_name != self.document_name:  # setting it redraws the whole view
            self._border_name = self.document_name
            self._view.border_title = Text(self.document_name)  # a name is text, not markup

    def _header_line(self) -> Content:
        """The segment's number, speaker, offsets and done mark (two lines)."""
        start, end = self.selection
        index = self.current_segment
        done = self._status()[0]
        parts = (
            TEXT["segment"].format(at=index + 1, of=self.segment_count),
            self._segment(index).speaker,
            f"\n[{start}:{end}] {TEXT['done' if done else 'not_done']}",
            TEXT["blind_mark" if self.blind else "all_mark"],  # fits 28 columns
        )
        if self._header is None or self._header[0] != parts:
            header = Text(parts[0], style="bold")
            if parts[1]:
                header.append(f" · {parts[1]}")
            header.append(parts[2])
            header.append(parts[3])
            self._header = (parts, _content(header))
        return self._header[1]

    def _code_line(self, code: CodeRow, coder: str | None) -> Content:
        """A code on the selection: its swatch and name (and coder, in the all-coders view)."""
        key = (code.colour, code.shortcut, code.name, coder)
        line = self._code_lines.get(key)
        if line is None:
            text = swatch(code)
            text.append(f" {code.name}")
            if coder is not None:
                text.append(f" ({coder})", style="dim")
            line = self._code_lines[key] = _content(text)
        return line

    def _plain_line(self, text: str, style: str) -> Content:
        key = (None, style, text, None)
        line = self._code_lines.get(key)
        if line is None:
            line = self._code_lines[key] = _content(Text(text, style=style))
        return line

    def _key_contents(self) -> list[Content]:
        """``_key_lines``, made again only when what they show changed."""
        keymap, pending, code_by_id = self.keys.keymap, self.keys.pending, self.code_by_id
        if pending:
            codes = keymap.codes
            subs = (codes.get(f"{pending}{n}") for n in range(1, 10))
            key: tuple = (pending, codes.get(pending), *subs)
        else:
            key = (None, *self.keys.recent)
        key = (key, TEXT["recent"], *(code_by_id.get(c) for c in key[1:] if c is not None))
        if self._key_content is None or self._key_content[0] != key:
            self._key_content = (key, [_content(line) for line in self._key_lines()])
        return self._key_content[1]

    def say(self, message: str) -> None:
        """Confirm what a key did in the status line, the bottom border of the text: no row
        and no layout (a toast relayouts the screen at every key). Problems stay toasts."""
        self.status = message
        if self.is_mounted and message != self._said:  # setting it repaints the whole text
            self._said = message
            self._view.border_subtitle = Text(message)  # not markup

    def _key_lines(self) -> list[Text]:
        """The waiting first key and its sub-codes, or the recent codes (alt+1…)."""
        keymap, pending = self.keys.keymap, self.keys.pending
        if pending:
            lines = [Text(f"{pending}… 0 {self.code_by_id[keymap.codes[pending]].name}", "bold")]
            for n in range(1, 10):
                code_id = keymap.codes.get(f"{pending}{n}")
                if code_id is not None:
                    lines.append(Text(f"  {n} {self.code_by_id[code_id].name}"))
            return lines
        recent = [self.code_by_id[c] for c in self.keys.recent if c in self.code_by_id]
        if not recent:
            return []
        lines = [Text(TEXT["recent"], style="dim")]
        lines.extend(Text(f" {n} {code.name}") for n, code in enumerate(recent, start=1))
        return lines

    # -- movement -----------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        self.keys.cancel()
        if step > 0:
            self.select_segment(self.segment_at(self.selection[1] - 1) + 1)
        else:
            self.select_segment(self.current_segment - 1)

    def action_page(self, direction: int) -> None:
        view = self._view
        height = max(view.scrollable_content_region.height - 1, 1)
        line = min(
            max(view.line_of(self.selection[0]) + direction * height, 0), view.line_count - 1
        )
        self.select_segment(self.segment_at(view._starts[line]))

    def action_edge(self, direction: int) -> None:
        """The first (home, g) or last (end, G) segment of the document."""
        self.select_segment(0 if direction < 0 else self.segment_count - 1)

    def action_document(self, step: int) -> None:
        """The next or previous document in the overview's order, without leaving the screen."""
        there = neighbour_document(self.project.conn, self.document_id, step)
        if there is None:
            self.say(TEXT["last" if step > 0 else "first"])
            return
        self.open_here(there)

    def action_next_document(self) -> None:
        self.action_document(1)

    def action_previous_document(self) -> None:
        self.action_document(-1)

    def open_here(self, document_id: int) -> None:
        """Show another document on this screen, at the segment the coder left it."""
        value = ops.recall(self.project, self.coder, f"segment:{document_id}")
        segment = int(value) if value and value.isdigit() else 0
        self.load_document(document_id, segment=segment)
        self.say(self.document_name)

    def _offer_next_unfinished(self) -> None:
        from tui.screens.confirm import ConfirmScreen

        following = unfinished_after(self.project.conn, self.document_id, self.coder)
        if following is None:
            self.notify(TEXT["all_done"], timeout=3)
            return

        def answer(yes: bool | None) -> None:
            if yes:
                self.open_here(following)

        self.app.push_screen(ConfirmScreen(TEXT["move_on"], yes_first=True), answer)

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
        self.notify(TEXT["no_uncoded"])

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
            whose = self.segments[index].speaker or TEXT["text_around"]
            self.notify(
                TEXT["turn_end"].format(
                    speaker=self.segments[here].speaker or TEXT["this"], key=key, whose=whose
                ),
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
        kept = self.call_domain(
            ops.apply_coding, self.project, self.document_id, code_id, self.coder, start, end
        )
        if isinstance(kept, Refused):
            return
        self.keys.used(code_id)
        self._absorb(kept, start, end)
        self.learner.count()
        self.say(TEXT["coded"].format(name=self.code_by_id[code_id].name))

    def _absorb(self, kept: ops.Coding, start: int, end: int) -> None:
        """Mirror a committed ``apply_coding`` in the loaded codings without re-reading them
        (the coder's codings of that code touching the span were merged into ``kept``), and
        show the change: only the lines, counts and panel it touches."""
        if self.coder_id < 0:  # the coding created this coder: read everything once
            self._refresh_codings(counts="read")
            return
        near = self._index.overlapping(start, end, touching=True)
        removed = [c for c in near if ops.merged_by(c, kept, start, end)]
        row = CodingRow(kept.id, kept.code_id, kept.coder_id, kept.start, kept.end)
        self.codings = self._index.change(removed, [row])
        self._show_change(removed, [row])

    def _show_change(self, removed: list[CodingRow], added: list[CodingRow]) -> None:
        """Show codings taken away and added (already in ``self.codings``) without redrawing
        the rest: their lines in the text, their codes' counts, the panel."""
        styles, plain, rank = self.code_styles, Style(), self.code_rank

        def drawn(c: CodingRow) -> tuple[tuple[int, int, Style], tuple[int, int, int]]:
            """The coding's highlight and its stripe, as ``_refresh_codings`` draws them."""
            highlight = (c.start, c.end, styles.get(c.code_id, plain))
            return highlight, (c.start, c.end, rank.get(c.code_id, -1))

        self._view.change_codings([drawn(c) for c in removed], [drawn(c) for c in added])
        if removed:  # a merge may have moved or dropped a coding with a memo
            self._show_memos()
        counts = dict(self.document_counts)
        totals = dict(self.project_counts)
        for coding, step in [*((c, -1) for c in removed), *((c, 1) for c in added)]:
            counts[coding.code_id] = counts.get(coding.code_id, 0) + step
            totals[coding.code_id] = totals.get(coding.code_id, 0) + step
        self.document_counts, self.project_counts = counts, totals
        self._tree.change_counts({c.code_id for c in (*removed, *added)}, counts, totals)
        self._show_selection_codes()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A shortcut digit (a priority binding: the app runs it before the key reaches any
        widget) typed while the screen is still being built finds none of its widgets yet:
        passed on, not run (a coder typing at once in a browser crashed the app)."""
        return self.is_mounted or action != "shortcut"

    def action_shortcut(self, key: str) -> None:
        """A digit: a code's key, or the first of two (the panel shows the sub-codes). The
        digits are priority bindings (keys.toml): the app runs them as the key arrives, not
        after it went down to the text and bubbled back up (issue 13), so ``on_key`` never
        sees them; an Input in focus still takes them (Textual leaves it the keys it types)."""
        self.learner.touch()
        result = self.keys.press(key)
        if isinstance(result, str):
            self._show_selection_codes()
            return
        if result is None:
            self.notify(TEXT["no_key"].format(key=key))
            self._show_selection_codes()
            return
        self.apply_code(result)

    def action_alt_digit(self, n: int) -> None:
        """alt+digit: while suggestions are shown, accept the n-th; otherwise a recent code."""
        if any((s.start, s.end) == self.selection for s in self.suggestions):
            self.action_accept_nth(n)
        else:
            self.action_recent(n)

    def action_recent(self, n: int) -> None:
        code_id = self.keys.recent_code(n - 1)
        if code_id is None or code_id not in self.code_by_id:
            self.notify(TEXT["no_recent"].format(n=n), timeout=2)
            return
        self.apply_code(code_id)

    def action_pick(self) -> None:
        from tui.screens.picker import PickerScreen

        # a new code goes under the code whose digit waits, else the one highlighted in the tree
        pending = self.keys.pending
        self.keys.cancel()
        parent = self.keys.keymap.codes.get(pending) if pending else None
        if parent is None:
            parent = self._tree.highlighted_code
        picker = PickerScreen(
            self.codes, TEXT["apply_code"], create=self._create_code, parent_id=parent
        )
        self.app.push_screen(picker, self.apply_code)

    def _create_code(self, name: str, parent_id: int | None) -> int | None:
        """The picker's «create»: a new code (journaled by the codebook) under ``parent_id``."""
        from coding.codes import create_code

        code_id = self.call_domain(
            lambda: create_code(self.project, name, parent_id=parent_id, coder=self.coder)
        )
        if isinstance(code_id, Refused):
            return None
        self._read_codes()  # styles and ranks of the new code too
        self._show_codebook()
        self._refresh_codings(counts="keep")  # the stripes by the new ranks, in their colours
        return code_id

    def _show_codebook(self) -> None:
        """The code tree after the codebook was read again: codes and their keys."""
        tree = self._tree
        tree.keys_of = self.keys.keymap.keys_of
        tree.show_codes(self.codes)

    def action_remove(self) -> None:
        code_ids = sorted({c.code_id for c in self.selected_codings(own_only=True)})
        if not code_ids:
            self.notify(TEXT["none_of_yours"])
        elif len(code_ids) == 1:
            self.remove_code(code_ids[0])
        else:
            from tui.screens.picker import PickerScreen

            choices = [c for c in self.codes if c.id in code_ids]
            self.app.push_screen(PickerScreen(choices, TEXT["remove_code"]), self.remove_code)

    def remove_code(self, code_id: int | None) -> None:
        if code_id is None:
            return
        start, end = self.selection
        if (
            self.call_domain(
                ops.remove_code, self.project, self.document_id, code_id, self.coder, start, end
            )
            is REFUSED
        ):
            return
        self._reload_codings_here()
        self.say(TEXT["removed"].format(name=self.code_by_id[code_id].name))

    def action_undo(self) -> None:
        self._undo_or_redo(ops.undo, "undone", "nothing_undo")

    def action_redo(self) -> None:
        self._undo_or_redo(ops.redo, "redone", "nothing_redo")

    def _undo_or_redo(self, operation: Callable, done: str, nothing: str) -> None:
        """Undo or redo the coder's last change, and say what it was (``done``) or that there
        was none (``nothing``): keys of the catalogue."""
        event = self.call_domain(operation, self.project, self.coder)
        if isinstance(event, Refused):
            return
        if self._only_here(event):
            self._reload_codings_here()
        else:
            self._refresh_codings(counts="read")
        self.say(TEXT[done].format(what=event.summary) if event else TEXT[nothing])

    def _reload_codings_here(self) -> None:
        """After an action that changed only this document's codings (undo, redo, remove):
        read them again and redraw only the codings that went or came (``_show_change``), as
        ``_refresh_codings(counts="adjust")`` would redraw them all."""
        if self.coder_id < 0:  # the action created this coder: read everything once
            self._refresh_codings(counts="adjust")
            return
        shown = load_codings(self.project, self.document_id, self.coder_id if self.blind else None)
        before, after = set(self.codings), set(shown)
        removed = [c for c in self.codings if c not in after]
        added = [c for c in shown if c not in before]
        self.codings = self._index.change(removed, added)
        self._forget_status()
        self._show_memos()  # a coding back with its memo: drawn only when the marks changed
        self._show_change(removed, added)

    def _only_here(self, event: Event | None) -> bool:
        """Whether an undone or redone action changed only codings of this document: then the
        project's counts change as this document's do (no need to count them all again)."""
        if event is None:
            return False
        return all(
            c["table"] == "codings"
            and all(r is None or r.get("document_id") == self.document_id for r in rows)
            for c in event.changes
            for rows in [(c["before"], c["after"])]
        )

    def action_memo(self) -> None:
        from tui.screens.memo import MemoScreen

        own = self.selected_codings(own_only=True)
        if own:
            kind, target, title = "coding", own[0].id, self.code_by_id[own[0].code_id].name
            title = TEXT["memo_coding"].format(name=title)
        else:
            kind, target, title = (
                "document",
                self.document_id,
                TEXT["memo_document"].format(name=self.document_name),
            )
        text = ops.get_memo(self.project, self.coder, kind, target)

        def save(new_text: str | None) -> None:
            if new_text is None:
                return
            if (
                self.call_domain(ops.set_memo, self.project, self.coder, kind, target, new_text)
                is REFUSED
            ):
                return
            self._show_memos()
            self.notify(TEXT["memo_saved" if new_text.strip() else "memo_deleted"], timeout=2)

        self.app.push_screen(MemoScreen(title, text), save)

    def action_anonymise(self) -> None:
        """Mark the selection «anonymiser» ([navn], [kommune], [sted] or the coder's own)."""
        from coding.anonymise import add_anonymisation
        from tui.screens.anonymise import AnonymiseScreen

        start, end = self.selection
        from coding.documents import document_slice

        text = document_slice(self.project, self.document_id, start, end)

        def save(replacement: str | None) -> None:
            if not replacement:
                return
            args = (self.project, self.document_id, start, end, replacement, self.coder)
            if self.call_domain(add_anonymisation, *args) is not REFUSED:
                self.notify(TEXT["anonymised"].format(replacement=replacement), timeout=2)

        self.app.push_screen(AnonymiseScreen(" ".join(text.split())), save)

    def action_toggle_done(self) -> None:
        done = not ops.is_document_done(self.project, self.document_id, self.coder)
        if (
            self.call_domain(
                ops.set_document_done, self.project, self.document_id, self.coder, done
            )
            is REFUSED
        ):
            return
        self._forget_status()
        self._show_selection_codes()
        self.say(TEXT["marked_done" if done else "marked_not_done"])
        if done:
            self._offer_next_unfinished()

    def action_toggle_blind(self) -> None:
        if self.blind and hasattr(self.app, "allowed") and not self.app.allowed("all_coders"):
            return
        self.blind = not self.blind
        self._refresh_codings(counts="read")
        self.say(TEXT["blind" if self.blind else "all"])

    # -- search and suggestions ---------------------------------------------------------------
    def action_search(self) -> None:
        from tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen(self.project), self.jump_to_hit)

    def jump_to_hit(self, hit: SearchHit | None) -> None:
        if hit is None:
            return
        if hit.document_id != self.document_id:
            self.load_document(hit.document_id)
        self.set_selection(hit.start, hit.end)
        self._save_place(self.segment_at(hit.start))

    def action_suggest(self) -> None:
        if self.model is None:
            self.notify(SUGGESTION_TEXT["learning"], timeout=3)
        self.suggestions = find_suggestions(
            self.project, self.document_id, self.coder, model=self.model
        )
        self._view.set_marks([(s.start, s.end) for s in self.suggestions])
        if not self.suggestions:
            self.notify(SUGGESTION_TEXT["none"])
            return
        self.notify(SUGGESTION_TEXT["count"].format(n=len(self.suggestions)), timeout=3)
        self._show_suggestion(0)

    def _suggestion_lines(self) -> list[Text]:
        """The first proposal for the selected segment, then its other learned ones with the
        key that accepts each, then how the learned suggestions have done so far."""
        index = self._current_suggestion() or 0
        shown = self.suggestions[index]
        name = shown.code_name + (f" {shown.confidence:.0%}" if shown.learned else "")
        lines = [Text(SUGGESTION_TEXT["suggested"].format(name=name), style="bold reverse")]
        left = len(self.suggestions)
        if not shown.learned:
            lines.append(Text(SUGGESTION_TEXT["keyword"].format(matched=shown.matched, left=left)))
            return lines
        here = self._here(shown)
        for n, other in enumerate(here[1:], start=2):
            confidence = other.confidence if other.learned else 0.0
            lines.append(
                Text(
                    SUGGESTION_TEXT["other"].format(
                        n=n, name=other.code_name, confidence=confidence
                    )
                )
            )
        lines.append(Text(SUGGESTION_TEXT["learned"].format(left=left), style="dim"))
        so_far = self.learner.so_far(SUGGESTION_TEXT["so_far"])
        if so_far:
            lines.append(Text(so_far, style="dim"))
        return lines

    def _here(self, shown: Suggestion) -> list[Suggestion]:
        """The suggestions for the same segment as ``shown``, in the order they are offered."""
        return [s for s in self.suggestions if (s.start, s.end) == (shown.start, shown.end)]

    def _show_suggestion(self, index: int) -> None:
        if not self.suggestions:
            self._view.set_marks([])
            self._show_selection_codes()
            return
        suggestion = self.suggestions[min(index, len(self.suggestions) - 1)]
        self.set_selection(suggestion.start, suggestion.end)
        self.notify(
            SUGGESTION_TEXT["one"].format(name=suggestion.code_name, matched=suggestion.matched),
            timeout=3,
        )

    @property
    def model(self) -> learn.Model | None:
        return self.learner.model

    def _current_suggestion(self) -> int | None:
        for i, s in enumerate(self.suggestions):
            if (s.start, s.end) == self.selection:
                return i
        return 0 if self.suggestions else None

    def action_accept_suggestion(self) -> None:
        self._settle_suggestion(accept=True)

    def action_reject_suggestion(self) -> None:
        self._settle_suggestion(accept=False)

    def action_accept_nth(self, n: int) -> None:
        index = self._current_suggestion()
        if index is None:
            self.notify(SUGGESTION_TEXT["press_s"])
            return
        here = self._here(self.suggestions[index])
        if n > len(here):
            self.notify(SUGGESTION_TEXT["no_n"].format(n=n))
            return
        self._settle_suggestion(accept=True, index=self.suggestions.index(here[n - 1]))

    def _settle_suggestion(self, *, accept: bool, index: int | None = None) -> None:
        index = self._current_suggestion() if index is None else index
        if index is None:
            self.notify(SUGGESTION_TEXT["press_s"])
            return
        suggestion = self.suggestions[index]
        if suggestion.learned and not self._settle_learned(suggestion, accept):
            return
        self.suggestions.pop(index)
        if accept and not suggestion.learned:
            self.selection = (suggestion.start, suggestion.end)
            self.apply_code(suggestion.code_id)
        self._view.set_marks([(s.start, s.end) for s in self.suggestions])
        self._show_suggestion(index)

    def _settle_learned(self, suggestion: Suggestion, accept: bool) -> bool:
        """Accept (the coder's coding, journalled as accepted from a suggestion) or reject (kept
        as a negative example). False when the write was refused."""
        chosen = learn.Suggestion(
            self.document_id,
            suggestion.start,
            suggestion.end,
            suggestion.code_id,
            suggestion.code_name,
            suggestion.confidence or 0.0,
        )
        if not accept:
            done = self.call_domain(learn.reject_suggestion, self.project, self.coder, chosen)
            if done is not REFUSED:
                self.learner.count()
                self.notify(
                    SUGGESTION_TEXT["rejected"].format(name=suggestion.code_name), timeout=2
                )
            return done is not REFUSED
        kept = self.call_domain(learn.accept_suggestion, self.project, self.coder, chosen)
        if isinstance(kept, Refused):
            return False
        self.selection = (suggestion.start, suggestion.end)
        self._absorb(kept, suggestion.start, suggestion.end)
        self.learner.count()
        self.say(TEXT["coded"].format(name=self.code_by_id[suggestion.code_id].name))
        return True

    # -- focus and leaving --------------------------------------------------------------------
    def on_tree_node_selected(self, event: CodeTree.NodeSelected) -> None:
        event.stop()
        if event.node.data is not None:
            self.apply_code(event.node.data)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "tree-filter":
            self._tree.show_codes(self.codes, event.value)
            self._tree.set_counts(self.document_counts, self.project_counts)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "tree-filter":
            self._tree.focus()

    def action_focus_filter(self) -> None:
        self.query_one("#tree-filter", Input).focus()

    def action_back(self) -> None:
        if step_back(self, self.keys, self._view, self._show_selection_codes):
            return
        self._write_place()  # the screen the app goes back to reads it
        self.post_message(LeaveCoding())

    def on_unmount(self) -> None:
        self._write_place()  # a move made just before the app or the screen closed

    def palette_commands(self) -> Sequence[tuple[str, str, object]]:
        """Commands this screen offers in the command palette."""
        entries = palette_entries(self, TEXT, PALETTE)
        return entries[: None if can(getattr(self.app, "role", None), "all_coders") else -1]
