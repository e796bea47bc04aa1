"""Opening a project a second time in the same process (the app's suggestion thread does) must
not drop the first connection's SQLite locks: other processes must keep seeing every commit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from coding.codes import resolve_code
from coding.operations import apply_coding
from coding.output import is_kodeverk_file
from coding.store import Project


def _count_elsewhere(path: Path) -> int:
    """Codings as another process sees them."""
    query = "SELECT count(*) FROM codings"
    code = f"import sqlite3; print(sqlite3.connect({str(path)!r}).execute({query!r}).fetchone()[0])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_a_second_open_in_this_process_keeps_commits_visible(small_project: Project) -> None:
    bolig = resolve_code(small_project, "Bolig")
    text_start = 60
    with Project.open(small_project.path):  # as a worker thread would, then closed
        pass
    assert is_kodeverk_file(small_project.path)  # a guard's look at the file, too
    assert _count_elsewhere(small_project.path) == 0  # another process connects and leaves
    apply_coding(small_project, 1, bolig, "ane", text_start, text_start + 10)
    assert _count_elsewhere(small_project.path) == 1
