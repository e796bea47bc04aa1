"""The prevalence screen: themes × groups of a case attribute, as a table and a bar chart.

``a`` cycles the attribute (size_class, region, every other case attribute), ``l`` switches
between codes and goals, ``c`` cycles whose codings count (any, consensus, each coder); enter on a
cell lists the quotes behind it. Figures are computed in a thread worker, so keys never wait.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option

from coding.cases import attribute_counts
from coding.errors import KodeverkError
from coding.prevalence import MISSING, PrevalenceResult, prevalence
from coding.store import Project
from exports.quotes import Quote, collect_quotes
from tui.i18n import Localized, Section, language
from tui.keymap import screen_bindings
from tui.screens.base import ProjectScreen, Refused
from tui.widgets.bar_chart import Bar, BarChart
from tui.widgets.footer import Footer

PREFERRED = ("size_class", "region")
T = TypeVar("T")
TOTAL = "total"  # the column key of the total
TEXT = Section("prev")


def case_attribute_names(project: Project) -> list[str]:
    """size_class and region first (when present), then the others alphabetically."""
    names = list(attribute_counts(project))
    return [n for n in PREFERRED if n in names] + sorted(n for n in names if n not in PREFERRED)


THEME_WIDTH = 26  # theme labels are shortened to this so the total fits at 80 columns


def cell_text(cases_with: int, cases: int, share: float | None) -> str:
    """Cases raising the theme and their share; the group's size is in the column header."""
    return "–" if share is None else f"{cases_with} {share:.0%}"


def column_label(name: str, cases: int) -> Text:
    return Text(f"{name}\nn={cases}")


def p_text(p_value: float) -> str:
    return "p<0.001" if p_value < 0.001 else f"p={p_value:.3f}"


class QuotesModal(Localized, ModalScreen[None]):
    """The quotes behind one cell: the quote, its attribution and the document."""

    DEFAULT_CSS = """
    QuotesModal { align: center middle; }
    QuotesModal > #box { width: 90%; height: 80%; border: round $accent; background: $surface; }
    QuotesModal #quotes-title { height: auto; padding: 0 1; text-style: bold; }
    QuotesModal OptionList { height: 1fr; }
    """
    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("quotes")

    def __init__(self, title: str, quotes: list[Quote]) -> None:
        super().__init__()
        self.title_text = title
        self.quotes = quotes

    def compose(self) -> ComposeResult:
        from textual.containers import Vertical

        with Vertical(id="box"):
            yield Static(
                TEXT["quotes_title"].format(title=self.title_text, n=len(self.quotes)),
                id="quotes-title",
            )
            options = [
                Option(f"«{q.text}» {q.attribution()}\n  {q.document_name} · {q.coder}")
                for q in self.quotes
            ] or [Option(TEXT["no_quotes"], disabled=True)]
            yield OptionList(*options, id="quote-list")
        yield Footer()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)


class CountsScreen(ProjectScreen):
    """A table of counts over the cases (prevalence, the matrix): a title line, the table, a
    pane under it; ``c`` cycles whose codings count (any, consensus, each coder)."""

    PREFIX = ""  # the ids of the title and the table: PREFIX-title, PREFIX-table
    PANE: tuple[type[Widget], str] = (Static, "")  # the widget under the table and its id
    BINDINGS: ClassVar[list[BindingType]] = []  # each screen its own table of tui/keys.toml

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__(project, coder)
        self.coders = ["any", "consensus", *(c for c in project.coder_names() if c != "consensus")]
        self.count_coder = "any"

    def compose(self) -> ComposeResult:
        yield Static(id=f"{self.PREFIX}-title")
        yield DataTable(id=f"{self.PREFIX}-table", cursor_type="cell", zebra_stripes=True)
        pane, pane_id = self.PANE
        yield pane(id=pane_id)
        yield Footer()

    def recount(self, keep_cursor: bool = False) -> None:
        """Count again, after a change of a setting (``keep_cursor``: on the same cell)."""
        raise NotImplementedError

    def switch(self, setting: str, choices: Sequence[str], keep_cursor: bool = False) -> None:
        """Set ``setting`` (an attribute) to the choice after its value, and count again."""
        setattr(self, setting, following(choices, getattr(self, setting)))
        self.recount(keep_cursor)

    def action_next_coder(self) -> None:
        self.switch("count_coder", self.coders, keep_cursor=True)


def following(choices: Sequence[T], current: T) -> T:
    """The choice after ``current``, the first again after the last (or when it is none)."""
    index = choices.index(current) if current in choices else -1
    return choices[(index + 1) % len(choices)]


class PrevalenceScreen(CountsScreen):
    """Table of themes × groups with a bar chart of the highlighted theme."""

    HELP_TITLE = "screen.prevalence"
    PREFIX = "prevalence"
    PANE = (BarChart, "prevalence-chart")

    CSS_PATH = "prevalence.tcss"
    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("prevalence")

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__(project, coder)
        self.attributes = case_attribute_names(project)
        self.attribute = self.attributes[0] if self.attributes else ""
        self.level = "code"
        self.result: PrevalenceResult | None = None

    def on_mount(self) -> None:
        self.refresh_figures()

    # -- computing ------------------------------------------------------------------------------
    def refresh_figures(self) -> None:
        self.query_one("#prevalence-title", Static).update(self._title("regner …"))
        if not self.attribute:
            self._show_message(TEXT["no_attributes"])
            return
        self.run_worker(self._compute, thread=True, exclusive=True, group="prevalence")

    def _compute(self) -> None:
        try:  # a worker thread: on a connection of its own
            with self.project.reading() as reader:
                result = prevalence(
                    reader,
                    self.attribute,
                    level=self.level,
                    coder=self.count_coder,
                    lang=language(),
                )
        except KodeverkError as exc:
            self.app.call_from_thread(self._show_message, str(exc))
            return
        self.app.call_from_thread(self._show, result)

    def _title(self, note: str = "") -> str:
        title = TEXT["title"].format(
            attribute=self.attribute or "–",
            level=TEXT[f"per_{self.level}"],
            coders=TEXT["any"] if self.count_coder == "any" else self.count_coder,
        )
        return f"{title} · {note}" if note else title

    def _show_message(self, message: str) -> None:
        self.query_one("#prevalence-title", Static).update(self._title())
        self.query_one(BarChart).show([], message)

    def _show(self, result: PrevalenceResult) -> None:
        self.result = result
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.header_height = 2
        table.add_column(TEXT["theme"], key="theme")
        for key in result.groups:
            name = " / ".join(TEXT["missing"] if v == MISSING else v for v in key)
            table.add_column(column_label(name, len(result.group_cases[key])), key="|".join(key))
        total_cases = sum(len(members) for members in result.group_cases.values())
        table.add_column(column_label(TEXT["total"], total_cases), key=TOTAL)
        for theme in result.themes:
            cells = [result.cell(theme.label, key) for key in result.groups]
            total = result.cell(theme.label, None)
            table.add_row(
                _short(theme.label, THEME_WIDTH),
                *(cell_text(c.cases_with, c.cases, c.share) for c in [*cells, total]),
                key=theme.label,
            )
        table.move_cursor(row=0, column=1)
        self.query_one("#prevalence-title", Static).update(self._title())
        self._chart_row(0)

    # -- chart follows the cursor ----------------------------------------------------------------
    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        self._chart_row(event.coordinate.row)

    def _chart_row(self, row: int) -> None:
        result = self.result
        if result is None or not result.themes:
            self.query_one(BarChart).show([], TEXT["no_codes"])
            return
        theme = result.themes[min(row, len(result.themes) - 1)]
        bars = [
            Bar(" / ".join(key), c.share, f"{c.cases_with}/{c.cases} {c.quantifier}")
            for key in result.groups
            if (c := result.cell(theme.label, key))
        ]
        total = result.cell(theme.label, None)
        bars.append(
            Bar(TEXT["total"], total.share, f"{total.cases_with}/{total.cases} {total.quantifier}")
        )
        test = result.tests[theme.label]
        note = "" if test.p_value is None else f" · {test.test} {p_text(test.p_value)}"
        self.query_one(BarChart).show(bars, f"{_short(theme.label)}{note}")

    # -- actions ---------------------------------------------------------------------------------
    def action_next_attribute(self) -> None:
        if self.attributes:
            self.switch("attribute", self.attributes)

    def action_toggle_level(self) -> None:
        self.switch("level", ("code", "goal"))

    def recount(self, keep_cursor: bool = False) -> None:
        self.refresh_figures()

    def action_open_quotes(self) -> None:
        result = self.result
        table = self.query_one(DataTable)
        if result is None or not result.themes:
            return
        theme = result.themes[table.cursor_row]
        column = table.cursor_column
        if 1 <= column <= len(result.groups):
            key = result.groups[column - 1]
            cases, where = result.group_cases[key], " / ".join(key)
        else:
            cases, where = [c for members in result.group_cases.values() for c in members], TOTAL
        quotes = self.call_domain(
            collect_quotes,
            self.project,
            code_ids=sorted(theme.code_ids),
            coder=self.count_coder,
            case_ids=cases,
        )
        if isinstance(quotes, Refused):
            return
        self.app.push_screen(QuotesModal(f"{_short(theme.label)} · {where}", quotes))

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        self.action_open_quotes()

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        """Commands this screen offers in the command palette."""
        return [
            (TEXT[f"cmd.{name}"], TEXT[f"cmd.{name}.help"], getattr(self, f"action_{name}"))
            for name in ("next_attribute", "toggle_level", "next_coder", "open_quotes")
        ]

    def action_back(self) -> None:
        self.app.pop_screen()


def _short(label: str, width: int = 30) -> str:
    """A long code path as its leaf, which names the code: «…/Individuell medvirkning…»."""
    if len(label) <= width:
        return label
    leaf = label.rsplit("/", 1)[-1]
    text = "…/" + leaf if "/" in label else leaf
    return text if len(text) <= width else text[: width - 1] + "…"
