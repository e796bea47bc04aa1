"""Linking interviews to their municipality: from the file name at import, or afterwards."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from corpus.case_match import match_case, name_words
from tests.conftest import table_dump
from tests.inprocess import run_inprocess

CASES = ["Vadsø", "Gamle Oslo", "Oslo", "Kristiansund", "Østre Toten", "Sandnes"]
TURNS = "Intervjuer: Hvordan går det?\nInformant 1: Det går bra. Vi har fått {x}.\n"


@pytest.mark.parametrize(
    ("stem", "case"),
    [
        ("intervju_vadso_leder", "Vadsø"),
        ("Gamle-Oslo-2", "Gamle Oslo"),  # the longest match, not «Oslo»
        ("oslo_bydel", "Oslo"),
        ("OSTRE_TOTEN_ruskonsulent", "Østre Toten"),
        ("kristiansun-intervju", "Kristiansund"),  # near spelling
        ("intervju_bergen", None),
        ("sand", None),
    ],
)
def test_match_case_from_file_name(stem, case):
    assert match_case(stem, CASES) == case


def test_name_words_fold_norwegian_letters():
    assert name_words("Vadsø") == name_words("VADSOE") == name_words("vadso") == ["vadso"]


def _project_with_cases(tmp_path: Path, capsys) -> Path:
    project = tmp_path / "p.kodeverk"
    assert run_inprocess(capsys, "init", project, "--no-codebook").returncode == 0
    table = tmp_path / "kommuner.csv"
    table.write_text("kommune;innbyggere\nVadsø;6000\nGamle Oslo;58700\n", encoding="utf-8")
    assert run_inprocess(capsys, "cases", "import", project, table).returncode == 0
    return project


def _cases_of_documents(project: Path) -> dict[str, str | None]:
    with sqlite3.connect(project) as conn:
        rows = conn.execute(
            "SELECT d.name, c.name FROM documents d LEFT JOIN cases c ON c.id = d.case_id"
        )
        return dict(rows.fetchall())


def test_import_case_from_name(tmp_path, capsys):
    project = _project_with_cases(tmp_path, capsys)
    (tmp_path / "intervju_vadso.txt").write_text(TURNS.format(x="bolig"), encoding="utf-8")
    (tmp_path / "gamle-oslo-1.txt").write_text(TURNS.format(x="SLT"), encoding="utf-8")
    files = [tmp_path / "intervju_vadso.txt", tmp_path / "gamle-oslo-1.txt"]
    result = run_inprocess(capsys, "import", project, *files, "--case-from-name")
    assert result.returncode == 0, result.stderr
    assert _cases_of_documents(project) == {
        "intervju_vadso.txt": "Vadsø",
        "gamle-oslo-1.txt": "Gamle Oslo",
    }


def test_unmatched_file_name_is_one_line_and_imports_nothing(tmp_path, capsys):
    project = _project_with_cases(tmp_path, capsys)
    good, bad = tmp_path / "vadso.txt", tmp_path / "intervju_bergen.txt"
    good.write_text(TURNS.format(x="bolig"), encoding="utf-8")
    bad.write_text(TURNS.format(x="arbeid"), encoding="utf-8")
    before = table_dump(project)
    result = run_inprocess(capsys, "import", project, good, bad, "--case-from-name")
    assert result.returncode == 1
    assert "intervju_bergen.txt: no case matches the file name" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert table_dump(project) == before
    result = run_inprocess(capsys, "import", project, good, bad, "--case-from-name",
                           "--create-cases")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _cases_of_documents(project)["intervju_bergen.txt"] == "Intervju Bergen"


def test_table_options_without_a_table_warn(tmp_path, capsys):
    project = _project_with_cases(tmp_path, capsys)
    (tmp_path / "vadso.txt").write_text(TURNS.format(x="bolig"), encoding="utf-8")
    result = run_inprocess(capsys, "import", project, tmp_path / "vadso.txt", "--text-column", "a")
    assert result.returncode == 0
    assert "apply to tables" in result.stderr


def test_cases_link_from_table_and_single(tmp_path, capsys):
    project = _project_with_cases(tmp_path, capsys)
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(TURNS.format(x=name), encoding="utf-8")
    files = [tmp_path / "a.txt", tmp_path / "b.txt"]
    assert run_inprocess(capsys, "import", project, *files).returncode == 0
    links = tmp_path / "links.csv"
    links.write_text("dokument,kommune\na.txt,Vadsø\n2,Sandnes\n", encoding="utf-8")
    result = run_inprocess(capsys, "cases", "link", project, links)
    assert result.returncode == 0, result.stderr
    assert _cases_of_documents(project) == {"a.txt": "Vadsø", "b.txt": "Sandnes"}
    result = run_inprocess(capsys, "cases", "link", project, "--document", "a.txt",
                           "--case", "Gamle Oslo")  # fmt: skip
    assert result.returncode == 0
    assert _cases_of_documents(project)["a.txt"] == "Gamle Oslo"
    with sqlite3.connect(project) as conn:
        assert conn.execute("SELECT count(*) FROM events WHERE action = 'cases.link'").fetchone()


def test_cases_link_bad_row_changes_nothing(tmp_path, capsys):
    project = _project_with_cases(tmp_path, capsys)
    (tmp_path / "a.txt").write_text(TURNS.format(x="a"), encoding="utf-8")
    assert run_inprocess(capsys, "import", project, tmp_path / "a.txt").returncode == 0
    links = tmp_path / "links.csv"
    links.write_text("document,case\na.txt,Vadsø\nmissing.txt,Vadsø\n", encoding="utf-8")
    before = table_dump(project)
    result = run_inprocess(capsys, "cases", "link", project, links)
    assert result.returncode == 1
    assert "row 3" in result.stderr and "missing.txt" in result.stderr
    assert table_dump(project) == before
    result = run_inprocess(capsys, "cases", "link", project)
    assert result.returncode == 2 and "either FILE" in result.stderr  # a usage error


def test_relinked_document_takes_its_codings_along(small_project):
    """Prevalence counts codings by their case: a relink must move them too (trigger)."""
    from coding.codes import resolve_code
    from coding.operations import apply_coding
    from corpus.cases import link_documents

    apply_coding(small_project, 1, resolve_code(small_project, "Bolig"), "kari", 0, 10)
    assert link_documents(small_project, [("1", "Kristiansund")]) == 1
    case_ids = small_project.conn.execute(
        "SELECT DISTINCT k.case_id = d.case_id FROM codings k JOIN documents d "
        "ON d.id = k.document_id"
    ).fetchall()
    assert case_ids == [(1,)]
    name = small_project.conn.execute(
        "SELECT c.name FROM codings k JOIN cases c ON c.id = k.case_id"
    ).fetchone()[0]
    assert name == "Kristiansund"
