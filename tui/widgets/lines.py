"""What the line-API widgets (the document view, the answer grid) do alike: keep a span of
lines in view, and keep the strips they rendered."""

from __future__ import annotations

from collections.abc import Callable

from textual.scroll_view import ScrollView
from textual.strip import Strip


def scroll_lines_into_view(view: ScrollView, first: int, last: int) -> None:
    """Scroll ``view`` the least so lines ``first``..``last`` show (the top of a taller span)."""
    height = max(view.scrollable_content_region.height, 1)
    top = int(view.scroll_offset.y)
    if last - first + 1 > height or first < top:
        top = first
    elif last >= top + height:
        top = last - height + 1
    if top != int(view.scroll_offset.y):
        view.scroll_to(y=top, animate=False, immediate=True)


def cached_strip(
    cache: dict[int, Strip], index: int, limit: int, render: Callable[[int, int], Strip], width: int
) -> Strip:
    """Line ``index`` from ``cache``, else ``render(index, width)`` kept there. The cache keeps
    the ``limit`` most recently shown lines (a dict keeps insertion order: a line shown is
    inserted again last, and the first one goes)."""
    strip = cache.pop(index, None)
    if strip is None:
        strip = render(index, width)
        if len(cache) >= limit:
            del cache[next(iter(cache))]
    cache[index] = strip
    return strip
