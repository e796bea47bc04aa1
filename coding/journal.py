"""The audit trail: every action is an event holding the row changes it made.

A change is ``{"table", "before", "after"}`` with whole rows (``None`` where the row did not or
no longer exists). Reverting a change restores ``before``; re-applying restores ``after``. The
same records drive undo/redo per coder and the ``kodeverk log`` listing.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from coding.errors import CodingError
from coding.store import inserted_id, new_guid, now, refresh_views

Row = dict[str, Any]

# How a row of each journalled table is identified across undo, redo and merges.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "codings": ("guid",),
    "memos": ("guid",),
    "codes": ("guid",),
    "document_status": ("document_id", "coder_id"),
    "case_attributes": ("case_id", "name"),
    "code_group_members": ("group_id", "code_id"),
    "matrix_summaries": ("row_kind", "row_key", "column_kind", "column_key"),
    "goal_assessments": ("goal",),
    "anonymisations": ("guid",),
    "suggestion_feedback": ("document_id", "start", "end", "code_id", "coder_id"),
}


@dataclass(frozen=True)
class Event:
    id: int
    at: str
    coder_id: int | None
    action: str
    summary: str
    changes: list[dict[str, Any]]
    state: str


def change(table: str, before: Row | None, after: Row | None) -> dict[str, Any]:
    if table not in TABLE_KEYS:
        raise ValueError(f"table {table!r} is not journalled")
    return {"table": table, "before": before, "after": after}


def fetch_row(conn: sqlite3.Connection, table: str, key_source: Row) -> Row | None:
    keys = TABLE_KEYS[table]
    where = " AND ".join(f'"{k}" = ?' for k in keys)
    cur = conn.execute(f"SELECT * FROM {table} WHERE {where}", [key_source[k] for k in keys])
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def write_row(conn: sqlite3.Connection, table: str, row: Row) -> None:
    """Insert ``row`` or overwrite the row with the same key."""
    columns = list(row)
    keys = TABLE_KEYS[table]
    updates = ", ".join(f'"{c}" = excluded."{c}"' for c in columns if c not in keys)
    conflict = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
    quoted = ", ".join(f'"{c}"' for c in columns)
    targets = ", ".join(f'"{k}"' for k in keys)  # quoted: "end" is a keyword
    conn.execute(
        f"INSERT INTO {table} ({quoted}) "
        f"VALUES ({', '.join('?' for _ in columns)}) "
        f"ON CONFLICT({targets}) {conflict}",
        [row[c] for c in columns],
    )


def delete_row(conn: sqlite3.Connection, table: str, row: Row) -> None:
    keys = TABLE_KEYS[table]
    where = " AND ".join(f'"{k}" = ?' for k in keys)
    conn.execute(f"DELETE FROM {table} WHERE {where}", [row[k] for k in keys])


def apply_changes(conn: sqlite3.Connection, changes: list[dict[str, Any]]) -> None:
    """Bring each row from its ``before`` to its ``after`` state, in order. Each ``after`` is
    replaced by the row as stored (with the id SQLite gave it), so the journal is exact."""
    for item in changes:
        _move_row(conn, item["table"], item["before"], item["after"])
        if item["after"] is not None:
            item["after"] = fetch_row(conn, item["table"], item["after"])
    _refresh_if_attributes(conn, changes)


def revert_changes(conn: sqlite3.Connection, changes: list[dict[str, Any]]) -> None:
    """Bring each row back from ``after`` to ``before``, last change first."""
    for item in reversed(changes):
        _move_row(conn, item["table"], item["after"], item["before"])
    _refresh_if_attributes(conn, changes)


def _refresh_if_attributes(conn: sqlite3.Connection, changes: list[dict[str, Any]]) -> None:
    """Attribute names may have come or gone: the wide view follows them."""
    if any(item["table"] == "case_attributes" for item in changes):
        refresh_views(conn)


def _move_row(
    conn: sqlite3.Connection, table: str, expected: Row | None, target: Row | None
) -> None:
    key_source = expected or target
    assert key_source is not None
    current = fetch_row(conn, table, key_source)
    if current != expected:
        raise CodingError(
            f"cannot undo or redo: a {table} row was changed since (key "
            f"{', '.join(str(key_source[k]) for k in TABLE_KEYS[table])})"
        )
    try:
        if target is None:
            delete_row(conn, table, key_source)
        else:
            write_row(conn, table, target)
    except sqlite3.IntegrityError as exc:  # e.g. undoing a new code someone has coded with since
        raise CodingError(
            f"cannot undo or redo: other rows depend on this {table} row now ({exc})"
        ) from None


def record(
    conn: sqlite3.Connection,
    coder_id: int | None,
    action: str,
    summary: str,
    changes: list[dict[str, Any]],
    *,
    undoable: bool = True,
) -> int:
    """Write one event; a new undoable action clears the coder's redo stack."""
    if undoable and coder_id is not None:
        conn.execute(
            # "undoable = 1" lets the index (coder_id, undoable, state) find the few undone
            # events; without it every action scanned all the coder's events.
            "UPDATE events SET state = 'dead' "
            "WHERE coder_id = ? AND undoable = 1 AND state = 'undone'",
            (coder_id,),
        )
    cur = conn.execute(
        "INSERT INTO events(guid, at, coder_id, action, summary, changes, undoable) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            new_guid(),
            now(),
            coder_id,
            action,
            summary,
            json.dumps(changes, ensure_ascii=False, check_circular=False),  # rows: no cycles
            int(undoable),
        ),
    )
    return inserted_id(cur)


def last_undoable(conn: sqlite3.Connection, coder_id: int) -> Event | None:
    return _one_event(
        conn,
        "WHERE coder_id = ? AND undoable = 1 AND state = 'done' ORDER BY id DESC LIMIT 1",
        (coder_id,),
    )


def last_undone(conn: sqlite3.Connection, coder_id: int) -> Event | None:
    return _one_event(
        conn,
        "WHERE coder_id = ? AND undoable = 1 AND state = 'undone' ORDER BY undone_by DESC LIMIT 1",
        (coder_id,),
    )


def _one_event(conn: sqlite3.Connection, where: str, params: tuple) -> Event | None:
    row = conn.execute(
        f"SELECT id, at, coder_id, action, summary, changes, state FROM events {where}", params
    ).fetchone()
    if row is None:
        return None
    return Event(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]), row[6])
