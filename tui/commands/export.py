"""`kodeverk export`: coded quotes into Word, Markdown or HTML; codings into CSV or Excel;
the whole project into REFI-QDA (.qdpx)."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import click

from coding.errors import InputError
from tui.commands.prevalence import split_code_refs
from tui.options import codings_of_option, json_option, output_option, require_output

FORMATS = ("docx", "md", "html", "csv", "xlsx", "qdpx")
SUFFIXES = {".docx": "docx", ".md": "md", ".markdown": "md", ".html": "html", ".htm": "html"}
SUFFIXES |= {".csv": "csv", ".xlsx": "xlsx", ".qdpx": "qdpx"}


@click.command("export")
@click.argument("project", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format (default: from the output file's suffix).",
)
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
@click.option(
    "--include-interviewer",
    is_flag=True,
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
    "--max-per-code",
    type=click.IntRange(min=1),
    help="At most N quotes per code, spread over cases.",
)
@click.option(
    "--prevalence",
    "with_prevalence",
    is_flag=True,
    help="Add a prevalence table to each goal (docx, md, html).",
)
@click.option("--title", help="Title of the report (default: from the project name).")
@click.option(
    "--lang",
    type=click.Choice(["nb", "en"]),
    default="nb",
    show_default=True,
    help="Language of a report's headings, tables and quantifiers (quotes and attributions "
    "stay as written).",
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
    max_per_code: int | None,
    with_prevalence: bool,
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
        require_lead_at_terminal(opened, "export")
        if fmt == "qdpx":
            _export_qdpx(opened, output)
        elif fmt in ("csv", "xlsx"):
            _export_table(opened, fmt, output, codes, (coder, include_interviewer), by, attribution)
        else:
            _export_report(
                opened, fmt, output, codes, (coder, include_interviewer), by, attribution,
                max_per_code, with_prevalence, title, lang,
            )  # fmt: skip
    if as_json:
        click.echo(json.dumps({"written": str(output), "format": fmt}, ensure_ascii=False))
    else:
        click.echo(f"written: {output}")


def _export_qdpx(project, output: Path) -> None:
    try:
        from exports.qdpx import export_qdpx
    except ImportError:
        raise InputError("REFI-QDA (.qdpx) export is not available in this version") from None
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
    project, fmt, output, codes, whose, by, attribution, max_per_code, with_prevalence, title, lang
) -> None:
    from exports.quotes import quote_report

    coder, include_interviewer = whose
    report = quote_report(
        project,
        codes=split_code_refs(project, codes),
        coder=coder,
        include_interviewer=include_interviewer,
        max_per_code=max_per_code,
        attribution=attribution,
        by=by,
        with_prevalence=with_prevalence,
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


def _export_table(project, fmt, output, codes, whose, by, attribution) -> None:
    from coding.codes import list_codes
    from exports.quotes import chosen_codes, collect_quotes
    from exports.tables import coding_table, write_csv, write_xlsx

    coder, include_interviewer = whose
    chosen = chosen_codes(project, list_codes(project), split_code_refs(project, codes))
    quotes = collect_quotes(
        project, code_ids=sorted(chosen), coder=coder, include_interviewer=include_interviewer
    )
    table = coding_table(project, quotes, attribution)
    if fmt == "csv":
        write_csv(output, table)
        return
    sheets = [("Kodinger", table), *_prevalence_sheets(project, coder, by)]
    with progress_bar(sum(len(rows) for _, (_, rows) in sheets), "writing xlsx") as advance:
        write_xlsx(output, sheets, advance)


def _prevalence_sheets(project, coder: str, by: str | None) -> list:
    from coding.prevalence import prevalence
    from exports.tables import prevalence_table

    known = {r[0] for r in project.conn.execute("SELECT DISTINCT name FROM case_attributes")}
    attributes = [by] if by else [a for a in ("size_class", "region") if a in known]
    sheets = []
    for attribute in attributes:
        for level, name in (("code", "Koder"), ("goal", "Mål")):
            result = prevalence(project, attribute, level=level, coder=coder)
            sheets.append((f"{name} etter {attribute}", prevalence_table(result)))
    return sheets


@contextmanager
def progress_bar(total: int, label: str):
    """A rich progress bar on a terminal for long exports; silent otherwise."""
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(label, total=total)
        advance: Callable[[int], None] = lambda n: bar.advance(task, n)  # noqa: E731
        yield advance
