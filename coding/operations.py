"""Headless coding: apply and remove codings, memos, done marks, undo and redo.

Each public function is one transaction and one event in the audit trail. Offsets are Python
string indices into ``documents.text`` (code points), end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from coding import journal
from coding.errors import CodingError
from coding.journal import Event, Row, change
from coding.store import Project, new_guid, now


@dataclass(frozen=True)
class Coding:
    id: int
    guid: str
    document_id: int
    code_id: int
    coder_id: int
    start: int
    end: int

    @classmethod
    def from_row(cls, row: Row) -> Coding:
        return cls(
            row["id"],
            row["guid"],
            row["document_id"],
            row["code_id"],
            row["coder_id"],
            row["start"],
            row["end"],
        )


# -- validation ---------------------------------------------------------------------------------
def _document(project: Project, document_id: int) -> tuple[int, int | None]:
    row = project.conn.execute(
        "SELECT length, case_id FROM documents WHERE id = ?", (document_id,)
    ).fetchone()
    if row is None:
        raise CodingError(f"no document with id {document_id}")
    return row[0], row[1]


def _check_code(project: Project, code_id: int) -> None:
    if project.conn.execute("SELECT 1 FROM codes WHERE id = ?", (code_id,)).fetchone() is None:
        raise CodingError(f"no code with id {code_id}")


def _check_span(document_id: int, length: int, start: int, end: int) -> None:
    if not (0 <= start < end <= length):
        raise CodingError(
            f"span {start}–{end} lies outside document {document_id} (length {length}); "
            "a span needs 0 <= start < end <= length"
        )


def _what(project: Project, code_id: int, on: str, document_id: int, start: int, end: int) -> str:
    """«Mål 4 …/Bolig on intervju_vadso.txt [120:180]»: names, for people reading the log."""
    from coding.codes import code_paths  # local: the code tree module is heavier; cached tree

    path = code_paths(project).get(code_id, f"code {code_id}")
    return f"{path} {on} {_document_name(project, document_id)} [{start}:{end}]"


def _document_name(project: Project, document_id: int) -> str:
    row = project.conn.execute("SELECT name FROM documents WHERE id = ?", (document_id,)).fetchone()
    return row[0] if row else f"document {document_id}"


def _overlapping(
    project: Project,
    document_id: int,
    code_id: int,
    coder_id: int,
    start: int,
    end: int,
    *,
    touching: bool,
) -> list[Row]:
    """Codings of one code by one coder that overlap (or, with ``touching``, abut) a span."""
    lt = "<=" if touching else "<"
    cur = project.conn.execute(
        f"SELECT * FROM codings WHERE document_id = ? AND coder_id = ? AND code_id = ? "
        f'AND start {lt} ? AND "end" {">=" if touching else ">"} ? ORDER BY start, id',
        (document_id, coder_id, code_id, end, start),
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _memos_of_coding(project: Project, coding_guid: str) -> list[Row]:
    cur = project.conn.execute(
        "SELECT * FROM memos WHERE target_kind = 'coding' AND target_guid = ?", (coding_guid,)
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _commit_changes(
    project: Project, coder_id: int, action: str, summary: str, changes: list[dict[str, Any]]
) -> None:
    journal.apply_changes(project.conn, changes)
    journal.record(project.conn, coder_id, action, summary, changes)


# -- codings ------------------------------------------------------------------------------------
def apply_coding(
    project: Project,
    document_id: int,
    code_id: int,
    coder: str,
    start: int,
    end: int,
    *,
    action: str = "coding.apply",
    note: str = "",
) -> Coding:
    """Code ``text[start:end]``. Overlapping or adjacent codings of the same code by the same
    coder are merged into one (the earliest keeps its GUID), as NVivo and ATLAS.ti do.
    ``action`` and ``note`` name the event (``coding.accept_suggestion`` for a suggestion)."""
    with project.transaction():
        length, case_id = _document(project, document_id)
        _check_span(document_id, length, start, end)
        _check_code(project, code_id)
        coder_id = project.coder_id(coder)
        existing = _overlapping(project, document_id, code_id, coder_id, start, end, touching=True)
        if len(existing) == 1 and existing[0]["start"] <= start and existing[0]["end"] >= end:
            return Coding.from_row(existing[0])  # already coded: nothing to change
        changes = merge_into_one(existing, document_id, code_id, coder_id, case_id, start, end)
        _commit_changes(
            project,
            coder_id,
            action,
            _what(project, code_id, "on", document_id, start, end) + note,
            changes,
        )
        kept = changes[0]["after"]
        row = journal.fetch_row(project.conn, "codings", kept)
    assert row is not None  # just written in this transaction
    return Coding.from_row(row)


class _Span(Protocol):  # a Coding, or the coding screen's CodingRow
    @property
    def code_id(self) -> int: ...
    @property
    def coder_id(self) -> int: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


def merged_by(coding: _Span, kept: Coding, start: int, end: int) -> bool:
    """True when ``apply_coding`` of ``start:end``, which returned ``kept``, merged ``coding``
    into it: the same code by the same coder, overlapping or adjacent (the rule of
    ``_overlapping(..., touching=True)``). A screen updates the codings it holds with this
    instead of reading them again."""
    return (
        coding.coder_id == kept.coder_id
        and coding.code_id == kept.code_id
        and coding.start <= end
        and coding.end >= start
    )


def merge_into_one(
    existing: list[Row],
    document_id: int,
    code_id: int,
    coder_id: int,
    case_id: int | None,
    start: int,
    end: int,
) -> list[dict[str, Any]]:
    """The journal changes that apply ``start:end`` over ``existing`` (the coder's codings of
    the code that overlap or touch it): one new coding, or the first grown to cover them all
    and the rest deleted."""
    if not existing:
        row = {
            "guid": new_guid(),
            "document_id": document_id,
            "code_id": code_id,
            "coder_id": coder_id,
            "case_id": case_id,
            "start": start,
            "end": end,
            "created_at": now(),
        }
        return [change("codings", None, row)]
    first, rest = existing[0], existing[1:]
    grown = dict(
        first,
        start=min([start] + [r["start"] for r in existing]),
        end=max([end] + [r["end"] for r in existing]),
    )
    return [change("codings", first, grown)] + [change("codings", r, None) for r in rest]


def remove_code(
    project: Project, document_id: int, code_id: int, coder: str, start: int, end: int
) -> int:
    """Remove ``code`` from ``text[start:end]`` for one coder: codings inside the span go,
    codings reaching past it are trimmed or split. Returns the number of codings touched."""
    with project.transaction():
        length, _ = _document(project, document_id)
        _check_span(document_id, length, start, end)
        coder_id = project.coder_id(coder)
        changes: list[dict[str, Any]] = []
        for row in _overlapping(
            project, document_id, code_id, coder_id, start, end, touching=False
        ):
            changes.extend(_cut_span(project, row, start, end))
        if changes:
            _commit_changes(
                project,
                coder_id,
                "coding.remove",
                _what(project, code_id, "off", document_id, start, end),
                changes,
            )
        return sum(1 for c in changes if c["table"] == "codings" and c["before"])


def _cut_span(project: Project, row: Row, start: int, end: int) -> list[dict[str, Any]]:
    left = (row["start"], start) if row["start"] < start else None
    right = (end, row["end"]) if row["end"] > end else None
    if left is None and right is None:
        memos = [change("memos", m, None) for m in _memos_of_coding(project, row["guid"])]
        return [*memos, change("codings", row, None)]
    changes = []
    kept = left or right
    assert kept is not None
    changes.append(change("codings", row, dict(row, start=kept[0], end=kept[1])))
    if left and right:
        extra = dict(row, guid=new_guid(), start=right[0], end=right[1], created_at=now())
        del extra["id"]
        changes.append(change("codings", None, extra))
    return changes


def remove_coding(project: Project, coding_id: int, coder: str) -> None:
    """Delete one coding (and its memos) by id."""
    with project.transaction():
        row = journal.fetch_row(project.conn, "codings", _guid_of(project, coding_id))
        assert row is not None  # _guid_of found it
        coder_id = project.coder_id(coder)
        memos = [change("memos", m, None) for m in _memos_of_coding(project, row["guid"])]
        _commit_changes(
            project,
            coder_id,
            "coding.remove",
            f"coding {coding_id}",
            [*memos, change("codings", row, None)],
        )


def _guid_of(project: Project, coding_id: int) -> Row:
    found = project.conn.execute("SELECT guid FROM codings WHERE id = ?", (coding_id,)).fetchone()
    if found is None:
        raise CodingError(f"no coding with id {coding_id}")
    return {"guid": found[0]}


def codings_of(project: Project, document_id: int, coder: str | None = None) -> list[Coding]:
    sql = (
        'SELECT id, guid, document_id, code_id, coder_id, start, "end" FROM codings '
        "WHERE document_id = ?"
    )
    params: list[Any] = [document_id]
    if coder is not None:
        sql += " AND coder_id = ?"
        params.append(project.coder_id(coder, create=False))
    rows = project.conn.execute(sql + " ORDER BY start, id", params).fetchall()
    return [Coding(*r) for r in rows]


# -- memos and done marks -----------------------------------------------------------------------
MEMO_TARGETS = {
    "project": None,
    "document": "documents",
    "coding": "codings",
    "code": "codes",
    "case": "cases",
}


def set_memo(
    project: Project, coder: str, target_kind: str, target_id: int | None, text: str
) -> str | None:
    """Write the coder's memo on a target (one memo per coder and target); empty text deletes
    it. Returns the memo's GUID, or None when deleted."""
    if target_kind not in MEMO_TARGETS:
        raise CodingError(f"memo target must be one of {', '.join(MEMO_TARGETS)}")
    with project.transaction():
        coder_id = project.coder_id(coder)
        target_guid = _target_guid(project, target_kind, target_id)
        before = _coder_memo(project, coder_id, target_kind, target_guid)
        text = text.strip()
        if not text:
            after = None
        elif before:
            after = dict(before, text=text, updated_at=now())
        else:
            stamp = now()
            after = {
                "guid": new_guid(),
                "coder_id": coder_id,
                "target_kind": target_kind,
                "target_guid": target_guid,
                "text": text,
                "created_at": stamp,
                "updated_at": stamp,
            }
        if before == after:
            return None
        _commit_changes(
            project,
            coder_id,
            "memo.set",
            f"memo on {target_kind} {target_id}",
            [change("memos", before, after)],
        )
        return after["guid"] if after else None


def _target_guid(project: Project, target_kind: str, target_id: int | None) -> str | None:
    table = MEMO_TARGETS[target_kind]
    if table is None:
        return None
    row = project.conn.execute(f"SELECT guid FROM {table} WHERE id = ?", (target_id,)).fetchone()
    if row is None:
        raise CodingError(f"no {target_kind} with id {target_id}")
    return row[0]


def _coder_memo(
    project: Project, coder_id: int, target_kind: str, target_guid: str | None
) -> Row | None:
    cur = project.conn.execute(
        "SELECT * FROM memos WHERE coder_id = ? AND target_kind = ? AND target_guid IS ? "
        "ORDER BY id LIMIT 1",
        (coder_id, target_kind, target_guid),
    )
    row = cur.fetchone()
    return dict(zip([d[0] for d in cur.description], row, strict=True)) if row else None


def get_memo(project: Project, coder: str, target_kind: str, target_id: int | None) -> str:
    with project.transaction():
        coder_id = project.coder_id(coder)
        row = _coder_memo(
            project, coder_id, target_kind, _target_guid(project, target_kind, target_id)
        )
    return row["text"] if row else ""


def set_document_done(project: Project, document_id: int, coder: str, done: bool = True) -> None:
    with project.transaction():
        _document(project, document_id)
        coder_id = project.coder_id(coder)
        key = {"document_id": document_id, "coder_id": coder_id}
        before = journal.fetch_row(project.conn, "document_status", key)
        if before is not None and bool(before["done"]) == done:
            return
        after = dict(key, done=int(done), updated_at=now())
        _commit_changes(
            project,
            coder_id,
            "document.done" if done else "document.undone",
            _document_name(project, document_id),
            [change("document_status", before, after)],
        )


def is_document_done(project: Project, document_id: int, coder: str) -> bool:
    row = project.conn.execute(
        "SELECT done FROM document_status s JOIN coders c ON c.id = s.coder_id "
        "WHERE s.document_id = ? AND c.name = ?",
        (document_id, coder),
    ).fetchone()
    return bool(row and row[0])


# -- undo and redo ------------------------------------------------------------------------------
def undo(project: Project, coder: str) -> Event | None:
    """Revert the coder's latest action that is not undone yet. Returns it, or None."""
    return _undo_or_redo(project, coder, "undo")


def redo(project: Project, coder: str) -> Event | None:
    """Re-apply the coder's most recently undone action, if nothing new came after it."""
    return _undo_or_redo(project, coder, "redo")


def _undo_or_redo(project: Project, coder: str, step: str) -> Event | None:
    """One undo or redo in one transaction, journalled (itself not undoable)."""
    with project.transaction() as conn:
        coder_id = project.coder_id(coder)
        find = journal.last_undoable if step == "undo" else journal.last_undone
        event = find(conn, coder_id)
        if event is None:
            return None
        if step == "undo":
            journal.revert_changes(conn, event.changes)
            changes = [change(c["table"], c["after"], c["before"]) for c in reversed(event.changes)]
        else:
            journal.apply_changes(conn, event.changes)
            changes = event.changes
        text = f"{step} {event.action} (event {event.id})"
        step_id = journal.record(conn, coder_id, step, text, changes, undoable=False)
        state, undone_by = ("undone", step_id) if step == "undo" else ("done", None)
        conn.execute(
            "UPDATE events SET state = ?, undone_by = ? WHERE id = ?", (state, undone_by, event.id)
        )
    return event


# -- where a coder left off (not an action: not journalled) ------------------------------------
def remember(project: Project, coder: str, key: str, value: str) -> None:
    with project.transaction():
        project.conn.execute(
            "INSERT INTO coder_state(coder_id, key, value) VALUES (?, ?, ?) "
            "ON CONFLICT(coder_id, key) DO UPDATE SET value = excluded.value",
            (project.coder_id(coder), key, value),
        )


def remember_place(project: Project, coder: str, document_id: int, segment: int) -> None:
    """Where the coder is (the document, its segment), saved at every move: one transaction
    committed without waiting for the disk (``synchronous = NORMAL`` for it alone; the commit
    waited up to 16 ms for an fsync at each key). A crash of the app loses nothing (the
    write-ahead log has it), a power cut at most the latest place: never anything else."""
    conn = project.conn
    alone = not conn.in_transaction  # inside another transaction: committed with it
    if alone:
        conn.execute("PRAGMA synchronous = NORMAL")
    try:
        with project.transaction():
            remember(project, coder, "last_document", str(document_id))
            remember(project, coder, f"segment:{document_id}", str(segment))
    finally:
        if alone:
            conn.execute("PRAGMA synchronous = FULL")


def recall(project: Project, coder: str, key: str) -> str | None:
    row = project.conn.execute(
        "SELECT value FROM coder_state s JOIN coders c ON c.id = s.coder_id "
        "WHERE c.name = ? AND s.key = ?",
        (coder, key),
    ).fetchone()
    return row[0] if row else None
