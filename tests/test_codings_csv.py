"""`kodeverk codings import | export`: coding without the app, through CSV files."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

import pytest

from coding.errors import InputError
from coding.store import Project
from corpus.codings_csv import import_codings_csv
from exports.codings_csv import EXPORT_COLUMNS, export_codings_csv
from tests.conftest import SMALL_TEXT, run_kodeverk, table_dump
from tests.inprocess import run_inprocess

BRUKERRAD = SMALL_TEXT.index("Vi har et brukerråd.")
BOLIG = SMALL_TEXT.index("Det mangler boliger.")


def write_csv(path: Path, rows: list[dict[str, object]]) -> Path:
    columns = list(rows[0])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def codings(path: Path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            'SELECT d.name, k.name, c.name, g.start, g."end" FROM codings g '
            "JOIN documents d ON d.id = g.document_id JOIN codes k ON k.id = g.code_id "
            "JOIN coders c ON c.id = g.coder_id ORDER BY c.name, g.start, k.name"
        ).fetchall()
    finally:
        conn.close()


def test_import_by_name_path_and_whole_document(small_project: Project, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "codings.csv",
        [
            {
                "document": "intervju-oslo",
                "code": "Mål 1/Brukerråd",
                "coder": "anne",
                "start": BRUKERRAD,
                "end": BRUKERRAD + 20,
            },
            {"document": "1", "code": "Bolig", "coder": "bjorn", "start": BOLIG, "end": BOLIG + 20},
            {"document": "intervju-oslo", "code": "Mål 1", "coder": "anne", "start": "", "end": ""},
        ],
    )
    small_project.close()
    result = run_kodeverk("codings", "import", small_project.path, path)
    assert result.returncode == 0, result.stderr
    assert "3 codings applied by anne, bjorn" in result.stdout
    assert codings(small_project.path) == [
        ("intervju-oslo", "Mål 1 Brukermedvirkning", "anne", 0, len(SMALL_TEXT)),
        ("intervju-oslo", "Brukerråd", "anne", BRUKERRAD, BRUKERRAD + 20),
        ("intervju-oslo", "Bolig", "bjorn", BOLIG, BOLIG + 20),
    ]
    conn = sqlite3.connect(small_project.path)
    actions = conn.execute(
        "SELECT c.name, e.action, e.summary FROM events e JOIN coders c ON c.id = e.coder_id "
        "WHERE e.action LIKE 'coding%' ORDER BY c.name"
    ).fetchall()
    conn.close()
    assert actions == [  # one event per coder and import: undo takes back the whole import
        ("anne", "codings.import", "import 2 codings from codings.csv"),
        ("bjorn", "codings.import", "import 1 codings from codings.csv"),
    ]


def test_undo_takes_back_the_whole_import(small_project: Project, tmp_path: Path) -> None:
    from coding.operations import apply_coding, redo, undo

    apply_coding(small_project, 1, 1, "anne", 0, 5)  # before the import: stays after undo
    kept = codings(small_project.path)
    rows = [
        {"document": "1", "code": "Bolig", "coder": "anne", "start": BOLIG, "end": BOLIG + 5},
        {"document": "1", "code": "Bolig", "coder": "anne", "start": BOLIG + 3, "end": BOLIG + 9},
        {
            "document": "1",
            "code": "Brukerråd",
            "coder": "anne",
            "start": BRUKERRAD,
            "end": BRUKERRAD + 7,
        },
        {"document": "1", "code": "Bolig", "coder": "bjorn", "start": 0, "end": 4},
    ]
    import_codings_csv(small_project, write_csv(tmp_path / "k.csv", rows))
    imported = codings(small_project.path)
    assert len(imported) == len(kept) + 3  # the two overlapping Bolig rows merged into one
    again = run_kodeverk("codings", "import", small_project.path, tmp_path / "k.csv")
    assert "4 codings applied by anne, bjorn; 4 were coded already" in again.stdout
    event = undo(small_project, "anne")
    assert event is not None and event.action == "codings.import"
    assert [c for c in codings(small_project.path) if c[2] == "anne"] == kept
    assert undo(small_project, "bjorn") is not None
    assert codings(small_project.path) == kept
    redo(small_project, "anne")
    redo(small_project, "bjorn")
    assert codings(small_project.path) == imported


def test_create_codes_by_path(small_project: Project, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "codings.csv",
        [{"document": "intervju-oslo", "code": "Bolig/Ventetid", "coder": "anne"}],
    )
    summary = import_codings_csv(small_project, path, create_codes=True)
    assert summary.codes_created == 1
    assert codings(small_project.path) == [
        ("intervju-oslo", "Ventetid", "anne", 0, len(SMALL_TEXT))
    ]
    from coding.operations import undo

    undone = undo(small_project, "anne")  # the import with its new code, in one step
    assert undone is not None and undone.summary.endswith("(and 1 new codes)")
    assert codings(small_project.path) == []
    names = {r[0] for r in small_project.conn.execute("SELECT name FROM codes")}
    assert "Ventetid" not in names and "Bolig" in names


def test_codes_created_for_several_coders_are_in_the_trail(
    small_project: Project, tmp_path: Path
) -> None:
    rows = [
        {"document": "1", "code": "Bolig/Ventetid", "coder": "anne"},
        {"document": "1", "code": "Bolig/Ventetid", "coder": "bjorn"},
    ]
    import_codings_csv(small_project, write_csv(tmp_path / "k.csv", rows), create_codes=True)
    events = small_project.conn.execute(
        "SELECT coder_id, action, undoable FROM events ORDER BY id"
    ).fetchall()
    assert events[-3][1:] == ("codes.create", 0) and events[-3][0] is None
    assert [e[1] for e in events[-2:]] == ["codings.import"] * 2
    parent = small_project.conn.execute(
        "SELECT p.name FROM codes c JOIN codes p ON p.id = c.parent_id WHERE c.name = 'Ventetid'"
    ).fetchone()
    assert parent == ("Bolig",)


def test_export_and_reimport_round_trip(
    small_project: Project, tmp_path: Path, project_path: Path
) -> None:
    rows = [
        {"document": "intervju-oslo", "code": "Brukerråd", "coder": "anne", "start": 12, "end": 40},
        {"document": "intervju-oslo", "code": "Bolig", "coder": "anne", "start": BOLIG, "end": 160},
        {"document": "intervju-oslo", "code": "Bolig", "coder": "bjorn"},
    ]
    import_codings_csv(small_project, write_csv(tmp_path / "in.csv", rows))
    small_project.close()
    exported = tmp_path / "out.csv"
    result = run_kodeverk("codings", "export", small_project.path, exported)
    assert result.returncode == 0, result.stderr
    assert "wrote 3 codings" in result.stdout
    raw = exported.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel needs the BOM to read æøå
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert tuple(table[0]) == EXPORT_COLUMNS
    assert {row["code"] for row in table} == {"Mål 1 Brukermedvirkning/Brukerråd", "Bolig"}
    for row in table:
        assert row["quote"] == SMALL_TEXT[int(row["start"]) : int(row["end"])]
    # Into a fresh project with the same document and codebook: the same codings.
    before = codings(small_project.path)
    fresh = tmp_path / "fresh.kodeverk"
    build_like_small(fresh)
    assert import_codings_csv(Project.open(fresh), exported).rows == 3
    assert codings(fresh) == before
    # Into the same project again: nothing changes (the codings are there already).
    with Project.open(small_project.path) as same:
        import_codings_csv(same, exported)
    assert codings(small_project.path) == before


def build_like_small(path: Path) -> None:
    from coding.cases import ensure_case
    from coding.codes import add_code
    from coding.documents import add_document
    from tests.conftest import sentence_segments

    with Project.create(path) as fresh:
        oslo = ensure_case(fresh, "Gamle Oslo")
        goal1 = add_code(fresh, "Mål 1 Brukermedvirkning", goal=1)
        add_code(fresh, "Brukerråd", parent_id=goal1)
        add_code(fresh, "Bolig", goal=4)
        add_document(
            fresh,
            "intervju-oslo",
            SMALL_TEXT,
            "interview",
            sentence_segments(SMALL_TEXT),
            case_id=oslo,
        )


@pytest.mark.parametrize(
    ("bad_row", "options", "message"),
    [
        ({"start": 10, "end": 100_000}, [], "row 3: span 10–100000 lies outside the document"),
        ({"start": 50, "end": 40}, [], "row 3: span 50–40 lies outside"),
        ({"start": "ti", "end": 40}, [], "row 3: start and end must both be whole numbers"),
        ({"code": "Rusfrihet"}, [], "row 3: no code 'Rusfrihet'"),
        ({"code": "Rusfrihet"}, [], "use --create-codes"),
        ({"document": "intervju-vadso"}, [], "row 3: no document 'intervju-vadso'"),
        ({"coder": ""}, [], "row 3: coder is empty"),
        ({"quote": "noe helt annet"}, [], "row 3: the quote does not match"),
        ({"start": 10, "end": 100_000}, ["--create-codes"], "lies outside"),
    ],
)
def test_bad_rows_change_nothing(
    small_project: Project,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    bad_row: dict[str, object],
    options: list[str],
    message: str,
) -> None:
    good = {"document": "intervju-oslo", "code": "Bolig", "coder": "anne", "start": 0, "end": 10}
    good["quote"] = SMALL_TEXT[0:10]
    bad = {**good, "code": "Brukerråd", "quote": "", **bad_row}
    path = write_csv(tmp_path / "codings.csv", [good, bad])
    small_project.close()
    before = table_dump(small_project.path)
    result = run_inprocess(capsys, "codings", "import", small_project.path, path, *options)
    assert result.returncode == 1
    assert result.stderr.startswith(f"kodeverk: error: {path} row 3: "), result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert table_dump(small_project.path) == before


def test_missing_column(small_project: Project, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "codings.csv", [{"document": "1", "kode": "Bolig", "coder": "a"}])
    with pytest.raises(Exception, match="no column 'code'"):
        import_codings_csv(small_project, path)


def test_export_of_a_project_without_codings(small_project: Project, tmp_path: Path) -> None:
    assert export_codings_csv(small_project, tmp_path / "empty.csv") == 0
    text = (tmp_path / "empty.csv").read_text(encoding="utf-8-sig")
    assert text.strip() == ",".join(EXPORT_COLUMNS)


def test_export_to_a_missing_folder_is_a_one_line_error(
    small_project: Project, tmp_path: Path
) -> None:
    small_project.close()
    result = run_kodeverk("codings", "export", small_project.path, tmp_path / "nei" / "k.csv")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"kodeverk: error: {tmp_path / 'nei' / 'k.csv'}: cannot write (No such file or directory)"
    ]


def test_export_refuses_other_suffixes_and_import_reads_xlsx(
    small_project: Project, tmp_path: Path
) -> None:
    import openpyxl

    with pytest.raises(InputError, match=r"k\.xlsx: codings are written as \.csv"):
        export_codings_csv(small_project, tmp_path / "k.xlsx")
    assert not (tmp_path / "k.xlsx").exists()
    book = openpyxl.Workbook()
    book.active.append(["Document", "Code", "Coder", "Start", "End"])
    book.active.append([1, "Bolig", "anne", BOLIG, BOLIG + 20])
    book.save(tmp_path / "koding.xlsx")
    assert import_codings_csv(small_project, tmp_path / "koding.xlsx").rows == 1
    assert codings(small_project.path) == [("intervju-oslo", "Bolig", "anne", BOLIG, BOLIG + 20)]
