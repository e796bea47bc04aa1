"""`kodeverk matrix` and `kodeverk goals`: JSON, Word and Excel read back, refusals."""

from __future__ import annotations

import json

from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from coding.goals import set_assessment
from coding.matrix import framework_matrix, set_summary
from tests.conftest import run_kodeverk, table_dump
from tests.inprocess import run_inprocess
from tests.prevalence_project import build


def _built(project):
    build(project)
    matrix = framework_matrix(project, "size_class", "goal")
    set_summary(project, "anna", matrix, "liten", "4", "Boligmangel i små kommuner")
    set_assessment(
        project, "anna", 4, rating="lav", assessment="Måloppnåelsen vurderes å være lav."
    )
    path = project.path
    project.close()
    return path


def test_matrix_json(project, capsys):
    path = _built(project)
    result = run_inprocess(capsys, "matrix", path, "--rows", "size_class", "--columns", "goal",
                           "--json")  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["rows"] == "size_class" and data["columns"] == "goal"
    cells = {(c["row"], c["column"]): c for c in data["cells"]}
    small_4 = cells[("liten", "Mål 4 Aktiv og meningsfull tilværelse")]
    assert (small_4["passages"], small_4["cases"]) == (3, 4)
    assert small_4["summary"] == "Boligmangel i små kommuner"
    assert cells[("stor", "Mål 1 Brukermedvirkning")]["passages"] == 2
    assert len(cells) == 5 * 5


def test_matrix_docx_has_repeated_header_caption_and_summary(project, tmp_path):
    path = _built(project)
    out = tmp_path / "matrise.docx"
    result = run_kodeverk("matrix", path, "-o", out)
    assert result.returncode == 0, result.stderr
    document = Document(str(out))
    table = document.tables[0]
    assert table.rows[0].cells[0].text == "size_class"
    assert table.rows[0].cells[4].text == "Mål 4 Aktiv og meningsfull tilværelse"
    header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header is not None
    assert table.rows[1].cells[0].text == "liten (n=4)"
    assert table.rows[1].cells[4].text == "3 utsagn\nBoligmangel i små kommuner"
    assert table.rows[2].cells[2].text == "1 utsagn"  # mellomstor, goal 2
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == ["Tabell: Kodede utsagn og sammendrag etter size_class og mål."]
    assert (out.stat().st_mode & 0o777) == 0o600


def test_matrix_xlsx_counts_and_summaries(project, tmp_path):
    path = _built(project)
    out = tmp_path / "matrise.xlsx"
    result = run_kodeverk("matrix", path, "--rows", "region", "--columns", "code", "-o", out)
    assert result.returncode == 0, result.stderr
    book = load_workbook(out)
    assert book.sheetnames == ["Antall", "Sammendrag"]
    counts = list(book["Antall"].values)
    assert counts[0][:3] == ("region", "Saker", "Mål 4 Aktiv og meningsfull tilværelse")
    by_region = {row[0]: row for row in counts[1:]}
    assert by_region["Nord-Norge"][1:3] == (2, 3)  # L1, L2: Omsorgsbolig ×2, Bolig
    assert by_region["Vestlandet"][1:3] == (3, 3)  # L3, M1, M2: Bolig M1 ×2, M2
    long = list(book["Sammendrag"].values)
    assert long[0] == ("region", "Kode", "Utsagn", "Sammendrag")


def test_case_rows_need_case_names(project, tmp_path):
    path = _built(project)
    before = table_dump(path)
    out = tmp_path / "m.docx"
    refused = run_kodeverk("matrix", path, "--rows", "case", "-o", out)
    assert refused.returncode != 0 and "--case-names" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not out.exists() and table_dump(path) == before
    allowed = run_kodeverk("matrix", path, "--rows", "case", "--case-names", "-o", out)
    assert allowed.returncode == 0, allowed.stderr
    assert Document(str(out)).tables[0].rows[1].cells[0].text == "L1 (n=1)"


def test_matrix_refuses_bad_input(project, tmp_path, capsys):
    path = _built(project)
    before = table_dump(path)
    for args, message in [
        (("--rows", "colour"), "colour"),
        (("-o", tmp_path / "m.pdf"), "--format"),
        (("-o", path, "--format", "docx"), "project"),
        (("-o", tmp_path / "missing" / "m.docx"), "does not exist"),
    ]:
        result = run_inprocess(capsys, "matrix", path, *args)
        assert result.returncode != 0 and message in result.stderr, (args, result.stderr)
    assert table_dump(path) == before


def test_goals_json_docx_and_xlsx(project, tmp_path, capsys):
    path = _built(project)
    result = run_inprocess(capsys, "goals", path, "--json")
    assert result.returncode == 0, result.stderr
    goal4 = json.loads(result.stdout)[3]
    assert goal4 == {
        "goal": 4,
        "label": "Mål 4 Aktiv og meningsfull tilværelse",
        "rating": "lav",
        "assessment": "Måloppnåelsen vurderes å være lav.",
        "passages": 6,
        "cases_with": 4,
        "cases": 10,
    }
    out = tmp_path / "mal.docx"
    assert run_kodeverk("goals", path, "-o", out).returncode == 0
    document = Document(str(out))
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == [
        "Mål", "Vurdering", "Måloppnåelse", "Kodede utsagn", "Saker som tar opp målet",
    ]  # fmt: skip
    assert [c.text for c in table.rows[4].cells] == [
        "Mål 4 Aktiv og meningsfull tilværelse", "Lav", "Måloppnåelsen vurderes å være lav.",
        "6", "4 / 10",
    ]  # fmt: skip
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    quotes = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert quotes[0].startswith("«Brukerrådet fungerer godt.»")
    assert all("S1" not in q and "intervju" not in q for q in quotes)  # anonymous attribution
    assert any("Liten kommune" in q for q in quotes)
    xlsx = tmp_path / "mal.xlsx"
    assert run_kodeverk("goals", path, "-o", xlsx, "--lang", "en").returncode == 0
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Goal attainment", "Evidence"]
    rows = list(book["Goal attainment"].values)
    assert rows[4][:6] == ("Goal 4 An active and meaningful life", "Low",
                           "Måloppnåelsen vurderes å være lav.", 6, 4, 10)  # fmt: skip
    assert len(list(book["Evidence"].values)) == 1 + 1 + 1 + 3  # header, goal 1, 2, 4 (3 shown)


def test_control_characters_do_not_break_word(project, tmp_path):
    build(project)
    matrix = framework_matrix(project, "size_class", "goal")
    set_summary(project, "anna", matrix, "stor", "1", "Bruker\x01råd\x0b i store")
    set_assessment(project, "anna", 1, assessment="Høy\x00 måloppnåelse")
    path = project.path
    project.close()
    out, goals = tmp_path / "m.docx", tmp_path / "g.docx"
    assert run_kodeverk("matrix", path, "-o", out).returncode == 0
    assert Document(str(out)).tables[0].rows[3].cells[1].text == "2 utsagn\nBrukerråd i store"
    result = run_kodeverk("goals", path, "-o", goals)
    assert result.returncode == 0, result.stderr
    assert Document(str(goals)).tables[0].rows[1].cells[2].text == "Høy måloppnåelse"
