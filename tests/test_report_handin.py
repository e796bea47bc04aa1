"""Issue 15: reports ready to hand in and anonymity that holds. Files are read back with
python-docx/lxml, openpyxl, csv and zipfile."""

from __future__ import annotations

import csv
import itertools
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
    from openpyxl import load_workbook

    book = ok_export(hostile, tmp_path / "a.xlsx", "--attributes", "innbyggere,fylke")
    sheet = load_workbook(book)["Kodinger"]
    header = [c.value for c in sheet[1]]
    population = [r[header.index("innbyggere")].value for r in sheet.iter_rows(min_row=2)]
    assert 6017 in population and 12457 in population  # numbers, not text
    counties = [r[header.index("fylke")] for r in sheet.iter_rows(min_row=2)]
    assert all(c.quotePrefix for c in counties if c.value == "@SUM(1+1)")


def test_small_cells_are_warned_about(hostile, tmp_path):
    done = ok("export", hostile, "--output", tmp_path / "a.csv")
    assert "færre enn 3" in done.stderr  # e.g. «Liten kommune i Midt-Norge» … one case


@pytest.fixture
def built(project, project_path):
    build(project)
    project.set_meta("name", "Demo: Opptrappingsplanen")
    project.close()
    return project_path


def docx_xml(path) -> dict[str, object]:
    from lxml import etree

    with zipfile.ZipFile(path) as package:
        return {
            n: etree.fromstring(package.read(n)) for n in package.namelist() if n.endswith("xml")
        }


def test_docx_page_language_and_page_numbers(built, tmp_path):
    parts = docx_xml(ok_export(built, tmp_path / "r.docx", "--prevalence"))
    size = parts["word/document.xml"].find(f".//{W}sectPr/{W}pgSz")
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")  # A4
    margins = parts["word/document.xml"].find(f".//{W}sectPr/{W}pgMar")
    assert margins.get(f"{W}left") == margins.get(f"{W}right") == "1417"  # 2.5 cm
    langs = [e.get(f"{W}val") for e in parts["word/styles.xml"].iter(f"{W}lang")]
    assert langs and set(langs) == {"nb-NO"}
    defaults = parts["word/styles.xml"].find(f"{W}docDefaults")
    assert defaults.find(f".//{W}lang").get(f"{W}val") == "nb-NO"
    footers = [x for n, x in parts.items() if n.startswith("word/footer")]
    fields = [f.get(f"{W}instr").strip() for x in footers for f in x.iter(f"{W}fldSimple")]
    assert "PAGE" in fields


def test_docx_prevalence_tables_ready_to_print(built, tmp_path):
    from docx import Document

    path = ok_export(built, tmp_path / "r.docx", "--prevalence")
    document = Document(str(path))
    table = document.tables[0]  # goal 1: Brukerråd
    rows = table._tbl.findall(f"{W}tr")
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
    widths = [int(c.get(f"{W}w")) for c in table._tbl.find(f"{W}tblGrid")]
    assert widths[0] > widths[1] and sum(widths) <= 9072 + 10  # 16 cm text width, in twips
    assert table.rows[2].cells[0].text == "Brukerråd"  # the code's name, not its path
    cell = table.rows[1].cells[1].paragraphs[0]
    assert cell.alignment == 2  # right
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions[0] == "Kommuner som tar opp temaet, etter kommunestørrelse."
    bolig = document.tables[2]
    assert [c.text for c in bolig.columns[0].cells][1:] == [
        "Mål 4 Aktiv og meningsfull tilværelse",
        "Bolig",
        "Omsorgsbolig\nBolig",
    ]


def test_docx_headings_once_and_kept_with_quotes(built, tmp_path):
    from docx import Document

    path = ok_export(built, tmp_path / "r.docx", "--prevalence")
    document = Document(str(path))
    title = document.paragraphs[0].text
    assert title == "Kodede sitater – Demo: Opptrappingsplanen"  # not «…: Demo: …»
    headings = [p for p in document.paragraphs if p.style.name.startswith("Heading")]
    texts = [p.text for p in headings]
    assert all(a != b for a, b in itertools.pairwise(texts))
    for paragraph in document.paragraphs:
        if paragraph.style.name.startswith("Heading") or paragraph.text == "Bolig og botilbud":
            assert paragraph.paragraph_format.keep_with_next, paragraph.text


def test_quotes_coded_with_the_goal_code_get_no_second_heading(project, project_path, tmp_path):
    from docx import Document

    ids = build(project)
    apply_coding(project, ids["doc:L2"], ids["Mål 1"], "anna", *HOUSING)
    project.close()
    document = Document(str(ok_export(project_path, tmp_path / "r.docx")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings.count("Mål 1 Brukermedvirkning") == 1


def test_attribute_labels_bundled_and_per_project(built, tmp_path):
    ok("cases", "label", built, "size_class", "Innbyggertall (klasse)")
    md = ok_export(built, tmp_path / "r.md", "--prevalence").read_text()
    assert "Kommuner som tar opp temaet, etter Innbyggertall (klasse)." in md
    page = ok_export(built, tmp_path / "r.html", "--prevalence", "--by", "region").read_text()
    assert "<caption>Kommuner som tar opp temaet, etter landsdel.</caption>" in page
    refused = run_kodeverk("cases", "label", built, "no_such", "X")
    assert refused.returncode != 0 and "no_such" in refused.stderr


def test_markdown_escapes_every_user_text_and_html_has_title(project, project_path, tmp_path):
    from lxml import html

    ids = build(project)
    hostile = add_code(project, "<img src=x onerror=alert(1)>", parent_id=ids["Mål 4"])
    apply_coding(project, ids["doc:L2"], hostile, "anna", *HOUSING)
    set_attributes(project, ids["L2"], {"region": "<b>*Nord*</b>"})
    project.close()
    md = ok_export(project_path, tmp_path / "r.md", "--prevalence").read_text()
    assert not re.search(r"(?<!\\)<", md)  # every «<» escaped
    assert "### \\<img src=x onerror=alert(1)\\>" in md
    page = html.parse(str(ok_export(project_path, tmp_path / "r.html", "--prevalence")))
    root = page.getroot()
    assert root.find(".//h1").text_content().startswith("Kodede sitater")
    assert root.find(".//img") is None
    captions = [c.text_content() for c in root.iter("caption")]
    assert captions and captions[0] == "Kommuner som tar opp temaet, etter kommunestørrelse."


def test_few_is_not_some_and_the_scale_is_printed(project, project_path, tmp_path):
    from coding.prevalence import prevalence
    from coding.stats import quantifier

    assert quantifier(2, 300) == "noen få" and quantifier(2, 300, "en") == "a few"
    assert quantifier(30, 300) == "en del"  # exactly 10 %: no longer «noen få»
    assert quantifier(2, 300, few_below=0.005) == "en del"
    ids = build(project)
    ressurser = prevalence(project, "size_class", codes=[ids["Ressurser"]])
    label = ressurser.themes[0].label
    assert ressurser.cell(label, None).quantifier == "en del"  # 4 of 10 (with Forebygging)
    wide = prevalence(project, "size_class", codes=[ids["Ressurser"]], few_below=0.45)
    assert wide.cell(label, None).quantifier == "noen få"
    project.set_meta("few_below", "0.45")
    assert prevalence(project, "size_class").cell(label, None).quantifier == "noen få"
    project.set_meta("few_below", "0.55")  # out of range: a one-line error naming it
    project.close()
    refused = run_kodeverk("prevalence", project_path, "--by", "size_class")
    assert refused.returncode != 0 and "few_below" in refused.stderr
    bad = run_kodeverk("prevalence", project_path, "--by", "size_class", "--few-below", "2")
    assert bad.returncode != 0 and "--few-below" in bad.stderr
    args = ("--prevalence", "--few-below", "0.1")
    md = ok_export(project_path, tmp_path / "r.md", *args).read_text()
    assert "«noen få» to eller flere, men under 10 % av kommunene" in md


NAMED = "Psykolog Frid Hansen sa at vi i Vadsø mangler boliger. Vadsøs rusteam er lite.\n"


@pytest.fixture
def named(project, project_path):
    """A document naming a person and its municipality, coded as one quote."""
    from coding.cases import ensure_case
    from coding.documents import Segment, add_document

    case = ensure_case(project, "Vadsø")
    set_attributes(project, case, {"size_class": "liten", "region": "Nord-Norge"})
    segments = [Segment(0, len(NAMED) - 1, "paragraph", 0)]
    doc = add_document(project, "intervju Vadsø", NAMED, "interview", segments, case_id=case)
    code = add_code(project, "Bolig", goal=4)
    apply_coding(project, doc, code, "anna", 0, len(NAMED) - 1)
    project.close()
    return project_path, doc


def test_marked_names_are_replaced_in_every_export(named, tmp_path):
    from coding.store import Project

    path, doc = named
    suggested = ok("anonymise", path, "--suggest", "--json").stdout
    import json

    found = {(s["text"], s["replacement"]) for s in json.loads(suggested)}
    assert {("Frid Hansen", "[navn]"), ("Vadsø", "[kommune]"), ("Vadsøs", "[kommune]")} <= found
    for text, replacement in (("Frid Hansen", "[navn]"), ("Vadsø", "[kommune]")):
        start = NAMED.index(text)
        ok("anonymise", path, "--mark", doc, start, start + len(text), "--replacement", replacement)
    start = NAMED.index("Vadsøs")
    ok("anonymise", path, "--mark", doc, start, start + 6, "--replacement", "[kommune]")
    with Project.open(path) as project:
        rows = project.conn.execute("SELECT replacement FROM anonymisations").fetchall()
        assert sorted(r[0] for r in rows) == ["[kommune]", "[kommune]", "[navn]"]
        actions = [r[0] for r in project.conn.execute("SELECT action FROM events")]
        assert actions.count("anonymise.add") == 3
    for name in ("a.docx", "a.xlsx", "a.csv", "a.md", "a.html"):
        out = ok_export(path, tmp_path / name)
        if name.endswith(("docx", "xlsx")):
            with zipfile.ZipFile(out) as package:
                text = "".join(
                    package.read(n).decode("utf-8", "replace") for n in package.namelist()
                )
        else:
            text = out.read_text(encoding="utf-8-sig").replace("\\", "")
        assert "Hansen" not in text and "Vadsø" not in text, name
        assert "[navn]" in text and "[kommune] mangler" in text, name
    ok("codings", "export", path, tmp_path / "k.csv")
    exported = (tmp_path / "k.csv").read_text(encoding="utf-8-sig")
    assert "Hansen" not in exported.split("\n", 1)[1].split(",", 2)[2]
    again = ok("codings", "import", path, tmp_path / "k.csv")  # still matches its document
    assert "already" in again.stdout


def test_marks_are_undoable_and_bad_marks_refused(named):
    from coding.anonymise import add_anonymisation
    from coding.operations import undo
    from coding.store import Project
    from tests.conftest import table_dump

    path, doc = named
    before = table_dump(path)
    bad = run_kodeverk("anonymise", path, "--mark", str(doc), "5", "9999")
    assert bad.returncode != 0 and "outside document" in bad.stderr
    assert table_dump(path) == before
    with Project.open(path) as project:
        add_anonymisation(project, doc, 0, 8, "[tittel]", "anna")
        undo(project, "anna")
        assert project.conn.execute("SELECT count(*) FROM anonymisations").fetchone() == (0,)


def test_anonymised_demo_exports_name_nobody(tmp_path):
    """The demo's exports in every format: no case name, document name, county or population
    in any part of any file (docx and xlsx unzipped)."""
    import sqlite3

    from corpus.demo import build_demo

    path = build_demo(tmp_path / "demo.kodeverk")
    conn = sqlite3.connect(path)
    words = {r[0] for r in conn.execute("SELECT name FROM cases WHERE name NOT LIKE 'Respondent%'")}
    for (name,) in conn.execute("SELECT name FROM documents WHERE kind = 'interview'"):
        words |= {name, name.rsplit(".", 1)[0]}
    sql = "SELECT value FROM case_attributes WHERE name IN ('fylke', 'innbyggere')"
    words |= {r[0] for r in conn.execute(sql)}
    conn.close()
    assert {"Vadsø", "Finnmark"} <= words and len(words) > 15
    for name in ("a.docx", "a.xlsx", "a.csv", "a.md", "a.html"):
        out = ok_export(path, tmp_path / name, "--prevalence")
        if name.endswith(("docx", "xlsx")):
            with zipfile.ZipFile(out) as package:
                parts = {n: package.read(n).decode("utf-8", "replace") for n in package.namelist()}
        else:
            parts = {name: out.read_text(encoding="utf-8-sig")}
        for part, text in parts.items():
            for word in words:
                assert not re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text), (name, part, word)


def test_prevalence_tables_warn_about_small_groups(hostile, tmp_path):
    done = ok("prevalence", hostile, "--by", "fylke", "--csv", tmp_path / "p.csv")
    assert "færre enn 3" in done.stderr and "Finnmark (1)" in done.stderr
    sizes = ok("prevalence", hostile, "--by", "size_class", "--csv", tmp_path / "q.csv")
    assert "stor (2)" in sizes.stderr and "liten" not in sizes.stderr  # liten: 5 cases


def test_small_groups_fold_on_request(built, tmp_path):
    out = tmp_path / "a.csv"
    done = ok("export", built, "--output", out, "--fold-small")
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["attribution"] for r in rows} == {
        "(Liten kommune)",
        "(Mellomstor kommune)",
        "(Kommune)",  # S1 (the only coded «stor») folded in with X1, which has no attributes
    }
    assert "region" not in rows[0] and "size_class" in rows[0]  # every region folded away
    assert "(Kommune) (2)" in done.stderr  # still small: said so
    md = ok_export(built, tmp_path / "a.md", "--fold-small").read_text()
    assert "(Liten kommune)" in md and "Nord-Norge" not in md
