"""`kodeverk import PROJECT FILE...`: bring transcripts, survey tables or a .qdpx project in."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coding.errors import InputError
from tui.commands.project import echo_json, open_project, print_table
from tui.options import PROJECT, flag_option

if TYPE_CHECKING:  # the domain loads when a command runs: `kodeverk --help` stays fast
    from coding.store import Project
    from corpus.importer import ImportOptions

# Below this many bytes an import takes well under a second: no progress bar.
PROGRESS_MIN_BYTES = 2_000_000


@click.command("import")
@PROJECT
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--kind",
    type=click.Choice(["interview", "survey", "text"]),
    help="Document kind (default: survey for tables, interview for transcripts with speaker "
    "turns, text otherwise).",
)
@click.option("--case", metavar="NAME", help="Attach every document to this case (municipality).")
@flag_option(
    "--case-from-name",
    help="Attach each transcript to the case named in its file name (intervju_vadso_2.txt -> "
    "Vadsø; æøå may be written o/oe, a/aa, ae; intervju_k02_1.txt -> K02, numbers must match "
    "exactly). A file that matches no case, or two, is an error.",
)
@flag_option(
    "--create-cases",
    help="With --case-from-name: make a new case from the file name when none matches.",
)
@click.option(
    "--case-column", metavar="COL", help="Table column naming each row's case (municipality)."
)
@click.option(
    "--text-column",
    "text_columns",
    multiple=True,
    metavar="COL",
    help="Table column with open answers; repeat for several questions. One document per "
    "answer; empty answers are skipped.",
)
@click.option(
    "--attribute-columns",
    metavar="A,B",
    default="",
    help="Comma-separated table columns stored as case attributes.",
)
@click.option(
    "--attribution-column",
    metavar="COL",
    help="Table column with attributions like «Liten kommune i Nord-Norge», parsed into the "
    "size_class and region attributes.",
)
@click.option("--sheet", metavar="NAME", help="Excel sheet to read (default: the first).")
@flag_option(
    "--dry-run",
    help="Only show which case each file would be linked to (file → case); import nothing.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON on stdout.")
def import_command(
    project: Path,
    files: tuple[Path, ...],
    kind: str | None,
    case: str | None,
    case_from_name: bool,
    create_cases: bool,
    case_column: str | None,
    text_columns: tuple[str, ...],
    attribute_columns: str,
    attribution_column: str | None,
    sheet: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Import transcripts, survey tables or a REFI-QDA project.

    Import FILES into PROJECT: transcripts (.txt .md .docx .vtt .srt), survey tables
    (.csv .xlsx, with --text-column) or a REFI-QDA project (.qdpx, or a bare .qde with its
    sources/ folder beside it). A folder means the files in it.

    Transcripts are split into speaker turns and sentences. Everything is read first and
    written in one transaction: if any file is bad, nothing is imported. A file imported
    before (same content) is refused.
    """
    from corpus.importer import ImportOptions, expand_folders, import_files

    files = expand_folders(files)
    qdpx = [f for f in files if f.suffix.lower() in (".qdpx", ".qde")]  # bare .qde as init --from
    with open_project(project) as opened:
        if qdpx and dry_run:
            raise click.UsageError(
                f"{qdpx[0]}: --dry-run shows cases for transcripts and tables only"
            )
        if qdpx:
            _import_qdpx(opened, files, as_json)
            return
        options = ImportOptions(
            kind=kind,
            case=case,
            case_column=case_column,
            text_columns=text_columns,
            attribute_columns=[c for c in attribute_columns.split(",") if c.strip()],
            attribution_column=attribution_column,
            sheet=sheet,
            case_from_name=case_from_name,
            create_cases=create_cases,
        )
        _warn_unused_table_options(files, options)
        if dry_run:
            _show_case_plan(opened, files, options, as_json)
            return
        with _progress(files, quiet=as_json) as progress:
            summary = import_files(opened, files, options, progress)
    if as_json:
        echo_json(summary.to_dict())
        return
    print_table(
        f"Imported into {project}",
        ["files", "documents", "segments", "words", "new cases", "empty answers", "seconds"],
        [
            [
                summary.files,
                summary.documents,
                summary.segments,
                f"{summary.words:,}".replace(",", " "),
                summary.cases_created,
                summary.skipped_empty_answers,
                f"{summary.seconds:.1f}",
            ]
        ],
    )


def _show_case_plan(
    project: Project, files: tuple[Path, ...], options: ImportOptions, as_json: bool
) -> None:
    """--dry-run: the file → case table; a one-line error if any file would not import."""
    from corpus.importer import plan_cases

    plan = plan_cases(project, files, options)
    if as_json:
        echo_json([row.to_dict() for row in plan])
    else:
        rows = [[r.file, r.case or "—", r.match, r.problem or r.note] for r in plan]
        title = "File → case (dry run: nothing imported)"
        print_table(title, ["file", "case", "match", "note"], rows)
    bad = [r for r in plan if r.problem]
    if bad:
        raise InputError(
            f"{len(bad)} of {len(plan)} files would not import; first {bad[0].file}: "
            f"{bad[0].problem}"
        )


def _import_qdpx(project: Project, files: tuple[Path, ...], as_json: bool) -> None:
    if len(files) > 1:
        raise InputError(
            f"{files[0]}: import a .qdpx or .qde project on its own, not with other files"
        )
    from corpus.qdpx import import_qdpx

    if not files[0].is_file():
        raise InputError(f"{files[0]}: no such file")
    report = import_qdpx(project, files[0])
    if as_json:
        echo_json(report.to_dict())
    else:
        click.echo(report.summary())


@contextmanager
def _progress(
    files: tuple[Path, ...], quiet: bool
) -> Iterator[Callable[[str, int, int], None] | None]:
    """A rich progress bar on stderr for big imports; None (no bar) otherwise."""
    size = sum(f.stat().st_size for f in files if f.is_file())
    if quiet or size < PROGRESS_MIN_BYTES:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn

    columns = (TextColumn("{task.description:<11}"), BarColumn(), TaskProgressColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield report


def _warn_unused_table_options(files: Sequence[Path], options: ImportOptions) -> None:
    """Table options given without a table are almost always a mistake: say so, go on."""
    from corpus.tables import TABLE_SUFFIXES

    table_options = options.case_column or options.text_columns or options.attribution_column
    if table_options and not any(f.suffix.lower() in TABLE_SUFFIXES for f in files):
        click.echo(
            "kodeverk: warning: --case-column/--text-column/--attribution-column apply to "
            "tables (.csv .xlsx) only; none is being imported",
            err=True,
        )
