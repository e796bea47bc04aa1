"""Coder copies: a coder's own working copy of a project, to code blind or offline.

A copy holds the same documents, cases and codebook (same GUIDs) and only the copying coder's
codings, memos and done marks. It remembers what it started from (``copy_base`` in its meta
table, in the portable form below), so ``coding.merge`` can tell what the coder added, changed
or removed in the copy from what others changed in the project meanwhile.

Portable rows name documents by text hash and GUID, codes by GUID, coders by name: they mean the
same thing in the project and in any copy of it, whatever the row ids.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coding.backup import finish_file_copy, start_file_copy, verify_project_file
from coding.errors import ProjectError
from coding.output import remove_partial
from coding.store import Project, new_guid, now

Row = dict[str, Any]

# Per table: the query giving portable rows, and the fields that identify a row.
PORTABLE_QUERIES: dict[str, str] = {
    "codings": (
        "SELECT k.guid, d.sha256 AS document_sha, d.guid AS document_guid, "
        'c.guid AS code_guid, u.name AS coder, k.start, k."end", k.created_at '
        "FROM codings k JOIN documents d ON d.id = k.document_id "
        "JOIN codes c ON c.id = k.code_id JOIN coders u ON u.id = k.coder_id"
    ),
    "memos": (
        "SELECT m.guid, u.name AS coder, m.target_kind, m.target_guid, m.text, m.created_at, "
        "m.updated_at FROM memos m JOIN coders u ON u.id = m.coder_id"
    ),
    "document_status": (
        "SELECT d.sha256 AS document_sha, d.guid AS document_guid, u.name AS coder, s.done, "
        "s.updated_at FROM document_status s JOIN documents d ON d.id = s.document_id "
        "JOIN coders u ON u.id = s.coder_id"
    ),
    "codes": (
        "SELECT c.guid, p.guid AS parent_guid, c.name, c.goal, c.description, c.include_note, "
        "c.exclude_note, c.colour, c.shortcut, c.keywords, c.ordinal, c.created_at "
        "FROM codes c LEFT JOIN codes p ON p.id = c.parent_id ORDER BY c.id"
    ),
}


def portable_key(table: str, row: Row) -> str:
    if table == "document_status":
        return f"{row['document_sha']}|{row['coder']}"
    return row["guid"]


def snapshot(conn: sqlite3.Connection, coder: str | None = None) -> dict[str, dict[str, Row]]:
    """Portable rows of the tables a merge brings back, keyed per table (only ``coder``'s
    codings, memos and done marks when given)."""
    result: dict[str, dict[str, Row]] = {}
    for table, sql in PORTABLE_QUERIES.items():
        cur = conn.execute(sql)
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        if coder is not None and table != "codes":
            rows = [r for r in rows if r["coder"] == coder]
        result[table] = {portable_key(table, r): r for r in rows}
    return result


@dataclass(frozen=True)
class CopyInfo:
    path: Path
    coder: str
    codings: int
    memos: int
    documents: int


def make_copy(project: Project, destination: str | os.PathLike, coder: str) -> CopyInfo:
    """Write ``coder``'s working copy of ``project`` to ``destination`` (a new file, mode 0600).
    Other coders' codings, memos, done marks and the audit trail are left out (blind coding).
    The copy is made under a temporary name and checked before it gets its name, so a failed
    or killed copy leaves nothing under ``destination``."""
    destination = Path(destination)
    project_guid = project.meta("project_guid") or ""
    temp = start_file_copy(project, destination)
    try:
        with Project.open(temp) as copy:
            _keep_only(copy, coder)
            _mark_as_copy(copy, coder, project_guid, project.path)
            # VACUUM so others' deleted rows do not linger in free pages of a blind copy.
            copy.conn.execute("VACUUM")
            info = CopyInfo(
                destination,
                coder,
                _count(copy, "codings"),
                _count(copy, "memos"),
                _count(copy, "documents"),
            )
        verify_project_file(temp, destination)
        finish_file_copy(temp, destination)
    except (sqlite3.Error, OSError) as exc:
        remove_partial(temp)
        raise ProjectError(f"{destination}: the copy failed ({exc}); nothing was written") from None
    except BaseException:
        remove_partial(temp)
        raise
    return info


def _keep_only(copy: Project, coder: str) -> None:
    with copy.transaction() as conn:
        coder_id = copy.coder_id(coder)
        for table in ("memos", "codings", "document_status", "coder_state", "suggestion_feedback"):
            conn.execute(f"DELETE FROM {table} WHERE coder_id != ?", (coder_id,))
        conn.execute("DELETE FROM users")  # password hashes never leave the project
    _empty_trail(copy)


def _empty_trail(copy: Project) -> None:
    """Delete every event. With foreign keys off SQLite drops the table's pages at once (its
    truncate optimisation) instead of deleting row by row and checking ``undone_by``, which
    refers to events; no row refers to an event once all are gone."""
    copy.conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: set before
    try:
        with copy.transaction() as conn:
            conn.execute("DELETE FROM events")
    finally:
        copy.conn.execute("PRAGMA foreign_keys = ON")


def _mark_as_copy(copy: Project, coder: str, project_guid: str, source: Path) -> None:
    base = snapshot(copy.conn)
    with copy.transaction():
        copy.set_meta("project_guid", new_guid())
        copy.set_meta("copy_of", project_guid)
        copy.set_meta("copy_of_path", str(source.resolve()))
        copy.set_meta("copy_coder", coder)
        copy.set_meta("copy_made_at", now())
        copy.set_meta("copy_base", json.dumps(base, ensure_ascii=False))


def _count(project: Project, table: str) -> int:
    return int(project.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
