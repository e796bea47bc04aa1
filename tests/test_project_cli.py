"""`kodeverk init | info | documents`: real project files made and read by the CLI."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from coding.store import SCHEMA_VERSION, Project
from tests.conftest import SMALL_TEXT, run_kodeverk, table_dump
from tests.inprocess import run_inprocess

INFO_KEYS = ["documents", "segments", "cases", "codes", "codings", "coders", "attributes"]


def count(path: Path, table: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_init_installs_the_bundled_codebook(tmp_path: Path) -> None:
    path = tmp_path / "evaluering.kodeverk"
    result = run_kodeverk("init", path)
    assert result.returncode == 0, result.stderr
    assert "created" in result.stdout
    conn = sqlite3.connect(path)
    goals = conn.execute(
        "SELECT name, goal FROM codes WHERE parent_id IS NULL AND goal IS NOT NULL ORDER BY goal"
    ).fetchall()
    assert conn.execute("PRAGMA application_id").fetchone()[0] != 0
    conn.close()
    assert [goal for _, goal in goals] == [1, 2, 3, 4, 5]
    assert goals[0][0].startswith("Mål 1")
    assert count(path, "codes") > 30


def test_init_without_and_with_a_given_codebook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "tom.kodeverk"
    assert run_inprocess(capsys, "init", empty, "--no-codebook").returncode == 0
    assert count(empty, "codes") == 0
    codebook = tmp_path / "liten.yaml"
    codebook.write_text(
        "name: Liten kodebok\ncodes:\n  - name: Bolig\n    goal: 4\n  - name: Arbeid\n",
        encoding="utf-8",
    )
    small = tmp_path / "liten.kodeverk"
    result = run_inprocess(capsys, "init", small, "--codebook", codebook)
    assert result.returncode == 0, result.stderr
    assert count(small, "codes") == 2


def test_init_refuses_an_existing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "finnes.kodeverk"
    path.write_text("viktige notater\n", encoding="utf-8")
    result = run_inprocess(capsys, "init", path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"kodeverk: error: {path}: file exists")
    assert path.read_text(encoding="utf-8") == "viktige notater\n"


def test_init_with_a_bad_codebook_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codebook = tmp_path / "feil.yaml"
    codebook.write_text("name: Feil\ncodes:\n  - name: Bolig\n    goal: 9\n", encoding="utf-8")
    path = tmp_path / "ny.kodeverk"
    result = run_inprocess(capsys, "init", path, "--codebook", codebook)
    assert result.returncode == 1
    assert result.stderr.startswith("kodeverk: error:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not path.exists()
    assert not list(tmp_path.glob("ny.kodeverk*"))


def test_init_reads_the_codebook_before_making_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    codebook = tmp_path / "syklus.yaml"
    codebook.write_text(
        "name: Syklus\ncodes:\n  - {id: a, name: A, parent: b}\n  - {id: b, name: B, parent: a}\n",
        encoding="utf-8",
    )
    existing = tmp_path / "finnes.kodeverk"
    existing.write_text("viktige notater\n", encoding="utf-8")
    result = run_inprocess(capsys, "init", existing, "--codebook", codebook)
    assert result.returncode == 1
    assert "syklus.yaml" in result.stderr and "file exists" not in result.stderr
    assert existing.read_text(encoding="utf-8") == "viktige notater\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["finnes.kodeverk", "syklus.yaml"]


def test_info_json(small_project: Project) -> None:
    from coding.operations import apply_coding

    apply_coding(small_project, 1, 3, "anne", 0, 10)
    small_project.close()
    result = run_kodeverk("info", small_project.path, "--json")
    assert result.returncode == 0, result.stderr
    info = json.loads(result.stdout)
    assert list(info) == INFO_KEYS
    assert info["documents"] == 1
    assert info["segments"] == count(small_project.path, "segments") > 0
    assert (info["cases"], info["codes"], info["codings"]) == (2, 3, 1)
    assert info["coders"] == ["anne"]
    assert info["attributes"] == {
        "region": {"Nord-Norge": 1, "Østlandet": 1},
        "size_class": {"liten": 1, "storby": 1},
    }


def test_info_and_documents_tables(small_project: Project, capsys) -> None:
    small_project.close()
    info = run_inprocess(capsys, "info", small_project.path)
    assert info.returncode == 0, info.stderr
    assert "documents" in info.stdout and "Nord-Norge" in info.stdout
    listing = run_inprocess(capsys, "documents", small_project.path)
    assert "intervju-oslo" in listing.stdout and "Gamle Oslo" in listing.stdout


def test_documents_table_at_80_columns_keeps_whole_names(
    small_project: Project, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coding.documents import Segment, add_document

    name = "intervju_kommuneoverlege_og_ruskonsulent_2019-03-14.docx · Respondent 294"
    add_document(small_project, name, "Tekst to.", "survey", [Segment(0, 9, "answer", 0)])
    small_project.close()
    monkeypatch.setenv("COLUMNS", "80")
    listing = run_inprocess(capsys, "documents", small_project.path).stdout
    assert all(len(line) <= 80 for line in listing.splitlines())
    assert "…" not in listing
    cells = [line.split("│")[2].strip() for line in listing.splitlines() if line.count("│") > 2]
    assert "".join(cells).replace(" ", "") == ("intervju-oslo" + name).replace(" ", "")


def test_info_folds_an_attribute_with_many_values(project: Project, capsys) -> None:
    from coding.cases import ensure_case, set_attributes

    for number in range(20):
        set_attributes(
            project, ensure_case(project, f"Kommune {number}"), {"innbyggere": str(number)}
        )
    project.close()
    info = run_inprocess(capsys, "info", project.path)
    assert "(20 different values)" in info.stdout and "│ 7 " not in info.stdout
    full = json.loads(run_inprocess(capsys, "info", project.path, "--json").stdout)
    assert len(full["attributes"]["innbyggere"]) == 20  # JSON keeps every value


def test_documents_of_an_empty_project(project: Project, capsys) -> None:
    project.close()
    listing = run_inprocess(capsys, "documents", project.path)
    assert listing.returncode == 0
    assert "no documents yet; add some with `kodeverk import`" in listing.stdout
    assert run_inprocess(capsys, "documents", project.path, "--json").stdout.strip() == "[]"


def test_documents_json_in_import_order(small_project: Project, capsys) -> None:
    from coding.documents import Segment, add_document

    add_document(small_project, "b-second", "Tekst to.", "text", [Segment(0, 9, "paragraph", 0)])
    add_document(small_project, "a-third", "Tekst tre.", "text", [Segment(0, 10, "paragraph", 0)])
    small_project.close()
    result = run_inprocess(capsys, "documents", small_project.path, "--json")
    documents = json.loads(result.stdout)
    assert [d["name"] for d in documents] == ["intervju-oslo", "b-second", "a-third"]
    assert [d["id"] for d in documents] == [1, 2, 3]
    assert documents[0]["case"] == "Gamle Oslo"
    assert documents[0]["length"] == len(SMALL_TEXT)
    assert documents[1] == {
        "id": 2,
        "name": "b-second",
        "kind": "text",
        "case": None,
        "segments": 1,
        "length": 9,
    }


def other_sqlite_db(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE regnskap (post TEXT, belop INTEGER)")
    conn.execute("INSERT INTO regnskap VALUES ('husleie', 9000)")
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_text("Intervjuer: hei\n", encoding="utf-8"), "not an SQLite"),
        (lambda p: p.write_bytes(b""), "not an SQLite"),
        (other_sqlite_db, "an SQLite file of another program"),
        (lambda p: None, "no such project file"),
    ],
)
@pytest.mark.parametrize("command", ["info", "documents"])
def test_info_refuses_files_that_are_not_projects(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make, message: str, command: str
) -> None:
    path = tmp_path / "annet.kodeverk"
    make(path)
    before = path.read_bytes() if path.exists() else None
    result = run_inprocess(capsys, command, path, "--json")
    assert result.returncode == 1
    assert result.stderr.startswith(f"kodeverk: error: {path}: ")
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (path.read_bytes() if path.exists() else None) == before


def test_info_refuses_a_newer_schema(small_project: Project) -> None:
    small_project.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    small_project.close()
    before = table_dump(small_project.path)
    result = run_kodeverk("info", small_project.path)
    assert result.returncode == 1
    assert "made by a newer kodeverk" in result.stderr
    assert f"schema version {SCHEMA_VERSION + 5}" in result.stderr
    assert "Traceback" not in result.stderr
    assert table_dump(small_project.path) == before


def test_init_from_a_broken_qdpx_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "prosjekt.qdpx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    path = tmp_path / "fra-qdpx.kodeverk"
    result = run_inprocess(capsys, "init", path, "--from", broken)
    assert result.returncode != 0
    assert result.stderr.startswith("kodeverk: ")
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("fra-qdpx.kodeverk*"))
