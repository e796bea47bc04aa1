"""`kodeverk codebook export | import`: the codebook as REFI-QDA ``.qdc`` (NVivo, ATLAS.ti,
MAXQDA, QualCoder and others read and write it)."""

from __future__ import annotations

from pathlib import Path

import click

from coding.errors import InputError
from tui.commands.project import JSON, echo_json
from tui.options import PROJECT, output_option, positional_output, require_output


@click.command("export")
@PROJECT
@positional_output("file")
@output_option("The .qdc file to write (the positional FILE also works).")
@JSON
def codebook_export_command(project: Path, output: Path | None, as_json: bool) -> None:
    """Export the codebook as REFI-QDA .qdc.

    Write the project's code tree to -o FILE (.qdc): names, descriptions (with inclusion and
    exclusion notes), colours and GUIDs. The same code keeps its GUID in every export, so a
    partner's tool recognises it when the codebook comes back."""
    from codebooks.qdc import write_qdc
    from coding.output import guard_output
    from coding.store import Project

    file = require_output(output)
    if not file.parent.is_dir():
        raise InputError(f"{file.parent}: folder does not exist")
    guard_output(file, project)
    with Project.open(project) as opened:
        write_qdc(opened, file)
    if as_json:
        echo_json({"written": str(file)})
    else:
        click.echo(f"written: {file}")


@click.command("import")
@PROJECT
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@JSON
def codebook_import_command(project: Path, file: Path, as_json: bool) -> None:
    """Merge a REFI-QDA .qdc codebook into the project.

    Merge the codes of FILE (.qdc) into the project's codebook: a code is matched by its
    GUID, then by its path of names; matched codes stay as they are, new codes are added under
    their parent. Prints how many were added, matched and skipped, and any warnings."""
    from codebooks.qdc import import_qdc
    from coding.store import Project

    if not file.is_file():
        raise InputError(f"{file}: no such file")
    with Project.open(project) as opened:
        report = import_qdc(opened, file)
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(report.summary())
