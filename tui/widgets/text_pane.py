"""A pane of wrapped rich text as a line-API widget (the review's two coders' sides). Showing
new text wraps it to the pane's width and redraws the pane: no layout pass (a Static of
``height: auto`` made the screen lay itself out again on every update). Its scrollbar always
shows: one that came and went with the text would lay the screen out too."""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.geometry import Size
from textual.strip import Strip

from tui.widgets.row_list import SteadyScrollView, resize


class TextPane(SteadyScrollView):
    DEFAULT_CSS = """
    TextPane { overflow-x: hidden; overflow-y: scroll; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = Text()
        self._lines: list[list[Segment]] = []
        self._width = 0

    def update(self, text: Text | str) -> None:
        self.text = text if isinstance(text, Text) else Text(text)
        self._wrap(self.scrollable_content_region.width)
        self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        width = self.scrollable_content_region.width
        if width != self._width:  # else wrapped as it is
            self._wrap(width)

    def _wrap(self, width: int) -> None:
        self._width = width
        if width <= 0:
            self._lines = []
            return
        console = self.app.console
        self._lines = [list(line.render(console)) for line in self.text.wrap(console, width)]
        resize(self, Size(width, len(self._lines)))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._wrap(width)
        index = y + int(self.scroll_offset.y)
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        segments = Segment.apply_style(self._lines[index], base)
        return Strip(segments).adjust_cell_length(width, base)
