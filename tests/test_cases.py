"""`kodeverk cases import | list`: case attributes from real CSV and Excel files."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from coding.errors import InputError
from coding.store import Project
from corpus.cases import (
    DEFAULT_SIZE_THRESHOLDS,
    import_cases,
    parse_population,
    parse_thresholds,
    size_class_for,
)
from tests.conftest import run_kodeverk, table_dump
from tests.inprocess import run_inprocess

CASES_CSV = (
    "kommune;innbyggere;fylke;landsdel\n"
    "Sandnes;76 328;Rogaland;Vestlandet\n"
    "Østre Toten;14.878;Oppland;Østlandet\n"
    "Vadsø;5964;Finnmark;Nord-Norge\n"
    "Utsira;200;Rogaland;Vestlandet\n"
)


def attributes(path: Path) -> dict[str, dict[str, str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT c.name, a.name, a.value FROM case_attributes a JOIN cases c ON c.id = a.case_id"
        ).fetchall()
    finally:
        conn.close()
    found: dict[str, dict[str, str]] = {}
    for case, name, value in rows:
        found.setdefault(case, {})[name] = value
    return found


@pytest.fixture
def cases_file(tmp_path: Path) -> Path:
    path = tmp_path / "kommuner.csv"
    path.write_text(CASES_CSV, encoding="cp1252")  # as Norwegian Excel saves it
    return path


def test_import_derives_size_class_and_region(project: Project, cases_file: Path) -> None:
    project.close()
    result = run_kodeverk("cases", "import", project.path, cases_file, "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["cases_created"] == 4
    assert summary["size_classes_derived"] == 4
    found = attributes(project.path)
    assert found["Sandnes"] == {
        "innbyggere": "76328",
        "fylke": "Rogaland",
        "landsdel": "Vestlandet",
        "region": "Vestlandet",
        "size_class": "storby",
    }
    assert found["Østre Toten"]["size_class"] == "mellomstor"
    assert found["Østre Toten"]["innbyggere"] == "14878"
    assert found["Vadsø"]["size_class"] == "mellomstor"
    assert found["Utsira"]["size_class"] == "liten"
    conn = sqlite3.connect(project.path)
    event = conn.execute("SELECT action, changes FROM events").fetchall()
    conn.close()
    assert event[-1][0] == "cases.import"
    assert len(json.loads(event[-1][1])) == 20  # every attribute value is in the audit trail


def test_size_thresholds_option(
    project: Project, cases_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project.close()
    result = run_inprocess(
        capsys,
        "cases",
        "import",
        project.path,
        cases_file,
        "--size-thresholds",
        "1000,10000,100000",
    )
    assert result.returncode == 0, result.stderr
    found = attributes(project.path)
    assert found["Sandnes"]["size_class"] == "stor"
    assert found["Østre Toten"]["size_class"] == "stor"
    assert found["Vadsø"]["size_class"] == "mellomstor"
    assert found["Utsira"]["size_class"] == "liten"


def test_given_size_class_wins_and_reimport_updates(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("sak,folketall,size_class\nA,900,Stor\nB,70000,\n", encoding="utf-8")
    summary = import_cases(project, path)
    assert summary.case_column == "sak"
    assert attributes(project.path)["A"]["size_class"] == "stor"
    assert attributes(project.path)["B"]["size_class"] == "storby"
    path.write_text("sak,folketall\nA,900\n", encoding="utf-8")
    again = import_cases(project, path)
    assert (again.cases_created, again.cases_updated) == (0, 1)
    assert attributes(project.path)["A"]["size_class"] == "liten"


def test_excel_case_table_and_case_column_option(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "cases.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["nr", "navn", "population"])
    sheet.append([1, "Fjell", 26156])
    sheet.append([2, "Kristiansund", 24364.0])
    book.save(path)
    project.close()
    result = run_kodeverk("cases", "import", project.path, path, "--case-column", "navn")
    assert result.returncode == 0, result.stderr
    found = attributes(project.path)
    assert found["Fjell"] == {"nr": "1", "population": "26156", "size_class": "stor"}
    assert found["Kristiansund"]["population"] == "24364"
    listing = run_kodeverk("cases", "list", project.path, "--json")
    assert [c["name"] for c in json.loads(listing.stdout)] == ["Fjell", "Kristiansund"]
    table = run_kodeverk("cases", "list", project.path)
    assert "Kristiansund" in table.stdout and "size_class" in table.stdout


@pytest.mark.parametrize(
    ("content", "options", "message"),
    [
        (CASES_CSV, ["--case-column", "kommunenavn"], "no column 'kommunenavn'"),
        (CASES_CSV, ["--population-column", "folketall"], "no column 'folketall'"),
        ("kommune,innbyggere\nA,100\nB,mange\n", [], "row 3: 'innbyggere' is 'mange'"),
        ("kommune,innbyggere\nA,100\n,200\n", [], "row 3: empty 'kommune'"),
        ("kommune,innbyggere\nA,100\nA,200\n", [], "row 3: case 'A' appears twice"),
        (CASES_CSV, ["--size-thresholds", "5000,2000,50000"], "three increasing numbers"),
    ],
)
def test_bad_case_tables_change_nothing(
    small_project: Project,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str,
    options: list[str],
    message: str,
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    small_project.close()
    before = table_dump(small_project.path)
    result = run_inprocess(capsys, "cases", "import", small_project.path, path, *options)
    assert result.returncode == 1
    assert result.stderr.startswith("kodeverk: error:"), result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert table_dump(small_project.path) == before


def test_population_numbers() -> None:
    assert parse_population("12 345") == 12345
    assert parse_population("12\u00a0345") == 12345
    assert parse_population("12.345") == 12345
    assert parse_population("12,345") == 12345
    assert parse_population("12345.0") == 12345
    assert parse_population("950") == 950
    with pytest.raises(ValueError):
        parse_population("ca. 12 000")
    with pytest.raises(ValueError):
        parse_population("12.5")


def test_size_classes_at_the_limits() -> None:
    assert DEFAULT_SIZE_THRESHOLDS == (5000, 20000, 50000)
    assert [size_class_for(n) for n in (4999, 5000, 19999, 20000, 49999, 50000)] == [
        "liten",
        "mellomstor",
        "mellomstor",
        "stor",
        "stor",
        "storby",
    ]
    assert parse_thresholds("2 000, 10000, 100000") == (2000, 10000, 100000)
    with pytest.raises(InputError):
        parse_thresholds("5000,20000")
