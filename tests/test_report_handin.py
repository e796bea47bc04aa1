"""Issue 15: reports ready to hand in and anonymity that holds. Files are read back with
python-docx/lxml, openpyxl, csv and zipfile."""

from __future__ import annotations

import csv
import re
import zipfile

import pytest

from coding.cases import set_attributes
from coding.codes import add_code
from coding.operations import apply_coding
from tests.conftest import run_kodeverk
from tests.prevalence_project import HOUSING, build

PAYLOAD_CODE = '=HYPERLINK("http://x.example","klikk")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture
def hostile(project, project_path):
    """The prevalence project plus identifying attributes and a formula payload in a code name,
    an attribute value and (through the document name) every table."""
    ids = build(project)
    set_attributes(project, ids["L1"], {"fylke": "Finnmark", "innbyggere": "6017"})
    set_attributes(project, ids["M1"], {"fylke": "@SUM(1+1)", "innbyggere": "12457"})
    code = add_code(project, PAYLOAD_CODE, goal=3)
    for coder in ("anna", "bjørn"):
        apply_coding(project, ids["doc:L1a"], code, coder, *HOUSING)
        apply_coding(project, ids["doc:M1"], code, coder, *HOUSING)
    project.conn.execute("UPDATE documents SET name = '+cmd|calc' WHERE id = ?", (ids["doc:M1"],))
    project.conn.commit()
    project.close()
    return project_path


def ok(*args):
    done = run_kodeverk(*args)
    assert done.returncode == 0, done.stderr
    return done


def csv_cells(path):
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [cell for row in csv.reader(handle) for cell in row]


@pytest.mark.parametrize(
    "command",
    [
        ["export", "{p}", "-o", "{o}", "--attribution", "{document} {fylke}"],
        ["codings", "export", "{p}", "{o}"],
        ["agreement", "{p}", "--csv", "{o}"],
        ["prevalence", "{p}", "--by", "fylke", "--csv", "{o}"],
    ],
    ids=["export", "codings export", "agreement", "prevalence"],
)
def test_every_csv_neutralises_formulas(hostile, tmp_path, command):
    out = tmp_path / "ut.csv"
    ok(*[{"{p}": hostile, "{o}": out}.get(a, a) for a in command])
    cells = csv_cells(out)
    assert any(PAYLOAD_CODE in c for c in cells)  # the payload row is there …
    dangerous = [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert dangerous == []  # … and neutralised
    assert f"'{PAYLOAD_CODE}" in cells


def test_xlsx_types_formats_print_and_no_formulas(hostile, tmp_path):
    from openpyxl import load_workbook

    out = ok_export(hostile, tmp_path / "ut.xlsx", "--attribution", "{document} {fylke}")
    book = load_workbook(out)
    codings = book["Kodinger"]
    header = [c.value for c in codings[1]]
    for row in codings.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                assert cell.data_type == "s" and cell.quotePrefix, cell.value
    assert all(isinstance(r[0].value, int) for r in codings.iter_rows(min_row=2))
    quote = header.index("quote") + 1
    assert codings.cell(row=2, column=quote).alignment.wrap_text
    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
        assert sheet.print_title_rows.replace("$", "") == "1:1"
    prevalence = book.worksheets[1]
    head = [c.value for c in prevalence[1]]
    share = prevalence.cell(row=2, column=head.index("share") + 1)
    assert isinstance(share.value, float) and "%" in share.number_format
    cases = prevalence.cell(row=2, column=head.index("cases") + 1)
    assert isinstance(cases.value, int)


def ok_export(project_path, output, *args):
    ok("export", project_path, "--output", output, *args)
    return output


def test_anonymised_exports_hold_no_identifying_attributes(hostile, tmp_path):
    """Default exports carry size class and region only: no case or document name, county or
    population in any part of any file."""
    forbidden = ["Finnmark", "6017", "12457", "intervju", "+cmd", "@SUM", "L1a"]
    forbidden += [f"intervju {c}" for c in ("L1", "M1")]
    for name in ("a.docx", "a.xlsx", "a.csv", "a.md", "a.html"):
        out = ok_export(hostile, tmp_path / name, "--prevalence")
        if name.endswith(("docx", "xlsx")):
            with zipfile.ZipFile(out) as package:
                parts = {n: package.read(n).decode("utf-8", "replace") for n in package.namelist()}
        else:
            parts = {name: out.read_text(encoding="utf-8-sig")}
        for part, text in parts.items():
            for word in forbidden:
                assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text), (name, part, word)
    table = csv_cells(tmp_path / "a.csv")
    assert "size_class" in table and "region" in table
    assert "fylke" not in table and "innbyggere" not in table


def test_identifying_attributes_only_when_asked_by_name(hostile, tmp_path):
    out = ok_export(hostile, tmp_path / "a.csv", "--attributes", "fylke")
    cells = csv_cells(out)
    assert "fylke" in cells and "Finnmark" in cells and "innbyggere" not in cells


def test_small_cells_are_warned_about(hostile, tmp_path):
    done = ok("export", hostile, "--output", tmp_path / "a.csv")
    assert "færre enn 3" in done.stderr  # e.g. «Liten kommune i Midt-Norge» … one case
