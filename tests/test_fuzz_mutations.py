"""Property-based: valid docx, xlsx, qdpx, csv and vtt files, mutated (bytes flipped, cut
short, a ZIP entry's content damaged and the archive rebuilt honestly), through every reader.
The only exception that may come out is a one-line ``InputError`` naming the file."""

from __future__ import annotations

import csv
import io
import os
import tempfile
import zipfile
from functools import cache
from pathlib import Path

import docx
import openpyxl
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from coding.errors import InputError
from corpus.codings_csv import import_codings_csv
from corpus.importer import ImportOptions, import_files
from corpus.qdpx import import_qdpx
from corpus.qdpx_read import read_package
from corpus.readers import read_transcript
from corpus.surveys import SurveyOptions, read_survey
from corpus.tables import read_table
from tests.conftest import SMALL_TEXT
from tests.test_fuzz_importers import assert_imports_or_fails_cleanly, fresh_project
from tests.test_refi_hostile import INTERVIEW, QUIRKY

# KODEVERK_FUZZ_EXAMPLES=5000 for a long run by hand; the suite keeps it short.
MUTATIONS = settings(
    max_examples=int(os.environ.get("KODEVERK_FUZZ_EXAMPLES", "60")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
ROWS = [
    ["kommune", "svar", "innbyggere"],
    ["Vadsø", "Vi mangler boliger. Ventetiden er lang.", 5700],
    ["Gamle Oslo", "Brukerrådet møtes fire ganger i året.", 59000],
    ["Bodø", "Intervjuer: Og rus?\nInformant: Mer lavterskel.", 52000],
]
VTT = (
    "WEBVTT\n\nNOTE laget av Teams\n\n1\n00:00:01.000 --> 00:00:03.500\n"
    "<v Kari Nordmann>Velkommen til intervjuet.</v>\n\n2\n00:00:03.500 --> 00:00:06.000\n"
    "<v Ola Hansen>Boliger &amp; <i>tjenester</i> mangler.\nHelt klart.</v>\n"
)


@cache
def seeds() -> dict[str, bytes]:
    """One valid file of each kind, made here."""
    document = docx.Document()
    document.add_heading("Intervju Bodø", level=1)
    document.add_paragraph("Intervjuer: Hvordan er ventetiden?")
    document.add_paragraph("Informant 1: Lang. Altfor lang.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Intervjuer"
    table.rows[0].cells[1].text = "Takk."
    word = io.BytesIO()
    document.save(word)
    book = openpyxl.Workbook()
    for row in ROWS:
        book.active.append(row)
    excel = io.BytesIO()
    book.save(excel)
    text = io.StringIO()
    csv.writer(text, delimiter=";").writerows(ROWS)
    qdpx = io.BytesIO()
    with zipfile.ZipFile(qdpx, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Quirks/Quirks.qde", QUIRKY.encode("utf-8"))
        archive.writestr("Sources/intervju.txt", INTERVIEW)
    return {
        ".docx": word.getvalue(),
        ".xlsx": excel.getvalue(),
        ".qdpx": qdpx.getvalue(),
        ".csv": text.getvalue().encode("cp1252"),
        ".vtt": VTT.encode("utf-8"),
    }


FLIPS = st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(1, 255)), max_size=8)
INSERT = st.tuples(st.floats(0, 1), st.binary(min_size=1, max_size=40))
# Splices that keep XML well-formed more often: a span replaced by a plausible piece.
PIECES = [b"", b"-1", b"0", b"99999999999", b"1e308", b"x", b'"', b"<", b"/>", b"A0", b"XFD9"]
SPLICE = st.tuples(st.floats(0, 1), st.integers(0, 40), st.sampled_from(PIECES))
MUTATION = st.one_of(
    st.tuples(st.just("flip"), FLIPS),
    st.tuples(st.just("cut"), st.floats(0, 1, exclude_max=True)),
    st.tuples(st.just("insert"), INSERT),
    st.tuples(st.just("splice"), st.lists(SPLICE, min_size=1, max_size=4)),
)


def mutate(data: bytes, mutation: tuple) -> bytes:
    kind, how = mutation
    if kind == "cut":
        return data[: int(len(data) * how)]
    if kind == "insert":
        at = int(len(data) * how[0])
        return data[:at] + how[1] + data[at:]
    if kind == "splice":
        for where, length, piece in how:
            at = int(len(data) * where)
            data = data[:at] + piece + data[at + length :]
        return data
    damaged = bytearray(data)
    for where, xor in how:
        if damaged:
            damaged[int(len(damaged) * where)] ^= xor
    return bytes(damaged)


def mutate_entry(data: bytes, pick: float, mutation: tuple) -> bytes:
    """Damage one entry's content and rebuild the archive (CRC and sizes right), so the damage
    reaches the XML parsers instead of stopping at zipfile's checks."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        entries = [(info.filename, archive.read(info)) for info in archive.infolist()]
    chosen = int(len(entries) * pick)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, (name, content) in enumerate(entries):
            archive.writestr(name, mutate(content, mutation) if number == chosen else content)
    return out.getvalue()


def read_everything(path: Path) -> None:
    """Every reader that takes a file of this kind."""
    suffix = path.suffix
    if suffix in (".docx", ".vtt"):
        read_transcript(path)
    elif suffix in (".csv", ".xlsx"):
        read_table(path)
        read_survey(path, SurveyOptions(text_columns=("svar",), case_column="kommune"))
    else:
        read_package(path)


def assert_reads_or_refuses(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"mutert{suffix}"
        path.write_bytes(data)
        try:
            read_everything(path)
            event("read")
        except InputError as exc:
            event("refused")
            message = str(exc)
            assert message and "\n" not in message and "\r" not in message, repr(message)
            assert str(path) in message, message


@MUTATIONS
@given(suffix=st.sampled_from([".docx", ".xlsx", ".qdpx", ".csv", ".vtt"]), mutation=MUTATION)
@example(suffix=".xlsx", mutation=("flip", [(0.1875, 1)]))  # was zlib.error from openpyxl
def test_mutated_files_through_every_reader(suffix, mutation):
    assert_reads_or_refuses(suffix, mutate(seeds()[suffix], mutation))


@MUTATIONS
@given(
    suffix=st.sampled_from([".docx", ".xlsx", ".qdpx"]),
    pick=st.floats(0, 1, exclude_max=True),
    mutation=MUTATION,
)
def test_damaged_zip_entries_through_every_reader(suffix, pick, mutation):
    assert_reads_or_refuses(suffix, mutate_entry(seeds()[suffix], pick, mutation))


def test_the_seeds_themselves_are_read():
    with tempfile.TemporaryDirectory() as folder:
        for suffix, data in seeds().items():
            path = Path(folder) / f"frø{suffix}"
            path.write_bytes(data)
            read_everything(path)


CODINGS = (
    "document;code;coder;start;end;quote\n"
    "intervju;Bolig;kari;;;\n"
    f"intervju;Bolig;ola;{SMALL_TEXT.index('Det mangler')};{SMALL_TEXT.index('Det mangler') + 11};"
    "Det mangler\n"
).encode("cp1252")


@settings(
    max_examples=int(os.environ.get("KODEVERK_FUZZ_EXAMPLES", "30")),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    suffix=st.sampled_from([".docx", ".xlsx", ".qdpx", ".csv", ".vtt", "codings.csv"]),
    entry=st.one_of(st.none(), st.floats(0, 1, exclude_max=True)),
    mutation=MUTATION,
)
def test_mutated_files_through_the_importers_change_nothing_or_import(suffix, entry, mutation):
    """Through the writers too: ``import``, ``import`` of a .qdpx, ``codings import``."""
    seed = CODINGS if suffix == "codings.csv" else seeds()[suffix]
    zipped = suffix in (".docx", ".xlsx", ".qdpx")
    data = mutate_entry(seed, entry, mutation) if zipped and entry is not None else None
    data = data if data is not None else mutate(seed, mutation)
    with fresh_project() as (project, folder):
        source = folder / f"mutert.{suffix.lstrip('.')}"
        source.write_bytes(data)
        if suffix == "codings.csv":
            action = lambda: import_codings_csv(project, source, create_codes=True)  # noqa: E731
        elif suffix == ".qdpx":
            action = lambda: import_qdpx(project, source)  # noqa: E731
        else:
            options = ImportOptions(text_columns=("svar",), case_column="kommune")
            action = lambda: import_files(project, [source], options)  # noqa: E731
        assert_imports_or_fails_cleanly(project, action, source)
