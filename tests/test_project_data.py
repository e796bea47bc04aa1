"""The project file as data: the full-text index other tools detect, the ``quotes`` views,
the migration that brings a version 1 file there."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils

from coding.cases import set_attributes
from coding.codes import code_paths
from coding.operations import apply_coding
from coding.search import search
from coding.store import SCHEMA_VERSION, Project
from tests.conftest import ROOT, table_dump


def _coded(project: Project) -> Project:
    doc, text = project.conn.execute("SELECT id, text FROM documents").fetchone()
    codes = {path: cid for cid, path in code_paths(project).items()}
    start = text.index("Vi har")
    end = text.index("brukerråd") + len("brukerråd")
    apply_coding(project, doc, codes["Mål 1 Brukermedvirkning/Brukerråd"], "ola", start, end)
    apply_coding(project, doc, codes["Bolig"], "kari", text.index("Det mangler"), len(text) - 1)
    return project


def test_full_text_index_is_detected_by_sqlite_utils(small_project: Project) -> None:
    small_project.close()
    db = sqlite_utils.Database(small_project.path)
    assert db["documents"].detect_fts() == "documents_fts"
    db.close()
    with Project.open(small_project.path) as again:
        assert [h.document_name for h in search(again, "brukerråd")] == ["intervju-oslo"]


def test_quotes_view_needs_no_quoting_and_has_the_quote(small_project: Project) -> None:
    p = _coded(small_project)
    rows = p.conn.execute(
        "SELECT document, case_name, code_path, goal, coder, start_offset, end_offset, quote "
        "FROM quotes ORDER BY start_offset"
    ).fetchall()
    text = p.conn.execute("SELECT text FROM documents").fetchone()[0]
    assert [r[:5] for r in rows] == [
        ("intervju-oslo", "Gamle Oslo", "Mål 1 Brukermedvirkning/Brukerråd", 1, "ola"),
        ("intervju-oslo", "Gamle Oslo", "Bolig", 4, "kari"),
    ]
    assert rows[0][7] == "Vi har et brukerråd"  # goal 1 inherited from the parent code
    assert all(text[s:e] == quote for *_, s, e, quote in rows)
    long = p.conn.execute(
        "SELECT q.code_path, a.attribute, a.value FROM quotes q "
        "JOIN quote_attributes a ON a.coding_id = q.coding_id ORDER BY 1, 2"
    ).fetchall()
    assert long == [
        ("Bolig", "region", "Østlandet"),
        ("Bolig", "size_class", "storby"),
        ("Mål 1 Brukermedvirkning/Brukerråd", "region", "Østlandet"),
        ("Mål 1 Brukermedvirkning/Brukerråd", "size_class", "storby"),
    ]


def test_case_attributes_wide_follows_new_attributes(small_project: Project) -> None:
    p = small_project
    rows = p.conn.execute("SELECT * FROM case_attributes_wide ORDER BY case_name")
    assert [d[0] for d in rows.description] == ["case_id", "case_name", "region", "size_class"]
    assert [r[1:] for r in rows] == [
        ("Gamle Oslo", "Østlandet", "storby"),
        ("Vadsø", "Nord-Norge", "liten"),
    ]
    vadso = p.conn.execute("SELECT id FROM cases WHERE name = 'Vadsø'").fetchone()[0]
    set_attributes(p, vadso, {"innbyggere": "5700", 'odd "name"': "x"})
    rows = p.conn.execute(
        'SELECT case_name, innbyggere, "odd ""name""" FROM case_attributes_wide ORDER BY case_name'
    ).fetchall()
    assert rows == [("Gamle Oslo", None, None), ("Vadsø", "5700", "x")]


def _as_version_1(path: Path) -> None:
    """What kodeverk 1 wrote: no exchange tables or views, FTS declared in single quotes."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        DROP VIEW quotes; DROP VIEW quote_attributes; DROP VIEW case_attributes_wide;
        DROP TABLE code_group_members; DROP TABLE code_groups;
        DROP TABLE suggestion_feedback;
        DROP TABLE documents_fts;
        CREATE VIRTUAL TABLE documents_fts USING fts5(
            text, content='documents', content_rowid='id',
            tokenize='unicode61 remove_diacritics 0'
        );
        INSERT INTO documents_fts(documents_fts) VALUES ('rebuild');
        PRAGMA user_version = 1;
        UPDATE meta SET value = '1' WHERE key = 'schema_version';
        """
    )
    conn.close()


def test_version_1_file_is_migrated(small_project: Project) -> None:
    _coded(small_project).close()
    path = small_project.path
    _as_version_1(path)
    assert sqlite_utils.Database(path)["documents"].detect_fts() is None  # the bug
    with Project.open(path) as p:
        assert p.schema_version == SCHEMA_VERSION == 2
        assert p.meta("schema_version") == "2"
        assert [h.document_name for h in search(p, "brukerråd")] == ["intervju-oslo"]
        p.conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")
        assert p.conn.execute("SELECT count(*) FROM quotes").fetchone() == (2,)
        assert p.conn.execute("SELECT count(*) FROM case_attributes_wide").fetchone() == (2,)
        assert p.conn.execute("SELECT count(*) FROM code_groups").fetchone() == (0,)
        assert p.conn.execute("SELECT count(*) FROM suggestion_feedback").fetchone() == (0,)
    assert sqlite_utils.Database(path)["documents"].detect_fts() == "documents_fts"
    assert list((path.parent / f"{path.name}.backups").iterdir())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port`` (Linux /proc)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not Path(table).exists():
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_browse_serves_the_views_read_only_on_localhost(small_project: Project) -> None:
    pytest.importorskip("datasette")
    _coded(small_project).close()
    path = small_project.path
    before = table_dump(path)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "browse", str(path), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _get_json(f"{base}/-/versions.json")
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()
                assert time.monotonic() < deadline, "datasette did not start in 60 s"
                time.sleep(0.3)
        db = path.stem
        rows = _get_json(f"{base}/{db}/quotes.json?_shape=array&_sort=start_offset")
        assert next((r["code_path"], r["coder"], r["quote"]) for r in rows) == (
            "Mål 1 Brukermedvirkning/Brukerråd",
            "ola",
            "Vi har et brukerråd",
        )
        code = urllib.parse.quote("Mål 1 Brukermedvirkning")
        canned = _get_json(f"{base}/{db}/quotes_for_code.json?_shape=array&code={code}")
        assert [r["quote"] for r in canned] == ["Vi har et brukerråd"]
        wide = _get_json(f"{base}/{db}/cases_wide.json?_shape=array")
        assert {r["case_name"]: r["region"] for r in wide} == {
            "Gamle Oslo": "Østlandet",
            "Vadsø": "Nord-Norge",
        }
        word = urllib.parse.quote("brukerråd")
        table = _get_json(f"{base}/{db}/documents.json?_search={word}&_shape=objects")
        assert [r["name"] for r in table["rows"]] == ["intervju-oslo"]  # FTS detected
        if Path("/proc/net/tcp").exists():
            assert _listening_addresses(port) == {"0100007F"}  # 127.0.0.1 only
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert table_dump(path) == before


def test_migration_is_idempotent(small_project: Project) -> None:
    from coding.store import migrate_exchange

    p = _coded(small_project)
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    before = p.conn.execute(schema).fetchall(), table_dump(p.path)
    with p.transaction() as conn:
        migrate_exchange(conn)
    assert (p.conn.execute(schema).fetchall(), table_dump(p.path)) == before


def test_browse_without_datasette_says_how_to_install_it(small_project: Project, tmp_path):
    small_project.close()
    shadow = tmp_path / "shadow" / "datasette"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('not installed')\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(shadow.parent), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-m", "tui.cli", "browse", str(small_project.path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "pip install 'kodeverk[browse]'" in done.stderr
