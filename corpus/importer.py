"""Importing files into a project: all or nothing.

Every file is read and segmented first; only then is everything written in ONE transaction, so a
bad file (or a file imported before) leaves the project exactly as it was.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from coding import journal
from coding.cases import set_attributes
from coding.documents import DOCUMENT_KINDS, Segment, sha256_bytes, sha256_text
from coding.errors import InputError
from coding.gc_pause import collector_paused
from coding.store import Project, insert_rows, inserted_id, new_guid, now
from corpus.case_match import ambiguity, case_for_file, find_case
from corpus.readers import TRANSCRIPT_SUFFIXES, read_transcript
from corpus.segment import SentenceRow, TooManySentences, counting, sentence_rows
from corpus.surveys import SurveyOptions, read_survey
from corpus.tables import TABLE_SUFFIXES

SUPPORTED_SUFFIXES = (*TRANSCRIPT_SUFFIXES, *TABLE_SUFFIXES)

SEGMENT_COLUMNS = ("document_id", "ordinal", "start", "end", "kind", "block", "speaker")

# progress(stage, done, total): stage is "reading", "segmenting" or "writing".
Progress = Callable[[str, int, int], None]


@dataclass
class ImportOptions:
    """How to read the files. ``kind`` None: ``survey`` for tables, ``interview`` for transcripts
    with speaker turns, ``text`` otherwise."""

    kind: str | None = None
    case: str | None = None
    case_column: str | None = None
    text_columns: Sequence[str] = ()
    attribute_columns: Sequence[str] = ()
    attribution_column: str | None = None
    sheet: str | None = None
    case_from_name: bool = False  # transcripts: the case whose name is in the file name
    create_cases: bool = False  # with case_from_name: a new case when none matches


@dataclass
class ImportSummary:
    files: int = 0
    documents: int = 0
    segments: int = 0
    words: int = 0
    cases_created: int = 0
    skipped_empty_answers: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Document:
    name: str
    kind: str
    text: str
    blocks: list[Segment]
    case: str | None
    source_meta: dict[str, Any]
    segments: list[SentenceRow] = field(default_factory=list)


@dataclass
class _File:
    path: Path
    sha256: str
    documents: list[_Document]
    case_attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    skipped_empty: int = 0


def expand_folders(paths: Sequence[Path]) -> tuple[Path, ...]:
    """A folder stands for the files in it that kodeverk reads (not sub-folders), by name."""
    expanded: list[Path] = []
    for path in paths:
        if not path.is_dir():
            expanded.append(path)
            continue
        found = sorted(p for p in path.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)
        if not found:
            raise InputError(f"{path}: no files kodeverk can import in this folder")
        expanded.extend(found)
    return tuple(expanded)


def import_files(
    project: Project,
    paths: Sequence[Path],
    options: ImportOptions | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Read, segment and store ``paths``; raises ``InputError`` (nothing written) on any problem."""
    options = options or ImportOptions()
    started = time.perf_counter()
    if options.kind is not None and options.kind not in DOCUMENT_KINDS:
        raise InputError(f"--kind must be one of {', '.join(DOCUMENT_KINDS)}, not {options.kind!r}")
    files = _read_all(project, [Path(p) for p in paths], options, progress)
    with collector_paused():
        _segment_all(files, progress)
        summary = _write_all(project, files, options, progress)
    summary.seconds = time.perf_counter() - started
    return summary


# -- which case each file goes to (--dry-run) ----------------------------------------------------
@dataclass
class CasePlan:
    """Where one file's documents would go: ``match`` is ``exact`` or ``near`` (from the file
    name), ``new`` (a case made from the file name), ``given`` (--case), ``column`` (a table's
    case column), ``ambiguous`` or ``none``; ``problem`` says why the import would fail."""

    file: str
    case: str | None
    match: str
    note: str = ""
    problem: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def plan_cases(project: Project, paths: Sequence[Path], options: ImportOptions) -> list[CasePlan]:
    """The case each file would be linked to by ``import_files``, without reading or writing."""
    cases = [row[0] for row in project.conn.execute("SELECT name FROM cases ORDER BY name")]
    return [_plan_case(Path(p), cases, options) for p in paths]


def _plan_case(path: Path, cases: list[str], options: ImportOptions) -> CasePlan:
    given = "given" if options.case in cases else "new"
    if not path.is_file():
        return CasePlan(path.name, None, "none", problem="no such file")
    if path.suffix.lower() in TABLE_SUFFIXES and options.case_column:
        return CasePlan(path.name, None, "column", f"each row's {options.case_column!r}")
    if options.case or path.suffix.lower() in TABLE_SUFFIXES or not options.case_from_name:
        return CasePlan(path.name, options.case, given if options.case else "none")
    found = find_case(path.stem, cases)
    if found.how == "ambiguous":
        return CasePlan(path.name, None, found.how, problem=ambiguity(found))
    if found.case:
        note = f"score {found.score:.0f}" if found.how == "near" else ""
        return CasePlan(path.name, found.case, found.how, note)
    if options.create_cases:
        return CasePlan(
            path.name, case_for_file(path.stem, cases, create=True, where="").case, "new"
        )
    return CasePlan(path.name, None, "none", problem="no case matches the file name")


# -- reading -------------------------------------------------------------------------------------
def _read_all(
    project: Project, paths: list[Path], options: ImportOptions, progress: Progress | None
) -> list[_File]:
    if not paths:
        raise InputError("no files to import")
    seen: dict[str, Path] = {}
    files = []
    cases = [row[0] for row in project.conn.execute("SELECT name FROM cases ORDER BY name")]
    for done, path in enumerate(paths):
        data = _read_bytes(path)
        digest = sha256_bytes(data)
        if digest in seen:
            raise InputError(f"{path}: same content as {seen[digest]} (given twice)")
        seen[digest] = path
        _refuse_reimport(project, path, digest)
        files.append(_read_file(path, data, digest, options, cases))
        if progress:
            progress("reading", done + 1, len(paths))
    return files


def _read_bytes(path: Path) -> bytes:
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        kinds = " ".join(SUPPORTED_SUFFIXES)
        raise InputError(
            f"{path}: cannot import {path.suffix or 'files without a suffix'}; "
            f"kodeverk reads {kinds} and .qdpx"
        )
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None


def _refuse_reimport(project: Project, path: Path, digest: str) -> None:
    row = project.conn.execute(
        "SELECT file_name, imported_at FROM imports WHERE sha256 = ?", (digest,)
    ).fetchone()
    if row:
        raise InputError(f"{path}: already imported on {row[1][:10]} as {row[0]!r}")


def _read_file(
    path: Path, data: bytes, digest: str, options: ImportOptions, cases: list[str]
) -> _File:
    if path.suffix.lower() in TABLE_SUFFIXES:
        return _read_survey_file(path, digest, options)
    transcript = read_transcript(path, data)
    if not transcript.blocks:
        raise InputError(f"{path}: no text to import")
    kind = options.kind or ("interview" if transcript.has_speakers else "text")
    meta = {"file": path.name, **transcript.source_meta}
    case = options.case
    if options.case_from_name and not case:
        found = case_for_file(path.stem, cases, create=options.create_cases, where=str(path))
        case = found.case
    document = _Document(path.name, kind, transcript.text, transcript.blocks, case, meta)
    return _File(path, digest, [document])


def _read_survey_file(path: Path, digest: str, options: ImportOptions) -> _File:
    # the survey reader's options are the import options of the same names
    survey_options = {f.name: getattr(options, f.name) for f in fields(SurveyOptions)}
    survey = read_survey(path, SurveyOptions(**survey_options))
    kind = options.kind or "survey"
    documents = [
        _Document(a.name, kind, a.text, a.blocks, a.case, a.source_meta) for a in survey.answers
    ]
    return _File(path, digest, documents, survey.case_attributes, survey.skipped_empty)


# -- segmenting ----------------------------------------------------------------------------------
def _segment_all(files: list[_File], progress: Progress | None) -> None:
    documents = [d for f in files for d in f.documents]
    advance = counting(progress, "segmenting", sum(len(d.blocks) for d in documents))
    pairs = [(d.text, d.blocks) for d in documents]
    try:
        for document, rows in zip(documents, sentence_rows(pairs, advance), strict=True):
            document.segments = rows
    except TooManySentences as exc:
        document = documents[exc.index]
        owner = next(f for f in files if any(d is document for d in f.documents))
        where = owner.path if len(owner.documents) == 1 else f"{owner.path}: {document.name}"
        raise InputError(f"{where}: {exc}") from None


# -- writing -------------------------------------------------------------------------------------
def _write_all(
    project: Project, files: list[_File], options: ImportOptions, progress: Progress | None
) -> ImportSummary:
    summary = ImportSummary(files=len(files))
    total = sum(len(f.documents) for f in files)
    with project.transaction() as conn:
        cases_before = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        case_ids: dict[str, int] = {}
        segment_rows: list[tuple] = []
        for f in files:
            import_id = _record_import(conn, f, options)
            for case, attributes in f.case_attributes.items():
                set_attributes(project, _case_id(conn, case_ids, case), attributes)
            for document in f.documents:
                case_id = _case_id(conn, case_ids, document.case) if document.case else None
                document_id = _insert_document(conn, document, case_id, import_id)
                segment_rows.extend(
                    (document_id, i, *row) for i, row in enumerate(document.segments)
                )
                _count_document(summary, document, progress, total)
            summary.skipped_empty_answers += f.skipped_empty
        # A few hundred rows per statement: executemany pays SQLite's per-statement cost (the
        # CHECKs' and the unique index's statement set-up) once per row.
        insert_rows(conn, "segments", SEGMENT_COLUMNS, segment_rows)
        summary.cases_created = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        summary.cases_created -= cases_before
        _journal(conn, files, summary)
    if progress:
        progress("writing", total, total)
    return summary


WORD_CHUNK = 1 << 20  # characters counted at a time (4 bytes each as code points)
# No code point above U+3000 is whitespace (str.isspace): those all look up U+3001, not one.
_ABOVE_SPACES = 0x3001
_IS_SPACE = np.array([chr(c).isspace() for c in range(_ABOVE_SPACES + 1)])


def word_count(text: str) -> int:
    """The number of ``\\S+`` runs in ``text`` (the characters that follow whitespace or open
    the text and are not whitespace), counted with numpy over the code points a piece at a
    time: a third faster than ``str.split``, without a string per word."""
    count = 0
    after_space = True
    for start in range(0, len(text), WORD_CHUNK):
        points = np.frombuffer(text[start : start + WORD_CHUNK].encode("utf-32-le"), np.uint32)
        space = _IS_SPACE[np.minimum(points, _ABOVE_SPACES)]
        count += int(after_space and not space[0])
        count += int(np.count_nonzero(space[:-1] > space[1:]))  # a space, then a non-space
        after_space = bool(space[-1])
    return count


def _count_document(
    summary: ImportSummary, document: _Document, progress: Progress | None, total: int
) -> None:
    summary.documents += 1
    summary.segments += len(document.segments)
    summary.words += word_count(document.text)
    if progress and summary.documents % 100 == 0:
        progress("writing", summary.documents, total)


def _journal(conn: sqlite3.Connection, files: list[_File], summary: ImportSummary) -> None:
    """One audit-trail event for the import (not undoable: documents are never unimported)."""
    names = ", ".join(f.path.name for f in files[:3]) + (" ..." if len(files) > 3 else "")
    summary_text = f"imported {summary.documents} documents from {names}"
    journal.record(conn, None, "import", summary_text, [], undoable=False)


def _record_import(conn: sqlite3.Connection, f: _File, options: ImportOptions) -> int:
    chosen = {k: v for k, v in asdict(options).items() if v not in (None, (), [])}
    cur = conn.execute(
        "INSERT INTO imports(sha256, file_name, source_path, format, options, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (
            f.sha256,
            f.path.name,
            str(f.path.resolve()),
            f.path.suffix.lower().lstrip("."),
            json.dumps(chosen, ensure_ascii=False, default=list),
            now(),
        ),
    )
    return inserted_id(cur)


def _case_id(conn: sqlite3.Connection, known: dict[str, int], name: str) -> int:
    if name not in known:
        row = conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
        if row is None:
            row = conn.execute(
                "INSERT INTO cases(guid, name, created_at) VALUES (?, ?, ?) RETURNING id",
                (new_guid(), name, now()),
            ).fetchone()
        known[name] = row[0]
    return known[name]


def _insert_document(
    conn: sqlite3.Connection, document: _Document, case_id: int | None, import_id: int
) -> int:
    cur = conn.execute(
        "INSERT INTO documents(guid, name, kind, text, length, sha256, case_id, import_id, "
        "source_meta, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new_guid(),
            document.name,
            document.kind,
            document.text,
            len(document.text),
            sha256_text(document.text),
            case_id,
            import_id,
            json.dumps(document.source_meta, ensure_ascii=False),
            now(),
        ),
    )
    return inserted_id(cur)
