"""REFI-QDA export → schema validation → import into a fresh project → the same project."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import xmlschema
from lxml import etree

from coding.backup import backup_to
from coding.codes import add_code, code_paths, list_codes
from coding.documents import add_document, normalise_text
from coding.operations import apply_coding, set_memo
from coding.store import Project, new_guid
from exports.qdc import import_qdc, read_qdc, write_qdc
from exports.qdpx import export_qdpx, import_qdpx
from exports.refi_common import CODEBOOK_XSD, PROJECT_XSD, schema
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
