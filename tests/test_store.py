import os
import sqlite3
import stat

import pytest

from coding.errors import ProjectError
from coding.store import APPLICATION_ID, SCHEMA_VERSION, Project, connect


def test_create_sets_identity_and_policy(project_path):
    with Project.create(project_path) as project:
        assert project.meta("application") == "kodeverk"
        assert project.schema_version == SCHEMA_VERSION
        assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert project.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert project.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with Project.open(project_path) as reopened:
        assert reopened.conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID


def test_page_cache_holds_a_study(project_path):
    """64 MiB of page cache on every connection, read-only ones too (issue 13: with SQLite's
    2 MB default a merge re-read evicted pages and grew faster than the study)."""
    Project.create(project_path).close()
    with Project.open(project_path) as project:
        assert project.conn.execute("PRAGMA cache_size").fetchone()[0] == -65536
    reader = connect(project_path, readonly=True)
    assert reader.execute("PRAGMA cache_size").fetchone()[0] == -65536
    reader.close()


def test_project_file_is_private(project_path):
    Project.create(project_path).close()
    assert stat.S_IMODE(os.stat(project_path).st_mode) == 0o600


def test_refuses_existing_file(project_path):
    project_path.write_text("x")
    with pytest.raises(ProjectError, match="exists"):
        Project.create(project_path)


def test_refuses_non_kodeverk_files(tmp_path):
    text = tmp_path / "notes.kodeverk"
    text.write_text("hello")
    with pytest.raises(ProjectError, match="not a kodeverk project"):
        Project.open(text)
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(ProjectError, match="another program"):
        Project.open(other)
    with pytest.raises(ProjectError, match="no such project"):
        Project.open(tmp_path / "missing.kodeverk")


def test_refuses_newer_schema(project_path):
    Project.create(project_path).close()
    conn = sqlite3.connect(project_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(ProjectError, match="newer kodeverk"):
        Project.open(project_path)


def test_transaction_rolls_back_on_error(project):
    with pytest.raises(RuntimeError), project.transaction() as conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('x', 'y')")
        raise RuntimeError("boom")
    assert project.meta("x") is None


def test_coder_created_once(project):
    assert project.coder_id("kari") == project.coder_id("kari")
    assert project.coder_names() == ["kari"]
