"""Consistent copies of a project file while others keep working (SQLite's online backup API).

A backup is written under a temporary name beside its destination, read back with SQLite's
integrity check, and only then given its name: a failed, interrupted or killed backup never
leaves a file (let alone an empty one) that looks like a backup.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from coding.errors import ProjectError
from coding.output import (
    backup_folder,
    fsync_file,
    guard_output,
    new_partial,
    publish_new,
    remove_partial,
)

if TYPE_CHECKING:
    from coding.store import Project

T = TypeVar("T")


def backup_to(project: Project, destination: str | os.PathLike) -> Path:
    """Copy the project into ``destination`` (a new file, mode 0600) in one step of SQLite's
    backup API: it reads one snapshot (WAL: writers are not blocked). Copying in several steps
    restarts whenever another process commits between steps, so a busy project could take ages
    (measured: 56 MB with one writer, 10 s in steps of 1024 pages, 0.3 s in one step).
    The copy passes SQLite's integrity check before it gets its name."""
    destination = Path(destination)
    write_file_copy(project, destination, backup=True)
    return destination


def write_file_copy(
    project: Project,
    destination: Path,
    *,
    backup: bool = False,
    edit: Callable[[Path], T] | None = None,
) -> T | None:
    """Snapshot the project under a temporary name beside ``destination``, let ``edit`` change
    that file (returning what it returns), verify it and only then give it its name. Whatever
    fails, no file is left under either name."""
    temp = _new_copy_file(project, destination, backup)
    try:
        target = sqlite3.connect(temp)
        try:
            project.conn.backup(target, pages=-1)
        finally:
            target.close()
        result = edit(temp) if edit is not None else None
        verify_project_file(temp, destination)
        finish_file_copy(temp, destination)
    except (sqlite3.Error, OSError) as exc:
        remove_partial(temp)
        raise ProjectError(f"{destination}: the copy failed ({exc}); nothing was written") from None
    except BaseException:
        remove_partial(temp)
        raise
    return result


def _new_copy_file(project: Project, destination: Path, backup: bool) -> Path:
    """Check ``destination`` may be written (only a ``backup`` may go into the project's backup
    folder), then make a new owner-only temporary file beside it."""
    if destination.exists() or destination.is_symlink():
        raise ProjectError(f"{destination}: file exists; choose another name or delete it first")
    guard_output(destination, project.path, backup=backup)
    if not destination.parent.is_dir():
        raise ProjectError(f"{destination.parent}: folder does not exist")
    try:
        return new_partial(destination)
    except OSError as exc:
        raise ProjectError(f"{destination}: cannot write ({exc.strerror or exc})") from None


def verify_project_file(path: Path, shown: Path) -> None:
    """SQLite's full integrity check and kodeverk's application id on a written copy."""
    from coding.store import APPLICATION_ID

    try:
        conn = sqlite3.connect(path)
        try:
            problems = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        problems, app_id = [f"cannot be read back: {exc}"], None
    if problems != ["ok"]:
        first = " ".join(str(problems[0]).split())  # SQLite's messages may span lines
        raise ProjectError(
            f"{shown}: the copy fails SQLite's integrity check ({first}); it was not kept. "
            "Run `kodeverk check` on the project"
        )
    if app_id != APPLICATION_ID:
        raise ProjectError(f"{shown}: the copy is not a kodeverk project; it was not kept")


def finish_file_copy(temp: Path, destination: Path) -> None:
    """Make the verified ``temp`` durable, owner-only, and give it its name."""
    try:
        os.chmod(temp, 0o600)
        fsync_file(temp)
        publish_new(temp, destination)
    except OSError as exc:
        raise ProjectError(f"{destination}: cannot write ({exc.strerror or exc})") from None


def backup_before(project: Project, reason: str) -> Path:
    """Automatic (verified) backup beside the project file, named after the reason and time."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    folder = backup_folder(project.path)
    folder.mkdir(mode=0o700, exist_ok=True)
    return backup_to(project, folder / f"{stamp}-{reason}.kodeverk")
