"""Exports read one WAL snapshot (issue 13): they see the project as it was when they began,
never wait for a coder holding the write lock, and cannot write by accident."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from docx import Document

from coding.codes import resolve_code
from coding.errors import ProjectError
from coding.operations import apply_coding
from coding.store import Project, connect
from exports.quotes import quote_report
from tests.conftest import SMALL_TEXT, run_kodeverk

# Spans inside the informant's answers (quotes leave interviewer turns and labels out).
FIRST = SMALL_TEXT.index("Vi har et brukerråd")
SECOND = SMALL_TEXT.index("Det mangler boliger")


def test_a_snapshot_does_not_see_what_commits_after_it_began(small_project: Project) -> None:
    bolig = resolve_code(small_project, "Bolig")
    apply_coding(small_project, 1, bolig, "ane", FIRST, FIRST + 10)
    other = Project.open(small_project.path)
    with small_project.read_snapshot():
        apply_coding(other, 1, bolig, "bo", SECOND, SECOND + 10)  # another coder commits meanwhile
        assert quote_report(small_project).quote_count == 1
    assert quote_report(small_project).quote_count == 2
    other.close()


def test_no_write_inside_a_snapshot(small_project: Project) -> None:
    before = small_project.conn.execute("SELECT count(*) FROM codings").fetchone()
    with small_project.read_snapshot(), pytest.raises(ProjectError, match="snapshot"):
        apply_coding(small_project, 1, resolve_code(small_project, "Bolig"), "ane", 0, 10)
    assert small_project.conn.execute("SELECT count(*) FROM codings").fetchone() == before
    assert not small_project.conn.in_transaction


def test_export_runs_while_a_coder_holds_the_write_lock(small_project: Project, tmp_path: Path):
    bolig = resolve_code(small_project, "Bolig")
    apply_coding(small_project, 1, bolig, "ane", FIRST, FIRST + 10)
    writer = connect(small_project.path)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute(
        'INSERT INTO codings(guid, document_id, code_id, coder_id, case_id, start, "end", '
        "created_at) VALUES ('uncommitted', 1, ?, 1, 1, ?, ?, 'now')",
        (bolig, SECOND, SECOND + 10),
    )
    try:
        started = time.monotonic()
        done = run_kodeverk("export", small_project.path, "--output", tmp_path / "r.docx")
        assert done.returncode == 0, done.stderr
        assert time.monotonic() - started < 20
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    quotes = [p.text for p in Document(str(tmp_path / "r.docx")).paragraphs if "«" in p.text]
    assert len(quotes) == 1
    conn = sqlite3.connect(small_project.path)
    assert conn.execute("SELECT count(*) FROM codings").fetchone() == (1,)
    conn.close()
