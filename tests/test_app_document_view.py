"""The line-API document view: wrapping, highlight runs, and marks that do not rely on colour."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from rich.style import Style

from tests.app_project import CODER, build_app_project
from tui.app import KodeverkApp
from tui.widgets.document_view import DocumentView, flatten, wrap_offsets


def test_wrap_offsets_cover_the_text() -> None:
    text = "Informant: Det mangler boliger for folk med rusproblemer.\n\nKort.\n" + "x" * 25
    lines = wrap_offsets(text, 20)
    assert all(end - start <= 20 for start, end in lines)
    assert text[lines[0][0] : lines[0][1]] == "Informant: Det"
    assert ("" in [text[s:e] for s, e in lines]) and text[slice(*lines[-1])] == "x" * 5
    words = " ".join(text[s:e] for s, e in lines).split()
    assert "".join(words) == "".join(text.split())


def test_flatten_puts_shorter_spans_on_top() -> None:
    red, blue = Style(bgcolor="red"), Style(bgcolor="blue")
    bounds, styles = flatten([(0, 10, red), (3, 5, blue)])
    assert bounds == [0, 3, 5, 10]
    assert styles[0] == red and styles[2] == red and styles[3] is None
    assert styles[1].bgcolor == blue.bgcolor and styles[1].underline


@given(st.text(alphabet="ab æ\n", max_size=300), st.integers(min_value=1, max_value=40))
def test_wrapping_keeps_every_character_once(text: str, width: int) -> None:
    lines = wrap_offsets(text, width)
    assert all(0 <= s <= e <= len(text) and e - s <= width for s, e in lines)
    assert all(a[1] <= b[0] for a, b in pairwise(lines))
    covered = set().union(*(range(s, e) for s, e in lines))
    dropped = [text[i] for i in range(len(text)) if i not in covered]
    assert set(dropped) <= {" ", "\n"}  # only break points are left out


async def test_selection_and_codings_are_visible_without_colour(tmp_path: Path) -> None:
    path = build_app_project(tmp_path / "view.kodeverk")
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "1", "0", "j")
        view = app.screen.query_one(DocumentView)
        rendered = [list(view.render_line(y)) for y in range(view.line_count)]
        gutters = ["".join(seg.text for seg in line[:5]) for line in rendered]
        assert any(g.startswith("▌") for g in gutters)  # selected lines are marked
        assert any(g[1] == "┃" for g in gutters)  # lines with codings have a stripe
        styles = [seg.style for line in rendered for seg in line[5:] if seg.style]
        assert any(style.reverse and style.bold for style in styles)  # the selection
        await pilot.press("pagedown")
        assert app.screen.current_segment == len(app.screen.segments) - 1
        await pilot.press("pageup")
        assert app.screen.current_segment == 0
