"""Per-key confirmation on the coding screen goes to a one-line status line, not a toast, and
the panel beside the text keeps its height (issue 14: a key must not relayout the screen)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from tests.app_project import CODER, build_app_project, remembered
from tui.app import KodeverkApp
from tui.screens.coding import CodingScreen
from tui.widgets.code_tree import CodeTree
from tui.widgets.document_view import DocumentView

SIZE = (80, 24)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "status.kodeverk")


def screen_text(app: KodeverkApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in line) for line in strips)


def status(app: KodeverkApp) -> str:
    """What the status line says; the screen text shows it too (checked where it matters)."""
    return app.screen.status


def toasts(app: KodeverkApp) -> list[str]:
    return [n.message for n in app._notifications]


def codings(path: Path) -> list[tuple[int, str, int, int]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            'SELECT k.document_id, c.name, k.start, k."end" FROM codings k '
            "JOIN codes c ON c.id = k.code_id ORDER BY k.id"
        ).fetchall()
    finally:
        conn.close()


async def test_coding_and_undo_are_confirmed_in_the_status_line(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("j", "2")
        start, end = screen.selection
        assert codings(app_path) == [(1, "Bolig", start, end)]
        assert status(app) == "coded: Bolig"
        assert "coded: Bolig" in screen_text(app)
        assert toasts(app) == []
        await pilot.press("u")
        assert codings(app_path) == []
        assert status(app).startswith("undone: ")
        assert "undone: " in screen_text(app)
        await pilot.press("u", "u")  # the place moves are not undone: nothing more to undo
        assert status(app) == "nothing to undo" and toasts(app) == []
        await pilot.press("ctrl+r")
        assert codings(app_path) == [(1, "Bolig", start, end)]
        assert status(app).startswith("redone: ")
        await pilot.press("x")  # the only code on the selection: removed at once
        assert codings(app_path) == []
        assert status(app) == "removed: Bolig" and toasts(app) == []


async def test_next_document_is_named_in_the_status_line(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=2)  # Bergen, the first in the overview
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket")
        assert app.screen.document_id == 1
        assert remembered(app_path, "last_document") == "1"
        assert status(app) == "intervju-vadsø"
        assert toasts(app) == []
        header = screen_text(app).splitlines()[0]  # the header names the shown document
        assert "intervju-vadsø" in header and "bergen" not in header
        assert "intervju-vadsø" in app.screen.sub_title
        await pilot.press("right_square_bracket")  # nothing after the last
        assert app.screen.document_id == 1
        assert status(app) == "this is the last document"
        assert "this is the last document" in screen_text(app)
        assert toasts(app) == []


async def test_a_key_leaves_the_code_tree_where_it_was(app_path: Path) -> None:
    """Coding a segment adds lines to the panel above the tree; the panel keeps room for them
    from the start, so the tree neither moves nor is laid out again."""
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(CodeTree)
        before = tree.region
        await pilot.press("j", "2", "j", "1", "escape", "u", "right_square_bracket")
        await pilot.press("left_square_bracket")
        assert tree.region == before
        assert codings(app_path) == []  # coded, then undone


async def test_another_document_scrolls_as_its_own_length_says(app_path: Path) -> None:
    """``]`` and ``[`` change the text's length without a layout: the scrollbar and the
    scrolling follow the shown document (to the end of a long one, back to the top of a short
    one)."""
    from coding.documents import add_document
    from coding.store import Project
    from tests.app_project import transcript

    turns = [("Intervjuer", f"Spørsmål nummer {i} om bolig?") for i in range(120)]
    text, segments = transcript(turns)
    with Project.open(app_path) as project:
        long_id = add_document(project, "intervju-lang", text, "interview", segments)
    app = KodeverkApp(app_path, CODER, document_id=long_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        view = screen.query_one(DocumentView)
        await pilot.press("G")
        assert view.scroll_offset.y > 0 and view.virtual_size.height == view.line_count
        assert view.vertical_scrollbar.window_virtual_size == view.line_count
        there, back = "left_square_bracket", "right_square_bracket"
        await pilot.press(there)
        if screen.document_id == long_id:  # the long one is first in the overview
            there, back = back, there
            await pilot.press(there)
        assert screen.document_id != long_id and view.line_count < 20
        assert view.scroll_offset.y == 0 and view.virtual_size.height == view.line_count
        assert view.vertical_scrollbar.window_virtual_size == view.line_count
        assert "Spørsmål nummer" not in screen_text(app)
        await pilot.press("G")
        last = screen.segments[-1]
        assert screen.selection == (last.start, last.end)
        await pilot.press(back)
        assert screen.document_id == long_id
        await pilot.press("G")
        line = view.line_of(screen.selection[0])
        height = view.scrollable_content_region.height
        assert view.scroll_offset.y <= line < view.scroll_offset.y + height
        assert "Spørsmål nummer 119" in screen_text(app)


async def test_the_code_tree_is_drawn_right_after_the_panel_grows(app_path: Path) -> None:
    """A segment with more codes than the panel had room for makes the panel taller and the
    tree shorter: the tree keeps its drawn lines (same width) and shows the new counts."""
    from coding import operations as ops
    from coding.codes import add_code
    from coding.store import Project

    with Project.open(app_path) as project:
        for n in range(4):  # eight codes: more than the panel has room for from the start
            add_code(project, f"Ekstra {n}")
        codes = dict(project.conn.execute("SELECT name, id FROM codes").fetchall())
        segment = project.conn.execute(
            'SELECT start, "end" FROM segments WHERE document_id = 1 ORDER BY start LIMIT 1'
        ).fetchone()
        for code_id in codes.values():
            ops.apply_coding(project, 1, code_id, CODER, *segment)
    app = KodeverkApp(app_path, CODER, document_id=2)
    async with app.run_test(size=SIZE) as pilot:
        tree = app.screen.query_one(CodeTree)
        before = tree.region
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert app.screen.document_id == 1
        assert tree.region.height < before.height and tree.region.width == before.width
        text = screen_text(app)
        for name in ("Brukermedvirkning 1/1", "Brukerråd 1/1", "Bolig 1/1", "Tidlig innsats 1/1"):
            assert name in text, text
        panel = str(app.screen.query_one("#on-selection").render())
        assert all(name in panel for name in codes), panel


async def test_the_status_line_shows_a_name_with_brackets_as_it_is(app_path: Path) -> None:
    """A code's name is text, not markup: «[b]» is shown, not taken as a style."""
    conn = sqlite3.connect(app_path)
    conn.execute("UPDATE codes SET name = 'Bolig [b]' WHERE name = 'Bolig'")
    conn.commit()
    conn.close()
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "2")
        await pilot.pause()
        assert codings(app_path)[0][1] == "Bolig [b]"
        assert "coded: Bolig [b]" in screen_text(app)


async def test_a_document_name_with_brackets_is_shown_as_it_is(app_path: Path) -> None:
    """The document's name on the text's border is text, not markup."""
    conn = sqlite3.connect(app_path)
    conn.execute("UPDATE documents SET name = 'Intervju [b]K2[/b]' WHERE id = 1")
    conn.commit()
    conn.close()
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        border = screen_text(app).splitlines()[1]  # the header has the name too
        assert "Intervju [b]K2[/b]" in border


async def test_a_notification_naming_something_with_brackets_is_shown_as_it_is(
    app_path: Path,
) -> None:
    """A refusal names files, codes and coders: «[b]» in a name is text, not markup."""
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        app.screen.notify("no coder named '[b]ane'", severity="error")
        await pilot.pause()
        await pilot.pause()
        shown = [str(toast.render()) for toast in app.screen.query(Toast)]
        assert any("no coder named '[b]ane'" in text for text in shown), shown
