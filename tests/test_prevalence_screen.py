"""The prevalence screen driven by Pilot at 80×24 on the hand-made project."""

from __future__ import annotations

from textual.app import App
from textual.widgets import DataTable, OptionList

from tests.prevalence_project import build
from tui.i18n import set_language
from tui.screens.prevalence import PrevalenceScreen, QuotesModal
from tui.widgets.bar_chart import Bar, bar_text, render_bars


class Host(App):
    def __init__(self, project, lang: str = "nb") -> None:
        set_language(lang)  # the screen was Norwegian first: these tests read bokmål
        super().__init__()
        self.project = project

    def on_mount(self) -> None:
        self.push_screen(PrevalenceScreen(self.project, "anna"))


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def cells(table: DataTable, row: int) -> list[str]:
    return [str(v) for v in table.get_row_at(row)]


async def test_table_chart_keys_and_quotes(project):
    build(project)
    app = Host(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, PrevalenceScreen)
        table = screen.query_one(DataTable)
        headers = [str(c.label).split("\n") for c in table.columns.values()]
        assert [h[0] for h in headers] == [
            "Tema", "liten", "mellomstor", "stor", "storby", "(mangler)", "Totalt",
        ]  # fmt: skip
        assert [h[1] for h in headers[1:]] == ["n=4", "n=3", "n=2", "n=0", "n=1", "n=10"]
        bolig = cells(table, 1)  # tree order: Mål 4, Bolig, Omsorgsbolig, ...
        assert bolig[0].endswith("Bolig")
        assert bolig[1:] == ["2 50%", "2 67%", "0 0%", "–", "0 0%", "4 40%"]
        chart = str(screen.query_one("#prevalence-chart").render())
        assert "et klart flertall" in chart and "█" in chart

        await pilot.press("down")  # the chart follows the cursor to Bolig
        await pilot.pause()
        assert "Bolig" in str(screen.query_one("#prevalence-chart").render())

        await pilot.press("right", "enter")  # Bolig × mellomstor
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, QuotesModal)
        assert len(modal.quotes) == 3  # M1 by bjørn and by consensus, M2 by bjørn
        assert {q.attribution() for q in modal.quotes} == {"(Mellomstor kommune på Vestlandet)"}
        assert modal.query_one(OptionList).option_count == 3
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is screen

        palette = {title: run for title, _help, run in screen.palette_commands()}
        assert {"Neste egenskap", "Neste koder", "Sitater i denne cellen"} <= set(palette)
        palette["Koder eller mål"]()  # goals, as the l key does
        await settle(pilot)
        assert screen.level == "goal" and table.row_count == 5
        assert cells(table, 1)[2] == "1 33%"  # Forebygging carries goal 2 under Ressurser

        await pilot.press("a")  # region
        await settle(pilot)
        headers = [str(c.label).split("\n")[0] for c in table.columns.values()]
        assert headers[1:6] == ["Nord-Norge", "Midt-Norge", "Vestlandet", "Østlandet", "Sørlandet"]

        await pilot.press("c")  # consensus only
        await settle(pilot)
        assert screen.count_coder == "consensus"
        assert cells(table, 3)[-1] == "1 10%"  # goal 4: M1 only

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PrevalenceScreen)


async def test_without_attributes_says_so(project):
    app = Host(project)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert "Ingen saker har attributter" in str(
            app.screen.query_one("#prevalence-chart").render()
        )


def test_bars_in_eighths():
    assert bar_text(0.5, 10) == "█████"
    assert bar_text(0.05, 10) == "▌"  # four eighths of one cell
    assert bar_text(0, 10) == ""
    text = render_bars([Bar("liten", 0.5, "2/4"), Bar("storby", None, "0/0")], 40).plain
    lines = text.splitlines()
    assert lines[0].startswith("liten  │█") and lines[0].endswith("2/4")
    assert "–" in lines[1] and all(len(line) <= 40 for line in lines)
