"""Interoperability: every real file in ../shared/refi-qda/samples imports (or is refused
clearly). Expected numbers are counted here from the XML itself, independently of the importer.
The samples are read in place and never copied into the repository (several are AGPL)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from codebooks.qdc import import_qdc
from coding.errors import InputError
from coding.groups import list_groups
from coding.store import Project
from corpus.qdpx import import_qdpx
from corpus.refi_positions import on_boundary
from tests.conftest import SHARED, run_kodeverk, table_dump

SAMPLES = SHARED / "refi-qda" / "samples"
pytestmark = pytest.mark.skipif(
    not SAMPLES.is_dir(), reason=f"REFI-QDA samples not present at {SAMPLES}"
)
PROJECT_FILES = sorted([*SAMPLES.glob("*/*.qdpx"), *SAMPLES.glob("*/*.qde")])
CODEBOOK_FILES = sorted(SAMPLES.glob("*/*.qdc"))
UTF16_SAMPLE = SAMPLES / "nvivo" / "DERIVED_nvivo_win_12.6_utf16_trimmed.qdpx"


def _tag(element) -> str:
    return etree.QName(element).localname


def _text_of(source, files: dict[str, bytes]) -> str:
    """The source's text as the file holds it, or '' when absent (a plain count, no leniency
    beyond what the samples need: internal:// or a bare name, sources/ in any case)."""
    inline = [c for c in source if _tag(c) == "PlainTextContent"]
    if inline:
        return inline[0].text or ""
    name = (source.get("plainTextPath") or "").replace("internal://", "")
    data = files.get(f"sources/{name}".lower()) or files.get(name.lower())
    return data.decode("utf-8-sig") if data else ""


def _expected(path: Path) -> dict[str, int]:
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            files = {n.lower(): archive.read(n) for n in archive.namelist()}
        root = etree.fromstring(files["project.qde"])
    else:
        files, root = {}, etree.parse(str(path)).getroot()
    codes = [e for e in root.iter() if isinstance(e.tag, str) and _tag(e) == "Code"]
    sources = [
        e
        for e in root.iter()
        if isinstance(e.tag, str) and _tag(e) == "TextSource" and _text_of(e, files).strip()
    ]
    selections = [s for src in sources for s in src if _tag(s) == "PlainTextSelection"]
    codings = [c for s in selections for c in s if _tag(c) == "Coding"]
    users = [e for e in root.iter() if isinstance(e.tag, str) and _tag(e) == "User"]
    return {
        "codes": len(codes),
        "documents": len(sources),
        "selections": len(selections),
        "codings": len(codings),
        "users": len(users),
    }


def _count(project: Project, table: str) -> int:
    return project.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


@pytest.mark.parametrize("path", PROJECT_FILES, ids=lambda p: p.name)
def test_project_sample_imports_with_expected_counts(path: Path, tmp_path):
    expected = _expected(path)
    with Project.create(tmp_path / "p.kodeverk") as project:
        report = import_qdpx(project, path)
        assert _count(project, "codes") == expected["codes"] == report.codes_added
        assert _count(project, "documents") == expected["documents"] == report.documents
        placed = report.codings + report.duplicate_codings
        assert placed == expected["codings"]
        assert _count(project, "codings") == report.codings
        assert _count(project, "coders") >= expected["users"]
        for warning in report.warnings:  # every warning says where
            assert str(path) in warning or "codebook" in warning
        sel = sum(1 for _ in project.conn.execute("SELECT 1 FROM segments"))
        assert (sel > 0) == (expected["documents"] > 0)


def test_qc_sample_reads_paths_without_internal_prefix(tmp_path):
    path = SAMPLES / "qc_tool" / "qc_1.3.2_demo.qdpx"
    with Project.create(tmp_path / "p.kodeverk") as project:
        report = import_qdpx(project, path)
        assert report.documents == 2 and report.selections == 158
        names = {r[0] for r in project.conn.execute("SELECT name FROM documents")}
        assert names == {"board_2017", "admin-1"}


def test_f4_sample_keeps_memos_of_missing_sources_and_warns(tmp_path):
    path = SAMPLES / "f4analyse" / "f4_2025.2.9_project.qde"
    with Project.create(tmp_path / "p.kodeverk") as project:
        report = import_qdpx(project, path)
        assert report.codes_added == 1 and report.documents == 0
        assert any("'Interview 60mins'" in w and "missing" in w for w in report.warnings)
        memo = project.conn.execute("SELECT text FROM memos").fetchone()[0]
        assert "nicht codiert" in memo and "603–812" in memo


def test_utf16_sample_quotes_land_where_nvivo_put_them(tmp_path):
    with zipfile.ZipFile(UTF16_SAMPLE) as archive:
        raw = archive.read("Sources/68bbdc14-c361-4432-b4dd-ae1dbfc12890.txt").decode("utf-8-sig")
        root = etree.fromstring(archive.read("project.qde"))
    units = raw.encode("utf-16-le")
    spans = [
        (int(e.get("startPosition")), int(e.get("endPosition")))
        for e in root.iter()
        if isinstance(e.tag, str) and _tag(e) == "PlainTextSelection"
    ]
    truth = sorted(units[2 * s : 2 * e].decode("utf-16-le").replace("\r\n", "\n") for s, e in spans)
    as_code_points = sorted(raw[s:e].replace("\r\n", "\n") for s, e in spans)
    assert sum(a != b for a, b in zip(truth, as_code_points, strict=True)) >= 20

    with Project.create(tmp_path / "p.kodeverk") as project:
        report = import_qdpx(project, UTF16_SAMPLE)
        assert report.position_unit == "utf16"
        text = project.conn.execute("SELECT text FROM documents").fetchone()[0]
        rows = project.conn.execute('SELECT start, "end" FROM codings').fetchall()
        assert sorted(text[s:e] for s, e in rows) == truth
        on_words = sum(on_boundary(text, s) and on_boundary(text, e) for s, e in rows)
        assert on_words >= 39  # one selection ends mid-word in NVivo itself («A|KI»)


@pytest.mark.parametrize("path", CODEBOOK_FILES, ids=lambda p: p.name)
def test_codebook_sample_imports_or_is_refused_clearly(path: Path, tmp_path):
    with Project.create(tmp_path / "p.kodeverk") as project:
        if "defect" in path.name:
            before = table_dump(project.path)
            with pytest.raises(InputError, match="not well-formed XML") as error:
                import_qdc(project, path)
            assert "\n" not in str(error.value) and str(path) in str(error.value)
            assert table_dump(project.path) == before
            return
        report = import_qdc(project, path)
        root = etree.parse(str(path)).getroot()
        codes = [e for e in root.iter() if isinstance(e.tag, str) and _tag(e) == "Code"]
        assert len(report.added) == len(codes) == _count(project, "codes")
        if "handmade_invalid" in str(path):
            assert any("is not a GUID" in w for w in report.warnings)


def test_atlas_codebook_set_arrives_as_a_code_group(tmp_path):
    path = SAMPLES / "atlasti" / "atlasti_win_23.4.0_codebook.qdc"
    with Project.create(tmp_path / "p.kodeverk") as project:
        report = import_qdc(project, path)
        assert report.groups_added == 1 and "1 code groups added" in report.summary()
        (group,) = list_groups(project)
        code = project.conn.execute("SELECT guid FROM codes WHERE name = 'code1'").fetchone()[0]
    assert (group.name, group.description, group.codes) == ("code group 1", "kategorie 1", [code])
    assert group.guid == "eca18d76-2b8b-4f26-bc1d-19eca19fb3f0"
    made = run_kodeverk("init", tmp_path / "init.kodeverk", "--codebook", path)
    assert made.returncode == 0, made.stderr
    with Project.open(tmp_path / "init.kodeverk") as started:
        assert [(g.name, len(g.codes)) for g in list_groups(started)] == [("code group 1", 1)]


def test_f4_qde_imports_through_import_as_through_init(tmp_path):
    path = SAMPLES / "f4analyse" / "f4_2025.2.9_project.qde"
    made = run_kodeverk("init", tmp_path / "fra.kodeverk", "--from", path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "p.kodeverk"
    Project.create(project).close()
    done = run_kodeverk("import", project, path)
    assert done.returncode == 0, done.stderr
    assert "f4" in done.stdout and "1 added" in done.stdout
    with Project.open(project) as opened:
        assert _count(opened, "codes") == 1 and _count(opened, "memos") >= 1


def test_init_with_a_qdc_codebook_shows_its_warnings(tmp_path):
    path = SAMPLES / "handmade_invalid" / "openqda_example_codebook.qdc"
    Project.create(tmp_path / "a.kodeverk").close()
    imported = run_kodeverk("codebook", "import", tmp_path / "a.kodeverk", path)
    made = run_kodeverk("init", tmp_path / "b.kodeverk", "--codebook", path)
    assert imported.returncode == made.returncode == 0, made.stderr
    warnings = [line for line in imported.stdout.splitlines() if line.startswith("warning:")]
    assert warnings and all(w in made.stdout.splitlines() for w in warnings)


def test_nvivo_mac_blank_sources_are_called_blank(tmp_path):
    path = SAMPLES / "nvivo" / "nvivo_mac_15.0.0_project.qdpx"
    with Project.create(tmp_path / "p.kodeverk") as project:
        report = import_qdpx(project, path)
    blank = [w for w in report.warnings if "is blank (its text is only white space)" in w]
    assert len(blank) == 2 and not any("has no plain text" in w for w in report.warnings)
