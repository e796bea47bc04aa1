"""`kodeverk check`: a healthy file passes; files broken with raw SQL fail with the reason."""

from __future__ import annotations

import json
import sqlite3

import pytest

from coding import operations as ops
from coding.check import check_project
from coding.errors import ProjectError
from tests.conftest import run_kodeverk


@pytest.fixture
def coded(small_project, project_path):
    bolig = small_project.conn.execute("SELECT id FROM codes WHERE name = 'Bolig'").fetchone()[0]
    coding = ops.apply_coding(small_project, 1, bolig, "kari", 10, 20)
    ops.set_memo(small_project, "kari", "coding", coding.id, "viktig")
    small_project.close()
    return project_path


def corrupt(path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = OFF")
    for statement in statements:
        conn.execute(statement)
    conn.close()


def test_healthy_project_passes(coded):
    assert check_project(coded) == []
    result = run_kodeverk("check", coded)
    assert result.returncode == 0 and "ok" in result.stdout


@pytest.mark.parametrize(
    ("statements", "check"),
    [
        (['UPDATE codings SET "end" = 10000'], "coding outside its document"),
        (["UPDATE codings SET code_id = 999"], "foreign key"),
        (["UPDATE codings SET case_id = NULL"], "coding case differs from its document's"),
        (
            ["UPDATE codes SET parent_id = (SELECT max(id) FROM codes) WHERE parent_id IS NULL"],
            "code tree cycle",
        ),
        (["UPDATE memos SET target_guid = 'gone'"], "memo on a missing target"),
        (["DELETE FROM documents"], "foreign key"),
        (['UPDATE segments SET "end" = 5000 WHERE ordinal = 0'], "segment outside its document"),
        (["UPDATE documents SET length = 3"], "document length differs from its text"),
        (["UPDATE meta SET value = '7' WHERE key = 'schema_version'"], "schema version"),
    ],
)
def test_broken_project_fails(coded, statements, check):
    corrupt(coded, *statements)
    problems = check_project(coded)
    assert check in {p.check for p in problems}, problems
    result = run_kodeverk("check", coded, "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and check in {p["check"] for p in report["problems"]}


def test_messages_say_what_and_where(coded):
    corrupt(coded, 'UPDATE codings SET "end" = 10000', "UPDATE codings SET case_id = NULL")
    result = run_kodeverk("check", coded)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{coded}: 2 problems"
    assert "coding outside its document:" in lines
    outside = next(line for line in lines if "spans" in line)
    assert "'Bolig' by kari" in outside and "'intervju-oslo'" in outside and "10000" in outside
    case_line = next(line for line in lines if "counted for" in line)
    assert "counted for 'no case'" in case_line and "belongs to 'Gamle Oslo'" in case_line


def test_damaged_pages_fail(coded):
    corrupt(coded, "PRAGMA wal_checkpoint(TRUNCATE)", "PRAGMA journal_mode = DELETE")
    data = bytearray(coded.read_bytes())
    page = 4096
    for start in range(2 * page, len(data) - page, page):  # spoil every later page: head, tail
        data[start : start + 164] = b"\xff" * 164
        data[start + page - 64 : start + page] = b"\xff" * 64
    coded.write_bytes(bytes(data))
    problems = check_project(coded)
    assert problems and problems[0].check == "integrity"
    result = run_kodeverk("check", coded)
    assert result.returncode == 1 and "Traceback" not in result.stderr


def test_not_a_project(tmp_path):
    other = tmp_path / "notes.kodeverk"
    other.write_text("hello")
    with pytest.raises(ProjectError, match="not a kodeverk project"):
        check_project(other)
    result = run_kodeverk("check", other)
    assert result.returncode == 1 and result.stderr.startswith("kodeverk: error:")
