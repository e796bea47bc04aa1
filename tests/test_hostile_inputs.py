"""Hostile inputs built here, read by the real readers and the real command line: refused with
a one-line error naming the file and place, in bounded time and memory (loose limits, checked
in a child process; not benchmarks)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import docx
import openpyxl
import pytest

from codebooks.loader import load_codebook
from coding.errors import CodebookError, InputError
from corpus.qdpx import import_qdpx
from corpus.readers import read_transcript
from corpus.tables import read_table
from tests.conftest import table_dump
from tests.hostile_files import (
    MiB,
    RawEntry,
    Run,
    deflated,
    entries_of,
    replace,
    run_limited,
    stored,
    write_zip,
)

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def assert_refused(run: Run, path: Path, pattern: str) -> None:
    assert run.returncode == 1, (run.returncode, run.stderr[-2000:])
    lines = [line for line in run.stderr.splitlines() if line.strip()]  # (progress clears)
    assert len(lines) == 1 and lines[0].startswith("kodeverk: error:"), run.stderr
    assert str(path) in lines[0] and pattern in lines[0], run.stderr


def new_project(tmp_path: Path) -> Path:
    path = tmp_path / "p.kodeverk"
    assert run_limited("init", path, "--no-codebook").returncode == 0
    return path


def docx_bytes(*paragraphs: str) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# -- codebooks (item 7) --------------------------------------------------------------------------
def billion_laughs() -> str:
    """Nine levels of nine aliases each: 9⁹ ≈ 387 million strings from a 400-byte file."""
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    lines.append("codes:\n  - name: Latter\n    description: *i\n")
    return "\n".join(lines)


def test_billion_laughs_codebook_is_refused_fast_and_small(tmp_path):
    path = tmp_path / "latter.yaml"
    path.write_text(billion_laughs(), encoding="utf-8")
    assert path.stat().st_size < 1024
    run = run_limited("init", tmp_path / "p.kodeverk", "--codebook", path, cpu_seconds=60)
    assert_refused(run, path, "line 6: more than 200,000 values once aliases are expanded")
    assert run.seconds < 20 and run.peak_mib < 300, (run.seconds, run.peak_mib)
    assert not (tmp_path / "p.kodeverk").exists()


@pytest.mark.parametrize(
    "suffix, text",
    [
        (".json", '{"codes": [{"name": "x", "children": ' + "[" * 50_000 + "]" * 50_000 + "}]}"),
        (".json", '{"codes": [\n' + '{"a": ' * 5_000 + "1" + "}" * 5_000 + "]}"),
        (".yaml", "codes:\n  - name: x\n    children: " + "[" * 50_000 + "]" * 50_000 + "\n"),
        (".yaml", "codes:\n" + "".join(f"{' ' * (2 * i)}- \n" for i in range(2_000)) + "x\n"),
    ],
    ids=["json-lists", "json-objects", "yaml-flow", "yaml-block"],
)
def test_deeply_nested_codebook_is_a_one_line_error(tmp_path, suffix, text):
    path = tmp_path / f"dyp{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CodebookError) as error:
        load_codebook(path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message
    assert "nested more than 60 levels deep" in message and "line " in message


def test_json_brackets_inside_strings_do_not_count(tmp_path):
    path = tmp_path / "klammer.json"
    name = "[" * 500 + '\\"{' * 100
    path.write_text('{"codes": [{"name": "' + name + '"}]}', encoding="utf-8")
    assert load_codebook(path).codes[0].name == name.replace('\\"', '"')


# -- ZIP limits for docx and xlsx (item 8) -------------------------------------------------------
def test_docx_bomb_is_refused(tmp_path):
    """One document.xml of 60 MiB that compresses 1000-fold (under the size limits): a bomb."""
    head = f'<?xml version="1.0"?><w:document {W}><w:body><w:p><w:r><w:t>'.encode()
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    document = deflated("word/document.xml", (head, 1), (b"lol " * (MiB // 4), 60), (tail, 1))
    path = write_zip(tmp_path / "bombe.docx", replace(entries_of(docx_bytes("Hei.")), document))
    assert path.stat().st_size < 300_000
    project = new_project(tmp_path)
    before = table_dump(project)
    run = run_limited("import", project, path, cpu_seconds=60)
    assert_refused(run, path, "'word/document.xml' expands")
    assert "refused as a ZIP bomb" in run.stderr
    assert run.seconds < 20 and run.peak_mib < 300, (run.seconds, run.peak_mib)
    assert table_dump(project) == before


def test_docx_that_unpacks_to_400_mb_is_refused(tmp_path):
    body = b"<w:p><w:r><w:t>Hei.</w:t></w:r></w:p>" * 20_000
    head = f'<?xml version="1.0"?><w:document {W}><w:body>'.encode()
    document = deflated(
        "word/document.xml", (head, 1), (body, 400 * MiB // len(body)), (b"</w:body>", 1)
    )
    path = write_zip(tmp_path / "stor.docx", replace(entries_of(docx_bytes("Hei.")), document))
    with pytest.raises(InputError, match=r"stor\.docx: unpacks to more than 128 MiB"):
        read_transcript(path)


def test_twenty_entries_under_the_entry_limit_over_the_archive_limit(tmp_path):
    """Each part is honest (compresses about 100-fold, under the ratio limit) and below the
    per-entry limit; together they are far beyond what a Word file holds."""
    import random

    noise = random.Random(7).randbytes(1024).hex().encode()  # 2 KiB of hex digits
    block = noise * (MiB // len(noise))
    size = 63  # MiB: the limit for one Word part is 64 MiB, for all of them 128 MiB
    parts = [deflated(f"word/extra{i}.xml", (block, size)) for i in range(20)]
    assert all(p.size / len(p.payload) < 200 for p in parts)
    path = write_zip(tmp_path / "mange.docx", replace(entries_of(docx_bytes("Hei.")), *parts))
    with pytest.raises(InputError) as error:
        read_transcript(path)
    message = str(error.value)
    assert message.startswith(f"{path}: unpacks to more than 128 MiB") and "\n" not in message


def test_twenty_qdpx_entries_just_under_ten_mib_are_refused(small_project, tmp_path):
    """Before, entries under 10 MiB escaped the ratio check: 20 of them imported 200 MB."""
    project = '<?xml version="1.0"?><Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'
    parts = [deflated(f"sources/{i}.txt", (b"\0" * (10 * MiB - 1), 1)) for i in range(20)]
    path = write_zip(tmp_path / "mange.qdpx", [stored("project.qde", project.encode()), *parts])
    before = table_dump(small_project.path)
    with pytest.raises(InputError, match="refused as a ZIP bomb") as error:
        import_qdpx(small_project, path)
    assert str(path) in str(error.value) and "'sources/0.txt'" in str(error.value)
    assert table_dump(small_project.path) == before


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_huge_shared_strings_is_refused(tmp_path):
    """A 1 MB workbook whose sharedStrings.xml unpacks to 503 MB."""
    head = b'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    strings = b"<si><t>lol</t></si>" * 50_000
    sst = deflated(
        "xl/sharedStrings.xml", (head, 1), (strings, 503_000_000 // len(strings)), (b"</sst>", 1)
    )
    base = entries_of(xlsx_bytes([["kommune", "svar"], ["Vadsø", "Ja"]]))
    path = write_zip(tmp_path / "svar.xlsx", replace(base, sst))
    assert path.stat().st_size < 2 * MiB
    project = new_project(tmp_path)
    run = run_limited("import", project, path, "--text-column", "svar", cpu_seconds=60)
    assert_refused(run, path, "unpacks to more than 256 MiB")
    assert run.seconds < 20 and run.peak_mib < 300, (run.seconds, run.peak_mib)


def test_xlsx_shared_strings_bomb_under_the_size_limit_is_refused(tmp_path):
    strings = b"<si><t>lol</t></si>" * 50_000
    sst = deflated("xl/sharedStrings.xml", (strings, 60 * MiB // len(strings)))
    base = entries_of(xlsx_bytes([["svar"], ["Ja"]]))
    path = write_zip(tmp_path / "svar.xlsx", replace(base, sst))
    with pytest.raises(InputError, match=r"'xl/sharedStrings\.xml' expands \d+-fold"):
        read_table(path)


def test_xlsx_declared_dimensions_do_not_pad_rows(tmp_path):
    """A sheet claiming A1:XFD1048576 with a cell far out: read as the cells that are there."""
    data = xlsx_bytes([["svar", "kommune"], ["Ja", "Vadsø"]])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    sheet = sheet.replace(b'<dimension ref="A1:B2"/>', b'<dimension ref="A1:XFD1048576"/>')
    assert b"XFD1048576" in sheet
    path = write_zip(
        tmp_path / "dim.xlsx", replace(entries_of(data), stored("xl/worksheets/sheet1.xml", sheet))
    )
    table = read_table(path)
    assert table.columns == ["svar", "kommune"] and table.rows == [
        {"svar": "Ja", "kommune": "Vadsø"}
    ]


def test_docx_with_a_dtd_is_refused(tmp_path):
    base = entries_of(docx_bytes("Intervjuer: Hei."))
    document = (
        f'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY navn "Kari">]>'
        f"<w:document {W}><w:body><w:p><w:r><w:t>Informant: &navn; her.</w:t></w:r></w:p>"
        "</w:body></w:document>"
    ).encode()
    path = write_zip(tmp_path / "dtd.docx", replace(base, stored("word/document.xml", document)))
    with pytest.raises(InputError) as error:
        read_transcript(path)
    message = str(error.value)
    assert message == (
        f"{path}: entry 'word/document.xml' declares a DTD or entities; refused "
        "(Word and Excel do not write them)"
    )


def png() -> bytes:
    """A one-pixel grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def test_docx_with_a_huge_linked_image_is_read_without_unpacking_it(tmp_path):
    """word/media/image1.png really unpacks to 1.5 GiB; the text is read, the image never."""
    document = docx.Document()
    document.add_paragraph("Intervjuer: Hvordan er ventetiden?")
    document.add_picture(io.BytesIO(png()))
    document.add_paragraph("Informant: Lang.")
    buffer = io.BytesIO()
    document.save(buffer)
    base = entries_of(buffer.getvalue())
    image = next(e.name for e in base if e.name.startswith("word/media/"))
    huge = deflated(image, (bytes(16 * MiB), 96))
    assert huge.size == 1536 * MiB
    path = write_zip(tmp_path / "bilde.docx", replace(base, huge))
    project = new_project(tmp_path)
    run = run_limited("import", project, path, cpu_seconds=60)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.seconds < 30 and run.peak_mib < 400, (run.seconds, run.peak_mib)
    assert read_transcript(path).text == "Intervjuer: Hvordan er ventetiden?\n\nInformant: Lang."


# -- memory (item 9) -----------------------------------------------------------------------------
def test_ten_mb_of_short_lines_imports_in_bounded_memory(tmp_path):
    """5 million one-letter lines: one paragraph of 10 MB that spaCy used to tokenize as one
    Doc of 10 million tokens (2 GB)."""
    path = tmp_path / "linjer.txt"
    path.write_bytes(b"a\n" * 5_000_000)
    project = new_project(tmp_path)
    run = run_limited("import", project, path, cpu_seconds=120)
    assert run.returncode == 0, run.stderr[-2000:]
    limit = 10 * path.stat().st_size / MiB + 300
    assert run.peak_mib < limit, (run.peak_mib, limit)
    assert run.seconds < 60, run.seconds


def test_ten_mb_of_one_letter_paragraphs_is_refused_fast(tmp_path):
    """3.3 million blank-line-separated paragraphs: 88 s and 1.9 GB before, now refused."""
    path = tmp_path / "avsnitt.txt"
    path.write_bytes(b"a\n\n" * 3_333_333)
    project = new_project(tmp_path)
    run = run_limited("import", project, path, cpu_seconds=60)
    assert_refused(run, path, "more than 200,000 paragraphs or speaker turns; refused")
    assert run.seconds < 30 and run.peak_mib < 10 * path.stat().st_size / MiB + 300


def test_million_row_survey_is_refused_fast(tmp_path):
    """A million one-letter answers (2 MB): over 300 s and 1.5 GB before, now refused."""
    path = tmp_path / "svar.csv"
    path.write_bytes(b"svar\n" + b"a\n" * 1_000_000)
    project = new_project(tmp_path)
    run = run_limited("import", project, path, "--text-column", "svar", cpu_seconds=60)
    assert_refused(run, path, "more than 200,000 rows; refused (split the table)")
    assert run.seconds < 30 and run.peak_mib < 10 * path.stat().st_size / MiB + 300


def test_error_naming_a_file_with_a_line_break_is_one_line(tmp_path):
    path = tmp_path / "linje\nskift.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError) as error:
        read_transcript(path)
    assert str(error.value) == f"{str(path).replace(chr(10), ' ')}: file is empty"


def test_entry_whose_header_understates_its_size_is_refused(tmp_path):
    """document.xml claims 1 000 bytes and holds 50 MB: zipfile stops at the claim and the CRC
    check fails; nothing unpacks beyond the declared size."""
    body = f'<?xml version="1.0"?><w:document {W}><w:body>'.encode() + b" " * (50 * MiB)
    honest = deflated("word/document.xml", (body, 1))
    lying = RawEntry(honest.name, honest.payload, honest.crc, 1_000)
    path = write_zip(tmp_path / "lyver.docx", replace(entries_of(docx_bytes("Hei.")), lying))
    with pytest.raises(InputError) as error:
        read_transcript(path)
    message = str(error.value)
    assert message.startswith(f"{path}: entry 'word/document.xml' cannot be read (Bad CRC-32")


def test_deep_flat_codebook_is_a_one_line_error(tmp_path):
    """3 000 codes, each the parent of the next: a RecursionError before."""
    import json

    codes = [{"id": i, "name": f"k{i}", "parent": i - 1 if i else None} for i in range(3_000)]
    path = tmp_path / "kjede.json"
    path.write_text(json.dumps({"codes": codes}), encoding="utf-8")
    with pytest.raises(CodebookError) as error:
        load_codebook(path)
    assert str(error.value) == f"{path}: code 'k25' is nested more than 25 levels deep; refused"


def test_subtitles_with_600_000_cues_are_refused_fast(tmp_path):
    """Ten MB of one-letter cues by two alternating voices: 600 000 turns."""
    path = tmp_path / "møte.vtt"
    cues = (b"0 --> 1\n<v %d>a\n\n" % (i % 2) for i in range(600_000))
    path.write_bytes(b"WEBVTT\n\n" + b"".join(cues))
    project = new_project(tmp_path)
    run = run_limited("import", project, path, cpu_seconds=60)
    assert_refused(run, path, "more than 200,000 cues; refused (split the file)")
    assert run.seconds < 30 and run.peak_mib < 10 * path.stat().st_size / MiB + 300


def test_damaged_xml_part_is_named_with_its_line(tmp_path):
    document = f'<?xml version="1.0"?>\n<w:document {W}><w:body>\n<w:p></w:body>'.encode()
    base = entries_of(docx_bytes("Hei."))
    path = write_zip(tmp_path / "skadet.docx", replace(base, stored("word/document.xml", document)))
    with pytest.raises(InputError) as error:
        read_transcript(path)
    assert str(error.value).startswith(
        f"{path}: entry 'word/document.xml': line 3: not well-formed XML (Opening and ending tag"
    )
    base = entries_of(xlsx_bytes([["svar"], ["Ja"]]))
    path = write_zip(
        tmp_path / "skadet.xlsx", replace(base, stored("xl/sharedStrings.xml", b"<sst><si>"))
    )
    with pytest.raises(InputError, match=r"skadet\.xlsx: entry 'xl/sharedStrings\.xml': line 1: "):
        read_table(path)


def test_docx_of_500_000_short_paragraphs_is_refused_fast(tmp_path):
    """Honest compression (11-fold, 5 MB file) but 1.5 million elements (600 000 such
    paragraphs took 74 s and 625 MB through python-docx); the tags are counted while
    unpacking."""
    import random

    rng = random.Random(1)
    words = ["bolig", "rus", "NAV", "kommune", "tjeneste", "bruker", "ventetid", "hjelp"]
    paragraphs = b"".join(
        f"<w:p><w:r><w:t>{' '.join(rng.choices(words, k=12))}.</w:t></w:r></w:p>".encode()
        for _ in range(1_000)
    )
    head = f'<?xml version="1.0"?><w:document {W}><w:body>'.encode()
    tail = b"</w:body></w:document>"
    document = deflated("word/document.xml", (head, 1), (paragraphs, 500), (tail, 1))
    path = write_zip(tmp_path / "lang.docx", replace(entries_of(docx_bytes("Hei.")), document))
    project = new_project(tmp_path)
    run = run_limited("import", project, path, cpu_seconds=60)
    assert_refused(run, path, "more than 750,000 XML tags (at 'word/document.xml'); refused")
    assert run.seconds < 20 and run.peak_mib < 10 * path.stat().st_size / MiB + 300
