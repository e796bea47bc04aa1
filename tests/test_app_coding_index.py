"""The coding screen keeps its codings indexed by position (issue 13: a key finds the codings on
the selection without scanning them all). After every action (a coding, a merge, removal, undo,
redo, a memo, a coding made elsewhere) what the screen shows must be what the file holds: its
codings, those on the selection and the panel's lines for them, the counts, the memo marks."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from coding import operations as ops
from coding.store import Project
from tests.app_project import CODER, build_app_project
from tui.app import KodeverkApp
from tui.screens.coding import CodingScreen
from tui.widgets.code_tree import CodeTree
from tui.widgets.document_view import DocumentView

SIZE = (80, 24)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "app.kodeverk")


def file_rows(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def assert_screen_is_the_file(screen: CodingScreen, path: Path, what: object) -> None:
    """The screen's codings, the codings on its selection (and the panel's lines of them),
    its counts and memo marks, as read from the file with sqlite3."""
    mine = "" if not screen.blind else f" AND coder_id = {screen.coder_id}"
    shown = file_rows(
        path,
        'SELECT id, code_id, coder_id, start, "end" FROM codings WHERE document_id = ?'
        + mine
        + " ORDER BY start, id",
        (screen.document_id,),
    )
    assert [tuple(c) for c in screen.codings] == shown, what
    start, end = screen.selection
    on_selection = [c for c in shown if c[3] < end and c[4] > start]
    assert [tuple(c) for c in screen.selected_codings()] == on_selection, what
    codes = dict(file_rows(path, "SELECT id, coalesce(shortcut, '·') || ' ' || name FROM codes"))
    panel = screen.query_one("#on-selection").visual.plain.splitlines()
    lines = [line.removeprefix("■ ").split(" (")[0] for line in panel if line.startswith("■ ")]
    assert lines == [codes[c[1]] for c in on_selection], what
    here: dict[int, int] = {}
    for c in shown:
        here[c[1]] = here.get(c[1], 0) + 1
    tree = screen.query_one(CodeTree)
    assert {k: v for k, v in tree.document_counts.items() if v} == here, what
    totals = dict(
        file_rows(path, "SELECT code_id, count(*) FROM codings WHERE 1" + mine + " GROUP BY 1")
    )
    assert {k: v for k, v in tree.project_counts.items() if v} == totals, what
    memos = file_rows(
        path,
        "SELECT k.start FROM memos m JOIN codings k ON k.guid = m.target_guid "
        "WHERE m.target_kind = 'coding' AND k.document_id = ?"
        + ("" if not screen.blind else f" AND m.coder_id = {screen.coder_id}"),
        (screen.document_id,),
    )
    assert screen.query_one(DocumentView)._memos == sorted(m[0] for m in memos), what


async def test_every_key_leaves_the_screen_as_the_file(app_path: Path) -> None:
    """Codings, merges, removal, undo and redo, a memo on a coding that a merge then moves."""
    steps = [
        ["1", "0"],  # key 1 waits for a second digit (its sub-code is 11): 0 is code 1 itself
        ["j", "2"],
        ["k", "J", "1", "0"],  # over two segments: merged with the first coding of code 1
        ["x", *"bolig", "enter"],  # two codes on the selection: x asks which
        ["u"],  # the removal undone
        ["ctrl+r"],  # and done again
        ["u", "u"],  # the removal and the merge undone
        ["ctrl+r"],  # the merge again
        ["m", *"viktig", "ctrl+s"],  # a memo on the merged coding
        ["K", "K", "1", "0"],  # merged once more: the coding with the memo starts earlier
        ["u"],
        ["j", "j", "j", "3"],  # the sub-code on its own key, then on its two digits
        ["j", "1", "1"],
        ["x"],
    ]
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        done: list[str] = []
        for keys in steps:
            await pilot.press(*keys)
            await pilot.pause()
            done += keys
            assert app.screen is screen, done
            assert_screen_is_the_file(screen, app_path, done)
            if "ctrl+s" in keys:
                assert screen.query_one(DocumentView)._memos, "the memo's mark is shown"
    coded = file_rows(app_path, "SELECT code_id, count(*) FROM codings GROUP BY 1")
    assert coded == [(1, 1), (2, 1), (3, 1)]


async def test_codings_of_another_app_are_indexed_when_shown(app_path: Path) -> None:
    """Another process codes the document: in the all-coders view the poll shows it, and a
    key over it afterwards finds it on the selection."""
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("2", "v")  # a coding of this coder's, then all coders
        start, end = screen.selection
        with Project.open(app_path) as other:
            ops.apply_coding(other, 1, 2, "bjorn", start, end)
        screen._show_others_changes()  # what the timer does every POLL_SECONDS
        assert_screen_is_the_file(screen, app_path, "polled")
        await pilot.press("1")
        assert_screen_is_the_file(screen, app_path, "coded over it")
        await pilot.press("u")
        assert_screen_is_the_file(screen, app_path, "undone")


async def test_codings_changed_by_the_codebook_editor_are_shown_on_return(
    app_path: Path,
) -> None:
    """The codebook editor (ctrl+e, over the coding screen) merges a code that has codings on
    the selection into another: back on the coding screen, it shows the file's codings."""
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("2", "J", "1", "0")  # code 1 over two segments, code 2 on the first
        assert_screen_is_the_file(screen, app_path, "coded")
        await pilot.press("ctrl+e")
        await pilot.pause()
        editor = app.screen
        from coding.codes import merge_codes

        bolig, brukermedvirkning = 3, 1  # ids of the codes on keys 2 and 1
        assert editor._run(merge_codes, bolig, brukermedvirkning, select=brukermedvirkning)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen
        assert_screen_is_the_file(screen, app_path, "after the codebook editor")
        await pilot.press("2")  # key 2 has no code any more: nothing is coded
        await pilot.press("x")  # the one coding of code 1 on the selection
        await pilot.pause()
        assert_screen_is_the_file(screen, app_path, "removed after")


async def test_digits_typed_in_the_code_filter_code_nothing(app_path: Path) -> None:
    """The digits are priority bindings (run as the key arrives): in the code filter they are
    still typed, not taken as codes; in the code tree they code as in the text."""
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("f", "2", "1", "0")
        await pilot.pause()
        assert screen.query_one("#tree-filter").value == "210"
        assert file_rows(app_path, "SELECT count(*) FROM codings") == [(0,)]
        await pilot.press(*["backspace"] * 3, "enter", "2")  # the tree in focus: 2 codes
        await pilot.pause()
        assert screen.focused is screen.query_one(CodeTree)
        assert file_rows(app_path, "SELECT code_id FROM codings") == [(3,)]
        assert_screen_is_the_file(screen, app_path, "coded from the tree")
