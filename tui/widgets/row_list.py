"""A list of one-line rows of text cells under a fixed header, with a cursor row, as a line-API
widget (the review's codes, and the disagreements of a code). Column widths are measured once
per fill from the cells' lengths, only visible lines are rendered, and a changed cell or a
cursor move redraws its own lines only: no layout pass, unlike a DataTable, which measures
every cell it holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

GAP = 2  # blank columns between cells
MAX_WIDTH = 40  # a cell wider than this is cut with …
HEADER = Style(bold=True)


class SteadyScrollView(ScrollView):
    """A ``ScrollView`` that a layout leaves alone when its sizes are what they were.

    Textual's compares the container size a layout gives it with its own (its size less its
    gutter), which differ for every scroll view: each layout of the screen updated its
    scrollbars and sent it a ``Resize``, drawn a frame after the layout (one more frame for a
    key that lays the screen out, e.g. the review's pair picker closing, issue 14)."""

    _laid_out: tuple[Size, Size, Size] | None = None

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        sizes = (size, virtual_size, container_size)
        if sizes == self._laid_out:
            return False
        self._laid_out = sizes
        return super()._size_updated(size, virtual_size, container_size, layout)


class RowList(SteadyScrollView, can_focus=True):
    """Rows of cells, each with a key; ``Highlighted`` is posted when the cursor moves and
    ``Selected`` on enter."""

    DEFAULT_CSS = """
    RowList { overflow-y: auto; overflow-x: hidden; }
    RowList > .row-list--cursor { background: $accent; color: $text; }
    RowList:blur > .row-list--cursor { background: $panel; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"row-list--cursor"}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", show=False),
        Binding("down", "move(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown", "page(1)", show=False),
        Binding("home", "move_to(0)", show=False),
        Binding("end", "move_to(-1)", show=False),
        Binding("enter", "select", show=False),
    ]

    class Highlighted(Message):
        def __init__(self, row_list: RowList, row: int) -> None:
            super().__init__()
            self.row_list = row_list
            self.row = row

    class Selected(Message):
        def __init__(self, row_list: RowList, row: int, key: str) -> None:
            super().__init__()
            self.row_list = row_list
            self.row = row
            self.key = key

    def __init__(self, columns: Sequence[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns = list(columns)
        self.rows: list[list[str]] = []
        self.keys: list[str] = []
        self._index: dict[str, int] = {}
        self.widths = [len(c) for c in self.columns]
        self.cursor_row = 0

    # -- content ------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.rows)

    def get_row_at(self, index: int) -> list[str]:
        return self.rows[index]

    def get_row_index(self, key: str) -> int:
        return self._index[key]

    def get_row(self, key: str) -> list[str]:
        return self.rows[self._index[key]]

    def set_rows(
        self, rows: Sequence[Sequence[str]], cursor: int = 0, keys: Sequence[str] | None = None
    ) -> None:
        """Show ``rows`` (their widths measured here, once) with the cursor on ``cursor``;
        ``keys`` name the rows (by default their positions)."""
        self.rows = [list(r) for r in rows]
        self.keys = list(keys) if keys is not None else [str(i) for i in range(len(self.rows))]
        self._index = {key: i for i, key in enumerate(self.keys)}
        self.widths = [
            min(max([len(name), *(len(r[i]) for r in self.rows)]), MAX_WIDTH)
            for i, name in enumerate(self.columns)
        ]
        resize(self, Size(sum(self.widths) + GAP * len(self.widths), len(self.rows) + 1))
        self.cursor_row = min(max(cursor, 0), max(len(self.rows) - 1, 0))
        self.scroll_to(y=0, animate=False, immediate=True)
        self._keep_cursor_in_view()
        self.refresh()

    def update_cell(self, row: int, column: int, value: str) -> None:
        """One cell changed (fits its column: the widths stay as measured)."""
        self.rows[row][column] = value
        self._refresh_row(row)

    # -- the cursor ---------------------------------------------------------------------------
    def move_cursor(self, row: int) -> None:
        if not self.rows:
            return
        row = min(max(row, 0), len(self.rows) - 1)
        before, self.cursor_row = self.cursor_row, row
        if not self._keep_cursor_in_view():
            self._refresh_row(before)
            self._refresh_row(row)
        self.post_message(self.Highlighted(self, row))

    def action_move(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_select(self) -> None:
        if self.rows:
            self.post_message(self.Selected(self, self.cursor_row, self.keys[self.cursor_row]))

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * max(self._body_height() - 1, 1))

    def action_move_to(self, row: int) -> None:
        self.move_cursor(row if row >= 0 else len(self.rows) - 1)

    def _body_height(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)  # less the header

    def _keep_cursor_in_view(self) -> bool:
        """Scroll the least so the cursor row shows; True when it scrolled (all redrawn)."""
        top = int(self.scroll_offset.y)
        height = self._body_height()
        if self.cursor_row < top:
            top = self.cursor_row
        elif self.cursor_row >= top + height:
            top = self.cursor_row - height + 1
        else:
            return False
        self.scroll_to(y=top, animate=False, immediate=True)
        self.refresh()
        return True

    def _refresh_row(self, row: int) -> None:
        line = row - int(self.scroll_offset.y) + 1  # the header is line 0 of the view
        if 0 < line <= self._body_height():
            self.refresh_line(line + int(self.scroll_offset.y))

    # -- drawing ------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._strip(self.columns, base + HEADER, width)
        index = y - 1 + int(self.scroll_offset.y)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        style = base
        if index == self.cursor_row:
            style = base + self.get_component_rich_style("row-list--cursor")
        return self._strip(self.rows[index], style, width)

    def _strip(self, cells: Sequence[str], style: Style, width: int) -> Strip:
        cells_at = zip(cells, self.widths, strict=True)
        text = "".join(" " + _fit(cell, w).ljust(w) + " " * (GAP - 1) for cell, w in cells_at)
        return Strip([Segment(text, style)]).adjust_cell_length(width, style)


def resize(view: ScrollView, size: Size) -> None:
    """Set ``view``'s virtual size without laying out the screen (the reactive does, though
    a scroll view's size does not follow its content): only its scrollbars follow, and a
    scrollbar shown or hidden lays it out."""
    if size != view.virtual_size:
        view.set_reactive(ScrollView.virtual_size, size)
        view._scroll_update(size)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
