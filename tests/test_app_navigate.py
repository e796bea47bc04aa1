"""Moving through a study on the coding screen, and seeing what is coded where (issue 14)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from coding import operations as ops
from coding.codes import add_code
from coding.store import Project
from coding.views import load_segments
from tests.app_project import CODER, build_app_project, remembered
from tui.app import KodeverkApp
from tui.screens.coding import CodingScreen
from tui.screens.confirm import ConfirmScreen
from tui.widgets.document_view import MEMO, STRIPE, DocumentView

SIZE = (80, 24)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "nav.kodeverk")


def gutters(view: DocumentView) -> list[str]:
    return ["".join(seg.text for seg in list(view.render_line(y))[:5]) for y in range(20)]


async def test_next_and_previous_document_without_leaving_the_screen(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=2)  # Bergen, the first in the overview
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("j", "j")
        await pilot.press("right_square_bracket")
        assert app.screen is screen and screen.document_id == 1
        assert "intervju-vadsø" in screen.sub_title
        assert remembered(app_path, "last_document") == "1"
        await pilot.press("G")  # the end of the document
        assert screen.current_segment == len(screen.segments) - 1
        await pilot.press("g")
        assert screen.current_segment == 0
        await pilot.press("end")
        assert screen.current_segment == len(screen.segments) - 1
        await pilot.press("home")
        assert screen.current_segment == 0
        await pilot.press("ctrl+up")  # back to Bergen, at the segment left there
        assert screen.document_id == 2 and screen.current_segment == 2
        await pilot.press("left_square_bracket")  # nothing before the first
        assert screen.document_id == 2
        await pilot.press("1", "0")
    conn = sqlite3.connect(app_path)
    assert conn.execute("SELECT document_id FROM codings").fetchall() == [(2,)]


async def test_done_offers_the_next_unfinished_document(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen and screen.document_id == 1
        await pilot.press("d")  # every document done now: nothing to move on to
        await pilot.pause()
        assert app.screen is screen and screen.document_id == 1
    conn = sqlite3.connect(app_path)
    assert conn.execute("SELECT document_id, done FROM document_status ORDER BY 1").fetchall() == [
        (1, 1),
        (2, 1),
    ]


async def test_done_then_escape_stays(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=2)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen and screen.document_id == 2


async def test_stripes_per_code_and_memo_marks(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("j", "1", "0", "2", "j")
        view = screen.query_one(DocumentView)
        lines = [list(view.render_line(y)) for y in range(view.line_count)]
        first = screen.segments[1].start
        row = view.line_of(first) - int(view.scroll_offset.y)
        stripes = [seg for seg in lines[row][1:4] if seg.text == STRIPE]
        assert len(stripes) == 2  # Brukermedvirkning and Bolig, in their colours
        colours = {seg.style.color.get_truecolor().hex for seg in stripes}
        assert colours == {"#1f77b4", "#2ca02c"}
        assert MEMO not in "".join(gutters(view))
        await pilot.press("k", "m")
        await pilot.pause()
        await pilot.press(*"viktig")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert MEMO in gutters(view)[row]
    conn = sqlite3.connect(app_path)
    assert conn.execute("SELECT target_kind, text FROM memos").fetchall() == [("coding", "viktig")]


async def test_more_codes_than_stripes_end_in_plus(app_path: Path) -> None:
    with Project.open(app_path) as project:
        extra = [add_code(project, f"Ekstra {i}") for i in range(5)]
        for code in extra:
            ops.apply_coding(project, 1, code, CODER, 0, 10)
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.screen.query_one(DocumentView)
        assert gutters(view)[0][1:4] == STRIPE * 2 + "+"


async def test_panel_grows_with_the_codes_on_the_selection(app_path: Path) -> None:
    with Project.open(app_path) as project:
        names = [f"Kode nummer {i}" for i in range(10)]
        first = load_segments(project, 1)[0]  # the selection on opening
        for name in names:
            code = add_code(project, name)
            ops.apply_coding(project, 1, code, CODER, first.start, first.end)
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        panel = app.screen.query_one("#on-selection")
        x, y, width, _ = panel.region
        strips = app.screen._compositor.render_strips()
        text = "\n".join("".join(s.text for s in line)[x : x + width] for line in strips[y:])
        text = text[: text.index("─" * 10)]  # the panel, not the code tree below it
    assert all(name in text for name in names), text


def table_dump(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, name, kind, length FROM documents ORDER BY id").fetchall()
    finally:
        conn.close()


async def wait_import(app, pilot) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_empty_project_says_how_to_import_and_imports_a_file(tmp_path: Path) -> None:
    from tui.screens.import_dialog import ImportScreen
    from tui.screens.overview import OverviewScreen
    from tui.widgets.document_table import DocumentTable

    path = tmp_path / "tom.kodeverk"
    Project.create(path, name="tom").close()
    source = tmp_path / "intervju-hamar.txt"
    source.write_text("Intervjuer: Hva med bolig?\nInformant: Det mangler boliger. Det haster.\n")
    app = KodeverkApp(path, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await wait_import(app, pilot)
        overview = app.screen
        assert isinstance(overview, OverviewScreen)
        text = "\n".join(
            "".join(s.text for s in line) for line in overview._compositor.render_strips()
        )
        assert "no documents yet" in text and "kodeverk import" in text and "Press i" in text
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)
        await pilot.press(*str(tmp_path / "finnes-ikke.txt"), "enter")
        await pilot.pause()
        assert isinstance(app.screen, ImportScreen)  # a wrong path is said, nothing imported
        assert table_dump(path) == []
        app.screen.query_one("#import-path").value = ""
        await pilot.press(*str(source), "enter")
        await wait_import(app, pilot)
        assert app.screen is overview
        assert overview.query_one(DocumentTable).row_count == 1
        assert not overview.query_one("#empty").display
    docs = table_dump(path)
    assert [(name, kind) for _, name, kind, _ in docs] == [("intervju-hamar.txt", "interview")]


async def test_import_of_a_bad_file_says_why_and_changes_nothing(tmp_path: Path) -> None:
    from tui.screens.import_dialog import ImportScreen

    path = tmp_path / "tom.kodeverk"
    Project.create(path, name="tom").close()
    bad = tmp_path / "rot.docx"
    bad.write_bytes(b"not a zip at all")
    app = KodeverkApp(path, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await wait_import(app, pilot)
        await pilot.press("i", *str(bad), "enter")
        await wait_import(app, pilot)
        assert isinstance(app.screen, ImportScreen)
        status = str(app.screen.query_one("#import-status").render())
        assert "rot.docx" in status
    assert table_dump(path) == []


async def test_import_a_folder_from_the_overview(tmp_path: Path) -> None:
    path = tmp_path / "tom.kodeverk"
    Project.create(path, name="tom").close()
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"intervju-{name}.txt").write_text(f"Intervjuer: Hei {name}?\nInformant: Ja.\n")
    (folder / "notater.pdf").write_bytes(b"%PDF")  # not a kind kodeverk reads: left alone
    app = KodeverkApp(path, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await wait_import(app, pilot)
        await pilot.press("i", *str(folder), "enter")
        await wait_import(app, pilot)
        assert app.screen.query_one("#documents").row_count == 2
    assert [name for _, name, _, _ in table_dump(path)] == ["intervju-a.txt", "intervju-b.txt"]


async def test_stripes_and_memo_marks_without_colour(
    app_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "1", "0", "2", "m", *"ok", "ctrl+s")
        await pilot.pause()
        lines = app.screen._compositor.render_strips()
        text = ["".join(s.text for s in line) for line in lines]
    assert any(f"▌{STRIPE}{STRIPE} {MEMO}" in line for line in text), text


async def test_help_lists_the_document_keys(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=(100, 60)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        text = "\n".join(
            "".join(s.text for s in line) for line in app.screen._compositor.render_strips()
        )
    assert "] ctrl+down" in text and "Next document" in text
    assert "home g" in text and "end G" in text
