"""The coding screen redraws only the lines a key changed (issue 13): what is painted after each
key must equal a full redraw, and match the codings in the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from coding.codes import add_code
from coding.documents import add_document
from coding.store import Project
from coding.views import load_codings
from tests.app_project import CODER, TURNS, transcript
from tui.app import KodeverkApp
from tui.widgets.document_view import DocumentView

SIZE = (80, 24)


def long_project(path: Path) -> Path:
    """One transcript of 80 turns (several screens), codes on keys 1 and 2."""
    with Project.create(path, name="lang") as project:
        add_code(project, "Brukermedvirkning", shortcut="1", colour="#1f77b4")
        add_code(project, "Bolig", shortcut="2", colour="#2ca02c")
        text, segments = transcript(TURNS * 10)
        add_document(project, "lang.txt", text, "interview", segments)
    return path


def painted(app: KodeverkApp) -> list[str]:
    """The document view's part of the screen as the terminal was last sent it."""
    view = app.screen.query_one(DocumentView)
    x, y, width, height = view.scrollable_content_region
    strips = app.screen._compositor.render_strips()
    return ["".join(s.text for s in line)[x : x + width] for line in strips[y : y + height]]


async def redrawn(app: KodeverkApp, pilot) -> list[str]:
    """The same part after forgetting every rendered line and redrawing the whole view."""
    view = app.screen.query_one(DocumentView)
    view._changed()
    await pilot.pause()
    return painted(app)


def file_codings(path: Path) -> list[tuple[int, int, int]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute('SELECT code_id, start, "end" FROM codings ORDER BY start').fetchall()
    finally:
        conn.close()


async def test_each_key_repaints_the_lines_it_changed(tmp_path: Path) -> None:
    path = long_project(tmp_path / "lang.kodeverk")
    app = KodeverkApp(path, CODER, document_id=1)
    keys = ["j", "j", "1", "J", "2", "k", "1", "pagedown", "j", "1", "u", "G", "2", "g", "1"]
    keys += ["j", "J", "1"]  # over two codings of code 1: merged into one
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        view = screen.query_one(DocumentView)
        for n, key in enumerate(keys):
            await pilot.press(key)
            app.clear_notifications()  # toasts lie over the text: not part of the comparison
            await pilot.pause()
            shown = painted(app)
            assert shown == await redrawn(app, pilot), f"stale lines after {keys[: n + 1]}"
            # the screen's codings are those in the file, and the coded lines carry a stripe
            with Project.open(path) as project:
                assert screen.codings == load_codings(project, 1, screen.coder_id)
            in_file = file_codings(path)
            assert [(c.code_id, c.start, c.end) for c in screen.codings] == in_file
            top = int(view.scroll_offset.y)
            for _, start, _end in in_file:
                line = view.line_of(start) - top
                if 0 <= line < len(shown):
                    assert "┃" in shown[line][:5], (keys[: n + 1], line, shown[line])
            first = view.line_of(screen.selection[0]) - top
            last = view.line_of(screen.selection[1] - 1) - top
            marked = [i for i, line in enumerate(shown) if line.startswith("▌")]
            assert marked == [i for i in range(first, last + 1) if 0 <= i < len(shown)], keys
    assert [c for c in file_codings(path) if c[0] == 1] == [(1, 12, 58), (1, 70, 120)]


def counts_in_file(path: Path, coder: str, document_id: int) -> tuple[dict, dict]:
    """(codings per code in the document, codings per code in the project) of ``coder``."""
    conn = sqlite3.connect(path)
    try:
        sql = (
            "SELECT code_id, count(*) FROM codings WHERE coder_id = "
            "(SELECT id FROM coders WHERE name = ?)"
        )
        here = dict(
            conn.execute(sql + " AND document_id = ? GROUP BY code_id", (coder, document_id))
        )
        total = dict(conn.execute(sql + " GROUP BY code_id", (coder,)))
    finally:
        conn.close()
    return here, total


async def test_counts_stay_right_across_documents(tmp_path: Path) -> None:
    """Moving to another document keeps the project's counts (not read again), unless another
    process wrote meanwhile: the tree's counts equal the file's after every move."""
    from coding import operations as ops
    from tests.app_project import build_app_project
    from tui.widgets.code_tree import CodeTree

    path = build_app_project(tmp_path / "app.kodeverk")
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        tree = screen.query_one(CodeTree)

        def shown() -> tuple[dict, dict]:
            here = {k: v for k, v in tree.document_counts.items() if v}
            total = {k: v for k, v in tree.project_counts.items() if v}
            return here, total

        await pilot.press("j", "1", "0", "j", "2")  # 1 0: code 1 (1 waits for a sub-code)
        assert shown() == counts_in_file(path, CODER, 1)
        await pilot.press("left_square_bracket")
        assert screen.document_id == 2 and shown() == counts_in_file(path, CODER, 2)
        await pilot.press("1", "0")
        assert shown() == counts_in_file(path, CODER, 2)
        # another process codes in document 1 as the same coder: seen at the next move
        with Project.open(path) as other:
            ops.apply_coding(other, 1, 1, CODER, 200, 210)
        await pilot.press("right_square_bracket")
        assert screen.document_id == 1 and shown() == counts_in_file(path, CODER, 1)
        assert shown()[1][1] == 3


async def test_counts_after_undo_here_and_elsewhere(tmp_path: Path) -> None:
    """Undo in this document adjusts the counts by its change; an undo that reverts a coding
    in another document counts again: both equal the file's."""
    from tests.app_project import build_app_project
    from tui.widgets.code_tree import CodeTree

    path = build_app_project(tmp_path / "app.kodeverk")
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        tree = screen.query_one(CodeTree)

        def shown() -> tuple[dict, dict]:
            here = {k: v for k, v in tree.document_counts.items() if v}
            total = {k: v for k, v in tree.project_counts.items() if v}
            return here, total

        await pilot.press("j", "2", "j", "2", "u")  # two codings of Bolig, the second undone
        assert shown() == counts_in_file(path, CODER, 1) and shown()[1] == {3: 1}
        await pilot.press("ctrl+r")
        assert shown() == counts_in_file(path, CODER, 1) and shown()[1] == {3: 2}
        await pilot.press("left_square_bracket", "u")  # in document 2: undoes one in document 1
        assert screen.document_id == 2
        assert shown() == counts_in_file(path, CODER, 2) and shown()[1] == {3: 1}


async def test_status_line_set_again_only_when_it_changes(tmp_path: Path) -> None:
    """The status line (the text's bottom border) repaints the whole view when set: the same
    message again ("coded Bolig" twice) leaves it as it is, another one is shown."""
    path = long_project(tmp_path / "lang.kodeverk")
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(DocumentView)
        await pilot.press("2")
        first = view.border_subtitle
        assert "Bolig" in str(first)
        await pilot.press("j", "2")
        assert view.border_subtitle is first  # the same message: not set again
        await pilot.press("j", "1")
        assert "Brukermedvirkning" in str(view.border_subtitle)
        await pilot.press("j", "2")
        assert "Bolig" in str(view.border_subtitle)
        assert painted(app) == await redrawn(app, pilot)


async def test_coding_footer_composes_less(tmp_path: Path, monkeypatch) -> None:
    """The coding screen's footer composes at most twice on opening (empty, then with its
    keys; Textual's Footer composed four times, a large part of the first paint) and not
    again while coding."""
    from textual.widgets import Footer

    composed: list[object] = []
    compose = Footer.compose

    def counted(self):  # type: ignore[no-untyped-def]
        composed.append(self)
        return compose(self)

    monkeypatch.setattr(Footer, "compose", counted)
    path = long_project(tmp_path / "lang.kodeverk")
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        footer = app.screen.query_one(Footer)
        assert composed.count(footer) <= 2
        opened = composed.count(footer)
        await pilot.press("j", "2", "j", "1")
        await pilot.pause()
        assert composed.count(footer) == opened
        assert footer.query("FooterKey")
