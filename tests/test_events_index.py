"""Deleting events does not scan the audit trail per event (issue 13): ``events(undone_by)`` is
indexed in new files and by migration 1 -> 2 in old ones, and a coder copy of the small study
empties the trail and keeps only its coder's work."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from benchmarks.study import build_study
from coding.check import check_project
from coding.copy import make_copy
from coding.store import SCHEMA_VERSION, Project


def _delete_plan(path: Path) -> str:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")  # as every kodeverk connection
    try:
        return " | ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN DELETE FROM events"))
    finally:
        conn.close()


def test_new_file_checks_undone_by_through_an_index(project_path: Path) -> None:
    Project.create(project_path).close()
    assert "INDEX events_by_undone_by" in _delete_plan(project_path)


def test_version_1_file_gets_the_index_when_opened(project_path: Path) -> None:
    Project.create(project_path).close()
    conn = sqlite3.connect(project_path)
    conn.execute("DROP INDEX events_by_undone_by")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    assert "events_by_undone_by" not in _delete_plan(project_path)
    with Project.open(project_path) as project:
        assert project.schema_version == SCHEMA_VERSION == 2
        assert project.meta("schema_version") == "2"
    assert "INDEX events_by_undone_by" in _delete_plan(project_path)
    with Project.open(project_path) as project:  # migrating again changes nothing
        assert project.schema_version == 2


def test_copy_of_the_study_empties_the_trail(tmp_path: Path) -> None:
    study = tmp_path / "study.kodeverk"
    build_study(study, 0.01)
    with Project.open(study) as project:
        undone = project.conn.execute("SELECT count(*) FROM events WHERE undone_by IS NOT NULL")
        assert undone.fetchone()[0] > 0
        anna = project.conn.execute(
            "SELECT count(*) FROM codings k JOIN coders c ON c.id = k.coder_id "
            "WHERE c.name = 'anna'"
        ).fetchone()[0]
        info = make_copy(project, tmp_path / "anna.kodeverk", "anna")
    assert info.codings == anna
    assert check_project(tmp_path / "anna.kodeverk") == []
    conn = sqlite3.connect(tmp_path / "anna.kodeverk")
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 0
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()
    with Project.open(tmp_path / "anna.kodeverk") as copy:
        assert copy.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
