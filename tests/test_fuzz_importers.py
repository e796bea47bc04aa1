"""Property-based tests: random bytes and random tables through the importers and the codings
CSV reader either import or fail with a clear one-line ``KodeverkError``, never another
exception, and a failure leaves the project exactly as it was."""

from __future__ import annotations

import csv
import io
import tempfile
from contextlib import contextmanager
from pathlib import Path

import openpyxl
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from coding.codes import add_code
from coding.documents import add_document
from coding.errors import KodeverkError
from coding.store import Project
from corpus.codings_csv import import_codings_csv
from corpus.importer import ImportOptions, import_files
from tests.conftest import SMALL_TEXT, sentence_segments, table_dump

FUZZ = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
TRANSCRIPT_SUFFIXES = (".txt", ".md", ".vtt", ".srt", ".docx")
ALL_SUFFIXES = (*TRANSCRIPT_SUFFIXES, ".csv", ".xlsx")

# Cells: short text from a mix of ASCII, Norwegian letters, separators, quotes and odd code points.
CELL = st.text(
    alphabet=st.sampled_from([*"ab æøåÆØÅ0123456789-:;,.\t\"'\n\r", "\x00", "\u2028", "é"]),
    max_size=12,
)
NUMBERISH = st.one_of(CELL, st.integers(-5, 400).map(str))


@contextmanager
def fresh_project():
    """A new project with one document and one code, in its own folder."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.kodeverk"
        with Project.create(path) as project:
            add_code(project, "Bolig", goal=4)
            segments = sentence_segments(SMALL_TEXT)
            add_document(project, "intervju", SMALL_TEXT, "interview", segments)
            yield project, Path(folder)


def assert_imports_or_fails_cleanly(project: Project, action, source: Path) -> None:
    before = table_dump(project.path)
    try:
        action()
        event("imported")
    except KodeverkError as exc:
        event(f"refused: {type(exc).__name__}")
        message = str(exc)
        assert message and "\n" not in message and "\r" not in message, repr(message)
        assert source.name in message, message  # says where
        assert table_dump(project.path) == before  # and nothing was written
    assert not project.conn.in_transaction


@FUZZ
@given(data=st.binary(max_size=600), suffix=st.sampled_from(ALL_SUFFIXES))
def test_random_bytes_through_the_importer(data, suffix):
    with fresh_project() as (project, folder):
        source = folder / f"input{suffix}"
        source.write_bytes(data)
        options = ImportOptions(text_columns=("svar",)) if suffix in (".csv", ".xlsx") else None
        assert_imports_or_fails_cleanly(
            project, lambda: import_files(project, [source], options), source
        )


@FUZZ
@given(
    text=st.text(max_size=300),
    suffix=st.sampled_from((".txt", ".md", ".vtt", ".srt")),
    encoding=st.sampled_from(("utf-8", "utf-8-sig", "cp1252", "utf-16")),
)
def test_random_text_through_the_transcript_readers(text, suffix, encoding):
    with fresh_project() as (project, folder):
        source = folder / f"input{suffix}"
        source.write_bytes(text.encode(encoding, errors="replace"))
        assert_imports_or_fails_cleanly(project, lambda: import_files(project, [source]), source)


def tables(columns: list[str]):
    """Half the time every column in ``columns`` in random order with random extra names, else
    a random header; rows of random cells, some short or long."""
    extra = st.lists(st.sampled_from(["x", "", "Svar", *columns]), max_size=3)
    complete = st.tuples(st.permutations(columns), extra).map(lambda t: [*t[0], *t[1]])
    header = st.one_of(complete, st.lists(st.sampled_from([*columns, "x", ""]), min_size=1))
    return header.flatmap(
        lambda names: st.tuples(
            st.just(names),
            st.lists(
                st.lists(NUMBERISH, min_size=len(names) - 1, max_size=len(names) + 1), max_size=5
            ),
        )
    )


def write_table(folder: Path, suffix: str, delimiter: str, header, rows) -> Path:
    path = folder / f"table{suffix}"
    if suffix == ".csv":
        buffer = io.StringIO()
        csv.writer(buffer, delimiter=delimiter).writerows([header, *rows])
        path.write_text(buffer.getvalue(), encoding="utf-8")
        return path
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [header, *rows]:
        sheet.append([_xlsx_cell(v) for v in row])
    book.save(path)
    return path


def _xlsx_cell(value: str) -> str | int | None:
    cleaned = "".join(ch for ch in value if ch >= " " or ch in "\t\n")  # what Excel can hold
    if cleaned.lstrip("-").isdigit():
        return int(cleaned)
    return cleaned or None


@FUZZ
@given(
    table=tables(["kommune", "svar", "innbyggere", "landsdel"]),
    suffix=st.sampled_from((".csv", ".xlsx")),
    delimiter=st.sampled_from(",;\t"),
)
def test_random_survey_tables(table, suffix, delimiter):
    header, rows = table
    with fresh_project() as (project, folder):
        source = write_table(folder, suffix, delimiter, header, rows)
        options = ImportOptions(
            text_columns=("svar",), case_column="kommune", attribute_columns=("innbyggere",)
        )
        assert_imports_or_fails_cleanly(
            project, lambda: import_files(project, [source], options), source
        )


@FUZZ
@given(
    table=tables(["document", "code", "coder", "start", "end", "quote"]),
    suffix=st.sampled_from((".csv", ".xlsx")),
    create=st.booleans(),
)
def test_random_codings_tables(table, suffix, create):
    header, rows = table
    names = [*header, "", ""]
    rows = [[_plausible(names[i], cell) for i, cell in enumerate(row)] for row in rows]
    with fresh_project() as (project, folder):
        source = write_table(folder, suffix, ",", header, rows)
        assert_imports_or_fails_cleanly(
            project, lambda: import_codings_csv(project, source, create_codes=create), source
        )


def _plausible(column: str, cell: str) -> str:
    """Some cells made valid more often, so examples also reach the later checks."""
    if column == "document" and len(cell) % 3 != 1:
        return "intervju" if len(cell) % 2 == 0 else "1"
    if column in ("code", "coder") and len(cell) % 3 != 1:
        return "Bolig" if column == "code" else "kari"
    if column in ("start", "end", "quote") and len(cell) % 2 == 0:
        return ""  # the whole document
    return cell
