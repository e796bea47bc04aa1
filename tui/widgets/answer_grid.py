"""The answer grid: one row per survey answer (attribution | code tags | the text wrapped in
full) as a line-API widget. Only visible lines are rendered, kept in a bounded cache of strips;
a cumulative line-offset index (bisect) finds the row of a line and the line of a row in
O(log n); texts are re-wrapped only when the width changes. A cursor move or a changed row
re-renders only the lines of the rows concerned."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from itertools import accumulate
from typing import Any

from rich.segment import Segment as RichSegment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from coding.answers import Answer
from tui.widgets.document_view import wrap_offsets
from tui.widgets.lines import cached_strip, scroll_lines_into_view

ATTRIBUTION = 16  # columns: gutter 2 | attribution | tags | text
TAGS = 14
GUTTER = 2
CURSOR = Style(bold=True)
CURSOR_TEXT = Style(bgcolor="grey23")
DIM = Style(dim=True)
CACHED_LINES = 500  # rendered lines kept (a few screens' worth)


class AnswerGrid(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of answers with a cursor row. Keys live on the screen."""

    DEFAULT_CSS = """
    AnswerGrid {
        overflow-y: scroll;
        overflow-x: hidden;
    }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rows: list[Answer] = []
        self.cursor = 0
        self.held = False  # the cursor row is held: digits add codes without moving on
        self.attribution: Callable[[Answer], list[str]] = lambda a: [a.case]
        self.tag_style: Callable[[str], Style] = lambda colour: Style(bgcolor=colour)
        self._wrapped: list[list[tuple[int, int]]] = []
        self._heights: list[int] = []
        self._offsets: list[int] = [0]  # first line of each row; last item: total lines
        self._width = 0
        self._wrap_cache: dict[int, list[tuple[int, int]]] = {}  # per document, this width
        self._cache: dict[int, Strip] = {}

    # -- content ------------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[Answer], cursor: int = 0) -> None:
        self.rows = list(rows)
        self._layout(force=True)
        self.cursor = min(max(cursor, 0), max(len(self.rows) - 1, 0))
        self.scroll_to_cursor()

    def row_changed(self, index: int) -> None:
        """One row's codes or mark changed: its height may change, the rest stays wrapped."""
        if not self._wrapped:  # not laid out yet
            return
        height = self._row_height(index)
        if height == self._heights[index]:
            self._refresh_rows(index)  # the lines below stay where they are
            return
        self._heights[index] = height
        self._offsets = [0, *accumulate(self._heights)]
        self.virtual_size = Size(self.virtual_size.width, self._offsets[-1])
        self._changed()

    def _refresh_rows(self, *indexes: int) -> None:
        """Render the lines of these rows again (and only those)."""
        for index in set(indexes):
            if not 0 <= index < len(self._heights):
                continue
            first, end = self._offsets[index], self._offsets[index + 1]
            for line in range(first, end):
                self._cache.pop(line, None)
            self.refresh_lines(first, end - first)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()  # a new theme or style: every line is drawn anew

    def _changed(self) -> None:
        self._cache.clear()
        self.refresh()

    # -- geometry -----------------------------------------------------------------------------
    def _text_width(self) -> int:
        return max(self.scrollable_content_region.width - GUTTER - ATTRIBUTION - TAGS, 10)

    def _layout(self, force: bool = False) -> None:
        if self.scrollable_content_region.width <= 0:  # not laid out yet: wrap on resize
            self._width = 0
            self._wrapped = []
            self._heights = [1] * len(self.rows)
            self._offsets = list(range(len(self.rows) + 1))
            return
        width = self._text_width()
        if width == self._width and not force:
            return
        if width != self._width:
            self._wrap_cache.clear()
        self._width = width
        cache = self._wrap_cache
        self._wrapped = [
            cache.get(a.document_id) or cache.setdefault(a.document_id, _wrap(a.text, width))
            for a in self.rows
        ]
        self._heights = [
            max(len(lines), len(a.codes) + 1, 2)
            for lines, a in zip(self._wrapped, self.rows, strict=True)
        ]
        self._offsets = [0, *accumulate(self._heights)]
        self.virtual_size = Size(width + GUTTER + ATTRIBUTION + TAGS, self._offsets[-1])
        self._changed()

    def _row_height(self, index: int) -> int:
        answer = self.rows[index]
        return max(len(self._wrapped[index]), len(answer.codes) + 1, 2)

    def on_resize(self) -> None:
        self._layout()
        self.scroll_to_cursor()

    def row_at_line(self, line: int) -> int:
        return max(bisect_right(self._offsets, line) - 1, 0)

    def move_cursor(self, index: int) -> None:
        if not self.rows:
            return
        before, self.cursor = self.cursor, min(max(index, 0), len(self.rows) - 1)
        if self._wrapped:
            self._refresh_rows(before, self.cursor)
        else:  # not laid out yet
            self._changed()
        self.scroll_to_cursor()

    def scroll_to_cursor(self) -> None:
        if not self.rows or self.cursor >= len(self._heights):
            return
        scroll_lines_into_view(self, self._offsets[self.cursor], self._offsets[self.cursor + 1] - 1)

    def page_rows(self, direction: int) -> int:
        """The row a page up or down from the cursor."""
        height = max(self.scrollable_content_region.height, 1)
        line = self._offsets[self.cursor] + direction * height
        return self.row_at_line(min(max(line, 0), max(self._offsets[-1] - 1, 0)))

    # -- rendering ----------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        index = y + int(self.scroll_offset.y)
        width = self.scrollable_content_region.width
        if not self._wrapped or index >= self._offsets[-1]:
            return Strip.blank(width, self.rich_style)
        return cached_strip(self._cache, index, CACHED_LINES, self._render_row_line, width)

    def _render_row_line(self, line: int, width: int) -> Strip:
        row = self.row_at_line(line)
        part = line - self._offsets[row]
        answer = self.rows[row]
        base = self.rich_style
        here = row == self.cursor
        text_style = base + CURSOR_TEXT if here else base
        gutter = " "
        if here:
            gutter = "▐" if self.held else "▌"
        mark = "✓" if (part == 0 and answer.done) else " "
        segments = [RichSegment(gutter + mark, base + CURSOR)]
        attribution = self.attribution(answer)
        cell = attribution[part] if part < len(attribution) else ""
        segments.append(_cell(cell, ATTRIBUTION, text_style + (DIM if part else Style())))
        if part < len(answer.codes):
            code = answer.codes[part]
            segments.append(_cell(f" {code.name}", TAGS - 1, self.tag_style(code.colour)))
            segments.append(RichSegment(" ", text_style))
        elif part == 0 and not answer.codes:
            segments.append(_cell("·", TAGS, text_style + DIM))
        else:
            segments.append(RichSegment(" " * TAGS, text_style))
        lines = self._wrapped[row]
        if part < len(lines):
            start, end = lines[part]
            segments.append(RichSegment(answer.text[start:end], text_style))
        strip = Strip(segments)
        return strip.adjust_cell_length(width, text_style)


def _wrap(text: str, width: int) -> list[tuple[int, int]]:
    if len(text) <= width and "\n" not in text:  # most short answers: one line
        return [(0, len(text))]
    return wrap_offsets(text, width)


def _cell(text: str, width: int, style: Style) -> RichSegment:
    if len(text) > width:
        text = text[: width - 2] + "…"
    return RichSegment(text.ljust(width), style)
