"""The team commands end to end: copy, merge, backup (while someone writes), log."""

from __future__ import annotations

import json
import re
import sqlite3
import stat
import time

from click.testing import CliRunner

from coding import operations as ops
from coding import store
from coding.backup import backup_to
from coding.store import Project
from tests.conftest import run_kodeverk, table_dump
from tests.workers.projects import make_long_project, start_worker
from tui.cli import cli


def bolig(project: Project) -> int:
    return project.conn.execute("SELECT id FROM codes WHERE name = 'Bolig'").fetchone()[0]


def test_copy_merge_and_log(small_project, project_path, tmp_path):
    ops.apply_coding(small_project, 1, bolig(small_project), "ola", 30, 40)
    small_project.close()
    out = tmp_path / "kari.kodeverk"
    result = run_kodeverk("copy", project_path, out, "--coder", "kari")
    assert result.returncode == 0, result.stderr
    assert "kodeverk merge" in result.stdout
    with Project.open(out) as copy:
        ops.apply_coding(copy, 1, bolig(copy), "kari", 10, 20)
        ops.set_document_done(copy, 1, "kari")

    merged = run_kodeverk("merge", project_path, out, "--coder", "lead")
    assert merged.returncode == 0, merged.stderr
    assert "Merged kari.kodeverk (kari)" in merged.stdout
    assert "2 events added" in merged.stdout
    dump = table_dump(project_path)
    again = run_kodeverk("merge", project_path, out, "--coder", "lead", "--json")
    report = json.loads(again.stdout)["copies"][0]
    assert report["added"] == {} and report["already"] == {"codings": 1, "done marks": 1}
    assert table_dump(project_path) == dump

    log = log_json(project_path)
    assert [(e["coder"], e["action"], e["merged"]) for e in log] == [
        ("ola", "coding.apply", False),
        ("kari", "merged:coding.apply", True),
        ("kari", "merged:document.done", True),
        ("lead", "merge", False),
    ]
    assert {e["coder"] for e in log_json(project_path, "--changes-by", "kari")} == {"kari"}
    assert [e["action"] for e in log_json(project_path, "--limit", "1")] == ["merge"]
    assert log_json(project_path, "--since", "2999-01-01") == []
    assert len(log_json(project_path, "--since", "2000-01-01T12:00")) == 4
    table = run_kodeverk("log", project_path)
    assert table.returncode == 0 and "lead" in table.stdout
    lines = table.stdout.splitlines()
    assert max(map(len, lines)) <= 80  # rich's width when not on a terminal
    one_line = re.compile(r"\s*\d{4}-\d\d-\d\d \d\d:\d\d +kari +coding\.apply \(merged\) ")
    assert any(one_line.match(line) for line in lines)  # when, who and action never wrap
    bad = run_kodeverk("log", project_path, "--since", "yesterday")
    assert bad.returncode == 1 and bad.stderr.startswith("kodeverk: error: --since:")


def log_json(path, *options: str) -> list[dict]:
    """`kodeverk log --json` in this process (click's runner), to keep the test quick."""
    result = CliRunner().invoke(cli, ["log", str(path), "--json", *options])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_merge_refuses_missing_copy(small_project, project_path, tmp_path):
    small_project.close()
    before = table_dump(project_path)
    result = run_kodeverk("merge", project_path, tmp_path / "nope.kodeverk", "--coder", "lead")
    assert result.returncode == 1 and "no such copy" in result.stderr
    assert table_dump(project_path) == before


def test_backup_while_another_process_writes(tmp_path):
    path = tmp_path / "busy.kodeverk"
    document, code = make_long_project(path)
    writer = start_worker(path, document, code, "kari", 1500)
    backups = []
    try:
        time.sleep(0.4)
        result = run_kodeverk("backup", path, tmp_path / "cli.kodeverk")
        assert result.returncode == 0, result.stderr
        backups.append(tmp_path / "cli.kodeverk")
        with Project.open(path) as project:  # and a few more in quick succession
            for n in range(3):
                backups.append(backup_to(project, tmp_path / f"copy{n}.kodeverk"))
                time.sleep(0.05)
    finally:
        writer.communicate(timeout=60)
    assert writer.returncode == 0
    counts = []
    for dest in backups:
        assert stat.S_IMODE(dest.stat().st_mode) == 0o600
        conn = sqlite3.connect(dest)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        codings = conn.execute("SELECT count(*) FROM codings").fetchone()[0]
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        assert codings == events  # each action whole: its coding and its event, or neither
        counts.append(codings)
        conn.close()
    assert counts == sorted(counts)
    assert all(0 < n < 1500 for n in counts)  # made while the writer was at work


def test_backup_default_location(small_project, project_path):
    small_project.close()
    result = run_kodeverk("backup", project_path)
    assert result.returncode == 0, result.stderr
    (made,) = (project_path.parent / f"{project_path.name}.backups").iterdir()
    assert made.suffix == ".kodeverk" and stat.S_IMODE(made.stat().st_mode) == 0o600
    assert table_dump(made) == table_dump(project_path)
    again = run_kodeverk("backup", project_path, made)
    assert again.returncode == 1 and "file exists" in again.stderr


def test_migration_makes_a_backup_first(project_path, monkeypatch):
    Project.create(project_path).close()
    current = store.SCHEMA_VERSION
    monkeypatch.setattr(store, "SCHEMA_VERSION", current + 1)
    monkeypatch.setitem(store.MIGRATIONS, current, lambda conn: None)
    with Project.open(project_path) as project:
        assert project.schema_version == current + 1
    (made,) = (project_path.parent / f"{project_path.name}.backups").iterdir()
    assert f"migration-v{current}" in made.name
    conn = sqlite3.connect(made)
    assert conn.execute("PRAGMA user_version").fetchone() == (current,)  # the file as it was
    conn.close()
