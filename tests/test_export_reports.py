"""Quote reports and tables, read back with python-docx, openpyxl and lxml."""

from __future__ import annotations

import csv

import pytest

from exports.quotes import collect_quotes, quote_report
from tests.conftest import run_kodeverk, table_dump
from tests.prevalence_project import build

CASE_NAMES = ("L1", "L2", "L3", "L4", "M1", "M2", "M3", "S1", "S2", "X1")


@pytest.fixture
def built(project, project_path):
    build(project)
    project.close()
    return project_path


def export(project_path, output, *args):
    done = run_kodeverk("export", project_path, "--output", output, *args)
    assert done.returncode == 0, done.stderr
    return output


def test_report_model_groups_by_goal_then_code(project):
    build(project)
    report = quote_report(project)
    assert [g.goal for g in report.goals] == [1, 2, 4, None]
    goal4 = report.goals[2]
    assert [c.label for c in goal4.codes] == ["Bolig", "Bolig/Omsorgsbolig"]
    # M1 was coded Bolig by bjørn and by consensus: one quote
    assert len(goal4.codes[0].quotes) == 3
    limited = quote_report(project, max_per_code=2, codes=["Ressurser"])
    assert [g.goal for g in limited.goals] == [2, None]  # Forebygging carries goal 2
    section = limited.goals[1].codes[0]
    assert len(section.quotes) == 2 and section.total_quotes == 3
    only_anna = quote_report(project, coder="anna")
    assert all(q.coder == "anna" for g in only_anna.goals for c in g.codes for q in c.quotes)


def test_quotes_are_exact_slices_with_memos(project):
    ids = build(project)
    quotes = collect_quotes(project, code_ids=[ids["Bolig"]], coder="anna")
    assert [q.text for q in quotes] == ["Vi mangler boliger i L1."]
    assert quotes[0].memo == "Tydelig om boligmangel"
    assert quotes[0].attribution() == "(Liten kommune i Nord-Norge)"


def test_docx_has_real_styles(built, tmp_path):
    from docx import Document

    path = export(built, tmp_path / "r.docx", "--prevalence")
    document = Document(str(path))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    headings1 = [t for s, t in styled if s == "Heading 1"]
    assert headings1 == [
        "Mål 1 Brukermedvirkning",
        "Mål 2 Tidlig innsats",
        "Mål 4 Aktiv og meningsfull tilværelse",
        "Tverrgående tema",
    ]
    assert ("Heading 2", "Bolig") in styled
    assert any(s == "Normal" and t == "Bolig og botilbud" for s, t in styled)
    quotes = [t for s, t in styled if s == "Quote"]
    assert "«Vi mangler boliger i M2.» (Mellomstor kommune på Vestlandet)" in quotes
    assert "«Vi mangler boliger i X1.» (Kommune)" in quotes
    assert len(quotes) == 10
    assert len(document.tables) == 4
    table = document.tables[2]
    assert table.style.name == "Light Grid Accent 1"
    assert [c.text for c in table.rows[0].cells][:3] == ["Kode", "liten", "mellomstor"]
    assert table.rows[2].cells[2].text == "2 av 3 (et klart flertall)"
    text = "\n".join(t for _, t in styled)
    assert not any(f"intervju {name}" in text for name in CASE_NAMES)
    assert document.core_properties.title == styled[0][1]
    assert document.core_properties.author == "kodeverk"


def test_report_in_english_keeps_quotes_and_attributions(built, tmp_path):
    from docx import Document
    from lxml import html

    path = export(built, tmp_path / "r.docx", "--prevalence", "--lang", "en")
    document = Document(str(path))
    styled = [(p.style.name, p.text) for p in document.paragraphs]
    assert styled[0][1].startswith("Coded quotes")
    assert [t for s, t in styled if s == "Heading 1"][-1] == "Cross-cutting themes"
    assert "«Vi mangler boliger i M2.» (Mellomstor kommune på Vestlandet)" in [
        t for s, t in styled if s == "Quote"
    ]
    header = [c.text for c in document.tables[2].rows[0].cells]
    assert header[0] == "Code" and header[-1] == "Total"
    assert document.tables[2].rows[2].cells[2].text == "2 of 3 (a clear majority)"
    assert any(s == "Caption" and t.startswith("Municipalities raising") for s, t in styled)
    page = html.parse(str(export(built, tmp_path / "r.html", "--lang", "en"))).getroot()
    assert page.get("lang") == "en" and page.find(".//blockquote").get("lang") == "nb"


def test_docx_groups_by_attribute_and_names_on_request(built, tmp_path):
    from docx import Document

    path = export(built, tmp_path / "r.docx", "--by", "size_class", "--attribution", "{case}")
    styled = [(p.style.name, p.text) for p in Document(str(path)).paragraphs]
    assert [t for s, t in styled if s == "Heading 3"][:2] == ["Stor", "Mellomstor"]
    assert "«Brukerrådet fungerer godt.» (S1)" in [t for s, t in styled if s == "Quote"]


def test_markdown_and_html(built, tmp_path):
    from lxml import html

    md = export(built, tmp_path / "r.md", "--codes", "Bolig", "--prevalence").read_text()
    assert md.startswith("# Kodede sitater")
    assert "## Mål 4 Aktiv og meningsfull tilværelse" in md and "### Bolig" in md
    assert "> «Vi mangler boliger i L1.» (Liten kommune i Nord-Norge)" in md
    assert "| Kode | liten | mellomstor | stor | storby | (mangler) | Totalt |" in md
    assert "Brukerrådet" not in md
    page = html.parse(str(export(built, tmp_path / "r.html"))).getroot()
    assert [h.text_content() for h in page.iter("h1")] == ["Kodede sitater: test"]
    assert next(h.text_content() for h in page.iter("h2")) == "Mål 1 Brukermedvirkning"
    blocks = page.findall(".//blockquote")
    assert len(blocks) == 10
    assert blocks[0].find("cite").text_content() == "(Stor kommune i Midt-Norge)"
    assert "intervju" not in html.tostring(page, encoding="unicode")


def test_csv_is_anonymous_unless_asked(built, tmp_path):
    path = export(built, tmp_path / "c.csv")
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert len(rows) == 12  # every coding, every coder
    first = rows[0]
    assert first["document"] == "1" and first["case"] == "1"
    assert first["size_class"] == "liten" and first["goal"] == "4"
    assert (
        first["code"].endswith("Bolig/Omsorgsbolig")
        and first["quote"] == "Vi mangler boliger i L1."
    )
    assert all(name not in path.read_text() for name in ("intervju", "L1 L1a"))
    named = export(built, tmp_path / "n.csv", "--attribution", "{document}")
    first = next(csv.DictReader(named.open(encoding="utf-8-sig")))
    assert first["document"] == "intervju L1 L1a" and first["case"] == "L1"


def test_xlsx_codings_and_prevalence_sheets(built, tmp_path):
    from openpyxl import load_workbook

    book = load_workbook(export(built, tmp_path / "c.xlsx", "--codings-of", "anna"))
    assert book.sheetnames == [
        "Kodinger",
        "Koder etter kommunestørrelse",
        "Mål etter kommunestørrelse",
        "Koder etter landsdel",
        "Mål etter landsdel",
    ]
    sheet = book["Kodinger"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["coding", "document", "case"] and "memo" in header
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:M{sheet.max_row}"
    assert sheet.max_row == 1 + 7  # anna's codings
    assert sheet.column_dimensions["H"].width > 20  # the code path column
    goals = book["Mål etter kommunestørrelse"]
    assert goals.cell(2, 1).value == "Mål 1 Brukermedvirkning"


def test_errors_are_one_line_and_leave_the_project_alone(built, tmp_path):
    before = table_dump(built)
    cases = [
        (["--output", tmp_path / "no" / "x.docx"], "folder does not exist"),
        (["--output", tmp_path / "x.docx", "--codes", "Finnes ikke"], "Finnes ikke"),
        (["--output", tmp_path / "x.docx", "--attribution", "{region"], "--attribution"),
        (["--output", tmp_path / "x.md", "--attribution", "{regoin}"], "no case has {regoin}"),
        (["--output", tmp_path / "x.csv", "--attribution", "{regoin}"], "no case has {regoin}"),
        (["--output", tmp_path / "x.md", "--by", "kommune"], "--by kommune"),
        (["--output", tmp_path / "x.md", "--codings-of", "nobody"], "no coder named 'nobody'"),
    ]
    for args, message in cases:
        done = run_kodeverk("export", built, *args)
        assert done.returncode == 1, done.stdout
        assert done.stderr.startswith("kodeverk: error:") and message in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert table_dump(built) == before


def test_qdpx_goes_to_the_refi_exporter(built, tmp_path):
    import zipfile

    path = export(built, tmp_path / "p.qdpx")
    assert "project.qde" in zipfile.ZipFile(path).namelist()


def test_docx_quote_keeps_line_breaks_and_tabs(tmp_path):
    """Quotes are written as XML directly (fast path): breaks and tabs survive as Word expects."""
    from docx import Document

    from exports.docx_report import _append_before_section_properties, _paragraph

    document = Document()
    _append_before_section_properties(document, [_paragraph("første linje\nandre\tlinje")])
    document.save(tmp_path / "q.docx")
    assert Document(tmp_path / "q.docx").paragraphs[0].text == "første linje\nandre\tlinje"
