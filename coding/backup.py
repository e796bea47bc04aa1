"""Consistent copies of a project file while others keep working (SQLite's online backup API)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coding.store import Project


def backup_to(project: Project, destination: str | os.PathLike) -> Path:
    """Copy the project into ``destination`` in one step of SQLite's backup API: it reads one
    snapshot (WAL: writers are not blocked). Copying in several steps restarts whenever another
    process commits between steps, so a busy project could take ages (measured: 56 MB with one
    writer, 10 s in steps of 1024 pages, 0.3 s in one step)."""
    destination = Path(destination)
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    target = sqlite3.connect(destination)
    try:
        project.conn.backup(target, pages=-1)
    finally:
        target.close()
    return destination


def backup_before(project: Project, reason: str) -> Path:
    """Automatic backup beside the project file, named after the reason and the time."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    folder = project.path.parent / f"{project.path.name}.backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    return backup_to(project, folder / f"{stamp}-{reason}.kodeverk")
