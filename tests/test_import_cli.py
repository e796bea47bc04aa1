"""`kodeverk import` through the real CLI: good files of every kind, and bad input that must
leave the project file exactly as it was."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import docx
import openpyxl
import pytest

from coding.store import Project
from tests.conftest import run_kodeverk, table_dump


@pytest.fixture
def project_file(project_path: Path) -> Path:
    Project.create(project_path).close()
    return project_path


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def make_inputs(folder: Path) -> list[Path]:
    """One file of every supported kind, with Norwegian letters and speaker turns."""
    folder.mkdir()
    (folder / "notat.md").write_text(
        "# Notat\n\nIntervjuer: Hva med bolig?\nInformant 1: Vi mangler boliger. Det haster.\n",
        encoding="utf-8",
    )
    (folder / "teams.vtt").write_text(
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v Kari>Hei og velkommen.</v>\n\n"
        "00:00:02.000 --> 00:00:04.000\n<v Ola>Takk. Fint å være her.</v>\n",
        encoding="utf-8",
    )
    (folder / "whisper.srt").write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nLavterskeltilbudet er viktig.\n", encoding="utf-8"
    )
    document = docx.Document()
    document.add_paragraph("Intervjuer: Hvordan er samarbeidet med NAV?")
    document.add_paragraph("Informant 2: Godt. Vi møtes hver uke.")
    document.save(folder / "tromso.docx")
    (folder / "excel.csv").write_bytes(
        "Kommune;Innbyggere;Svar om bolig\r\nVadsø;5700;Vi trenger små boliger.\r\n"
        "Ålesund;67000;\r\n".encode("cp1252")
    )
    (folder / "bom.csv").write_bytes(
        "Kommune,Innbyggere,Svar om bolig\nBærum,128000,Housing first virker.\n".encode("utf-8-sig")
    )
    book = openpyxl.Workbook()
    book.active.append(["Kommune", "Innbyggere", "Svar om bolig"])
    book.active.append(["Øygarden", 39000, "Ventelistene er lange."])
    book.save(folder / "skjema.xlsx")
    return sorted(folder.iterdir())


def test_import_every_kind_in_one_command(project_file: Path, tmp_path: Path) -> None:
    files = make_inputs(tmp_path / "inn")
    result = run_kodeverk(
        "import", project_file, *files, "--case-column", "kommune",
        "--text-column", "Svar om bolig", "--attribute-columns", "Innbyggere", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["files"] == 7
    assert summary["documents"] == 7  # 4 transcripts + 3 non-empty answers
    assert summary["skipped_empty_answers"] == 1
    assert summary["cases_created"] == 4  # Vadsø, Ålesund, Bærum, Øygarden
    documents = dict(rows(project_file, "SELECT name, kind FROM documents"))
    assert documents == {
        "bom.csv · Bærum · Svar om bolig": "survey",
        "excel.csv · Vadsø · Svar om bolig": "survey",
        "notat.md": "interview",
        "skjema.xlsx · Øygarden · Svar om bolig": "survey",
        "teams.vtt": "interview",
        "tromso.docx": "interview",
        "whisper.srt": "text",
    }
    assert rows(
        project_file,
        "SELECT c.name, a.value FROM case_attributes a JOIN cases c ON c.id = a.case_id "
        "WHERE a.name = 'Innbyggere' ORDER BY c.name",
    ) == [("Bærum", "128000"), ("Vadsø", "5700"), ("Ålesund", "67000"), ("Øygarden", "39000")]
    quotes = rows(
        project_file,
        'SELECT s.speaker, substr(d.text, s.start + 1, s."end" - s.start) FROM segments s '
        "JOIN documents d ON d.id = s.document_id WHERE d.name = 'tromso.docx' ORDER BY ordinal",
    )
    assert quotes == [
        ("Intervjuer", "Hvordan er samarbeidet med NAV?"),
        ("Informant 2", "Godt."),
        ("Informant 2", "Vi møtes hver uke."),
    ]
    assert rows(project_file, "SELECT count(*) FROM imports") == [(7,)]


def test_same_file_twice_is_refused_by_content(project_file: Path, tmp_path: Path) -> None:
    first = tmp_path / "intervju.txt"
    first.write_text("Intervjuer: Hei.\nInformant: Hei.\n", encoding="utf-8")
    assert run_kodeverk("import", project_file, first).returncode == 0
    copy = tmp_path / "kopi.txt"
    copy.write_bytes(first.read_bytes())
    before = table_dump(project_file)
    result = run_kodeverk("import", project_file, copy)
    assert result.returncode == 1
    assert result.stderr.startswith("kodeverk: error: ")
    assert "kopi.txt: already imported on " in result.stderr
    assert "as 'intervju.txt'" in result.stderr
    assert table_dump(project_file) == before


def bad_inputs(folder: Path) -> dict[str, tuple[list[str], str]]:
    """name -> (extra CLI arguments, expected message), files written into ``folder``."""
    folder.mkdir()
    good = folder / "god.txt"
    good.write_text("Intervjuer: Hei.\nInformant: Hei.\n", encoding="utf-8")
    (folder / "tom.txt").write_bytes(b"")
    (folder / "bilde.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / "svar.csv").write_text("Kommune;Svar\nVadsø;Ja\n", encoding="utf-8")
    (folder / "brutt.docx").write_bytes(b"PK\x03\x04 not a zip archive at all")
    (folder / "hode.csv").write_text("Kommune;Svar\n", encoding="utf-8")
    return {
        "missing": ([str(folder / "finnes-ikke.txt")], "finnes-ikke.txt: no such file"),
        "empty": ([str(good), str(folder / "tom.txt")], "tom.txt: file is empty"),
        "binary": ([str(good), str(folder / "bilde.txt")], "bilde.txt: not a text file"),
        "column": (
            [str(folder / "svar.csv"), "--case-column", "Kommune", "--text-column", "Svaret"],
            "svar.csv: no column 'Svaret'; columns are: Kommune, Svar",
        ),
        "docx": ([str(good), str(folder / "brutt.docx")], "brutt.docx: not a readable Word"),
        "header-only": (
            [str(folder / "hode.csv"), "--text-column", "Svar"],
            "hode.csv: only a header row",
        ),
        "twice": ([str(good), str(good)], "god.txt: same content as"),
    }


def test_bad_input_changes_nothing(project_file: Path, tmp_path: Path) -> None:
    cases = bad_inputs(tmp_path / "inn")
    before = table_dump(project_file)
    for name, (arguments, message) in cases.items():
        result = run_kodeverk("import", project_file, *arguments)
        assert result.returncode == 1, name
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("kodeverk: error: "), (name, lines)
        assert message in lines[0], (name, lines[0])
        assert table_dump(project_file) == before, name


def test_a_folder_means_its_files(project_file: Path, tmp_path: Path) -> None:
    folder = tmp_path / "intervjuer"
    folder.mkdir()
    (folder / "b.txt").write_text("Intervjuer: Hei.\nInformant: Hei.\n", encoding="utf-8")
    (folder / "a.md").write_text("Et avsnitt.", encoding="utf-8")
    (folder / "notat.pdf").write_bytes(b"%PDF-1.4")
    result = run_kodeverk("import", project_file, folder, "--json")
    assert result.returncode == 0, result.stderr
    assert rows(project_file, "SELECT name FROM documents ORDER BY id") == [("a.md",), ("b.txt",)]
    empty = tmp_path / "tom"
    empty.mkdir()
    result = run_kodeverk("import", project_file, empty)
    assert result.returncode == 1 and "no files kodeverk can import" in result.stderr


def test_import_needs_an_existing_project(tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("Hei.", encoding="utf-8")
    result = run_kodeverk("import", tmp_path / "nope.kodeverk", text)
    assert result.returncode == 1
    assert "nope.kodeverk: no such project file" in result.stderr
    assert not (tmp_path / "nope.kodeverk").exists()


def test_human_summary_table(project_file: Path, tmp_path: Path) -> None:
    text = tmp_path / "a.txt"
    text.write_text("Første avsnitt. Andre setning.\n\nSiste avsnitt.", encoding="utf-8")
    result = run_kodeverk("import", project_file, text, "--case", "Vadsø")
    assert result.returncode == 0, result.stderr
    assert "documents" in result.stdout and "segments" in result.stdout
    assert rows(project_file, "SELECT kind, case_id IS NOT NULL FROM documents") == [("text", 1)]
    assert rows(project_file, "SELECT count(*) FROM segments") == [(3,)]


def test_qdpx_goes_to_the_refi_qda_importer(small_project: Project, tmp_path: Path) -> None:
    from exports.qdpx_write import export_qdpx

    exchange = tmp_path / "utveksling.qdpx"
    export_qdpx(small_project, exchange)
    target = tmp_path / "ny.kodeverk"
    Project.create(target).close()
    result = run_kodeverk("import", target, exchange, "--json")
    assert result.returncode == 0, result.stderr
    assert isinstance(json.loads(result.stdout), dict)
    assert rows(target, "SELECT name FROM documents") == [("intervju-oslo",)]
    mixed = run_kodeverk("import", target, exchange, tmp_path / "annet.txt")
    assert mixed.returncode == 1 and "on its own" in mixed.stderr


def test_progress_reports_every_stage_to_the_end(project: Project, tmp_path: Path) -> None:
    from corpus.importer import ImportOptions, import_files

    files = make_inputs(tmp_path / "inn")
    calls: list[tuple[str, int, int]] = []
    options = ImportOptions(case_column="Kommune", text_columns=["Svar om bolig"])
    import_files(project, files, options, lambda *call: calls.append(call))
    for stage in ("reading", "segmenting", "writing"):
        reported = [(done, total) for name, done, total in calls if name == stage]
        assert reported, stage
        assert [done for done, _ in reported] == sorted(done for done, _ in reported), stage
        assert reported[-1][0] == reported[-1][1] > 0, stage  # reaches its total
    assert calls[0][0] == "reading"
