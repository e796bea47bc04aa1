"""The coding app in a plain terminal: 80×24, 256 colours, monochrome (NO_COLOR)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color, ColorSystem, ColorType
from rich.segment import Segment

from coding.codes import add_code
from coding.store import Project
from tests.app_project import CODER, build_app_project
from tui.app import KodeverkApp
from tui.widgets.code_tree import CodeTree

SIZE = (80, 24)
LONG_NAME = "Samhandling med spesialisthelsetjenesten og fastlegene i regionen"


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    path = build_app_project(tmp_path / "terminal.kodeverk")
    with Project.open(path) as project:
        add_code(project, LONG_NAME, parent_id=1, colour="#9467bd")
    return path


def screen_lines(app: KodeverkApp) -> list[list[Segment]]:
    """The current screen as the terminal gets it (after Textual's colour filters)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return [[seg for strip in line for seg in strip] for line in update.strips]


def plain(lines: list[list[Segment]]) -> str:
    return "\n".join("".join(seg.text for seg in line) for line in lines)


def colours(lines: list[list[Segment]]) -> list[Color]:
    styles = [seg.style for line in lines for seg in line if seg.style]
    return [c for s in styles for c in (s.color, s.bgcolor) if c is not None]


async def test_long_code_names_keep_their_counts_at_80_columns(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "0")
        await pilot.pause()
        tree = app.screen.query_one(CodeTree)
        lines = [tree.render_line(y).text.rstrip() for y in range(len(tree._tree_lines))]
        long_line = next(line for line in lines if "Samhandling" in line)
        assert long_line.endswith("0/0") and "…" in long_line
        assert any(line.endswith("1/1") for line in lines)
        assert all(len(line) <= tree.scrollable_content_region.width for line in lines)
        assert tree.virtual_size.width <= tree.scrollable_content_region.width  # no h-scroll


async def test_panel_beside_the_text_is_filled_on_opening(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = plain(screen_lines(app))
        assert "segment 1/" in text and "no codes here" in text


async def test_monochrome_terminal_shows_selection_codings_and_shortcuts(
    app_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "1", "0", "j")
        await pilot.pause()
        lines = screen_lines(app)
    triplets = [c.get_truecolor() for c in colours(lines)]
    assert triplets and all(t.red == t.green == t.blue for t in triplets)  # greys only
    text = plain(lines)
    assert "▌" in text and "┃" in text  # the selection and the codes' stripes, without colour
    assert "■ 1 Brukermedvirk" in text  # codes findable by their shortcut digit
    assert any(seg.style and seg.style.reverse for line in lines for seg in line)


async def test_256_colour_terminal(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "0", "j", "2")
        await pilot.pause()
        lines = screen_lines(app)
        code_colours = [c.colour for c in app.screen.codes]
    assert "Brukermedvi" in plain(lines)
    downgraded = [c.downgrade(ColorSystem.EIGHT_BIT) for c in colours(lines)]
    assert all(
        c.type in (ColorType.EIGHT_BIT, ColorType.STANDARD, ColorType.DEFAULT) for c in downgraded
    )
    palette = {Color.parse(c).downgrade(ColorSystem.EIGHT_BIT).number for c in code_colours}
    assert len(palette) == len(set(code_colours))  # the codes' colours stay apart in 256 colours
