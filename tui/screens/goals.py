"""The goal attainment screen: the five goals with the team's rating and assessment and the
evidence counted beside each (coded passages, cases raising the goal).

``r`` cycles the rating (høy, relativt høy, middels, lav, ikke mulig å vurdere, not rated),
``m`` or enter writes the assessment, ``s`` lists the quotes behind the goal, ``u`` undoes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import DataTable, Static

from coding.goals import GoalRow, goal_table, next_rating, set_assessment
from coding.operations import undo
from coding.store import Project
from exports.quotes import collect_quotes
from tui.i18n import Section, language
from tui.keymap import screen_bindings
from tui.screens.base import ProjectScreen, Refused
from tui.screens.memo import MemoScreen
from tui.screens.prevalence import QuotesModal
from tui.widgets.footer import Footer

TEXT = Section("goals_t")
LABEL_WIDTH = 22
ASSESSMENT_WIDTH = 24


class GoalsScreen(ProjectScreen):
    """Five rows, one per goal; the highlighted goal's assessment in full below."""

    HELP_TITLE = "screen.goals"

    DEFAULT_CSS = """
    GoalsScreen #goals-title { height: 1; padding: 0 1; text-style: bold; }
    GoalsScreen DataTable { height: auto; max-height: 8; }
    GoalsScreen #goal-assessment { height: 1fr; padding: 0 1; border-top: solid $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("goals")

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__(project, coder)
        self.rows: list[GoalRow] = []

    def compose(self) -> ComposeResult:
        yield Static(TEXT["title"], id="goals-title")
        yield DataTable(id="goals-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="goal-assessment")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in (TEXT[f"col_{n}"] for n in range(5)):
            table.add_column(label)
        self.refresh_goals()

    def refresh_goals(self) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        self.rows = goal_table(self.project, lang=language())
        table.clear()
        for row in self.rows:
            table.add_row(
                _cut(row.label, LABEL_WIDTH),
                row.rating_label(language()),
                str(row.passages),
                f"{row.cases_with}/{row.cases}",
                _cut(row.assessment.replace("\n", " "), ASSESSMENT_WIDTH),
                key=str(row.goal),
            )
        table.move_cursor(row=cursor)
        self._show_assessment()

    def current(self) -> GoalRow:
        return self.rows[min(self.query_one(DataTable).cursor_row, len(self.rows) - 1)]

    def _show_assessment(self) -> None:
        row = self.current()
        self.query_one("#goal-assessment", Static).update(
            f"{row.label} · {row.rating_label(language())}\n"
            f"{row.assessment or TEXT['no_assessment']}"
        )

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.rows:
            self._show_assessment()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit_assessment()

    # -- actions -----------------------------------------------------------------------------------
    def _assess(self, goal: int, **change: str) -> None:
        if isinstance(
            self.call_domain(set_assessment, self.project, self.coder, goal, **change), Refused
        ):
            return
        self.refresh_goals()

    def action_next_rating(self) -> None:
        row = self.current()
        self._assess(row.goal, rating=next_rating(row.rating))

    def action_edit_assessment(self) -> None:
        row = self.current()

        def save(text: str | None) -> None:
            if text is not None:
                self._assess(row.goal, assessment=text)

        title = TEXT["assessment_title"].format(label=row.label)
        self.app.push_screen(MemoScreen(title, row.assessment), save)

    def action_open_quotes(self) -> None:
        row = self.current()
        quotes = (
            collect_quotes(self.project, code_ids=sorted(row.code_ids), per_passage=True)
            if row.code_ids
            else []
        )
        self.app.push_screen(QuotesModal(row.label, quotes))

    def action_undo(self) -> None:
        event = self.call_domain(undo, self.project, self.coder)
        if isinstance(event, Refused):
            return
        self.notify(TEXT["undone"].format(summary=event.summary) if event else TEXT["nothing"])
        self.refresh_goals()

    def action_back(self) -> None:
        self.app.pop_screen()

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Commands this screen offers in the command palette."""
        return [
            (TEXT[f"cmd.{name}"], TEXT[f"cmd.{name}.help"], getattr(self, f"action_{name}"))
            for name in ("next_rating", "edit_assessment", "open_quotes")
        ]


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
