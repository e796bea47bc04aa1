"""`kodeverk copy | merge | backup | log | check`: teamwork, safety copies, the audit trail."""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coding.errors import ProjectError
from coding.output import backup_folder
from tui.commands.project import JSON, echo_json, open_project, print_table
from tui.options import (
    PROJECT,
    coder_option,
    flag_option,
    output_option,
    positional_output,
    renamed,
    require_output,
    shown_option,
)

if TYPE_CHECKING:  # the domain loads when a command runs: `kodeverk --help` stays fast
    from coding.audit import LogEntry
    from coding.check import Problem
    from coding.merge import MergeReport


@click.command("copy")
@PROJECT
@positional_output("out")
@coder_option("Whose copy: you (default: $KODEVERK_CODER, then your login name).")
@output_option("The copy to write (a new file; the positional OUT also works).")
@JSON
def copy_command(project: Path, output: Path | None, coder: str | None, as_json: bool) -> None:
    """Make a coder's working copy of a project.

    Write a coder's working copy of PROJECT to -o OUT, to code blind or offline.

    The copy has the same documents, cases and codebook, and only this coder's own codings,
    memos and done marks (the others' are left out: blind coding). Bring the work back with
    `kodeverk merge PROJECT OUT`.
    """
    from coding.copy import make_copy
    from tui.coder import resolve_coder
    from tui.progress import progress_bar

    out = require_output(output)
    coder = resolve_coder(coder)
    with open_project(project) as opened, progress_bar(0, "copying") as advance:
        info = make_copy(opened, out, coder, progress=advance)
    if as_json:
        echo_json(
            {
                "path": str(info.path),
                "coder": coder,
                "documents": info.documents,
                "codings": info.codings,
                "memos": info.memos,
            }
        )
        return
    click.echo(
        f"Wrote {coder}'s copy to {info.path}: {info.documents} documents, "
        f"{info.codings} of {coder}'s codings, {info.memos} memos.\n"
        f"Merge it back with: kodeverk merge {project} {info.path}"
    )


@click.command("merge")
@PROJECT
@click.argument("copies", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@coder_option(
    "Who merges (the merge is your undoable action; default: $KODEVERK_CODER, then your "
    "login name)."
)
@JSON
def merge_command(
    project: Path, copies: tuple[Path, ...], coder: str | None, as_json: bool
) -> None:
    """Merge coder copies back into the project.

    Merge coder COPIES (made with `kodeverk copy`) back into PROJECT.

    Brings back codings, memos, done marks and codebook additions, matched by GUID and by
    content; reports what was added, what was there already, and conflicts, settled by the
    rules printed. Merging the same copy twice changes nothing. A backup of PROJECT is made
    first, and each merge is one undoable action of the merging coder.
    """
    from coding.backup import backup_before
    from coding.merge import RULES, merge_copy, refuse_damaged_copy
    from tui.coder import resolve_coder
    from tui.progress import progress_bar

    coder = resolve_coder(coder)
    for copy in copies:
        if not copy.is_file():
            raise ProjectError(f"{copy}: no such copy")
    with open_project(project) as opened:
        for copy in copies:  # all or none: a damaged copy stops the merge before it starts
            refuse_damaged_copy(copy)
        backup = backup_before(opened, "merge")
        reports = []
        for copy in copies:
            with progress_bar(0, f"merging {copy.name}") as advance:
                reports.append(merge_copy(opened, copy, coder, checked=True, progress=advance))
    if as_json:
        echo_json({"backup": str(backup), "rules": RULES, "copies": [r.as_dict() for r in reports]})
        return
    for report in reports:
        _print_merge_report(report)
    if any(r.conflicts or r.skipped for r in reports):
        click.echo("\nConflicts and skipped rows were settled by these rules:")
        width = min(shutil.get_terminal_size().columns, 100)
        for rule in RULES:
            click.echo(textwrap.fill(rule, width, initial_indent="  - ", subsequent_indent="    "))
    click.echo(f"\nBackup from before the merge: {backup}")


def _print_merge_report(report: MergeReport) -> None:
    from coding.merge import LABELS

    rows = [
        (
            LABELS[table],
            report.added[table],
            report.updated[table],
            report.removed[table],
            report.already[table],
        )
        for table in LABELS
    ]
    title = f"Merged {report.copy.name}" + (f" ({report.coder})" if report.coder else "")
    print_table(title, ["", "added", "changed", "removed", "already there"], rows)
    click.echo(f"{report.events} events added to the audit trail.")
    for conflict in report.conflicts:
        click.echo(f"conflict: {conflict}")
    for skipped in sorted(set(report.skipped)):
        click.echo(f"skipped ({report.skipped.count(skipped)}×): {skipped}")


@click.command("backup")
@PROJECT
@positional_output("dest", type=click.Path(path_type=Path))
@output_option(
    "A new file or an existing folder (the positional DEST also works).",
    type=click.Path(path_type=Path),
)
@flag_option(
    "--verify",
    help="Also run kodeverk's own checks (foreign keys and invariants, as `kodeverk check`) "
    "on the backup and print what was verified.",
)
@JSON
def backup_command(project: Path, output: Path | None, verify: bool, as_json: bool) -> None:
    """Make a consistent backup of PROJECT while others keep working.

    -o DEST is a new file or an existing folder; by default
    PROJECT.backups/<date-time>.kodeverk beside the project. The backup is written under a
    temporary name, passes SQLite's integrity check, and only then gets its name (a failed
    backup leaves no file); it is readable by its owner only.
    """
    from coding.backup import backup_to

    with open_project(project) as opened:
        target = _backup_target(project, output)
        backup_to(opened, target)
    size = target.stat().st_size
    if as_json:
        problems = _backup_problems(target) if verify else []
        echo_json(
            {
                "path": str(target),
                "bytes": size,
                "verified": verify and not problems,
                "problems": [p.as_dict() for p in problems],
            }
        )
        if problems:
            sys.exit(1)
        return
    click.echo(f"Backed up {project} to {target} ({size / 1_000_000:.1f} MB, integrity checked).")
    if verify:
        _verify_backup(target)


def _backup_problems(target: Path) -> list:
    from coding.check import check_project

    return check_project(target)


def _verify_backup(target: Path) -> None:
    problems = _backup_problems(target)
    if problems:
        click.echo(f"verify: {target}: {len(problems)} problem(s), as in the project:")
        for problem in problems:
            click.echo(f"  - {problem.check}: {problem.message}")
        sys.exit(1)
    click.echo(
        f"verified: {target} opens as a kodeverk project and passes SQLite's integrity and "
        "foreign key checks and kodeverk's invariants"
    )


def _backup_target(project: Path, dest: Path | None) -> Path:
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    if dest is None:
        folder = backup_folder(project)
        folder.mkdir(mode=0o700, exist_ok=True)
        dest = folder
    if dest.is_dir():
        dest = dest / f"{project.stem}-{stamp}.kodeverk"
    if dest.exists():
        raise ProjectError(f"{dest}: file exists; choose another name")
    if not dest.parent.is_dir():
        raise ProjectError(f"{dest.parent}: folder does not exist")
    return dest


@click.command("log")
@PROJECT
@click.option("--changes-by", "changes_by", metavar="NAME", help="Only this coder's changes.")
@renamed("--coder", "--changes-by", "changes_by", metavar="NAME")
@click.option(
    "--since", metavar="DATE", help="Only changes from DATE on (YYYY-MM-DD or YYYY-MM-DDTHH:MM)."
)
@shown_option(
    "--limit",
    default=100,
    type=click.IntRange(min=0),
    help="Show the latest N changes; 0 shows all.",
)
@JSON
def log_command(
    project: Path, changes_by: str | None, since: str | None, limit: int, as_json: bool
) -> None:
    """List the audit trail: who changed what, when.

    List the audit trail of PROJECT: every change with who, when (UTC) and what.

    Changes made in a coder copy and merged in are marked «(merged)»; undone changes
    «(undone)», undone and then replaced «(dead)».
    """
    from coding.audit import list_events

    with open_project(project) as opened:
        entries = list_events(opened, coder=changes_by, since=since, limit=limit or None)
    if as_json:
        echo_json([e.as_dict() for e in entries])
        return
    _print_log(f"Audit trail of {project.name} (UTC)", entries)
    if limit and len(entries) == limit:
        click.echo(f"Showing the latest {limit}; use --limit 0 for all.")


def _print_log(title: str, entries: Sequence[LogEntry]) -> None:
    """When, who and action never wrap (readable at 80 columns); only the summary does."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("when (UTC)", no_wrap=True)
    table.add_column("who", no_wrap=True, max_width=14)
    table.add_column("action", no_wrap=True)
    table.add_column("what", ratio=1, overflow="fold")
    for e in entries:
        action = e.action.removeprefix("merged:")
        state = "merged" if e.merged else ("" if e.state == "done" else e.state)
        table.add_row(
            e.at[:16].replace("T", " "),
            e.coder or "",
            f"{action} ({state})" if state else action,
            e.summary,
        )
    Console().print(table)


@click.command("check")
@PROJECT
@JSON
def check_command(project: Path, as_json: bool) -> None:
    """Check the project file's integrity and invariants.

    Check PROJECT: SQLite's integrity and foreign key checks, and kodeverk's invariants
    (codings inside their documents, the code tree, memo targets, no orphan rows).

    Exits with status 1 if anything is wrong.
    """
    from coding.check import check_project

    problems = check_project(project)
    if as_json:
        echo_json({"ok": not problems, "problems": [p.as_dict() for p in problems]})
    elif problems:
        click.echo(f"{project}: {len(problems)} problem{'s' if len(problems) > 1 else ''}")
        for check, messages in _grouped(problems).items():
            click.echo(f"{check}:")
            for message in messages:
                click.echo(f"  - {message}")
    else:
        click.echo(f"{project}: ok (integrity, foreign keys and kodeverk's invariants)")
    if problems:
        sys.exit(1)


def _grouped(problems: Sequence[Problem]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        grouped.setdefault(problem.check, []).append(problem.message)
    return grouped
