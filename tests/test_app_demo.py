"""The bundled demo project coded through key presses only, checked row by row in the file."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from corpus.demo import build_demo
from tui.app import KodeverkApp
from tui.screens.coding import CodingScreen


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "demo.kodeverk")


@pytest.fixture
def demo(demo_file: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "demo.kodeverk"
    shutil.copy(demo_file, copy)
    return copy


def rows(path: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


async def test_code_the_demo_interview_by_keys(demo: Path) -> None:
    app = KodeverkApp(demo, "kari")  # a new coder: starts on the overview
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press("slash", *"sandnes", "enter", "enter")
        screen = app.screen
        assert isinstance(screen, CodingScreen) and screen.document_name.startswith(
            "intervju_sandnes"
        )
        await pilot.press("j", "j", "1", "0")  # third segment: goal 1 (shortcut 1)
        await pilot.press("j", "J")  # the fourth ends the text before the first turn: J stops
        start, end = screen.selection
        assert (start, end) == (screen.segments[3].start, screen.segments[3].end)
        await pilot.press("J", "2", "0")  # asked again: fourth and fifth, goal 2 (shortcut 2)
        await pilot.press("n", "c", *"bolig", "enter")  # next uncoded: picked by name
        await pilot.press("d")
        document = screen.document_id
    segments = rows(
        demo, 'SELECT start, "end" FROM segments WHERE document_id = ? ORDER BY ordinal', document
    )
    coded = rows(
        demo,
        'SELECT c.shortcut, c.name, k.start, k."end" FROM codings k JOIN codes c '
        "ON c.id = k.code_id JOIN coders r ON r.id = k.coder_id WHERE r.name = 'kari' "
        "ORDER BY k.start",
    )
    assert [(s, start, end) for s, _, start, end in coded[:2]] == [
        ("1", *segments[2]),
        ("2", segments[3][0], segments[4][1]),
    ]
    assert "bolig" in coded[2][1].casefold() and coded[2][2:] == segments[5]
    assert rows(
        demo,
        "SELECT done FROM document_status s JOIN coders r ON r.id = s.coder_id "
        "WHERE r.name = 'kari' AND s.document_id = ?",
        document,
    ) == [(1,)]
