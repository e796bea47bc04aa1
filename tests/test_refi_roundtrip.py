"""REFI-QDA export → schema validation → import into a fresh project → the same project."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from codebooks.qdc import import_qdc, read_qdc, write_qdc
from codebooks.refi_common import CODEBOOK_XSD, PROJECT_NS, PROJECT_XSD, schema
from coding.backup import backup_to
from coding.cases import set_attributes
from coding.codes import add_code, code_paths, list_codes
from coding.documents import add_document, normalise_text
from coding.groups import CodeGroup, list_groups, merge_groups
from coding.operations import apply_coding, set_memo
from coding.store import Project, new_guid
from corpus.qdpx import import_qdpx
from exports.qdpx_write import export_qdpx
from tests.conftest import run_kodeverk, sentence_segments, table_dump

EMOJI_TEXT = normalise_text(
    "Intervjuer: Har dere et lavterskeltilbud? 🙂\n"
    "Informant 2: Ja, vi har et 𝔣𝔞𝔫𝔱𝔞𝔰𝔱𝔦𝔰𝔨 ambulant team. Det når folk tidlig.\n"
)


def _words(text: str, first: str, last: str) -> tuple[int, int]:
    start = text.index(first)
    return start, text.index(last, start) + len(last)


@pytest.fixture
def rich_project(small_project: Project) -> Project:
    """The small project plus a second document with astral characters, two coders, memos."""
    p = small_project
    vadso = p.conn.execute("SELECT id FROM cases WHERE name = 'Vadsø'").fetchone()[0]
    tidlig = add_code(
        p,
        "Tidlig innsats",
        goal=2,
        description="Forebygging og tidlig hjelp.",
        include_note="Lavterskel, oppsøkende arbeid.",
        exclude_note="Behandling i spesialisthelsetjenesten.",
        colour="#1f77b4",
        keywords=["lavterskel", "tidlig"],
    )
    doc2 = add_document(
        p, "intervju-vadso", EMOJI_TEXT, "interview", sentence_segments(EMOJI_TEXT), case_id=vadso
    )
    doc1 = p.conn.execute("SELECT id FROM documents WHERE name = 'intervju-oslo'").fetchone()[0]
    text1 = p.conn.execute("SELECT text FROM documents WHERE id = ?", (doc1,)).fetchone()[0]
    codes = {path: cid for cid, path in code_paths(p).items()}
    raad = apply_coding(
        p,
        doc1,
        codes["Mål 1 Brukermedvirkning/Brukerråd"],
        "ola",
        *_words(text1, "Vi", "brukerråd"),
    )
    apply_coding(p, doc1, codes["Bolig"], "kari", *_words(text1, "Det mangler", "lang"))
    apply_coding(p, doc1, codes["Bolig"], "ola", *_words(text1, "Det mangler", "boliger"))
    apply_coding(p, doc2, tidlig, "kari", *_words(EMOJI_TEXT, "𝔣", "tidlig"))
    apply_coding(p, doc2, tidlig, "ola", *_words(EMOJI_TEXT, "Har", "🙂"))
    set_memo(p, "ola", "coding", raad.id, "Brukerrådet nevnes uoppfordret.")
    set_memo(p, "kari", "document", doc2, "Godt intervju 😀 om tidlig innsats.")
    set_memo(p, "kari", "code", tidlig, "Grensen mot behandling er uklar.")
    set_memo(p, "ola", "project", None, "Prosjektnotat.")
    set_memo(p, "ola", "case", vadso, "Liten kommune, lang reisevei.")
    return p


def _codings(project: Project) -> list[tuple]:
    paths = code_paths(project)
    rows = project.conn.execute(
        'SELECT d.name, k.code_id, c.name, substr(d.text, k.start + 1, k."end" - k.start), '
        'k.start, k."end" FROM codings k JOIN documents d ON d.id = k.document_id '
        "JOIN coders c ON c.id = k.coder_id"
    ).fetchall()
    return sorted((doc, paths[code], coder, quote, s, e) for doc, code, coder, quote, s, e in rows)


def _codes(project: Project) -> list[tuple]:
    return sorted(
        (
            c.path,
            c.guid,
            c.goal,
            c.description,
            c.include_note,
            c.exclude_note,
            c.colour,
            tuple(c.keywords),
        )
        for c in list_codes(project)
    )


def _cases(project: Project) -> list[tuple]:
    rows = project.conn.execute(
        "SELECT c.name, a.name, a.value FROM cases c LEFT JOIN case_attributes a "
        "ON a.case_id = c.id"
    ).fetchall()
    docs = project.conn.execute(
        "SELECT d.name, c.name FROM documents d LEFT JOIN cases c ON c.id = d.case_id"
    ).fetchall()
    return sorted(rows) + sorted(docs)


def _memos(project: Project) -> list[tuple]:
    return sorted(
        project.conn.execute(
            "SELECT c.name, m.target_kind, m.text FROM memos m JOIN coders c ON c.id = m.coder_id"
        ).fetchall()
    )


def test_qdpx_round_trip_is_schema_valid_and_loses_nothing(rich_project, tmp_path):
    out = tmp_path / "prosjekt.qdpx"
    export_qdpx(rich_project, out)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        xml = archive.read("project.qde")
    assert "project.qde" in names and all(n.startswith("sources/") for n in names[1:])
    assert schema(PROJECT_XSD).validate(etree.fromstring(xml))
    xmlschema.XMLSchema(str(PROJECT_XSD)).validate(xml.decode("utf-8"))

    with Project.create(tmp_path / "back.kodeverk") as back:
        report = import_qdpx(back, out)
        assert report.warnings == []
        assert report.position_unit == "codepoints"
        assert _codes(back) == _codes(rich_project)
        assert back.coder_names() == rich_project.coder_names()
        assert _cases(back) == _cases(rich_project)
        assert _codings(back) == _codings(rich_project)  # same quote text for every coding
        assert _memos(back) == _memos(rich_project)
        guids = "SELECT guid FROM {} ORDER BY guid"
        for table in ("documents", "codings", "coders", "cases"):
            sql = guids.format(table)
            assert back.conn.execute(sql).fetchall() == rich_project.conn.execute(sql).fetchall()
        assert back.conn.execute("SELECT count(*) FROM segments").fetchone()[0] > 0


def test_overlapping_selections_of_one_code_by_one_coder_become_one_coding(small_project, tmp_path):
    """Another tool may store overlapping or touching selections of one code by one user;
    kodeverk keeps one coded passage per stretch (as ``apply_coding`` does), so the import
    merges them and moves their memos to the coding kept."""
    p = small_project
    doc, text = p.conn.execute("SELECT id, text FROM documents").fetchone()
    code = p.conn.execute("SELECT id FROM codes ORDER BY id").fetchone()[0]
    first = apply_coding(p, doc, code, "ola", 0, 10)
    b, c, d = new_guid(), new_guid(), new_guid()
    with p.transaction():  # what NVivo may write: kept apart, not merged
        for guid, (start, end) in [(b, (5, 20)), (c, (20, 25)), (d, (40, 50))]:
            p.conn.execute(
                'INSERT INTO codings(guid, document_id, code_id, coder_id, start, "end", '
                "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (guid, doc, code, p.coder_id("ola"), start, end, "2024-01-01T00:00:00Z"),
            )
    apply_coding(p, doc, code, "kari", 3, 30)  # another coder: not merged with ola's
    set_memo(
        p,
        "ola",
        "coding",
        p.conn.execute("SELECT id FROM codings WHERE guid = ?", (c,)).fetchone()[0],
        "Touching.",
    )
    out = tmp_path / "overlap.qdpx"
    export_qdpx(p, out)
    with Project.create(tmp_path / "back.kodeverk") as back:
        report = import_qdpx(back, out)
        rows = back.conn.execute(
            'SELECT c.name, k.guid, k.start, k."end" FROM codings k '
            "JOIN coders c ON c.id = k.coder_id ORDER BY c.name, k.start"
        ).fetchall()
        memo = back.conn.execute("SELECT target_guid, text FROM memos").fetchone()
    assert report.merged_codings == 2
    assert "2 codings overlapping or touching" in report.summary()
    assert rows == [
        ("kari", rows[0][1], 3, 30),
        ("ola", first.guid, 0, 25),
        ("ola", d, 40, 50),
    ]
    assert memo == (first.guid, "Touching.")
    assert text[0:25]  # the merged quote lies inside the document


def test_qdpx_export_with_progress_and_empty_project(project, tmp_path):
    calls = []
    export_qdpx(project, tmp_path / "empty.qdpx", progress=lambda *a: calls.append(a))
    xml = zipfile.ZipFile(tmp_path / "empty.qdpx").read("project.qde")
    assert schema(PROJECT_XSD).validate(etree.fromstring(xml))
    assert calls == []


def test_qdc_round_trip_keeps_guids_and_merges(rich_project, tmp_path):
    first, second = tmp_path / "a.qdc", tmp_path / "b.qdc"
    write_qdc(rich_project, first)
    write_qdc(rich_project, second)
    assert first.read_bytes() == second.read_bytes()  # stable GUIDs, stable output
    assert schema(CODEBOOK_XSD).validate(etree.parse(str(first)))
    xmlschema.XMLSchema(str(CODEBOOK_XSD)).validate(str(first))
    book = read_qdc(first)
    assert [c.name for c in book.codes][:2] == ["Mål 1 Brukermedvirkning", "Bolig"]

    with Project.create(tmp_path / "fresh.kodeverk") as fresh:
        report = import_qdc(fresh, first)
        assert (len(report.added), len(report.matched), len(report.skipped)) == (4, 0, 0)
        assert _codes(fresh) == _codes(rich_project)
        again = import_qdc(fresh, first)
        assert (len(again.added), len(again.matched)) == (0, 4)


def test_qdc_merge_matches_by_path_when_guids_differ(small_project, tmp_path):
    with Project.create(tmp_path / "other.kodeverk") as other:
        parent = add_code(other, "Mål 1 Brukermedvirkning")
        add_code(other, "Brukerråd", parent_id=parent)
        add_code(other, "Ny kode", parent_id=parent, colour="#aa0000")
        write_qdc(other, tmp_path / "other.qdc")
    before = {c.path: c.guid for c in list_codes(small_project)}
    report = import_qdc(small_project, tmp_path / "other.qdc")
    assert report.added == ["Mål 1 Brukermedvirkning/Ny kode"]
    assert report.matched == ["Mål 1 Brukermedvirkning", "Mål 1 Brukermedvirkning/Brukerråd"]
    after = {c.path: c.guid for c in list_codes(small_project)}
    assert all(after[path] == guid for path, guid in before.items())  # project GUIDs kept


def test_cli_codebook_export_and_import(small_project, tmp_path):
    path = small_project.path
    qdc = tmp_path / "kodebok.qdc"
    small_project.close()
    done = run_kodeverk("codebook", "export", path, qdc)
    assert done.returncode == 0, done.stderr
    assert schema(CODEBOOK_XSD).validate(etree.parse(str(qdc)))
    done = run_kodeverk("codebook", "import", path, qdc)
    assert done.returncode == 0, done.stderr
    assert "0 codes added, 3 matched, 0 skipped" in done.stdout
    before = table_dump(path)
    broken = tmp_path / "broken.qdc"
    broken.write_text("<CodeBook><Codes><Code></CodeBook>", encoding="utf-8")
    done = run_kodeverk("codebook", "import", path, broken)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "not well-formed XML" in done.stderr
    assert table_dump(path) == before


def test_empty_codebook_export_is_refused(project, tmp_path):
    from coding.errors import CodebookError

    with pytest.raises(CodebookError, match="no codes"):
        write_qdc(project, tmp_path / "x.qdc")
    assert not (tmp_path / "x.qdc").exists()


def test_round_trip_file_sizes_are_small(rich_project, tmp_path: Path):
    export_qdpx(rich_project, tmp_path / "p.qdpx")
    assert (tmp_path / "p.qdpx").stat().st_size < 20_000


def test_qdpx_coded_elsewhere_comes_back_into_the_same_documents(rich_project, tmp_path):
    """Export, code on in another tool (here: a second project with the same GUIDs), import
    back: the documents are matched by GUID and text, only the new work is added, and a
    re-import of the project's own export changes nothing."""
    own = tmp_path / "own.qdpx"
    export_qdpx(rich_project, own)
    dump = table_dump(rich_project.path)
    again = import_qdpx(rich_project, own)
    assert (again.documents, again.documents_matched) == (0, 2)
    assert (again.codings, again.codings_matched, again.memos) == (0, 5, 0)
    assert "already in the project: 2 documents" in again.summary()
    new_rows = [row for row in table_dump(rich_project.path) if row not in dump]
    tables = {row.split('"')[1] for row in new_rows}
    assert tables <= {"imports", "events", "sqlite_sequence"}, new_rows  # only the import's record

    elsewhere = tmp_path / "elsewhere.kodeverk"
    backup_to(rich_project, elsewhere)
    with Project.open(elsewhere) as other:
        doc, text = other.conn.execute(
            "SELECT id, text FROM documents WHERE name = 'intervju-vadso'"
        ).fetchone()
        code = other.conn.execute("SELECT id FROM codes WHERE name = 'Tidlig innsats'").fetchone()[
            0
        ]
        apply_coding(other, doc, code, "nina", *_words(text, "Det", "tidlig"))
        set_memo(other, "nina", "document", doc, "Nina leste dette i NVivo.")
        export_qdpx(other, tmp_path / "nina.qdpx")
        expected = _codings(other), _memos(other)
    report = import_qdpx(rich_project, tmp_path / "nina.qdpx")
    assert (report.documents, report.codings, report.codings_matched) == (0, 1, 5)
    assert (_codings(rich_project), _memos(rich_project)) == expected
    assert rich_project.conn.execute("SELECT count(*) FROM documents").fetchone() == (2,)


def test_cli_export_then_init_from_the_file(rich_project, tmp_path):
    """`kodeverk export --format qdpx` then `kodeverk init NEW --from FILE`: every quote again,
    and the import's summary printed."""
    path = rich_project.path
    expected = _codings(rich_project), _codes(rich_project), _cases(rich_project)
    rich_project.close()
    out = tmp_path / "deling.qdpx"
    done = run_kodeverk("export", path, "--format", "qdpx", "--output", out)
    assert done.returncode == 0, done.stderr
    fresh = tmp_path / "fra-fil.kodeverk"
    made = run_kodeverk("init", fresh, "--from", out)
    assert made.returncode == 0, made.stderr
    assert "2 documents, 5 codings from 5 selections" in made.stdout
    with Project.open(fresh) as back:
        assert (_codings(back), _codes(back), _cases(back)) == expected


# -- what other tools read (issue 16): the XML as QualCoder, MAXQDA and ATLAS.ti take it ---------
def _qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("project.qde")
    assert schema(PROJECT_XSD).validate(etree.fromstring(xml))
    xmlschema.XMLSchema(str(PROJECT_XSD)).validate(xml.decode("utf-8"))
    return etree.fromstring(xml)


def _all(root: etree._Element, tag: str) -> list[etree._Element]:
    return list(root.iter(f"{{{PROJECT_NS}}}{tag}"))


def _first(element: etree._Element, tag: str) -> etree._Element | None:
    return element.find(f"{{{PROJECT_NS}}}{tag}")


def _typed_values(element: etree._Element, names: dict[str, str]) -> dict[str, tuple[str, str]]:
    """A Case's or source's VariableValues: variable name -> (value element, text)."""
    found = {}
    for holder in element.findall(f"{{{PROJECT_NS}}}VariableValue"):
        ref, value = list(holder)
        found[names[ref.get("targetGUID")]] = (etree.QName(value).localname, value.text)
    return found


def test_case_links_and_typed_attributes_as_other_tools_read_them(rich_project, tmp_path):
    p = rich_project
    typed = {
        "Gamle Oslo": {
            "innbyggere": "58671",
            "andel": "12.5",
            "aktiv": "true",
            "fra": "2021-01-01",
        },
        "Vadsø": {"innbyggere": "5700", "andel": "3", "aktiv": "false", "fra": "2019-06-30"},
    }
    for case, values in typed.items():
        set_attributes(
            p, p.conn.execute("SELECT id FROM cases WHERE name = ?", (case,)).fetchone()[0], values
        )
    out = tmp_path / "typed.qdpx"
    export_qdpx(p, out)
    root = _qde(out)
    variables = {v.get("name"): v.get("typeOfVariable") for v in _all(root, "Variable")}
    assert variables == {
        "aktiv": "Boolean",
        "andel": "Float",
        "fra": "Date",
        "innbyggere": "Integer",
        "region": "Text",
        "size_class": "Text",
    }
    names = {v.get("guid"): v.get("name") for v in _all(root, "Variable")}
    case_of_source = {
        ref.get("targetGUID"): case.get("name")
        for case in _all(root, "Case")
        for ref in case.findall(f"{{{PROJECT_NS}}}SourceRef")
    }
    sources = _all(root, "TextSource")
    assert len(case_of_source) == len(sources) == 2  # every document linked under its Case
    for source in sources:  # and the case's values on each source (MAXQDA, QualCoder)
        case = case_of_source[source.get("guid")]
        values = _typed_values(source, names)
        assert values["innbyggere"] == ("IntegerValue", typed[case]["innbyggere"])
        assert values["aktiv"] == ("BooleanValue", typed[case]["aktiv"])
        assert values["fra"] == ("DateValue", typed[case]["fra"])
        assert values["andel"] == ("FloatValue", typed[case]["andel"])
        assert values["region"][0] == "TextValue"
    with Project.create(tmp_path / "back.kodeverk") as back:
        report = import_qdpx(back, out)
        assert report.warnings == []
        assert _cases(back) == _cases(p)  # typed values back as the same text
        metas = [json.loads(r[0]) for r in back.conn.execute("SELECT source_meta FROM documents")]
        assert all("variables" not in m for m in metas)  # the case's, not the document's


def test_source_values_without_cases_are_read_typed(tmp_path):
    """A file that links no cases, only values on sources (as some tools write): read back."""
    variable = new_guid()
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="test">
  <Variables><Variable guid="{variable}" name="ferdig" typeOfVariable="Boolean"/></Variables>
  <Sources><TextSource guid="{new_guid()}" name="a"><PlainTextContent>Tekst.</PlainTextContent>
    <VariableValue><VariableRef targetGUID="{variable}"/><BooleanValue>1</BooleanValue>
    </VariableValue>
  </TextSource></Sources>
</Project>"""
    (tmp_path / "v.qde").write_text(xml, encoding="utf-8")
    with Project.create(tmp_path / "p.kodeverk") as project:
        import_qdpx(project, tmp_path / "v.qde")
        meta = json.loads(project.conn.execute("SELECT source_meta FROM documents").fetchone()[0])
    assert meta["variables"] == {"ferdig": "true"}


def test_memos_as_other_tools_read_them(rich_project, tmp_path):
    with rich_project.transaction() as conn:
        conn.execute("UPDATE cases SET description = 'Kystkommune.' WHERE name = 'Vadsø'")
    out = tmp_path / "memos.qdpx"
    export_qdpx(rich_project, out)
    with Project.create(tmp_path / "full.kodeverk") as full:  # Notes and Descriptions: once
        assert import_qdpx(full, out).warnings == []
        assert _memos(full) == _memos(rich_project)
        description = "SELECT description FROM cases WHERE name = 'Vadsø'"
        assert full.conn.execute(description).fetchone() == ("Kystkommune.",)
    root = _qde(out)
    notes = {_first(n, "PlainTextContent").text for n in _all(root, "Note")}
    assert notes == {text for _, _, text in _memos(rich_project)}  # text inside each Note
    code = next(c for c in _all(root, "Code") if c.get("name") == "Tidlig innsats")
    assert _first(code, "Description").text.endswith("\n\nMemo: Grensen mot behandling er uklar.")
    source = next(s for s in _all(root, "TextSource") if s.get("name") == "intervju-vadso")
    assert _first(source, "Description").text == "Godt intervju 😀 om tidlig innsats."
    (case,) = [c for c in _all(root, "Case") if c.get("name") == "Vadsø"]
    assert _first(case, "Description").text == "Kystkommune.\n\nMemo: Liten kommune, lang reisevei."
    assert _first(root, "Description").text == "Prosjektnotat."  # the Project's own
    described = [_first(s, "Description") for s in _all(root, "PlainTextSelection")]
    assert [d.text for d in described if d is not None] == ["Brukerrådet nevnes uoppfordret."]

    # A tool that writes memos only as Descriptions (no Notes): they arrive attached.
    for element in [*_all(root, "Notes"), *_all(root, "NoteRef")]:
        element.getparent().remove(element)
    bare = tmp_path / "descriptions-only.qdpx"
    with zipfile.ZipFile(out) as source_zip, zipfile.ZipFile(bare, "w") as target:
        for name in source_zip.namelist():
            data = source_zip.read(name)
            target.writestr(name, etree.tostring(root) if name == "project.qde" else data)
    with Project.create(tmp_path / "back.kodeverk") as back:
        report = import_qdpx(back, bare)
        assert report.warnings == []
        attached = sorted(back.conn.execute("SELECT target_kind, text FROM memos").fetchall())
        codes = {c.name: c for c in list_codes(back)}
        assert codes["Tidlig innsats"].description == "Forebygging og tidlig hjelp."
    assert attached == [
        ("case", "Liten kommune, lang reisevei."),
        ("code", "Grensen mot behandling er uklar."),
        ("coding", "Brukerrådet nevnes uoppfordret."),
        ("document", "Godt intervju 😀 om tidlig innsats."),
        ("project", "Prosjektnotat."),
    ]  # all five attached where they belong


def test_code_groups_go_out_as_sets_and_come_back(rich_project, tmp_path):
    p = rich_project
    guids = {c.path: c.guid for c in list_codes(p)}
    group = CodeGroup(
        "Tjenester", new_guid(), "Koder om tjenester", [guids["Bolig"], guids["Tidlig innsats"]]
    )
    ids = {c.guid: c.id for c in list_codes(p)}
    merge_groups(p, [group], ids, [], "test")
    out, qdc = tmp_path / "sets.qdpx", tmp_path / "sets.qdc"
    export_qdpx(p, out)
    write_qdc(p, qdc)
    root = _qde(out)
    (written,) = _all(root, "Set")
    members = [m.get("targetGUID") for m in written.findall(f"{{{PROJECT_NS}}}MemberCode")]
    assert (written.get("name"), sorted(members)) == ("Tjenester", sorted(group.codes))
    assert schema(CODEBOOK_XSD).validate(etree.parse(str(qdc)))
    xmlschema.XMLSchema(str(CODEBOOK_XSD)).validate(str(qdc))
    with Project.create(tmp_path / "back.kodeverk") as back:
        report = import_qdpx(back, out)
        assert report.code_groups_added == 1 and "code groups: 1 added" in report.summary()
        assert list_groups(back) == list_groups(p)
    with Project.create(tmp_path / "fromqdc.kodeverk") as fresh:
        assert import_qdc(fresh, qdc).groups_added == 1
        assert list_groups(fresh) == list_groups(p)


def test_source_names_have_no_file_suffix_in_the_middle(project, tmp_path):
    text = normalise_text("Vi trenger flere boliger.\n")
    names = ["survey_sintef_2014.csv · Respondent 001 · answer", "intervju.txt", "Dr. Berg · v1.2"]
    for name in names:
        add_document(project, name, text, "survey", sentence_segments(text))
    out = tmp_path / "names.qdpx"
    export_qdpx(project, out)
    written = [s.get("name") for s in _all(_qde(out), "TextSource")]
    assert written == ["survey_sintef_2014 · Respondent 001 · answer", "intervju.txt", names[2]]
    assert written[0].rpartition(".")[1] == ""  # no dot: no «file type» to mistake


def test_blank_source_is_called_blank(tmp_path):
    xml = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="t" origin="NVivo for Mac">
  <Sources><TextSource guid="{new_guid()}" name="tom"><PlainTextContent>
</PlainTextContent></TextSource>
  <TextSource guid="{new_guid()}" name="ingen"/></Sources>
</Project>"""
    (tmp_path / "blank.qde").write_text(xml, encoding="utf-8")
    with Project.create(tmp_path / "p.kodeverk") as project:
        report = import_qdpx(project, tmp_path / "blank.qde")
    assert any("source 'tom' is blank" in w for w in report.warnings), report.warnings
    assert any("source 'ingen' has no plain text" in w for w in report.warnings)
