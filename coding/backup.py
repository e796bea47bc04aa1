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
    """Copy the project into ``destination`` page by page; readers and writers are not blocked."""
    destination = Path(destination)
    fd = os.open(destination, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    target = sqlite3.connect(destination)
    try:
        project.conn.backup(target, pages=1024)
    finally:
        target.close()
    return destination


def backup_before(project: Project, reason: str) -> Path:
    """Automatic backup beside the project file, named after the reason and the time."""
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    folder = project.path.parent / f"{project.path.name}.backups"
    folder.mkdir(mode=0o700, exist_ok=True)
    return backup_to(project, folder / f"{stamp}-{reason}.kodeverk")
