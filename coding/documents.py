"""Documents and their segments in the project file.

Readers in ``corpus/`` turn files into text and segments; this module stores them. Text is
stored NFC-normalised with ``\\n`` line ends, so ``text[start:end]`` is always the quote.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from coding.errors import CodingError, InputError
from coding.store import Project, inserted_id, new_guid, now

DOCUMENT_KINDS = ("interview", "survey", "text")
SEGMENT_KINDS = ("turn", "answer", "paragraph", "cue")
# Speaker labels of the one asking the questions (``I 2``, ``Intervjuer``, ``Moderator``...).
# A project can name its own in ``meta.interviewers`` (comma-separated labels).
INTERVIEWER = re.compile(
    r"(?:i|int\.?|intervjuer|intervjuar|interviewer|moderator|fasilitator|spørsmål|question|q)"
    r"\s*\d*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Segment:
    """A unit of text to code: ``text[start:end]``; ``block`` numbers the turn, answer,
    paragraph or cue it belongs to (several sentences share a block)."""

    start: int
    end: int
    kind: str
    block: int
    speaker: str | None = None


@dataclass(frozen=True)
class DocumentInfo:
    id: int
    guid: str
    name: str
    kind: str
    case_id: int | None
    case: str | None
    segments: int
    length: int


def interviewer_rule(project: Project) -> Callable[[str | None], bool]:
    """Which speaker labels are interviewers: the project's ``meta.interviewers`` when set,
    else the usual labels (``INTERVIEWER``). Used by reports and keyword suggestions."""
    listed = project.meta("interviewers")
    if listed and listed.strip():
        names = {" ".join(n.split()).casefold() for n in listed.split(",") if n.strip()}
        return lambda speaker: (
            bool(speaker) and " ".join((speaker or "").split()).casefold() in names
        )
    return is_interviewer


def is_interviewer(speaker: str | None) -> bool:
    if not speaker:
        return False
    return INTERVIEWER.fullmatch(speaker.strip().rstrip(".")) is not None


def suggestible(
    segments: list[Segment], text: str, interviewer: Callable[[str | None], bool]
) -> list[Segment]:
    """The segments keyword suggestions may land on: not interviewer turns, not headers (text
    outside the speaker turns of a transcript, Markdown headings)."""
    has_speakers = any(s.speaker for s in segments)
    return [
        s
        for s in segments
        if not interviewer(s.speaker)
        and not (has_speakers and s.speaker is None and s.kind == "paragraph")
        and not text.startswith("#", s.start)
    ]


def normalise_text(text: str) -> str:
    """NFC, ``\\n`` line ends, no BOM: the form every offset refers to."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_import(project: Project, file_sha256: str) -> str | None:
    """The name of an earlier import of the same bytes, or None."""
    row = project.conn.execute(
        "SELECT file_name || ' (imported ' || imported_at || ')' FROM imports WHERE sha256 = ?",
        (file_sha256,),
    ).fetchone()
    return row[0] if row else None


def record_import(
    project: Project,
    file_sha256: str,
    file_name: str,
    source_path: str,
    fmt: str,
    options: dict[str, Any] | None = None,
) -> int:
    """Register an imported file (inside the import's transaction); refuses the same bytes twice."""
    earlier = find_import(project, file_sha256)
    if earlier:
        raise InputError(f"{source_path}: already imported as {earlier} (same content)")
    cur = project.conn.execute(
        "INSERT INTO imports(sha256, file_name, source_path, format, options, imported_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (file_sha256, file_name, source_path, fmt, json.dumps(options or {}), now()),
    )
    return inserted_id(cur)


def add_document(
    project: Project,
    name: str,
    text: str,
    kind: str,
    segments: Sequence[Segment],
    *,
    case_id: int | None = None,
    import_id: int | None = None,
    guid: str | None = None,
    source_meta: dict[str, Any] | None = None,
) -> int:
    """Store one document and its segments (call inside a transaction for bulk imports).
    ``text`` must already be normalised; segments must lie inside it and not overlap."""
    if kind not in DOCUMENT_KINDS:
        raise InputError(f"{name}: document kind must be one of {', '.join(DOCUMENT_KINDS)}")
    _check_segments(name, len(text), segments)
    with project.transaction() as conn:
        cur = conn.execute(
            "INSERT INTO documents(guid, name, kind, text, length, sha256, case_id, import_id, "
            "source_meta, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guid or new_guid(),
                name,
                kind,
                text,
                len(text),
                sha256_text(text),
                case_id,
                import_id,
                json.dumps(source_meta or {}, ensure_ascii=False),
                now(),
            ),
        )
        document_id = inserted_id(cur)
        conn.executemany(
            'INSERT INTO segments(document_id, ordinal, start, "end", kind, block, speaker) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (document_id, i, s.start, s.end, s.kind, s.block, s.speaker)
                for i, s in enumerate(segments)
            ],
        )
    return document_id


def _check_segments(name: str, length: int, segments: Iterable[Segment]) -> None:
    previous_end = 0
    for seg in segments:
        if seg.kind not in SEGMENT_KINDS:
            raise InputError(f"{name}: unknown segment kind {seg.kind!r}")
        if not (previous_end <= seg.start < seg.end <= length):
            raise InputError(f"{name}: segment {seg.start}–{seg.end} overlaps or lies outside")
        previous_end = seg.end


def list_documents(project: Project) -> list[DocumentInfo]:
    """All documents in import order (ids follow import order)."""
    rows = project.conn.execute(
        "SELECT d.id, d.guid, d.name, d.kind, d.case_id, c.name, "
        "(SELECT count(*) FROM segments s WHERE s.document_id = d.id), d.length "
        "FROM documents d LEFT JOIN cases c ON c.id = d.case_id ORDER BY d.id"
    ).fetchall()
    return [DocumentInfo(*r) for r in rows]


def document_text(project: Project, document_id: int) -> str:
    row = project.conn.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()
    if row is None:
        raise CodingError(f"no document with id {document_id}")
    return row[0]


def document_name_and_text(project: Project, document_id: int) -> tuple[str, str]:
    row = project.conn.execute(
        "SELECT name, text FROM documents WHERE id = ?", (document_id,)
    ).fetchone()
    if row is None:
        raise CodingError(f"no document with id {document_id}")
    return row


def has_document(project: Project, document_id: int) -> bool:
    found = project.conn.execute("SELECT 1 FROM documents WHERE id = ?", (document_id,))
    return found.fetchone() is not None


def segments_of(project: Project, document_id: int) -> list[Segment]:
    rows = project.conn.execute(
        'SELECT start, "end", kind, block, speaker FROM segments WHERE document_id = ? '
        "ORDER BY ordinal",
        (document_id,),
    ).fetchall()
    return [Segment(*r) for r in rows]


def resolve_document(project: Project, ref: str | int) -> int:
    """A document id from an id or a unique name."""
    if isinstance(ref, int) or str(ref).isdigit():
        row = project.conn.execute("SELECT id FROM documents WHERE id = ?", (int(ref),)).fetchone()
        if row:
            return row[0]
    rows = project.conn.execute("SELECT id FROM documents WHERE name = ?", (str(ref),)).fetchall()
    if len(rows) == 1:
        return rows[0][0]
    if len(rows) > 1:
        raise CodingError(f"document name {ref!r} is ambiguous ({len(rows)} documents); use an id")
    raise CodingError(f"no document {ref!r}")


def document_slice(project: Project, document_id: int, start: int, end: int) -> str:
    """``text[start:end]`` of a document, read in SQLite (the text itself is not loaded)."""
    row = project.conn.execute(
        "SELECT substr(text, ? + 1, ? - ?) FROM documents WHERE id = ?",
        (start, end, start, document_id),
    ).fetchone()
    return row[0] if row else ""
