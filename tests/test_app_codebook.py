"""The codebook editor screen driven by Pilot, and the document view's wrapping."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from coding import operations as ops
from coding.store import Project
from tests.app_project import CODER, build_app_project
from tests.conftest import run_kodeverk
from tui.app import KodeverkApp
from tui.screens.codebook_editor import CodebookEditorScreen

SIZE = (80, 24)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "app.kodeverk")


def code_rows(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT c.name, p.name, c.colour, c.shortcut FROM codes c "
            "LEFT JOIN codes p ON p.id = c.parent_id ORDER BY c.id"
        ).fetchall()
    finally:
        conn.close()


async def open_editor(app: KodeverkApp, pilot) -> CodebookEditorScreen:
    await pilot.press("e")
    await pilot.pause()
    assert isinstance(app.screen, CodebookEditorScreen)
    return app.screen


async def test_add_rename_colour_shortcut_move(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(app, pilot)
        await pilot.press("a", *"Arbeid", "enter")  # a sibling of the highlighted top code
        await pilot.press("r", *("backspace",) * 6, *"Jobb", "enter")
        await pilot.press("o", *("backspace",) * 7, *"#ff8800", "enter")
        await pilot.press("s", "4", "enter")
        await pilot.press("m", *"brukerm", "enter")  # move under Brukermedvirkning
        await pilot.pause()
    assert code_rows(app_path)[-1] == ("Jobb", "Brukermedvirkning", "#ff8800", "4")
    conn = sqlite3.connect(app_path)
    actions = [r[0] for r in conn.execute("SELECT action FROM events ORDER BY id")]
    conn.close()
    assert "code.create" in actions and "code.rename" in actions


async def test_merge_moves_codings_and_delete_asks(app_path: Path) -> None:
    with Project.open(app_path) as project:
        ops.apply_coding(project, 1, 2, CODER, 70, 90)  # Brukerråd
    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_editor(app, pilot)
        await pilot.press("down")  # Brukerråd
        assert screen.code is not None and screen.code.name == "Brukerråd"
        await pilot.press("g", *"bolig", "enter")
        await pilot.pause()
        names = [row[0] for row in code_rows(app_path)]
        assert "Brukerråd" not in names
        conn = sqlite3.connect(app_path)
        assert conn.execute("SELECT code_id FROM codings").fetchall() == [(3,)]
        conn.close()
        screen.query_one("#editor-tree").select_code(4)  # Tidlig innsats
        await pilot.press("D", "n")  # declined: nothing changes
        assert "Tidlig innsats" in [row[0] for row in code_rows(app_path)]
        await pilot.press("D", "y")
        await pilot.pause()
    assert "Tidlig innsats" not in [row[0] for row in code_rows(app_path)]


def test_open_command_errors_are_one_line(tmp_path: Path) -> None:
    result = run_kodeverk("open", tmp_path / "missing.kodeverk", "--coder", "anne")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "no such project file" in result.stderr
    assert "--coder" in run_kodeverk("open", "--help").stdout
