"""`kodeverk export`: coded quotes into Word, Markdown or HTML; codings into CSV or Excel;
the whole project into REFI-QDA (.qdpx)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coding.errors import InputError
from tui.commands.prevalence import split_code_refs
from tui.options import (
    PROJECT,
    codings_of_option,
    flag_option,
    format_option,
    json_option,
    lang_option,
    output_option,
    require_output,
    shown_option,
)
from tui.progress import progress_bar

if TYPE_CHECKING:  # the domain loads when a command runs: `kodeverk --help` stays fast
    from coding.store import Project
    from exports.quotes import Quote
    from exports.tables import Table

FORMATS = ("docx", "md", "html", "csv", "xlsx", "qdpx")
SUFFIXES = {".docx": "docx", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
SUFFIXES |= {".csv": "csv", ".xlsx": "xlsx", ".qdpx": "qdpx"}


@click.command("export")
@PROJECT
@format_option(FORMATS)
@output_option("File to write (required; replaced if it exists; never a kodeverk project).")
@click.option(
    "--codes",
    multiple=True,
    help="Only these codes and their sub-codes (path, name or id; repeat or separate by commas).",
)
@codings_of_option(
    help="Whose codings count: a coder's name, «consensus», or «any» (in reports one quote per "
    "passage: overlapping codings of a code by several coders become one quote, their union)."
)
@flag_option(
    "--include-interviewer",
    help="Keep codings on interviewer turns (Intervjuer:, I:, Moderator: …; a project's own in "
    "meta «interviewers»). Speaker labels never appear in quotes.",
)
@click.option(
    "--by",
    help="Group each code's quotes by this case attribute (e.g. size_class); also the grouping "
    "of --prevalence tables.",
)
@click.option(
    "--attribution",
    metavar="TEMPLATE",
    help="Attribution template over case attributes, e.g. '{size_class} kommune, {region}'. "
    "Default: «(Liten kommune i Nord-Norge)». Names appear only with {case} or {document}.",
)
@click.option(
    "--attributes",
    "asked",
    multiple=True,
    help="Case attributes to add to csv/xlsx by name (repeat or separate by commas). By "
    "default only size_class and region (and the template's fields): population, county and "
    "the like can identify a municipality.",
)
@shown_option(
    "--min-cell",
    type=click.IntRange(min=1),
    default=3,
    help="Warn when an attribution is shared by fewer than this many cases.",
)
@flag_option(
    "--fold-small",
    help="Fold attributions shared by fewer than --min-cell cases: region left out («Liten "
    "kommune»), then size («Kommune»). Default attribution only.",
)
@click.option(
    "--max-per-code",
    type=click.IntRange(min=1),
    help="At most N quotes per code, spread over cases.",
)
@flag_option(
    "--prevalence",
    "with_prevalence",
    help="Add a prevalence table to each goal (docx, md, html).",
)
@click.option(
    "--few-below",
    type=float,
    help="Share below which two or more cases are «noen få» rather than «en del» in "
    "prevalence tables (default: the project's meta few_below, else 0.1).",
)
@click.option("--title", help="Title of the report (default: from the project name).")
@lang_option(
    "Language of a report's headings, tables and quantifiers (quotes and attributions "
    "stay as written)."
)
@json_option("Print what was written as JSON.")
def export_command(
    project: Path,
    fmt: str | None,
    output: Path | None,
    codes: tuple[str, ...],
    codings_of: str,
    include_interviewer: bool,
    by: str | None,
    attribution: str | None,
    asked: tuple[str, ...],
    min_cell: int,
    fold_small: bool,
    max_per_code: int | None,
    with_prevalence: bool,
    few_below: float | None,
    title: str | None,
    lang: str,
    as_json: bool,
) -> None:
    """Export coded quotes, tables or the project as REFI-QDA.

    Export coded quotes as a report (docx, md, html), all codings as a table (csv, xlsx),
    or the project as REFI-QDA (qdpx).

    Reports are grouped by main goal (1–5, then cross-cutting themes), then code with its
    description; every quote is followed by its anonymised attribution. Case and document
    names never appear unless the attribution template asks for them.
    """
    from coding.output import guard_output
    from coding.store import Project

    output = require_output(output)
    fmt = fmt or _format_from(output)
    coder = codings_of
    if not output.parent.is_dir():
        raise InputError(f"{output.parent}: folder does not exist")
    from tui.signin import require_lead_at_terminal

    guard_output(output, project)
    with Project.open(project) as opened:
        require_lead_at_terminal(opened, "export")  # may write a sign-in event: before reading
        # One read transaction: the export sees one state of the project and never waits for
        # coders writing meanwhile.
        with opened.read_snapshot():
            if fmt == "qdpx":
                _export_qdpx(opened, output)
            elif fmt in ("csv", "xlsx"):
                attributes = [a.strip() for ref in asked for a in ref.split(",") if a.strip()]
                quotes = _export_table(
                    opened, fmt, output, codes, (coder, include_interviewer), by,
                    (attribution, attributes), min_cell if fold_small else None,
                )  # fmt: skip
            else:
                quotes = _export_report(
                    opened, fmt, output, codes, (coder, include_interviewer), by, attribution,
                    max_per_code, (with_prevalence, few_below), title, lang,
                    min_cell if fold_small else None,
                )  # fmt: skip
            if fmt != "qdpx":
                _warn_small_groups(quotes, attribution, min_cell)
    if as_json:
        click.echo(json.dumps({"written": str(output), "format": fmt}, ensure_ascii=False))
    else:
        click.echo(f"written: {output}")


def _export_qdpx(project: Project, output: Path) -> None:
    from exports.qdpx_write import export_qdpx

    export_qdpx(project, output)


def _format_from(output: Path) -> str:
    fmt = SUFFIXES.get(output.suffix.lower())
    if fmt is None:
        raise click.BadParameter(
            f"{output}: cannot tell the format from the suffix; give --format",
            param_hint="'-o/--output'",
        )
    return fmt


def _export_report(
    project: Project,
    fmt: str,
    output: Path,
    codes: tuple[str, ...],
    whose: tuple[str, bool],
    by: str | None,
    attribution: str | None,
    max_per_code: int | None,
    prevalence_options: tuple[bool, float | None],
    title: str | None,
    lang: str,
    fold_below: int | None = None,
) -> list[Quote]:
    from coding.stats import check_few_below
    from exports.quotes import quote_report

    coder, include_interviewer = whose
    with_prevalence, few_below = prevalence_options
    if few_below is not None:
        few_below = check_few_below(few_below)
    report = quote_report(
        project,
        codes=split_code_refs(project, codes),
        coder=coder,
        include_interviewer=include_interviewer,
        max_per_code=max_per_code,
        attribution=attribution,
        by=by,
        with_prevalence=with_prevalence,
        few_below=few_below,
        fold_below=fold_below,
        title=title,
        lang=lang,
    )
    if fmt == "docx":
        from exports.docx_report import write_docx as write
    elif fmt == "md":
        from exports.markdown import write_markdown as write
    else:
        from exports.html import write_html as write
    with progress_bar(report.quote_count, f"writing {fmt}") as advance:
        write(report, output, advance)
    return [q for goal in report.goals for section in goal.codes for q in section.quotes]


def _warn_small_groups(quotes: list[Quote], attribution: str | None, k: int) -> None:
    from exports.attribution import names_requested
    from exports.quotes import small_group_warning, small_groups

    groups = small_groups(quotes, attribution, k)
    if groups and not names_requested(attribution):
        click.echo(small_group_warning(groups, k), err=True)


def _export_table(
    project: Project,
    fmt: str,
    output: Path,
    codes: tuple[str, ...],
    whose: tuple[str, bool],
    by: str | None,
    attribution_and_attributes: tuple[str | None, list[str]],
    fold_below: int | None = None,
) -> list[Quote]:
    from coding.codes import list_codes
    from coding.prevalence import check_attributes
    from exports.quotes import chosen_codes, collect_quotes
    from exports.tables import coding_table, write_csv, write_xlsx

    coder, include_interviewer = whose
    chosen = chosen_codes(project, list_codes(project), split_code_refs(project, codes))
    quotes = collect_quotes(
        project, code_ids=sorted(chosen), coder=coder, include_interviewer=include_interviewer
    )
    attribution, attributes = attribution_and_attributes
    if fold_below and not attribution:
        from exports.quotes import fold_small_groups

        quotes = fold_small_groups(quotes, fold_below)
    check_attributes(project, attributes)
    table = coding_table(project, quotes, attribution, attributes)
    if fmt == "csv":
        write_csv(output, table)
        return quotes
    sheets = [("Kodinger", table), *_prevalence_sheets(project, coder, by)]
    with progress_bar(sum(len(rows) for _, (_, rows) in sheets), "writing xlsx") as advance:
        write_xlsx(output, sheets, advance)
    return quotes


def _prevalence_sheets(project: Project, coder: str, by: str | None) -> list[tuple[str, Table]]:
    from coding.cases import attribute_counts
    from coding.labels import attribute_label
    from coding.prevalence import prevalence
    from exports.tables import prevalence_table

    known = set(attribute_counts(project))
    attributes = [by] if by else [a for a in ("size_class", "region") if a in known]
    sheets = []
    for attribute in attributes:
        for level, name in (("code", "Koder"), ("goal", "Mål")):
            result = prevalence(project, attribute, level=level, coder=coder)
            label = attribute_label(project, attribute)
            sheets.append((f"{name} etter {label}", prevalence_table(result)))
    return sheets
