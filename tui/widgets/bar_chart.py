"""A horizontal bar chart drawn with Unicode block characters: readable in monochrome, over SSH,
at 80 columns. Each bar is one line: label, bar (eighths of a cell), figure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.widgets import Static

EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"


@dataclass(frozen=True)
class Bar:
    label: str
    share: float | None  # 0..1; None: nothing to show (an empty group)
    figure: str = ""


def bar_text(share: float, width: int) -> str:
    """``share`` of ``width`` cells in full blocks plus one partial block."""
    eighths = round(max(0.0, min(1.0, share)) * width * 8)
    full, rest = divmod(eighths, 8)
    return FULL * full + (EIGHTHS[rest] if rest else "")


def render_bars(bars: list[Bar], width: int, title: str = "") -> Text:
    label_width = min(max((len(b.label) for b in bars), default=0), 18)
    figure_width = max((len(b.figure) for b in bars), default=0)
    bar_width = max(width - label_width - figure_width - 4, 5)
    text = Text()
    if title:
        text.append(title + "\n", style="bold")
    for bar in bars:
        text.append(bar.label[:label_width].ljust(label_width) + " │")
        drawn = "–" if bar.share is None else bar_text(bar.share, bar_width)
        text.append(drawn.ljust(bar_width), style="bold")
        text.append(" " + bar.figure.rjust(figure_width) + "\n")
    text.rstrip()
    return text


class BarChart(Static):
    """Call ``show(bars, title)``; redraws to the widget's width."""

    DEFAULT_CSS = "BarChart { height: auto; padding: 0 1; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._bars: list[Bar] = []
        self._title = ""

    def show(self, bars: list[Bar], title: str = "") -> None:
        self._bars, self._title = bars, title
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def _redraw(self) -> None:
        width = max(self.content_size.width, 40)
        self.update(render_bars(self._bars, width, self._title))
