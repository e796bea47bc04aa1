"""The code picker lays out nothing while one types (issue 14): the list keeps its height,
the options change in place, the grid behind the dialog is not repainted; what it offers and
what enter applies stay as they were."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.widgets import Input, OptionList

from coding.codes import add_code
from coding.store import Project
from tests.answers_project import build_answers_project
from tests.app_project import CODER
from tui.app import KodeverkApp
from tui.screens.answers import AnswersScreen
from tui.screens.picker import PickerScreen
from tui.widgets.answer_grid import AnswerGrid

SIZE = (100, 30)


def labels(app: KodeverkApp) -> list[str]:
    options = app.screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def spy(monkeypatch, owner, name: str) -> list[int]:
    """One entry per call of ``owner.name`` from now on."""
    calls: list[int] = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


async def test_typing_in_the_picker_lays_out_nothing_and_narrows_the_codes(
    tmp_path: Path, monkeypatch
) -> None:
    path = build_answers_project(tmp_path / "svar.kodeverk")
    app = KodeverkApp(path, CODER, answers=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        grid = app.screen.query_one(AnswerGrid)
        first = grid.rows[grid.cursor].document_id
        await pilot.press("c")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        options = picker.query_one(OptionList)
        height = options.outer_size.height
        assert len(labels(app)) == 5 and height == 12
        layouts = spy(monkeypatch, picker, "_refresh_layout")
        grid_lines = spy(monkeypatch, AnswerGrid, "render_line")
        await pilot.press(*"bol")
        await pilot.pause()
        assert layouts == [] and grid_lines == []
        assert picker.query_one(Input).value == "bol"
        assert labels(app)[0].endswith("Bolig") and options.highlighted == 0
        assert options.outer_size.height == height
        assert "Bolig" in app.export_screenshot()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AnswersScreen)
    conn = sqlite3.connect(path)
    try:
        coded = conn.execute(
            "SELECT k.document_id, c.name FROM codings k JOIN codes c ON c.id = k.code_id"
            " JOIN coders r ON r.id = k.coder_id WHERE r.name = ?",
            (CODER,),
        ).fetchall()
    finally:
        conn.close()
    assert (first, "Bolig") in coded


async def test_no_match_and_back_keeps_the_list_and_its_scroll_bar_right(tmp_path: Path) -> None:
    path = build_answers_project(tmp_path / "svar.kodeverk")
    with Project.open(path) as project:  # 15 codes: more than the list has room for
        for n in range(10):
            add_code(project, f"Tema {n}")
    app = KodeverkApp(path, CODER, answers=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert len(labels(app)) == 15 and options.show_vertical_scrollbar
        await pilot.press(*"xylofon")
        await pilot.pause()
        assert labels(app)[0] == "no match" and not options.show_vertical_scrollbar
        for _ in "xylofon":
            await pilot.press("backspace")
        await pilot.pause()
        assert len(labels(app)) == 15 and options.highlighted == 0
        assert options.show_vertical_scrollbar
        assert "Brukermedvirkning" in app.export_screenshot()
