"""`kodeverk anonymise`: names inside quotes replaced in every export («[navn]», «[kommune]»,
«[sted]»). ``--suggest`` lists likely names for review; ``--mark`` stores one."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import click

from tui.coder import resolve_coder
from tui.commands.project import echo_json, open_project, print_table
from tui.options import PROJECT, coder_option, json_option, shown_option


@click.command("anonymise")
@PROJECT
@click.option("--suggest", is_flag=True, help="List likely names (not yet marked) for review.")
@click.option(
    "--mark",
    nargs=3,
    type=int,
    metavar="DOCUMENT START END",
    help="Mark characters START–END (end exclusive) of document DOCUMENT (id).",
)
@shown_option(
    "--replacement",
    default="[navn]",
    help="What exports print instead: [navn], [kommune], [sted] or your own.",
)
@click.option("--remove", type=int, metavar="ID", help="Remove the mark with this id.")
@coder_option("Who marks (default: $KODEVERK_CODER, then your login name).")
@json_option("Print as JSON.")
def anonymise_command(
    project: Path,
    suggest: bool,
    mark: tuple[int, int, int] | None,
    replacement: str,
    remove: int | None,
    coder: str | None,
    as_json: bool,
) -> None:
    """Names in quotes to replace in every export.

    Marked spans are replaced in every quote an export writes (Word, Markdown, HTML, CSV,
    Excel, `codings export`). Each mark is undoable in the app like a coding.
    """
    from coding.anonymise import add_anonymisation, list_anonymisations, remove_anonymisation
    from coding.anonymise import suggest as suggestions

    coder = resolve_coder(coder)

    with open_project(project) as opened:
        if mark:
            new_id = add_anonymisation(opened, *mark, replacement, coder)
            click.echo(
                f"marked {mark[1]}–{mark[2]} in document {mark[0]} as {replacement}: {new_id}"
            )
            return
        if remove is not None:
            remove_anonymisation(opened, remove, coder)
            click.echo(f"removed {remove}")
            return
        if suggest:
            found = [asdict(s) for s in suggestions(opened)]
            columns = ["document_id", "start", "end", "text", "replacement", "reason"]
            title = "Likely names (mark with --mark DOCUMENT START END --replacement …)"
        else:
            found = list_anonymisations(opened)
            columns = ["id", "document_id", "start", "end", "text", "replacement", "coder"]
            title = "Marked for anonymisation"
    if as_json:
        echo_json(found)
        return
    print_table(title, columns, [[str(row[c]) for c in columns] for row in found])
