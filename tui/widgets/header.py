"""A Textual ``Header`` whose title changes without laying out the screen again."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.visual import VisualType
from textual.widgets import Header
from textual.widgets._header import HeaderClock, HeaderClockSpace, HeaderIcon, HeaderTitle


class _Title(HeaderTitle):
    """The title line: one row, the header's width, whatever it says, so a new (sub)title is
    only painted (Textual's asks for a layout of the whole screen, as for any ``Static``)."""

    def update(self, content: VisualType = "", *, layout: bool = True) -> None:
        super().update(content, layout=False)


class FixedHeader(Header):
    """``Header`` with a title that never relayouts (the coding screen's sub-title names the
    document: ``]`` and ``[`` change it at every press)."""

    def show_title(self) -> None:
        """Paint the screen's (sub)title now: for a sub-title set with ``set_reactive``
        (setting ``Screen.sub_title`` repaints the whole screen, every widget on it)."""
        self.query_one(_Title).update(self.format_title())

    def compose(self) -> ComposeResult:
        yield HeaderIcon().data_bind(Header.icon)
        yield _Title()
        yield (
            HeaderClock().data_bind(Header.time_format) if self._show_clock else HeaderClockSpace()
        )
