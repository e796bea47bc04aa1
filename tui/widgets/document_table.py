"""The overview's list of documents as a line-API widget: only the visible rows are drawn.

A ``DataTable`` re-measures every cell of every added row: refilling it with 6 400 rows on each
key of the filter took 0.6–2.8 s. Here the rows are plain tuples of strings, the column widths
are measured once per set of rows, and ``render_line`` draws one row at a time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar, Self

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.i18n import Localized
from tui.keymap import screen_bindings

GAP = 2  # cells between columns


class DocumentTable(Localized, ScrollView, can_focus=True):
    """Rows of cells with a header line and a row cursor; ``enter`` is left to the screen."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "document-table--header",
        "document-table--cursor",
        "document-table--even-row",
    }
    DEFAULT_CSS = """
    DocumentTable {
        background: $surface;
        color: $foreground;
        overflow-y: auto;
        overflow-x: hidden;
        & > .document-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .document-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .document-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .document-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .document-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("document_table")

    class RowSelected(Message):
        """A row was clicked twice (or chosen): ``key`` is its document id."""

        def __init__(self, key: int) -> None:
            super().__init__()
            self.key = key

    def __init__(self, columns: Sequence[str], *, group_columns: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns = tuple(columns)
        # the first ``group_columns`` cells are drawn only on the first row of a run of rows
        # with the same first cell (a case's name and attributes once per case)
        self.group_columns = group_columns
        self.rows: list[tuple[str, ...]] = []
        self.keys: list[int] = []
        self.widths = [cell_len(c) for c in self.columns]
        self.cursor_row = 0
        self._styles: dict[tuple[str, bool], Style] = {}
        self._laid_out: tuple | None = None  # what the last layout found (_size_updated)

    # -- content ------------------------------------------------------------------------------
    def measure(self, rows: Sequence[tuple[str, ...]]) -> None:
        """Column widths from all rows that may be shown (once per load, not per filter)."""
        widths = [cell_len(c) for c in self.columns]
        for row in rows:
            for i, cell in enumerate(row):
                if len(cell) > widths[i]:  # len ≥ cell_len for the text shown here
                    widths[i] = max(widths[i], cell_len(cell))
        self.widths = widths

    def set_rows(self, rows: list[tuple[str, ...]], keys: list[int]) -> None:
        self.rows, self.keys = rows, keys
        self.cursor_row = min(self.cursor_row, max(len(rows) - 1, 0))
        self._set_virtual_size(Size(sum(self.widths) + GAP * len(self.widths), len(rows) + 1))
        self._scroll_to_cursor()
        self.refresh()

    def _set_virtual_size(self, size: Size) -> None:
        """A new number of rows lays out the screen only when the scroll bar comes or goes:
        otherwise the scroll bar is updated in place (a layout repainted the whole screen,
        most of what a key of the filter cost)."""
        height = self.container_size.height
        steady = (
            self.is_mounted
            and height > 0
            and size.width == self.virtual_size.width
            and (size.height > height) == (self.virtual_size.height > height)
        )
        if not steady:
            self.virtual_size = size
            if self.is_mounted:
                # the scroll bar comes or goes in this layout (else the layout found it out,
                # and a second layout and frame followed)
                self._refresh_scrollbars()
            return
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        """A layout of the screen that leaves the list's size and rows as they were changes
        nothing here. ``ScrollView`` compares the virtual size the layout passes (the
        region's) with its own (the rows'), finds them different on every layout, and
        repaints its scroll bar: a frame of its own after each change of the footer's keys
        (``/``, escape)."""
        laid_out = (size, container_size, self.virtual_size, self.show_vertical_scrollbar)
        if laid_out == self._laid_out:
            return False
        self._laid_out = laid_out
        return super()._size_updated(size, virtual_size, container_size, layout)

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def cursor_key(self) -> int | None:
        return self.keys[self.cursor_row] if self.rows else None

    # -- cursor -------------------------------------------------------------------------------
    def move_cursor(self, row: int) -> None:
        """Repaint the rows the cursor leaves and enters (all rows when the list scrolls)."""
        old = self.cursor_row
        self.cursor_row = min(max(row, 0), max(len(self.rows) - 1, 0))
        top = int(self.scroll_offset.y)
        self._scroll_to_cursor()
        if int(self.scroll_offset.y) != top:
            self.refresh()
        else:
            self._refresh_row(old)
            self._refresh_row(self.cursor_row)

    def _refresh_row(self, index: int) -> None:
        y = index - int(self.scroll_offset.y) + 1  # below the header
        if 0 < y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def action_cursor(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * max(self.size.height - 2, 1))

    def action_edge(self, direction: int) -> None:
        self.move_cursor(0 if direction < 0 else len(self.rows) - 1)

    def _scroll_to_cursor(self) -> None:
        height = max(self.scrollable_content_region.height - 1, 1)  # less the header
        top = int(self.scroll_offset.y)
        if self.cursor_row < top:
            top = self.cursor_row
        elif self.cursor_row >= top + height:
            top = self.cursor_row - height + 1
        if top != int(self.scroll_offset.y):
            self.scroll_to(y=top, animate=False, immediate=True)

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            return
        row = int(self.scroll_offset.y) + event.y - 1
        if 0 <= row < len(self.rows):
            if row == self.cursor_row and event.chain > 1:
                self.post_message(self.RowSelected(self.keys[row]))
            self.move_cursor(row)

    # -- rendering ----------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._strip(self.columns, self._style("header"), width)
        index = int(self.scroll_offset.y) + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, self._style(""))
        kind = "cursor" if index == self.cursor_row else ""
        if index % 2 == 0:
            kind += "even"
        cells = self.rows[index]
        if self.group_columns and index and self.rows[index - 1][0] == cells[0]:
            cells = ("",) * self.group_columns + cells[self.group_columns :]
        return self._strip(cells, self._style(kind), width)

    def _style(self, kind: str) -> Style:
        """The style of a line: ``header``, or a row's (``cursor`` and/or ``even``), worked
        out once per change of the CSS or the focus (each row asked the CSS for it)."""
        key = (kind, self.has_focus)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style
            if kind == "header":
                style += self.get_component_rich_style("document-table--header")
            if "even" in kind:
                style += self.get_component_rich_style("document-table--even-row")
            if "cursor" in kind:
                style += self.get_component_rich_style("document-table--cursor")
            self._styles[key] = style
        return style

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        """Style a new scroll bar now: Textual styles it on the next change of focus, which
        then lays out the screen (the first ``/`` of the overview). At once, so that it is
        painted styled in the frame that shows it (after that frame it was a frame more)."""
        if shown and self.is_attached:
            self.app.stylesheet.apply(self.vertical_scrollbar)

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def _strip(self, cells: Sequence[str], style: Style, width: int) -> Strip:
        parts = [" "]
        for cell, cell_width in zip(cells, self.widths, strict=False):
            parts.append(set_cell_size(cell, cell_width) + " " * GAP)
        line = "".join(parts)
        return Strip([Segment(set_cell_size(line, width), style)], width)

    _restyling = False  # the focus comes or goes (_on_focus, _on_blur)

    @contextmanager
    def _focus_repaint(self) -> Iterator[None]:
        """Restyle for the focus as Textual does, repainting only what the focus changed.
        Textual repaints the whole list when the focus comes or goes and when a component's
        style changes (the cursor's: the one rule with ``:focus``). When the list's own
        rules and its other components' styles are as they were, the cursor's row is
        repainted alone."""
        rules = dict(self.styles.get_rules())
        components = dict(self._component_styles)
        self._restyling = True
        try:
            yield
        finally:
            self._restyling = False
        changed = {
            name for name, styles in self._component_styles.items()
            if components.get(name) != styles
        }  # fmt: skip
        if dict(self.styles.get_rules()) != rules or changed - {"document-table--cursor"}:
            self.refresh()
        self._refresh_row(self.cursor_row)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:  # fmt: skip
        if self._restyling and not (regions or layout or recompose):
            return self  # the whole list, for the focus: see _focus_repaint
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def focus(self, scroll_visible: bool = True) -> Self:
        """Textual's, without its repaint of the whole list (the focus repaints the cursor's
        row when it arrives)."""
        self._restyling = True
        try:
            return super().focus(scroll_visible)
        finally:
            self._restyling = False

    # Textual calls each class's handler in turn: Widget's, called here, is not called again
    # after these (it repainted the whole list)
    def _on_focus(self, event: events.Focus) -> None:
        with self._focus_repaint():
            super()._on_focus(event)
        event.prevent_default()

    def _on_blur(self, event: events.Blur) -> None:
        with self._focus_repaint():
            super()._on_blur(event)
        event.prevent_default()
