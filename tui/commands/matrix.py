"""`kodeverk matrix` and `kodeverk goals`: the evaluation's own tables, printed, as JSON, or
written to Word or Excel (``--output``; the format from the suffix or ``--format``).

Separate commands rather than `kodeverk export` options: these tables have their own rows and
columns (``--rows``, ``--columns``) and read what the team wrote in the app, not quotes by code.
Case names leave the project only with ``--case-names``, like ``{case}`` in attributions.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from coding.errors import InputError
from tui.options import (
    PROJECT,
    choice_option,
    codings_of_option,
    flag_option,
    format_from_suffix,
    shown_option,
)
from tui.options import format_option as shared_format_option
from tui.options import json_option as shared_json_option
from tui.options import lang_option as shared_lang_option
from tui.options import output_option as shared_output_option
from tui.signin import require_lead_at_terminal

if TYPE_CHECKING:  # the domain loads when a command runs: `kodeverk --help` stays fast
    from coding.matrix import Matrix

FORMATS = ("docx", "xlsx")

output_option = shared_output_option(
    "Write the table to this .docx or .xlsx file (replaced if it exists)."
)
format_option = shared_format_option(FORMATS)
coder_option = codings_of_option()
lang_option = shared_lang_option("Language of headings, captions and goal names.")
json_option = shared_json_option("Print the table as JSON.")


@dataclass(frozen=True)
class TableOutput:
    """What matrix and goals share: whose codings count, the language, --json, -o, --format."""

    codings_of: str
    lang: str
    as_json: bool
    output: Path | None
    fmt: str | None

    def target(self, project: Path) -> tuple[Path | None, str | None]:
        """The output file and its format (checked before the project is read), or None."""
        if self.output is None:
            return None, None
        return self.output, _output_format(self.output, self.fmt, project)

    def written(self) -> None:
        click.echo(f"written: {self.output}", err=self.as_json)


def table_options(command: Callable) -> Callable:
    """The options of ``TableOutput``, handed to ``command`` as its parameter ``table``."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        fields = ("codings_of", "lang", "as_json", "output", "fmt")
        table = TableOutput(*(kwargs.pop(name) for name in fields))
        return command(*args, table=table, **kwargs)

    for option in (format_option, output_option, json_option, lang_option, coder_option):
        wrapper = option(wrapper)
    return wrapper


def _output_format(output: Path, fmt: str | None, project: Path) -> str:
    from coding.output import guard_output

    fmt = format_from_suffix(output, fmt, FORMATS)
    if not output.parent.is_dir():
        raise InputError(f"{output.parent}: folder does not exist")
    guard_output(output, project)
    return fmt


@click.command("matrix")
@PROJECT
@shown_option(
    "--rows",
    default="size_class",
    help="«case» (one row per case: needs --case-names) or a case attribute, e.g. region.",
)
@choice_option(
    "--columns",
    ["goal", "code"],
    help="One column per main goal or per code (rolled up over its sub-codes).",
)
@flag_option(
    "--case-names",
    help="Allow --rows case: the table then names the cases (not anonymous).",
)
@table_options
def matrix_command(
    project: Path,
    rows: str,
    columns: str,
    case_names: bool,
    table: TableOutput,
) -> None:
    """Framework matrix: cases or groups × goals or codes.

    The framework matrix: rows × goals or codes, each cell the number of coded passages and
    the summary written in the app (matrix screen, `m`)."""
    from coding.matrix import CASE, framework_matrix
    from coding.store import Project

    if rows == CASE and not case_names:
        raise click.UsageError("--rows case names the cases: add --case-names, or use an attribute")
    output, fmt = table.target(project)
    with Project.open(project) as opened:
        require_lead_at_terminal(opened, "matrix")
        matrix = framework_matrix(opened, rows, columns, coder=table.codings_of, lang=table.lang)
    if output:
        from exports.evaluation_tables import write_matrix_docx, write_matrix_xlsx

        write = write_matrix_docx if fmt == "docx" else write_matrix_xlsx
        write(matrix, output, table.lang)
        table.written()
    if table.as_json:
        click.echo(json.dumps(matrix.as_json(), ensure_ascii=False, indent=2))
    elif not output:
        _print_grid(*_plain_matrix(matrix))


def _plain_matrix(matrix: Matrix) -> tuple[list[str], list[list[str]]]:
    header = [matrix.rows, *(str(i + 1) for i in range(len(matrix.column_keys)))]
    body = [
        [f"{label} (n={len(matrix.row_cases[key])})", *(str(matrix.count(key, c)) for c in
         matrix.column_keys)]
        for key, label in zip(matrix.row_keys, matrix.row_labels, strict=True)
    ]  # fmt: skip
    legend = [f"{i + 1} = {label}" for i, label in enumerate(matrix.column_labels)]
    return header, body + [[line] for line in legend]


def _print_grid(header: list[str], rows: list[list[str]]) -> None:
    table = [r for r in rows if len(r) == len(header)]
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    for row in [header, *table]:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    for row in rows:
        if len(row) != len(header):
            click.echo(row[0])


@click.command("goals")
@PROJECT
@shown_option(
    "--quotes",
    "quote_count",
    type=click.IntRange(min=0),
    default=3,
    help="Quotes shown as evidence under each goal in Word and Excel.",
)
@click.option(
    "--attribution",
    metavar="TEMPLATE",
    help="Attribution template over case attributes, as in `kodeverk export`.",
)
@table_options
def goals_command(
    project: Path,
    quote_count: int,
    attribution: str | None,
    table: TableOutput,
) -> None:
    """Goal attainment: rating, assessment and evidence per goal.

    Goal attainment («Måloppnåelse»): each goal's rating and assessment (written in the app,
    goals screen) with the coded passages and cases raising it counted beside it."""
    from coding.goals import goal_table
    from coding.store import Project
    from exports.evaluation_tables import goal_quotes, goals_grid

    output, fmt = table.target(project)
    coder = table.codings_of
    with Project.open(project) as opened:
        require_lead_at_terminal(opened, "goals")
        rows = goal_table(opened, coder=coder, lang=table.lang)
        quotes = goal_quotes(opened, rows, coder=coder, limit=quote_count) if output else {}
    if output:
        from exports.evaluation_tables import write_goals

        write_goals(rows, quotes, output, fmt, attribution=attribution, lang=table.lang)
        table.written()
    if table.as_json:
        click.echo(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
    elif not output:
        header, body = goals_grid(rows, table.lang)
        _print_grid(
            [header[0], header[1], header[3], header[4]], [[r[0], r[1], r[3], r[4]] for r in body]
        )
