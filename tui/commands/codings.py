"""`kodeverk codings import | export`: codings as CSV."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from tui.commands.project import echo_json, open_project
from tui.options import (
    PROJECT,
    flag_option,
    json_option,
    output_option,
    positional_output,
    require_output,
)


@click.group()
def codings_group() -> None:
    """Import and export codings as CSV (coding without the app)."""


@codings_group.command("import")
@PROJECT
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@flag_option(
    "--create-codes",
    help="Create codes that do not exist yet, by their path (e.g. «Mål 4/Bolig»).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def import_command(project: Path, file: Path, create_codes: bool, as_json: bool) -> None:
    """Apply the codings in FILE (.csv or .xlsx).

    Columns: document (name or id), code (name or path such as «Mål 4/Bolig»), coder, and
    optionally start and end (character offsets, end exclusive; empty means the whole
    document) and quote (checked against the text). All rows are applied in one transaction:
    a bad row changes nothing. Undo in the app takes back a coder's imported codings
    all at once.
    """
    from corpus.codings_csv import import_codings_csv
    from tui.progress import progress_bar

    with open_project(project) as opened, progress_bar(0, "applying codings") as advance:
        summary = import_codings_csv(opened, file, create_codes=create_codes, progress=advance)
    if as_json:
        echo_json(asdict(summary))
        return
    click.echo(
        f"{file}: {summary.rows} codings applied by {', '.join(summary.coders) or 'nobody'}"
        + (f"; {summary.codes_created} codes created" if summary.codes_created else "")
        + (f"; {summary.already_coded} were coded already" if summary.already_coded else "")
    )


@codings_group.command("export")
@PROJECT
@positional_output("file")
@output_option("The .csv file to write (the positional FILE also works).")
@json_option("Print what was written as JSON.")
def export_command(project: Path, output: Path | None, as_json: bool) -> None:
    """Write every coding to a CSV file.

    Write every coding to -o FILE (.csv, UTF-8 that Excel reads): document, document_id,
    code, coder, start, end, quote.

    The file can be imported again with `kodeverk codings import`.
    """
    from coding.output import guard_output
    from exports.codings_csv import export_codings_csv

    file = require_output(output)
    guard_output(file, project)
    with open_project(project) as opened:
        count = export_codings_csv(opened, file)
    if as_json:
        echo_json({"written": str(file), "codings": count})
    else:
        click.echo(f"wrote {count} codings to {file}")
