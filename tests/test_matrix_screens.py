"""The matrix and goal attainment screens driven by Pilot at 80×24, asserting on the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import DataTable, OptionList, Static, TextArea

from tests.app_project import CODER, build_app_project
from tests.prevalence_project import build
from tui.app import KodeverkApp
from tui.i18n import set_language
from tui.screens.goals import GoalsScreen
from tui.screens.help import HelpScreen
from tui.screens.matrix import MatrixScreen
from tui.screens.memo import MemoScreen
from tui.screens.prevalence import QuotesModal

SIZE = (80, 24)


class Host(App):
    def __init__(self, project, screen) -> None:
        set_language("nb")  # these screens were bokmål first: the tests read bokmål
        super().__init__()
        self.project = project
        self.screen_class = screen

    def on_mount(self) -> None:
        self.push_screen(self.screen_class(self.project, "anna"))


def rows(table: DataTable) -> list[list[str]]:
    return [[str(v) for v in table.get_row_at(i)] for i in range(table.row_count)]


def summaries(project) -> list[tuple]:
    return project.conn.execute(
        "SELECT row_kind, row_key, column_kind, column_key, text, coder_id FROM matrix_summaries"
    ).fetchall()


async def test_matrix_grid_quotes_summary_and_undo(project):
    build(project)
    app = Host(project, MatrixScreen)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(DataTable)
        assert [str(c.label) for c in table.columns.values()] == [
            "", "Mål 1", "Mål 2", "Mål 3", "Mål 4", "Mål 5",
        ]  # fmt: skip
        assert 40 < table.virtual_size.width <= SIZE[0]  # the goal grid fits 80 columns
        assert rows(table)[:3] == [
            ["liten", "0", "0", "0", "3", "0"],
            ["mellomstor", "0", "1", "0", "3", "0"],
            ["stor", "2", "0", "0", "0", "0"],
        ]
        await pilot.press("right", "right", "right")  # liten × Mål 4
        assert screen.current_cell() == ("liten", "4")
        cell_info = str(screen.query_one("#matrix-cell", Static).render())
        assert "liten × Mål 4 Aktiv og meningsfull tilværelse: 3 utsagn" in cell_info
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, QuotesModal)
        assert app.screen.query_one(OptionList).option_count == 3
        await pilot.press("escape")
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.screen, MemoScreen)
        app.screen.query_one(TextArea).insert("Boligmangel i små kommuner")
        await pilot.press("ctrl+s")
        await pilot.pause()
        coder_id = project.coder_id("anna", create=False)
        assert summaries(project) == [
            ("size_class", "liten", "goal", "4", "Boligmangel i små kommuner", coder_id)
        ]
        assert rows(table)[0][4] == "3 ✎"
        assert screen.current_cell() == ("liten", "4")  # the cursor stays on the cell
        await pilot.press("u")
        await pilot.pause()
        assert summaries(project) == []
        assert rows(table)[0][4] == "3"


async def test_matrix_switches_rows_columns_and_coder(project):
    build(project)
    app = Host(project, MatrixScreen)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(DataTable)
        await pilot.press("r")  # region
        assert screen.matrix.rows == "region"
        assert rows(table)[0][:5] == ["Nord-Norge", "0", "0", "0", "3"]
        await pilot.press("r")  # cases
        assert screen.matrix.rows == "case"
        assert [r[0] for r in rows(table)][:3] == ["L1", "L2", "L3"]
        await pilot.press("l")  # codes
        assert screen.matrix.columns == "code"
        assert len(table.columns) == 1 + 7
        await pilot.press("c", "c", "c")  # any → consensus → anna → bjørn
        assert screen.count_coder == "bjørn"
        await pilot.press("down", "down", "down", "down", "down", "down", "m")  # M3 × first code
        await pilot.pause()
        app.screen.query_one(TextArea).insert("Ingen bolig")
        await pilot.press("ctrl+s")
        await pilot.pause()
        case_guid = project.conn.execute("SELECT guid FROM cases WHERE name = 'M3'").fetchone()[0]
        code_guid = screen.matrix.column_keys[0]
        assert summaries(project)[0][:5] == ("case", case_guid, "code", code_guid, "Ingen bolig")


async def test_goals_rating_assessment_quotes_and_undo(project):
    build(project)
    app = Host(project, GoalsScreen)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        table = screen.query_one(DataTable)
        assert 40 < table.virtual_size.width <= SIZE[0]
        assert rows(table)[3][:4] == ["Mål 4 Aktiv og mening…", "Ikke vurdert", "6", "4/10"]
        await pilot.press("down", "down", "down", "r", "r")
        await pilot.pause()
        assert project.conn.execute("SELECT goal, rating FROM goal_assessments").fetchall() == [
            (4, "relativt høy")
        ]
        await pilot.press("m")
        await pilot.pause()
        app.screen.query_one(TextArea).insert("Måloppnåelsen er relativt høy.")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert project.conn.execute(
            "SELECT goal, rating, assessment FROM goal_assessments"
        ).fetchall() == [(4, "relativt høy", "Måloppnåelsen er relativt høy.")]
        assert rows(table)[3][1] == "Relativt høy"
        assert "Måloppnåelsen er relativt høy." in str(
            screen.query_one("#goal-assessment", Static).render()
        )
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, QuotesModal)
        assert app.screen.query_one(OptionList).option_count == 5  # one per passage
        await pilot.press("escape")
        await pilot.press("u")  # the assessment text
        await pilot.pause()
        assert project.conn.execute("SELECT assessment FROM goal_assessments").fetchall() == [("",)]
        await pilot.press("u", "u")  # both rating steps
        await pilot.pause()
        assert project.conn.execute("SELECT count(*) FROM goal_assessments").fetchone() == (0,)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "app.kodeverk")


@pytest.mark.parametrize(
    ("key", "screen_class", "described"),
    [("t", MatrixScreen, "Summary"), ("g", GoalsScreen, "Assessment")],
)
async def test_open_from_the_overview_with_footer_and_help(
    app_path: Path, key: str, screen_class, described: str
) -> None:
    from textual.widgets import Footer

    from tui.screens.help import key_table

    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        overview = app.screen
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, screen_class)
        assert app.screen.query_one(Footer).display
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert described in str(list(key_table(app.screen.source).columns[1].cells))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is overview


@pytest.mark.parametrize(
    ("command", "screen_class"), [("matrix", MatrixScreen), ("goal attainment", GoalsScreen)]
)
async def test_open_from_the_palette(app_path: Path, command: str, screen_class) -> None:
    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*command)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, screen_class)
