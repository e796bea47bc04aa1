"""The document text as a line-API widget: wrapped once per width, only visible lines rendered.

A ``TextArea`` or a widget per segment is far too slow for long transcripts (see DESIGN.md); here
the text is wrapped into visual lines (offset pairs) once per width, highlights are flattened into
sorted, non-overlapping style runs once per change, and ``render_line`` cuts one line at a time.
Rendered lines are kept until something on them changes: a new selection, or a coding added or
removed (``change_codings``), re-renders only the lines it touches.
Nothing depends on colour alone: the selection is reversed and bold, overlapping codes are
underlined, and a gutter marks the selected lines (▌), the codes on each line (one stripe per
code in its colour, as NVivo and MAXQDA show, «+» past three) and lines where a memo starts (✎).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from itertools import pairwise
from operator import itemgetter
from typing import Any

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from tui.widgets.lines import cached_strip, scroll_lines_into_view

Span = tuple[int, int, Style]
Stripe = tuple[int, int, int]  # start, end, key

GUTTER = 5  # selection mark, STRIPES stripes, memo mark
WRAP_CHUNK = 32_768  # characters wrapped at a time, past what is needed
FINISH_WRAP = 0.3  # seconds after the text is shown (or resized): the rest of it is wrapped
STRIPES = 3
STRIPE = "┃"
MEMO = "✎"
BUCKET = 2048  # characters per bucket of the stripes' index
SELECTION = Style(reverse=True, bold=True)
OVERLAP = Style(underline=True)
MARK = Style(underline=True, italic=True)


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Visual lines as ``(start, end)`` offsets: word-wrapped at ``width``, hard breaks at
    ``\\n``. A space where a line breaks belongs to no line."""
    return wrap_paragraphs(text, width, 0, len(text))[0]


def wrap_paragraphs(
    text: str, width: int, pos: int, until: int
) -> tuple[list[tuple[int, int]], int]:
    """The visual lines of the paragraphs from ``pos`` (where one starts) through the one that
    holds offset ``until``, as ``wrap_offsets`` has them (each paragraph wraps on its own), and
    where the next paragraph starts (``len(text) + 1``: none is left)."""
    width = max(width, 1)
    lines: list[tuple[int, int]] = []
    length = len(text)
    while pos <= length:
        newline = text.find("\n", pos)
        stop = length if newline == -1 else newline
        start = pos
        while stop - start > width:
            cut = text.rfind(" ", start, start + width + 1)
            if cut <= start:  # one long word: break it
                lines.append((start, start + width))
                start += width
            else:
                lines.append((start, cut))
                start = cut + 1
        lines.append((start, stop))
        pos = length + 1 if newline == -1 else newline + 1
        if stop >= until:
            break
    return lines, pos


def flatten(spans: Sequence[Span]) -> tuple[list[int], list[Style | None]]:
    """Turn possibly overlapping spans into runs: ``bounds[i]..bounds[i+1]`` has ``styles[i]``.
    Where spans overlap, the shorter one is drawn on top and the run is underlined."""
    events: list[tuple[int, int, int]] = []  # (offset, +1 start / -1 end, span index)
    order = sorted(range(len(spans)), key=lambda i: spans[i][0] - spans[i][1])  # longest first
    rank = {index: r for r, index in enumerate(order)}
    for index, (start, end, _style) in enumerate(spans):
        events.append((start, 1, index))
        events.append((end, -1, index))
    events.sort()
    bounds: list[int] = []
    styles: list[Style | None] = []
    active: dict[int, Style] = {}
    i = 0
    while i < len(events):
        offset = events[i][0]
        while i < len(events) and events[i][0] == offset:
            _, kind, index = events[i]
            if kind > 0:
                active[rank[index]] = spans[index][2]
            else:
                active.pop(rank[index], None)
            i += 1
        style = None
        if active:
            style = active[max(active)]
            if len(active) > 1:
                style = style + OVERLAP
        bounds.append(offset)
        styles.append(style)
    return bounds, styles


class DocumentView(ScrollView, can_focus=True, inherit_bindings=False):
    """Read-only document text with highlights, marks and a selection. Keys live on the screen."""

    DEFAULT_CSS = """
    DocumentView {
        overflow-y: scroll;
        overflow-x: hidden;
    }
    """

    def __init__(self, text: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = text
        self._lines: list[tuple[int, int]] = []  # wrapped so far: the paragraphs before
        self._starts: list[int] = []
        self._next_wrap = 0  # the offset of the first paragraph not wrapped (> len: none)
        self._wrap_width = 0
        self._finish_timer: Timer | None = None
        self._spans: list[Span] = []
        self._span_starts: list[int] = []
        self._longest = 0  # no span is longer: those near a line start this far before it
        self._window: tuple[int, int, list[int], list[Style | None]] | None = None
        self._marks: list[tuple[int, int]] = []
        self.selection: tuple[int, int] = (0, 0)
        self._cache: dict[int, Strip] = {}
        self._buckets: defaultdict[int, list[Stripe]] = defaultdict(list)  # by BUCKET
        self._stripe_styles: dict[int, Style] = {}
        self._memos: list[int] = []
        self._line_style: Style | None = None  # ``rich_style`` at the last paint

    # -- content ------------------------------------------------------------------------------
    def set_text(self, text: str) -> None:
        """Show another text, from its start until a selection is set (the old selection's
        offsets mean nothing in it: wrapping up to them would wrap it all)."""
        self.text = text
        self.selection = (0, 0)
        self._wrap_width = 0
        self._rewrap()

    def set_highlights(self, spans: Sequence[Span]) -> None:
        """Spans (start, end, style). Only the spans near the visible lines are flattened, when
        drawn, so a change costs the same with 20 or 20 000 codings."""
        self._spans = sorted(spans, key=itemgetter(0))
        self._span_starts = [span[0] for span in self._spans]
        self._longest = max((span[1] - span[0] for span in self._spans), default=0)
        self._changed()

    def change_codings(
        self,
        removed: Sequence[tuple[Span, Stripe]],
        added: Sequence[tuple[Span, Stripe]],
    ) -> None:
        """Take some codings' highlights and stripes away and add others (as ``set_highlights``
        and ``set_stripes`` would with the whole new list), re-rendering only the lines they
        touch: one key's coding costs the same with 20 or 20 000 codings in the document."""
        if not removed and not added:
            return
        for span, stripe in removed:
            i, spans = bisect_left(self._span_starts, span[0]), self._spans
            while i < len(spans) and spans[i][0] == span[0] and spans[i] != span:
                i += 1
            if i < len(spans) and spans[i] == span:
                del self._spans[i], self._span_starts[i]
            self._drop_stripe(stripe)
        for span, stripe in added:
            i = bisect_right(self._span_starts, span[0])
            self._spans.insert(i, span)
            self._span_starts.insert(i, span[0])
            self._longest = max(self._longest, span[1] - span[0])
            self._add_stripe(stripe)
        changed = [span for span, _ in (*removed, *added)]
        self._window = None
        self._lines_changed(min(s[0] for s in changed), max(s[1] for s in changed))

    def set_stripes(
        self, stripes: Sequence[tuple[int, int, int]], styles: dict[int, Style]
    ) -> None:
        """Spans (start, end, key): one stripe per key in the gutter of the lines a span
        touches, in key order, drawn in ``styles[key]``. Indexed by buckets of characters so a
        line finds its stripes in O(k), whatever the number of codings."""
        self._buckets = defaultdict(list)
        for stripe in stripes:
            self._add_stripe(stripe)
        self._stripe_styles = styles
        self._changed()

    def _add_stripe(self, stripe: Stripe) -> None:
        first, last = stripe[0] // BUCKET, (stripe[1] - 1) // BUCKET
        if first >= last:  # most codings lie within one bucket
            self._buckets[first].append(stripe)
        else:
            for bucket in range(first, last + 1):
                self._buckets[bucket].append(stripe)

    def _drop_stripe(self, stripe: Stripe) -> None:
        for bucket in range(stripe[0] // BUCKET, (stripe[1] - 1) // BUCKET + 1):
            found = self._buckets.get(bucket)
            if found and stripe in found:
                found.remove(stripe)

    def set_memos(self, offsets: Sequence[int]) -> None:
        """Offsets where a memo's coding starts: a mark in the gutter of that line (the
        same marks again: nothing is drawn again)."""
        memos = sorted(offsets)
        if memos != self._memos:
            self._memos = memos
            self._changed()

    def stripes_of(self, start: int, end: int) -> list[int]:
        """The keys of the stripes on the text ``start``..``end``, in order."""
        end = max(end, start + 1)
        keys: set[int] = set()
        buckets = self._buckets
        for bucket in range(start // BUCKET, (end - 1) // BUCKET + 1):
            for s_start, s_end, key in buckets.get(bucket, ()):
                if s_start < end and s_end > start:
                    keys.add(key)
        return sorted(keys)

    def has_memo(self, start: int, end: int) -> bool:
        i = bisect_left(self._memos, start)
        return i < len(self._memos) and self._memos[i] < max(end, start + 1)

    def set_marks(self, marks: Sequence[tuple[int, int]]) -> None:
        self._marks = sorted(marks)
        self._changed()

    def set_selection(self, start: int, end: int) -> None:
        """Select ``start``..``end``: only the lines of the old and the new selection are
        drawn again (and the lines scrolled into view)."""
        old = self.selection
        self.selection = (start, end)
        if self._lines:
            self._lines_changed(*old)
            self._lines_changed(start, end)
        else:
            self._changed()
        self.scroll_to_selection()

    def _changed(self) -> None:
        self._cache.clear()
        self._window = None
        self.refresh()

    def _lines_changed(self, start: int, end: int) -> None:
        """The text ``start``..``end`` looks different now: forget and repaint its lines."""
        first, last = self.line_of(start), self.line_of(max(end - 1, start))
        if last - first < len(self._cache):
            for line in range(first, last + 1):
                self._cache.pop(line, None)
        else:
            for line in [n for n in self._cache if first <= n <= last]:
                del self._cache[line]
        self.refresh_lines(first, last - first + 1)

    # -- geometry -----------------------------------------------------------------------------
    # The text is wrapped as far as it is needed (the lines shown, the selection, an offset
    # or line asked for), a paragraph at a time and always as a full wrap has it, and the
    # rest FINISH_WRAP seconds after it is shown: a long transcript's first frame waits for
    # a few screens' wrap, not 47 000 lines' (issue 13). Until then the scrollbar counts the
    # lines not wrapped yet from the characters left.
    @property
    def line_count(self) -> int:
        self._wrap_all()
        return len(self._lines)

    @property
    def wrapped(self) -> bool:
        """Whether the whole text is wrapped (else only as far as it was needed)."""
        return self._next_wrap > len(self.text)

    def line_of(self, offset: int) -> int:
        self._wrap_until(offset=offset)
        return max(bisect_right(self._starts, offset) - 1, 0)

    def line_start(self, line: int) -> int:
        """The offset where visual line ``line`` starts (the last line's, past the end)."""
        self._wrap_until(line=line)
        return self._starts[min(line, len(self._starts) - 1)]

    def _text_width(self) -> int:
        return max(self.scrollable_content_region.width - GUTTER, 10)

    def _rewrap(self) -> None:
        width = self._text_width()
        if width == self._wrap_width and self._lines:
            return
        self._wrap_width = width
        self._lines, self._starts, self._next_wrap = [], [], 0
        height = max(self.scrollable_content_region.height, 1)
        self._wrap_until(offset=self.selection[1])  # and three screens on: what is drawn
        self._wrap_until(line=self.line_of(self.selection[1]) + 3 * height)
        if not self.wrapped:
            if self._finish_timer is not None:
                self._finish_timer.stop()
            self._finish_timer = self.set_timer(FINISH_WRAP, self._wrap_all)
        self._changed()

    def _wrap_until(self, *, offset: int = -1, line: int = -1) -> None:
        """Wrap on until ``offset`` and line ``line`` are wrapped (or the text ends)."""
        text, width = self.text, self._wrap_width
        if self._next_wrap > len(text) or (offset < self._next_wrap and line < len(self._lines)):
            return
        while self._next_wrap <= len(text) and (
            offset >= self._next_wrap or line >= len(self._lines)
        ):
            lines, self._next_wrap = wrap_paragraphs(
                text, width, self._next_wrap, max(offset, self._next_wrap + WRAP_CHUNK)
            )
            self._lines += lines
            self._starts += [start for start, _ in lines]
        self._size_to_lines()

    def _wrap_all(self) -> None:
        self._wrap_until(offset=len(self.text))

    def _size_to_lines(self) -> None:
        """The virtual size: the lines wrapped, plus those the characters left would make."""
        lines = len(self._lines)
        if not self.wrapped:
            lines += (len(self.text) - self._next_wrap) * lines // max(self._next_wrap, 1)
        size = Size(self._wrap_width + GUTTER, lines)
        if size != self.virtual_size:
            self._set_virtual_size(size)

    def _set_virtual_size(self, size: Size) -> None:
        """Once laid out, the text's length changes only the scrollbar (always shown:
        ``overflow-y: scroll``, no horizontal one), never the view's place: no layout of the
        screen (issue 14), not even for the first wrap (issue 13)."""
        if not self.is_mounted or self.size.height <= 0:
            self.virtual_size = size
            return
        self.set_reactive(DocumentView.virtual_size, size)
        self._scroll_update(size)  # Textual's: the scrollbar's window, the offset clamped
        self.refresh()

    def before_layout(self) -> None:
        """Its scrollbar shown for the first layout (``overflow-y: scroll``): Textual decides
        scrollbars only during a layout, after placing the widget, so a second layout and
        frame followed the first (issue 13)."""
        self.show_vertical_scrollbar = True
        self.vertical_scrollbar.display = True

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        """Textual's, during the layout, then the wrap for the new width: the frame drawn
        after this layout shows the text at the selection (issue 13: the first frame showed
        an empty view, and the wrap in ``on_resize`` cost a second layout and frame)."""
        changed = super()._size_updated(size, virtual_size, container_size, layout)
        if self.size.height > 0 and self._text_width() != self._wrap_width:
            self._rewrap()
            self.scroll_to_selection()
        return changed

    def on_resize(self) -> None:
        self._rewrap()
        self.scroll_to_selection()

    def scroll_to_selection(self) -> None:
        if not self._lines:
            return
        start, end = self.selection
        scroll_lines_into_view(self, self.line_of(start), self.line_of(max(end - 1, start)))

    # -- rendering ----------------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        # the widget's style once per paint: ``rich_style`` walks every ancestor's styles, and
        # a new document draws each line of the view
        self._line_style = self.rich_style
        return super().render_lines(crop)

    def _base_style(self) -> Style:
        return self.rich_style if self._line_style is None else self._line_style

    def render_line(self, y: int) -> Strip:
        index = y + int(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        self._wrap_until(line=index)
        if index >= len(self._lines):
            return Strip.blank(width, self._base_style())
        return cached_strip(self._cache, index, 2000, self._render_visual_line, width)

    def _render_visual_line(self, index: int, width: int) -> Strip:
        start, end = self._lines[index]
        base = self._base_style()
        bounds, styles = self._runs(start, end)
        cuts = {start, end, *self._cut_points(bounds, start, end)}
        points = sorted(c for c in cuts if start <= c <= end)
        segments: list[RichSegment] = []
        for left, right in pairwise(points):
            style = self._style_at(bounds, styles, left)
            style = base + style if style else base
            if self._marked(left):
                style += MARK
            if self.selection[0] <= left < self.selection[1]:
                style += SELECTION
            segments.append(RichSegment(self.text[left:right], style))
        sel_start, sel_end = self.selection
        selected = sel_start < max(end, start + 1) and sel_end > start
        bold = base + Style(bold=True)
        gutter = [RichSegment("▌" if selected else " ", bold), *self._stripes(start, end, bold)]
        gutter.append(RichSegment(MEMO if self.has_memo(start, end) else " ", bold))
        strip = Strip([*gutter, *segments])
        return strip.adjust_cell_length(width, base)

    def _stripes(self, start: int, end: int, base: Style) -> list[RichSegment]:
        """STRIPES cells: a stripe per code on the line; past STRIPES, the last cell is «+»."""
        keys = self.stripes_of(start, end)
        shown = keys if len(keys) <= STRIPES else keys[: STRIPES - 1]
        cells = [RichSegment(STRIPE, base + self._stripe_styles.get(k, Style())) for k in shown]
        if len(keys) > STRIPES:
            cells.append(RichSegment("+", base))
        cells.extend(RichSegment(" ", base) for _ in range(STRIPES - len(cells)))
        return cells

    def _runs(self, start: int, end: int) -> tuple[list[int], list[Style | None]]:
        """Flattened highlight runs covering ``start``..``end``, computed for a window of three
        screens around it and reused while drawing inside that window."""
        window = self._window
        if window is None or not (window[0] <= start and end <= window[1]):
            height = max(self.scrollable_content_region.height, 1)
            line = self.line_of(start)
            first = self._lines[max(line - height, 0)][0]
            last = self._lines[min(line + 2 * height, len(self._lines) - 1)][1]
            lo = bisect_left(self._span_starts, first - self._longest)
            hi = bisect_left(self._span_starts, last + 1)
            near = [span for span in self._spans[lo:hi] if span[1] > first]
            window = (first, last, *flatten(near))
            self._window = window
        return window[2], window[3]

    def _cut_points(self, bounds: list[int], start: int, end: int) -> list[int]:
        points = bounds[bisect_left(bounds, start) : bisect_right(bounds, end)]
        points.extend(self.selection)
        for mark_start, mark_end in self._marks_near(start, end):
            points.extend((mark_start, mark_end))
        return points

    @staticmethod
    def _style_at(bounds: list[int], styles: list[Style | None], offset: int) -> Style | None:
        i = bisect_right(bounds, offset) - 1
        return styles[i] if i >= 0 else None

    def _marks_near(self, start: int, end: int) -> list[tuple[int, int]]:
        hi = bisect_right(self._marks, (end, end))
        return [m for m in self._marks[max(0, hi - 50) : hi] if m[1] > start]

    def _marked(self, offset: int) -> bool:
        i = bisect_right(self._marks, (offset, 1 << 62)) - 1
        return i >= 0 and self._marks[i][0] <= offset < self._marks[i][1]
