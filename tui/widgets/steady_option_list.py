"""An ``OptionList`` of a fixed height whose new options do not lay out the screen.

``OptionList.set_options`` asks for a layout (a new virtual size; with ``height: auto`` a new
height too), and a layout repaints the whole screen, in a modal the screen behind it as well:
in the code picker that was most of what a typed character cost. At a fixed height the list
needs a layout only when its scroll bar comes or goes.
"""

from __future__ import annotations

from typing import Self

from textual.geometry import Region
from textual.widgets import OptionList


class SteadyOptionList(OptionList):
    """``OptionList`` that repaints itself alone when its options change (fixed height)."""

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        if layout and not recompose and self._same_box():
            layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _same_box(self) -> bool:
        """True when a layout would place the list and its scroll bar as they are."""
        if not self.is_mounted or not self.size or self.styles.auto_dimensions:
            return False
        if self.styles.overflow_y != "auto":
            return False
        height = self.container_size.height
        return (self.virtual_size.height > height) == self.show_vertical_scrollbar
