"""Keys on the coding screen with a clear margin (issue 14): ``]`` and ``[`` lay out nothing,
the code tree repaints the counts that changed, the place is saved after the key's paint, and
a document shown again is not read again unless another process wrote. Each test looks at the
screen as painted and at the project file."""

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
from tui.widgets.document_view import DocumentView, wrap_offsets

SIZE = (80, 24)
VADSØ, BERGEN = 1, 2  # the overview's order: Bergen, then Vadsø


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "keys.kodeverk")


def painted_lines(app: KodeverkApp) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return ["".join(seg.text for seg in line) for line in strips]


def painted(app: KodeverkApp, widget) -> list[str]:
    """The part of the screen ``widget`` covers, as the terminal was last sent it."""
    x, y, width, height = widget.region
    return [line[x : x + width] for line in painted_lines(app)[y : y + height]]


def place_in_file(path: Path) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT key, value FROM coder_state").fetchall())
    finally:
        conn.close()


def code_ids(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(conn.execute("SELECT name, id FROM codes").fetchall())
    finally:
        conn.close()


async def test_a_document_with_three_codes_lays_nothing_out(app_path: Path) -> None:
    """``]`` to a segment with three codes, after a code was used (a recent code): the panel
    shows them all in the room it had, so nothing moves (a layout repainted the whole screen
    and cost more than the rest of the key)."""
    codes = code_ids(app_path)
    with Project.open(app_path) as project:
        first = project.conn.execute(
            'SELECT start, "end" FROM segments WHERE document_id = ? ORDER BY start LIMIT 1',
            (VADSØ,),
        ).fetchone()
        for name in ("Brukerråd", "Bolig", "Tidlig innsats"):
            ops.apply_coding(project, VADSØ, codes[name], CODER, *first)
    app = KodeverkApp(app_path, CODER, document_id=BERGEN)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("j", "1", "0")  # code 1 (1 waits for a sub-code): a recent code
        panel = screen.query_one("#on-selection")
        tree = screen.query_one(CodeTree)
        before = (panel.region, tree.region)
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert screen.document_id == VADSØ
        assert (panel.region, tree.region) == before
        shown = "\n".join(painted(app, panel))
        for name in ("■ 3 Brukerråd", "■ 2 Bolig", "■ · Tidlig innsats"):
            assert name in shown, shown
        assert "1 Brukermedvirkning" in shown  # the recent code, below them
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert screen.document_id == BERGEN and (panel.region, tree.region) == before


def tree_counts(app: KodeverkApp) -> dict[str, str]:
    """The «here/total» the code tree shows, by code name, as painted."""
    found = {}
    for line in painted(app, app.screen.query_one(CodeTree)):
        words = line.replace("▼", " ").replace("└", " ").split()
        if len(words) >= 4 and "/" in words[-1]:
            found[" ".join(words[2:-1])] = words[-1]
    return found


def counts_in_file(path: Path, document_id: int) -> dict[str, str]:
    conn = sqlite3.connect(path)
    try:
        sql = (
            "SELECT k.name, (SELECT count(*) FROM codings c WHERE c.code_id = k.id "
            "AND c.document_id = ?), (SELECT count(*) FROM codings c WHERE c.code_id = k.id) "
            "FROM codes k"
        )
        return {name: f"{here}/{total}" for name, here, total in conn.execute(sql, (document_id,))}
    finally:
        conn.close()


async def test_the_tree_repaints_the_counts_of_the_shown_document(app_path: Path) -> None:
    """Each document's counts («here/total») are painted when it is shown: only the lines of
    counts that changed are drawn again, none is left as it was."""
    with Project.open(app_path) as project:
        codes = code_ids(app_path)
        ops.apply_coding(project, VADSØ, codes["Bolig"], CODER, 12, 40)
        ops.apply_coding(project, VADSØ, codes["Tidlig innsats"], CODER, 60, 90)
        ops.apply_coding(project, BERGEN, codes["Bolig"], CODER, 12, 40)
    app = KodeverkApp(app_path, CODER, document_id=VADSØ)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert tree_counts(app) == counts_in_file(app_path, VADSØ)
        for key, document_id in (("left_square_bracket", BERGEN), ("j", BERGEN), ("2", BERGEN)):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen.document_id == document_id
            assert tree_counts(app) == counts_in_file(app_path, document_id), key
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert tree_counts(app) == counts_in_file(app_path, VADSØ)
        assert tree_counts(app)["Bolig"] == "1/3"


async def test_the_place_is_saved_after_the_paint(app_path: Path) -> None:
    """A move is painted first and its place saved right after (one transaction for the moves
    made meantime: the latest place); leaving or closing saves one not saved yet."""
    app = KodeverkApp(app_path, CODER, document_id=VADSØ)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("j")
        assert place_in_file(app_path)[f"segment:{VADSØ}"] == "1"
        screen.action_move(1)
        screen.action_move(1)  # two moves before a paint
        assert place_in_file(app_path)[f"segment:{VADSØ}"] == "1"  # not before the paint
        await pilot.pause()
        assert place_in_file(app_path)[f"segment:{VADSØ}"] == "3"
        await pilot.press("left_square_bracket")
        assert place_in_file(app_path)["last_document"] == str(BERGEN)
        screen.action_move(1)
        app.exit()  # closed before the next paint
    assert place_in_file(app_path)[f"segment:{BERGEN}"] == "1"
    app = KodeverkApp(app_path, CODER)  # reopens where the coder left off
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert (screen.document_id, screen.current_segment) == (BERGEN, 1)


def view_lines(app: KodeverkApp) -> list[str]:
    view = app.screen.query_one(DocumentView)
    x, y, width, height = view.scrollable_content_region
    return [line[x : x + width] for line in painted_lines(app)[y : y + height]]


async def test_a_document_shown_again_is_read_again_after_another_process_wrote(
    app_path: Path,
) -> None:
    """``]`` back to a document keeps its text and segments from the last visit (drawn as a
    full redraw would), unless another process changed the file meanwhile: then its new
    segments are read (here the first two sentences made one)."""
    app = KodeverkApp(app_path, CODER, document_id=VADSØ)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        view = screen.query_one(DocumentView)
        await pilot.pause()
        first_visit = view_lines(app)
        segments = list(screen.segments)
        await pilot.press("left_square_bracket", "right_square_bracket")
        await pilot.pause()
        assert screen.segments == segments and view_lines(app) == first_visit
        view._changed()
        await pilot.pause()
        assert view_lines(app) == first_visit
        await pilot.press("left_square_bracket")
        conn = sqlite3.connect(app_path)  # another process joins the first two segments
        with conn:
            (one, two) = conn.execute(
                'SELECT id, "end" FROM segments WHERE document_id = ? ORDER BY start LIMIT 2',
                (VADSØ,),
            ).fetchall()
            conn.execute("DELETE FROM segments WHERE id = ?", (two[0],))
            conn.execute('UPDATE segments SET "end" = ? WHERE id = ?', (two[1], one[0]))
        conn.close()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert len(screen.segments) == len(segments) - 1
        assert screen.segments[0].end == segments[1].end
        await pilot.press("g")
        assert screen.selection == (segments[0].start, segments[1].end)


async def test_the_tree_repaints_every_line_when_most_counts_change(app_path: Path) -> None:
    """Twenty codes coded in one document and not in the other: ``[`` changes more counts than
    the tree has lines, and every line shows its new count."""
    from coding.codes import add_code

    with Project.open(app_path) as project:
        last = project.conn.execute(  # not the selection on opening: the panel stays small
            'SELECT start, "end" FROM segments WHERE document_id = ? ORDER BY start DESC',
            (VADSØ,),
        ).fetchone()
        for n in range(20):
            code = add_code(project, f"Tema {n:02d}")
            ops.apply_coding(project, VADSØ, code, CODER, *last)
    app = KodeverkApp(app_path, CODER, document_id=VADSØ)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        tree = app.screen.query_one(CodeTree)
        assert tree.size.height < 20
        shown = tree_counts(app)
        assert shown == {k: v for k, v in counts_in_file(app_path, VADSØ).items() if k in shown}
        assert shown["Tema 00"] == "1/1"
        for key, document_id in (("left_square_bracket", BERGEN), ("right_square_bracket", VADSØ)):
            await pilot.press(key)
            await pilot.pause()
            shown = tree_counts(app)
            in_file = counts_in_file(app_path, document_id)
            assert len(shown) >= 8 and shown == {k: in_file[k] for k in shown}, key


def test_the_place_is_committed_without_waiting_for_the_disk_and_nothing_else(
    app_path: Path,
) -> None:
    """``remember_place`` commits with ``synchronous = NORMAL`` (no fsync at each move) and
    sets FULL back for every other write; inside another transaction it joins it."""
    with Project.open(app_path) as project:
        synchronous = []
        project.conn.set_trace_callback(
            lambda sql: synchronous.append(sql) if "synchronous" in sql else None
        )
        ops.remember_place(project, CODER, BERGEN, 3)
        assert synchronous == ["PRAGMA synchronous = NORMAL", "PRAGMA synchronous = FULL"]
        assert project.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL again
        synchronous.clear()
        with project.transaction():
            ops.remember_place(project, CODER, VADSØ, 2)
            assert project.conn.in_transaction
        assert synchronous == []  # joined the outer transaction, no pragma inside it
    assert place_in_file(app_path) == {
        "last_document": str(VADSØ),
        f"segment:{BERGEN}": "3",
        f"segment:{VADSØ}": "2",
    }


async def test_a_code_added_meanwhile_has_its_key_on_the_next_document(app_path: Path) -> None:
    """The codebook is read again at ``]`` only when it changed: a code another process added
    meanwhile has its key there (and is coded in the file)."""
    from coding.codes import add_code

    app = KodeverkApp(app_path, CODER, document_id=VADSØ)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("left_square_bracket", "4")
        assert app.screen.status != "coded: Arbeid"  # no code on 4 yet
        with Project.open(app_path) as other:
            add_code(other, "Arbeid", shortcut="4", colour="#9467bd")
        await pilot.press("right_square_bracket", "4")
        await pilot.pause()
        assert app.screen.status == "coded: Arbeid"
    conn = sqlite3.connect(app_path)
    try:
        coded = conn.execute(
            "SELECT c.document_id FROM codings c JOIN codes k ON k.id = c.code_id "
            "WHERE k.name = 'Arbeid'"
        ).fetchall()
    finally:
        conn.close()
    assert coded == [(VADSØ,)]


def memo_starts_in_file(path: Path) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT c.start FROM memos m JOIN codings c ON c.guid = m.target_guid "
                "WHERE m.target_kind = 'coding' ORDER BY c.start"
            )
        ]
    finally:
        conn.close()


async def test_undo_and_remove_redraw_what_changed_memo_marks_too(app_path: Path) -> None:
    """``x`` and ``u`` redraw only the codings that went or came: the text as painted equals a
    full redraw after each key, its codings are the file's, and a coding that comes back with
    its memo has its memo mark again."""
    from tui.widgets.document_view import MEMO

    app = KodeverkApp(app_path, CODER, document_id=VADSØ)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        view = screen.query_one(DocumentView)
        await pilot.press("j", "2", "m")
        await pilot.pause()
        await pilot.press(*"notat", "ctrl+s")
        await pilot.pause()
        steps = ["x", "u", "j", "2", "k", "x", "u", "u", "redo"]
        for n, key in enumerate(steps):
            if key == "redo":
                screen.action_redo()
            else:
                await pilot.press(key)
            app.clear_notifications()
            await pilot.pause()
            shown = view_lines(app)
            screen._refresh_codings(counts="keep")  # everything read and drawn again
            await pilot.pause()
            assert view_lines(app) == shown, f"stale lines after {steps[: n + 1]}"
            with Project.open(app_path) as project:
                from coding.views import load_codings

                assert screen.codings == load_codings(project, VADSØ, screen.coder_id)
            top = int(view.scroll_offset.y)
            marked = {view.line_of(start) - top for start in memo_starts_in_file(app_path)}
            gutters = {i for i, line in enumerate(shown) if MEMO in line[:5]}
            assert gutters == marked, (steps[: n + 1], shown)
        assert memo_starts_in_file(app_path)  # the memo's coding is back after the undo


async def test_another_width_wraps_the_shown_and_the_next_documents_again(app_path: Path) -> None:
    """A narrower terminal wraps the shown text at the new width, and the documents ``[`` and
    ``]`` show after it too (drawn as a full redraw would)."""
    app = KodeverkApp(app_path, CODER, document_id=VADSØ)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        view = screen.query_one(DocumentView)
        await pilot.pause()
        wide = view_lines(app)
        await pilot.resize_terminal(70, 24)
        await pilot.pause()
        for key in ("", "left_square_bracket", "right_square_bracket"):
            if key:
                await pilot.press(key)
                await pilot.pause()
            narrow = view_lines(app)
            wrapped = wrap_offsets(screen.text, view._text_width())
            assert len(narrow[0]) < len(wide[0]), key  # the view is narrower
            assert view._lines == wrapped[: len(view._lines)], key
            view._changed()
            await pilot.pause()
            assert view_lines(app) == narrow, key
