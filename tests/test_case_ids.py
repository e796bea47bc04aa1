"""--case-from-name with pseudonymised cases (K01, Kommune017): identifiers that differ in a
digit never match, an exact word beats a near spelling, two cases within reach is an error,
and --dry-run shows the file → case table without importing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from corpus.case_match import find_case
from tests.conftest import run_kodeverk, table_dump
from tests.inprocess import run_inprocess

TURNS = "Intervjuer: Hvordan går det?\nInformant 1: Det går bra. Vi har fått {x}.\n"


NUMBERED = ["K01", "K02", "K03", "K10", "Kommune001", "Kommune017", "Kommune040", "Oslo"]


@pytest.mark.parametrize(
    ("stem", "case", "how"),
    [
        ("intervju_k02_1", "K02", "exact"),
        ("K-03", "K03", "exact"),
        ("k1", None, "none"),  # «1» is not «01»
        ("k04_leder", None, "none"),  # no K04: not the nearest number either
        ("intervju_kommune017", "Kommune017", "exact"),
        ("kommune_040_2", "Kommune040", "exact"),
        ("kommune17", None, "none"),
        ("komune001", "Kommune001", "near"),
        ("komune018", None, "none"),
        ("oslo_k10", None, "ambiguous"),
    ],
)
def test_numbers_match_digit_for_digit(stem, case, how):
    found = find_case(stem, NUMBERED)
    assert (found.case, found.how) == (case, how)


def _project(tmp_path: Path, capsys, cases: list[str]) -> Path:
    project = tmp_path / "p.kodeverk"
    assert run_inprocess(capsys, "init", project, "--no-codebook").returncode == 0
    table = tmp_path / "cases.csv"
    table.write_text("kommune\n" + "\n".join(cases) + "\n", encoding="utf-8")
    result = run_inprocess(capsys, "cases", "import", project, table)
    assert result.returncode == 0, result.stderr
    return project


def _files(tmp_path: Path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        path = tmp_path / name
        path.write_text(TURNS.format(x=name), encoding="utf-8")
        paths.append(path)
    return paths


def _cases_of_documents(project: Path) -> dict[str, str | None]:
    with sqlite3.connect(project) as conn:
        rows = conn.execute(
            "SELECT d.name, c.name FROM documents d LEFT JOIN cases c ON c.id = d.case_id"
        )
        return dict(rows.fetchall())


def test_pseudonymised_ids_link_to_their_own_case(tmp_path):
    """Through the real command in a subprocess: K02 is K02, never K01."""
    project = tmp_path / "p.kodeverk"
    assert run_kodeverk("init", project, "--no-codebook").returncode == 0
    table = tmp_path / "cases.csv"
    table.write_text("kommune\nK01\nK02\nK03\n", encoding="utf-8")
    assert run_kodeverk("cases", "import", project, table).returncode == 0
    files = _files(tmp_path, "intervju_k02_1.txt", "intervju_k03_1.txt")
    result = run_kodeverk("import", project, *files, "--case-from-name")
    assert result.returncode == 0, result.stderr
    assert _cases_of_documents(project) == {
        "intervju_k02_1.txt": "K02",
        "intervju_k03_1.txt": "K03",
    }


def test_forty_numbered_municipalities(tmp_path, capsys):
    project = _project(tmp_path, capsys, [f"Kommune{n:03d}" for n in range(1, 41)])
    files = _files(tmp_path, "intervju_kommune017_leder.txt", "Kommune040-2.txt")
    result = run_inprocess(capsys, "import", project, *files, "--case-from-name")
    assert result.returncode == 0, result.stderr
    assert _cases_of_documents(project) == {
        "intervju_kommune017_leder.txt": "Kommune017",
        "Kommune040-2.txt": "Kommune040",
    }


def test_near_spelling_keeps_its_digits(tmp_path, capsys):
    """«komune017» is a near spelling of Kommune017, and of no other number."""
    project = _project(tmp_path, capsys, [f"Kommune{n:03d}" for n in range(1, 41)])
    files = _files(tmp_path, "komune017.txt")
    result = run_inprocess(capsys, "import", project, *files, "--case-from-name")
    assert result.returncode == 0, result.stderr
    assert _cases_of_documents(project) == {"komune017.txt": "Kommune017"}


def test_a_number_without_its_case_is_no_match(tmp_path, capsys):
    project = _project(tmp_path, capsys, ["K01", "K03"])
    files = _files(tmp_path, "intervju_k03_1.txt", "intervju_k02_1.txt")
    before = table_dump(project)
    result = run_inprocess(capsys, "import", project, *files, "--case-from-name")
    assert result.returncode == 1, result.stdout
    assert "intervju_k02_1.txt: no case matches the file name" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert table_dump(project) == before


def test_two_cases_within_reach_is_an_error_naming_both(tmp_path, capsys):
    project = _project(tmp_path, capsys, ["Vadsø", "Oslo", "Gamle Oslo"])
    files = _files(tmp_path, "gamle-oslo-1.txt", "vadso_og_oslo.txt")
    before = table_dump(project)
    result = run_inprocess(capsys, "import", project, *files, "--case-from-name")
    assert result.returncode == 1, result.stdout
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "vadso_og_oslo.txt" in line and "'Vadsø'" in line and "'Oslo'" in line
    assert table_dump(project) == before
    result = run_inprocess(capsys, "import", project, *files, "--case-from-name",
                           "--create-cases")  # fmt: skip
    assert result.returncode == 1 and "'Vadsø'" in result.stderr  # no new case either
    assert table_dump(project) == before


def test_two_near_spellings_within_reach_is_an_error(tmp_path, capsys):
    project = _project(tmp_path, capsys, ["Kristiansund", "Kristiansand"])
    files = _files(tmp_path, "kristiansnd.txt")
    before = table_dump(project)
    result = run_inprocess(capsys, "import", project, *files, "--case-from-name")
    assert result.returncode == 1, result.stdout
    assert "'Kristiansund'" in result.stderr and "'Kristiansand'" in result.stderr
    assert table_dump(project) == before


def test_exact_word_beats_a_near_spelling(tmp_path, capsys):
    """«kristiansund» is Kristiansund word for word and near Kristiansand (92): not a tie."""
    project = _project(tmp_path, capsys, ["Kristiansand", "Kristiansund", "K01", "K02"])
    files = _files(tmp_path, "intervju_kristiansund_1.txt", "k02.txt")
    result = run_inprocess(capsys, "import", project, *files, "--case-from-name")
    assert result.returncode == 0, result.stderr
    assert _cases_of_documents(project) == {
        "intervju_kristiansund_1.txt": "Kristiansund",
        "k02.txt": "K02",
    }


def test_dry_run_prints_the_table_and_imports_nothing(tmp_path, capsys):
    project = _project(tmp_path, capsys, ["K01", "K02", "K03"])
    files = _files(tmp_path, "intervju_k02_1.txt", "intervju_k03_1.txt")
    before = table_dump(project)
    result = run_inprocess(capsys, "import", project, *files, "--case-from-name", "--dry-run")
    assert result.returncode == 0, result.stderr
    rows = [line for line in result.stdout.splitlines() if "intervju_k0" in line]
    assert len(rows) == 2
    assert "K02" in rows[0] and "K03" in rows[1] and "K01" not in result.stdout
    assert table_dump(project) == before
    result = run_inprocess(capsys, "import", project, *files, "--case-from-name", "--dry-run",
                           "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    plan = json.loads(result.stdout)
    assert [(r["file"], r["case"], r["match"]) for r in plan] == [
        ("intervju_k02_1.txt", "K02", "exact"),
        ("intervju_k03_1.txt", "K03", "exact"),
    ]
    assert table_dump(project) == before


def test_dry_run_shows_every_problem_and_fails(tmp_path, capsys):
    project = _project(tmp_path, capsys, ["K01", "K03"])
    files = _files(tmp_path, "intervju_k01_1.txt", "intervju_k02_1.txt", "k01_k03.txt")
    before = table_dump(project)
    result = run_inprocess(capsys, "import", project, *files, "--case-from-name", "--dry-run")
    assert result.returncode == 1
    assert "intervju_k02_1.txt" in result.stdout and "k01_k03.txt" in result.stdout
    assert "2 of 3 files" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert table_dump(project) == before
