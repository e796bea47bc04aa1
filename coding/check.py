"""``kodeverk check``: SQLite's integrity checks plus kodeverk's own invariants.

Each check is a query returning the offending rows; a healthy project returns none. Checks run
read-only, so they are safe while coders work.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from coding.errors import ProjectError
from coding.store import RECOUNT_CODINGS, Project

# Code id -> path («Mål 4/Bolig»), for naming codes in messages (codes in a cycle have none).
_CODE_PATHS = (
    "WITH RECURSIVE code_paths(id, path) AS (SELECT id, name FROM codes WHERE parent_id IS NULL "
    "UNION ALL SELECT c.id, p.path || '/' || c.name FROM codes c JOIN code_paths p "
    "ON c.parent_id = p.id)"
)

# name -> (query returning offending rows, message template over a row)
INVARIANTS: dict[str, tuple[str, str]] = {
    "coding outside its document": (
        f"{_CODE_PATHS} SELECT k.id, coalesce(c.path, 'code ' || k.code_id), u.name, k.start, "
        'k."end", d.id, d.name, d.length FROM codings k JOIN documents d ON d.id = k.document_id '
        "LEFT JOIN code_paths c ON c.id = k.code_id LEFT JOIN coders u ON u.id = k.coder_id "
        'WHERE NOT (0 <= k.start AND k.start < k."end" AND k."end" <= d.length)',
        "coding {0} ({1!r} by {2}) spans {3}–{4} but document {5} {6!r} has length {7}",
    ),
    "coding case differs from its document's": (
        "SELECT k.id, coalesce(kc.name, 'no case'), d.id, d.name, coalesce(dc.name, 'no case') "
        "FROM codings k JOIN documents d ON d.id = k.document_id "
        "LEFT JOIN cases kc ON kc.id = k.case_id LEFT JOIN cases dc ON dc.id = d.case_id "
        "WHERE k.case_id IS NOT d.case_id",
        "coding {0} is counted for {1!r}, but its document {2} {3!r} belongs to {4!r}",
    ),
    "coding of a missing code, document or coder": (
        f"{_CODE_PATHS} SELECT k.id, coalesce(c.path, 'missing code ' || k.code_id), "
        "coalesce(u.name, 'missing coder ' || k.coder_id), k.start, k.\"end\", "
        "coalesce(quote(d.name), 'missing document ' || k.document_id) FROM codings k "
        "LEFT JOIN code_paths c ON c.id = k.code_id LEFT JOIN coders u ON u.id = k.coder_id "
        "LEFT JOIN documents d ON d.id = k.document_id "
        "WHERE c.id IS NULL OR u.id IS NULL OR d.id IS NULL",
        "coding {0} ({1!r} by {2}, {3}–{4} in {5}) refers to a code, document or coder that "
        "does not exist",
    ),
    "code with a missing parent": (
        "SELECT c.id, c.name, c.parent_id FROM codes c WHERE c.parent_id IS NOT NULL "
        "AND c.parent_id NOT IN (SELECT id FROM codes)",
        "code {0} ({1!r}) has parent {2}, which does not exist",
    ),
    "document length differs from its text": (
        "SELECT id, name, length, length(text) FROM documents WHERE length != length(text)",
        "document {0} {1!r} records length {2}, its text has {3} characters",
    ),
    "segment outside its document": (
        'SELECT s.ordinal, s.start, s."end", d.id, d.name, d.length FROM segments s '
        "JOIN documents d ON d.id = s.document_id "
        'WHERE NOT (0 <= s.start AND s.start < s."end" AND s."end" <= d.length)',
        "segment {0} spans {1}–{2} but document {3} {4!r} has length {5}",
    ),
    "overlapping segments": (
        'SELECT s.ordinal, d.id, d.name FROM (SELECT ordinal, document_id, start, lag("end") '
        "OVER (PARTITION BY document_id ORDER BY ordinal) AS previous_end FROM segments) s "
        "JOIN documents d ON d.id = s.document_id WHERE previous_end > start",
        "segment {0} of document {1} {2!r} overlaps the segment before it",
    ),
    "orphan segment": (
        "SELECT id, document_id FROM segments WHERE document_id NOT IN (SELECT id FROM documents)",
        "segment {0} belongs to document {1}, which does not exist",
    ),
    "memo on a missing target": (
        "SELECT m.id, m.target_kind, m.target_guid, coalesce(u.name, 'a missing coder') "
        "FROM memos m LEFT JOIN coders u ON u.id = m.coder_id WHERE CASE m.target_kind "
        "WHEN 'project' THEN m.target_guid IS NOT NULL "
        "WHEN 'document' THEN m.target_guid NOT IN (SELECT guid FROM documents) "
        "WHEN 'coding' THEN m.target_guid NOT IN (SELECT guid FROM codings) "
        "WHEN 'code' THEN m.target_guid NOT IN (SELECT guid FROM codes) "
        "WHEN 'case' THEN m.target_guid NOT IN (SELECT guid FROM cases) ELSE 1 END",
        "memo {0} by {3} is on {1} {2}, which does not exist",
    ),
    "memo by a missing coder": (
        "SELECT id, coder_id FROM memos WHERE coder_id NOT IN (SELECT id FROM coders)",
        "memo {0} is by coder {1}, who does not exist",
    ),
    "done mark of a missing document or coder": (
        "SELECT document_id, coder_id FROM document_status "
        "WHERE document_id NOT IN (SELECT id FROM documents) "
        "OR coder_id NOT IN (SELECT id FROM coders)",
        "done mark for document {0} and coder {1} refers to a missing row",
    ),
    "attribute of a missing case": (
        "SELECT case_id, name FROM case_attributes WHERE case_id NOT IN (SELECT id FROM cases)",
        "attribute {1!r} belongs to case {0}, which does not exist",
    ),
    "event with unreadable changes": (
        "SELECT id FROM events WHERE NOT json_valid(changes)",
        "event {0} holds changes that are not valid JSON",
    ),
}


@dataclass(frozen=True)
class Problem:
    check: str
    message: str
    row: tuple = field(default=(), compare=False, repr=False)  # the invariant's offending row

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "message": self.message}


def check_project(path: str | os.PathLike) -> list[Problem]:
    """Everything wrong with the project file at ``path`` (empty: healthy). A file that is not
    a kodeverk project at all raises ``ProjectError``."""
    path = Path(path)
    damage = _raw_integrity(path)
    if not all(p.message.startswith(_ROW_RULES) for p in damage):
        return damage  # the pages themselves: reading further could fail or mislead
    with Project.open(path, migrate=False) as project:
        conn = project.conn
        try:
            problems = _foreign_keys(conn)
            problems += _invariants(conn, is_copy=bool(project.meta("copy_of")))
            problems += _code_counts(conn)
            problems += _code_cycles(conn)
            problems += _text_hashes(conn)
            problems += _schema_version(project)
        except sqlite3.DatabaseError as exc:
            problems = [Problem("integrity", f"the file cannot be read: {exc}")]
    return problems + damage  # rows broken past the schema's rules: named rows first


def check_copy(path: str | os.PathLike) -> list[Problem]:
    """What makes the coder copy at ``path`` unsafe to merge: everything ``check_project``
    finds, the problems that name a row first."""
    return sorted(check_project(path), key=lambda p: not p.row)


# integrity_check lines about single rows that break a column rule (written past the
# schema's checks by another tool); the file itself reads fine.
_ROW_RULES = ("CHECK constraint failed", "NULL value in")


def _raw_integrity(path: Path) -> list[Problem]:
    """SQLite's integrity check on a plain connection, before anything reads the schema
    (a damaged file may not even open as a project)."""
    if not path.is_file():
        raise ProjectError(f"{path}: no such project file")
    with path.open("rb") as handle:
        if handle.read(16) != b"SQLite format 3\x00":
            raise ProjectError(f"{path}: not a kodeverk project (not an SQLite database)")
    try:
        conn = sqlite3.connect(path)
    except sqlite3.DatabaseError as exc:
        return [Problem("integrity", f"the file cannot be opened: {exc}")]
    conn.text_factory = lambda data: data.decode("utf-8", "replace")
    try:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
        reason = str(exc) if isinstance(exc, sqlite3.DatabaseError) else "unreadable schema"
        return [Problem("integrity", f"the file cannot be read: {reason}")]
    finally:
        conn.close()
    return [Problem("integrity", r[0]) for r in rows if r[0] != "ok"]


def _foreign_keys(conn: sqlite3.Connection) -> list[Problem]:
    problems = []
    for table, rowid, parent, _ in conn.execute("PRAGMA foreign_key_check"):
        problems.append(
            Problem("foreign key", f"{table} row {rowid} refers to a missing {parent} row")
        )
    return problems


def _invariants(conn: sqlite3.Connection, *, is_copy: bool = False) -> list[Problem]:
    problems = []
    for name, (sql, template) in INVARIANTS.items():
        for row in conn.execute(sql):
            if is_copy and name == "memo on a missing target" and row[1] == "coding":
                continue  # a coder copy leaves out the other coders' codings, not their memos
            problems.append(Problem(name, template.format(*row), tuple(row)))
    return problems


# Rows of code_document_counts that differ from a recount of the codings, either way round.
_COUNT_DIFFERENCES = (
    f"{_CODE_PATHS}, recount(code_id, document_id, coder_id, n) AS ({RECOUNT_CODINGS}), "
    "differing(code_id, document_id, coder_id, stored, counted) AS ("
    "SELECT r.code_id, r.document_id, r.coder_id, coalesce(t.n, 0), r.n FROM recount r "
    "LEFT JOIN code_document_counts t ON t.code_id = r.code_id "
    "AND t.document_id = r.document_id AND t.coder_id = r.coder_id WHERE t.n IS NOT r.n "
    "UNION ALL SELECT t.code_id, t.document_id, t.coder_id, t.n, 0 "
    "FROM code_document_counts t WHERE NOT EXISTS (SELECT 1 FROM codings k "
    "WHERE k.code_id = t.code_id AND k.document_id = t.document_id AND k.coder_id = t.coder_id)) "
    "SELECT coalesce(c.path, 'code ' || x.code_id), x.document_id, "
    "coalesce(u.name, 'coder ' || x.coder_id), x.stored, x.counted, x.code_id, x.coder_id "
    "FROM differing x LEFT JOIN code_paths c ON c.id = x.code_id "
    "LEFT JOIN coders u ON u.id = x.coder_id ORDER BY x.code_id, x.document_id, x.coder_id"
)


def _code_counts(conn: sqlite3.Connection) -> list[Problem]:
    """``code_document_counts`` (kept by triggers) equals a recount of the codings."""
    if not conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'code_document_counts'"
    ).fetchone():
        return []  # a version 1 file, checked before its migration
    return [
        Problem(
            "coding counts differ from a recount",
            f"code_document_counts says {code!r} by {coder} in document {document} has "
            f"{stored} coding(s), a recount finds {counted}",
            (code_id, document, coder_id),
        )
        for code, document, coder, stored, counted, code_id, coder_id in conn.execute(
            _COUNT_DIFFERENCES
        )
    ]


def _code_cycles(conn: sqlite3.Connection) -> list[Problem]:
    parent = dict(conn.execute("SELECT id, parent_id FROM codes"))
    names = dict(conn.execute("SELECT id, name FROM codes"))
    problems = []
    for code in parent:
        seen = {code}
        node = parent.get(code)
        while node is not None and node in parent:
            if node in seen:
                problems.append(
                    Problem("code tree cycle", f"code {code} {names[code]!r} is its own ancestor")
                )
                break
            seen.add(node)
            node = parent[node]
    return problems


def _text_hashes(conn: sqlite3.Connection) -> list[Problem]:
    """A document's text never changes after import: its hash must still match."""
    return [
        Problem("document text changed", f"document {doc_id} {name!r} no longer matches its hash")
        for doc_id, name, text, sha in conn.execute("SELECT id, name, text, sha256 FROM documents")
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != sha
    ]


def _schema_version(project: Project) -> list[Problem]:
    recorded = project.meta("schema_version")
    if recorded != str(project.schema_version):
        return [
            Problem(
                "schema version",
                f"meta says schema version {recorded}, the file says {project.schema_version}",
            )
        ]
    return []
