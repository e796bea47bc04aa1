"""An ``Input`` whose typing does not lay out the screen.

Textual's ``Input`` sets its virtual size to the width of its text on every change of the
value, and a new virtual size lays out the whole screen and repaints it: on the overview (and
in the picker) that was most of what a typed character cost. An input of a fixed width needs
no layout for it: the scroll range is updated in place and the input alone repainted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import Input


class SteadyInput(Input):
    """``Input`` that does not lay out the screen when its value changes (at a fixed width:
    with ``width: auto`` the input's size follows its text, as in ``Input``).

    ``on_value`` is called with each new value as it is set: what it changes is painted in the
    same frame as the text (``Input.Changed`` is handled later, often after a frame that shows
    the new text alone)."""

    def __init__(
        self, *args: Any, on_value: Callable[[str], object] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._on_value = on_value

    def _watch_value(self, value: str) -> None:
        if self.is_mounted and not self.styles.auto_dimensions:
            # set the virtual size first, without a layout: ``Input`` then finds it unchanged
            size = Size(self.content_width, 1)
            if size != self.virtual_size:
                self.set_reactive(Widget.virtual_size, size)
                self._scroll_update(size)  # the scroll range (the cursor's scrolling)
        super()._watch_value(value)
        if self._on_value is not None:
            self._on_value(value)
