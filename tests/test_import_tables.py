"""Reading CSV and Excel tables: encodings, delimiters, headers, messages."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from coding.errors import InputError
from corpus.encoding import decode_bytes
from corpus.tables import read_table

ROWS = [
    ["Kommune", "Innbyggere", "Svar om bolig"],
    ["Vadsø", "5700", "Vi mangler små boliger for unge."],
    ["Ålesund", "67000", "Bærum-modellen; «Housing first»."],
]


def write_csv(path: Path, rows: list[list[str]], delimiter: str, encoding: str) -> Path:
    lines = []
    for row in rows:
        cells = [f'"{c}"' if delimiter in c else c for c in row]
        lines.append(delimiter.join(cells))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_cp1252_semicolon_csv_reads_norwegian_letters(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "svar.csv", ROWS, ";", "cp1252"))
    assert table.columns == ["Kommune", "Innbyggere", "Svar om bolig"]
    assert [r["Kommune"] for r in table.rows] == ["Vadsø", "Ålesund"]
    assert table.rows[1]["Svar om bolig"] == "Bærum-modellen; «Housing first»."
    assert table.row_numbers == [2, 3]


def test_utf8_bom_comma_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "svar.csv", ROWS, ",", "utf-8-sig")
    table = read_table(path)
    assert table.columns[0] == "Kommune"  # no BOM glued to the first header
    assert table.rows[0]["Kommune"] == "Vadsø"


def test_tab_separated_and_padding(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a\tb\tc\n 1 \t2\n\n3\t\t\n", encoding="utf-8")
    table = read_table(path)
    assert table.rows == [{"a": "1", "b": "2", "c": ""}, {"a": "3", "b": "", "c": ""}]
    assert table.row_numbers == [2, 4]


def test_column_lookup_is_forgiving_and_messages_list_columns(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "svar.csv", ROWS, ";", "utf-8"))
    assert table.column(" kommune ") == "Kommune"
    with pytest.raises(InputError, match=r"svar\.csv: no column 'Region'; columns are: Kommune, "):
        table.column("Region")


def test_xlsx_first_sheet_and_named_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    book.active.title = "Forside"
    book.active.append(["Om undersøkelsen"])
    data = book.create_sheet("Svar")
    for row in ROWS:
        data.append([int(c) if c.isdigit() else c for c in row])
    path = tmp_path / "svar.xlsx"
    book.save(path)
    table = read_table(path, sheet="Svar")
    assert table.rows[0] == {"Kommune": "Vadsø", "Innbyggere": "5700", "Svar om bolig": ROWS[1][2]}
    with pytest.raises(InputError, match="no sheet 'Ark9'; sheets are: Forside, Svar"):
        read_table(path, sheet="Ark9")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "file is empty"),
        (b"  \n\n", "file is empty"),
        (b"PK\x03\x04\x00\x00binary", "not a text file"),
        (b"a;b\n1;2;3\n", "line 2: 3 cells but the header has 2"),
        (b"a;;b\n1;2;3\n", "column 2 has no header"),
        (b"Kommune;Svar\r\n\r\n", "bad.csv: only a header row, no rows below it"),
    ],
)
def test_bad_tables(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_table(path)


def test_bad_xlsx_and_missing_file(tmp_path: Path) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip")
    with pytest.raises(InputError, match="not a readable Excel"):
        read_table(fake)
    with pytest.raises(InputError, match="no such file"):
        read_table(tmp_path / "missing.csv")


def test_decode_bytes_fallbacks() -> None:
    assert decode_bytes("blåbær".encode("cp1252"), "x") == "blåbær"
    assert decode_bytes("blåbær".encode("utf-16"), "x") == "blåbær"
    assert decode_bytes("blåbær".encode("utf-8-sig"), "x") == "blåbær"


@pytest.mark.parametrize(
    ("content", "columns", "first"),
    [
        ("Svar\nJa, vi har det; men lite.\n", ["Svar"], {"Svar": "Ja, vi har det; men lite."}),
        ("Kommune;Svar\nBodø;Ja, mange, flere.\n", ["Kommune", "Svar"], None),
        ('Kommune,Svar\nBodø,"Ja; nei, kanskje"\n', ["Kommune", "Svar"], None),
        ('"Kommune, navn";Svar\nBodø;Ja, ok\n', ["Kommune, navn", "Svar"], None),
    ],
)
def test_delimiter_from_the_header(
    tmp_path: Path, content: str, columns: list[str], first: dict | None
) -> None:
    path = tmp_path / "fri.csv"
    path.write_text(content, encoding="utf-8")
    table = read_table(path)
    assert table.columns == columns
    if first:
        assert table.rows[0] == first


def test_multi_line_cells_keep_their_first_line(tmp_path: Path) -> None:
    path = tmp_path / "flere.csv"
    path.write_text('Kommune;Svar\nBodø;"Linje en\nlinje to"\n\nTromsø;Kort\n', encoding="utf-8")
    table = read_table(path)
    assert table.rows[0]["Svar"] == "Linje en\nlinje to"
    assert table.row_numbers == [2, 5]
