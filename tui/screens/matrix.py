"""The framework matrix screen: rows (cases or a case attribute's values) × goals or codes.

Each cell shows its number of coded passages (✎ when it has a summary); arrow keys move by
cell, enter lists the quotes behind the cell, ``m`` writes the cell's summary, ``r`` cycles the
rows (size_class, region, other attributes, cases), ``l`` switches goals/codes, ``c`` whose
codings count, ``u`` undoes the last change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from textual.binding import BindingType
from textual.widgets import DataTable, Static

from coding.matrix import CASE, Matrix, framework_matrix, set_summary
from coding.operations import undo
from coding.store import Project
from exports.quotes import collect_quotes
from tui.i18n import Section, language
from tui.keymap import screen_bindings
from tui.screens.base import Refused
from tui.screens.memo import MemoScreen
from tui.screens.prevalence import (
    CountsScreen,
    QuotesModal,
    _short,
    case_attribute_names,
)

TEXT = Section("matrix_t")
ROW_WIDTH = 18  # row labels are shortened to this; goal columns are «Mål 1» … «Mål 5»
CODE_WIDTH = 12


class MatrixScreen(CountsScreen):
    """A DataTable grid of the framework matrix with the highlighted cell's summary below."""

    HELP_TITLE = "screen.matrix"
    PREFIX = "matrix"
    PANE = (Static, "matrix-cell")

    DEFAULT_CSS = """
    MatrixScreen #matrix-title { height: 1; padding: 0 1; text-style: bold; }
    MatrixScreen DataTable { height: 1fr; }
    MatrixScreen #matrix-cell { height: 5; padding: 0 1; border-top: solid $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("matrix")

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__(project, coder)
        self.row_kinds = [*case_attribute_names(project), CASE]
        self.rows = self.row_kinds[0]
        self.columns = "goal"
        self.matrix: Matrix | None = None

    def on_mount(self) -> None:
        self.refresh_matrix()

    # -- showing -----------------------------------------------------------------------------------
    def refresh_matrix(self, keep_cursor: bool = False) -> None:
        table = self.query_one(DataTable)
        cursor = table.cursor_coordinate
        matrix = self.call_domain(
            framework_matrix,
            self.project,
            self.rows,
            self.columns,
            coder=self.count_coder,
            lang=language(),
        )
        if isinstance(matrix, Refused):
            return
        self.matrix = matrix
        rows = TEXT["rows_case"] if self.rows == CASE else self.rows
        self.query_one("#matrix-title", Static).update(
            TEXT["title"].format(rows=rows, columns=TEXT[self.columns], coder=self.count_coder)
        )
        table.clear(columns=True)
        table.add_column("", key="row")
        for i, (key, label) in enumerate(
            zip(matrix.column_keys, matrix.column_labels, strict=True)
        ):
            short = (
                TEXT["goal_n"].format(n=i + 1)
                if self.columns == "goal"
                else _short(label, CODE_WIDTH)
            )
            table.add_column(short, key=key)
        for key, label in zip(matrix.row_keys, matrix.row_labels, strict=True):
            cells = [self._cell_text(key, c) for c in matrix.column_keys]
            table.add_row(_short(label, ROW_WIDTH), *cells, key=key)
        if keep_cursor:
            table.move_cursor(row=cursor.row, column=cursor.column)
        else:
            table.move_cursor(row=0, column=1)
        self._show_cell()

    recount = refresh_matrix

    def _cell_text(self, row: str, column: str) -> str:
        assert self.matrix is not None
        mark = " ✎" if self.matrix.summary(row, column) else ""
        return f"{self.matrix.count(row, column)}{mark}"

    def current_cell(self) -> tuple[str, str] | None:
        """(row key, column key) under the cursor, or None (no rows, or the label column)."""
        matrix, table = self.matrix, self.query_one(DataTable)
        if matrix is None or not matrix.row_keys or table.cursor_column < 1:
            return None
        row = matrix.row_keys[min(table.cursor_row, len(matrix.row_keys) - 1)]
        return row, matrix.column_keys[table.cursor_column - 1]

    def _labels(self, row: str, column: str) -> tuple[str, str]:
        assert self.matrix is not None
        m = self.matrix
        return m.row_labels[m.row_keys.index(row)], m.column_labels[m.column_keys.index(column)]

    def _show_cell(self) -> None:
        info = self.query_one("#matrix-cell", Static)
        cell = self.current_cell()
        if self.matrix is None or not self.matrix.row_keys:
            info.update(TEXT["empty"])
            return
        if cell is None:
            info.update("")
            return
        row_label, column_label = self._labels(*cell)
        line = TEXT["cell"].format(
            row=row_label, column=column_label, count=self.matrix.count(*cell)
        )
        info.update(f"{line}\n{self.matrix.summary(*cell) or TEXT['no_summary']}")

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._show_cell()

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_open_quotes()

    # -- actions -----------------------------------------------------------------------------------
    def action_open_quotes(self) -> None:
        cell = self.current_cell()
        if cell is None or self.matrix is None:
            return
        row, column = cell
        quotes = self.call_domain(
            collect_quotes,
            self.project,
            code_ids=sorted(self.matrix.column_codes[column]),
            coder=self.count_coder,
            case_ids=self.matrix.row_cases[row],
        )
        if isinstance(quotes, Refused):
            return
        row_label, column_label = self._labels(row, column)
        self.app.push_screen(QuotesModal(f"{_short(column_label)} · {row_label}", quotes))

    def action_edit_summary(self) -> None:
        cell = self.current_cell()
        if cell is None or self.matrix is None:
            return
        matrix = self.matrix
        row_label, column_label = self._labels(*cell)
        title = TEXT["summary_title"].format(row=row_label, column=_short(column_label))

        def save(text: str | None) -> None:
            if text is None:
                return
            changed = self.call_domain(set_summary, self.project, self.coder, matrix, *cell, text)
            if isinstance(changed, Refused):
                return
            if changed:
                self.notify(TEXT["saved"])
            self.refresh_matrix(keep_cursor=True)

        self.app.push_screen(MemoScreen(title, matrix.summary(*cell)), save)

    def action_undo(self) -> None:
        event = self.call_domain(undo, self.project, self.coder)
        if isinstance(event, Refused):
            return
        self.notify(TEXT["undone"].format(summary=event.summary) if event else TEXT["nothing"])
        self.refresh_matrix(keep_cursor=True)

    def action_next_rows(self) -> None:
        self.switch("rows", self.row_kinds)

    def action_toggle_columns(self) -> None:
        self.switch("columns", ("goal", "code"))

    def action_back(self) -> None:
        self.app.pop_screen()

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Commands this screen offers in the command palette."""
        return [
            (TEXT[f"cmd.{name}"], TEXT[f"cmd.{name}.help"], getattr(self, f"action_{name}"))
            for name in ("edit_summary", "open_quotes", "next_rows", "toggle_columns", "next_coder")
        ]
