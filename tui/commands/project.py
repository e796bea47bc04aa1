"""`kodeverk init | info | documents | demo`: make a project and see what is in it."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from coding.store import Project
from tui.options import PROJECT
from tui.plain_table import TableText, render

if TYPE_CHECKING:
    from codebooks.model import Codebook

JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")


# -- helpers shared by the project, cases and codings commands ----------------------------------
def open_project(path: Path) -> Project:
    """Open a project for a command; errors become one-line ``ProjectError`` messages."""
    return Project.open(path)


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


SHORT_CELL = 16  # columns with no longer cell than this are never wrapped


def _is_number(cell: Any) -> bool:
    """An int, a float, or text such as «8 644» or «0.8»."""
    text = str(cell).replace(" ", "").replace(".", "", 1)
    return isinstance(cell, int | float) or (text.isdigit() and not isinstance(cell, bool))


def print_table(title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a table; every title, header and cell is literal text (a name like ``[/]`` or
    ``[bold]x`` is neither rich markup nor an error)."""
    texts = [[str(cell) for cell in row] for row in rows]
    # Numbers right-aligned.
    right = [bool(rows) and all(_is_number(row[i]) for row in rows) for i in range(len(columns))]
    table = TableText(title, columns, texts, right)
    plain = render(table)
    if plain is not None:  # what rich would print, without importing it (issue 13)
        sys.stdout.write(plain)
        sys.stdout.flush()
        return
    print_rich_table(table)


def print_rich_table(text: TableText, file: TextIO | None = None) -> None:
    """The table through rich (``file``: sys.stdout), all text literal."""
    title, columns, rows, right = text
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    table = Table(title=escape(title), title_justify="left")  # escaped: keeps the title style
    for index, column in enumerate(columns):
        short = all(len(row[index]) <= SHORT_CELL for row in rows)
        # Short columns stay on one line so long names get the room, and long names fold
        # instead of losing letters to "…".
        table.add_column(
            Text(column),
            justify="right" if right[index] else "left",
            no_wrap=short,
            overflow="fold",
        )
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    Console(file=file).print(table)


def remove_project_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# -- init ---------------------------------------------------------------------------------------
@click.command("init")
@PROJECT
@click.option(
    "--codebook",
    "codebook_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Install this codebook (.yaml, .json or REFI-QDA .qdc) instead of the bundled one.",
)
@click.option(
    "--from",
    "qdpx_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Start from a REFI-QDA project (.qdpx): its documents, codes and codings.",
)
@click.option("--no-codebook", is_flag=True, help="Start with no codes at all.")
@JSON
def init_command(
    project: Path,
    codebook_file: Path | None,
    qdpx_file: Path | None,
    no_codebook: bool,
    as_json: bool,
) -> None:
    """Create the project file PROJECT (e.g. evaluering.kodeverk).

    By default it gets the bundled codebook: the five main goals of Opptrappingsplanen for
    rusfeltet with their themes. If anything fails, no file is left behind.
    """
    if codebook_file and no_codebook:
        raise click.UsageError("--codebook and --no-codebook exclude each other")
    # Read and validate the codebook before the project file exists: a bad codebook leaves
    # nothing behind and never touches an existing file.
    codebook = None
    if codebook_file or not (no_codebook or qdpx_file):
        codebook = read_codebook_file(codebook_file)
    created = Project.create(project)
    report = None
    try:
        with created:
            if qdpx_file:
                from corpus.qdpx import import_qdpx

                report = import_qdpx(created, qdpx_file)
            if codebook is not None:
                from codebooks.install import install_codebook

                install_codebook(created, codebook)
    except BaseException:
        remove_project_file(project)
        raise
    what = "no codebook" if no_codebook else f"codebook {codebook_file or 'bundled'}"
    warnings = codebook.warnings if codebook is not None else []
    if as_json:
        echo_json(
            {
                "created": str(project),
                "codebook": None if no_codebook else str(codebook_file or "bundled"),
                "from": str(qdpx_file) if qdpx_file else None,
                "imported": report.summary() if report is not None else None,
                "warnings": list(warnings),
            }
        )
        return
    if qdpx_file:
        what = f"contents of {qdpx_file}" + (f" and {what}" if codebook_file else "")
    click.echo(f"created {project} with {what}")
    if report is not None:
        click.echo(report.summary())
    for warning in codebook.warnings if codebook is not None else []:
        click.echo(f"warning: {warning}")  # as `codebook import` prints them


def read_codebook_file(path: Path | None) -> Codebook:
    """The validated codebook at ``path``, or the bundled one."""
    if path is None:
        from codebooks.bundled import bundled_codebook

        return bundled_codebook()
    from codebooks.loader import load_codebook

    return load_codebook(path)


# -- info ---------------------------------------------------------------------------------------
@click.command("info")
@PROJECT
@JSON
def info_command(project: Path, as_json: bool) -> None:
    """Counts of documents, cases, codes, codings and coders.

    Counts of documents, segments, cases, codes and codings; coders; case attributes."""
    from coding.summary import codings_by_coder, project_summary

    with open_project(project) as opened:
        summary = project_summary(opened)
        per_coder = codings_by_coder(opened)
    if as_json:
        echo_json(summary)
        return
    counts = [[key, summary[key]] for key in ("documents", "segments", "cases", "codes", "codings")]
    print_table(f"Project {project.name}", ["what", "count"], counts)
    if per_coder:
        print_table("Coders", ["coder", "codings"], list(per_coder.items()))
    attribute_rows = [
        [name, value, n]
        for name, values in summary["attributes"].items()
        for value, n in _shown_values(values)
    ]
    if attribute_rows:
        print_table("Case attributes", ["attribute", "value", "cases"], attribute_rows)


def _shown_values(values: dict[str, int], limit: int = 12) -> list[tuple[str, int | str]]:
    """Attribute values to list; an attribute with many values (population) gets one line."""
    if len(values) <= limit:
        return list(values.items())
    return [(f"({len(values)} different values)", sum(values.values()))]


# -- documents ----------------------------------------------------------------------------------
@click.command("documents")
@PROJECT
@JSON
def documents_command(project: Path, as_json: bool) -> None:
    """List documents: id, name, kind, case, segments, length.

    List documents in import order: id, name, kind, case, segments, length."""
    from coding.documents import list_documents

    with open_project(project) as opened:
        documents = list_documents(opened)
    keys = ("id", "name", "kind", "case", "segments", "length")
    if as_json:
        echo_json([{key: getattr(doc, key) for key in keys} for doc in documents])
        return
    if not documents:
        click.echo(f"{project}: no documents yet; add some with `kodeverk import`")
        return
    rows = [
        [getattr(doc, key) if getattr(doc, key) is not None else "" for key in keys]
        for doc in documents
    ]
    print_table(f"Documents in {project.name}", keys, rows)


# -- demo ---------------------------------------------------------------------------------------
@click.command("demo")
@click.argument(
    "path",
    required=False,
    default="demo/demo.kodeverk",
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option("--force", is_flag=True, help="Replace an existing file at PATH.")
@JSON
def demo_command(path: Path, force: bool, as_json: bool) -> None:
    """Build the demo project at PATH (default demo/demo.kodeverk).

    Six invented interviews from the evaluation's case municipalities, the open survey answers
    quoted in SINTEF A26099 (2014), the bundled codebook and a few codings by two coders.
    """
    from coding.errors import ProjectError
    from corpus.demo import build_demo

    if path.exists() and not force:
        raise ProjectError(f"{path}: file exists; pass --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    if force:
        remove_project_file(path)
    build_demo(path)
    if not as_json:
        click.echo(f"built the demo project {path}")
    info_command.callback(path, as_json)  # type: ignore[misc]
