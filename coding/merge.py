"""Merge coder copies back into the project: codings, memos, done marks and codebook additions.

A three-way merge per row: the copy's state when it was made (``copy_base``), the copy now, and
the project now. Rows are matched by GUID; documents by the hash of their text; codes by GUID,
then by path (parent and name); codings also by content (document, code, coder, span). The whole
merge of one copy is one transaction and one undoable ``merge`` event; the copy's own events are
added to the audit trail as ``merged:<action>`` with their original coder and time. Merging the
same copy again changes nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coding import journal
from coding.copy import PORTABLE_QUERIES, Row, snapshot
from coding.errors import ProjectError
from coding.journal import change
from coding.store import Project, new_guid, now

RULES = (
    "Rows are matched by GUID; documents by the hash of their text; codes by GUID, then by "
    "parent and name; codings also by document, code, coder and span.",
    "What the copy added is added unless the project has it already.",
    "What the copy changed or removed is changed or removed only where the project still has "
    "it as it was when the copy was made; otherwise the project's version is kept (a conflict).",
    "A code edited both in the project and in the copy (or differently in two copies): the "
    "project's name and fields are kept; the copy's version is written as a memo on the code "
    "by the copy's coder. Codes deleted in a copy are kept.",
    "A memo by the same coder on the same target in both: the copy's text is appended to the "
    "project's memo.",
    "Codings, memos and done marks on documents the project does not have are skipped and "
    "named; import those documents into the project (same text), then merge again.",
)

CODE_FIELDS: tuple[str, ...] = (
    "parent_guid",
    "name",
    "goal",
    "description",
    "include_note",
    "exclude_note",
)
CODE_FIELDS += ("colour", "shortcut", "keywords")
COMPARED: dict[str, tuple[str, ...]] = {
    "codings": ("document_sha", "code_guid", "coder", "start", "end"),
    "memos": ("coder", "target_kind", "target_guid", "text"),
    "document_status": ("document_sha", "coder", "done"),
    "codes": CODE_FIELDS,
}
LABELS = {
    "codes": "codes",
    "codings": "codings",
    "memos": "memos",
    "document_status": "done marks",
}


@dataclass
class MergeReport:
    copy: Path
    coder: str | None
    added: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    removed: Counter = field(default_factory=Counter)
    already: Counter = field(default_factory=Counter)
    conflicts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    events: int = 0
    event_id: int | None = None

    @property
    def changed(self) -> bool:
        return bool(sum(self.added.values()) + sum(self.updated.values()))

    def summary(self) -> str:
        def part(counter: Counter) -> int:
            return sum(counter.values())

        return (
            f"{self.copy.name}: {part(self.added)} added, {part(self.updated)} changed, "
            f"{part(self.removed)} removed, {part(self.already)} already there, "
            f"{len(self.conflicts)} conflicts, {len(self.skipped)} skipped"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "copy": str(self.copy),
            "coder": self.coder,
            **{
                name: {LABELS[k]: v for k, v in getattr(self, name).items()}
                for name in ("added", "updated", "removed", "already")
            },
            "conflicts": self.conflicts,
            "skipped": self.skipped,
            "events_merged": self.events,
        }


def merge_copy(
    project: Project, copy_path: str | os.PathLike, merged_by: str, *, checked: bool = False
) -> MergeReport:
    """Bring one coder copy back into ``project`` (one transaction, one ``merge`` event).
    ``checked``: the caller ran ``refuse_damaged_copy`` on it already."""
    copy_path = Path(copy_path)
    if not checked:
        refuse_damaged_copy(copy_path)
    with Project.open(copy_path) as copy:
        _check_copy_of(project, copy)
        source = _CopyContents.read(copy)
    report = MergeReport(copy_path, source.coder)
    with project.transaction():
        _Merger(project, source, report).run(merged_by)
    return report


def refuse_damaged_copy(copy_path: Path) -> None:
    """Raise ``ProjectError`` naming the first thing ``kodeverk check`` finds wrong in the copy
    (a coding outside its document, a coding of a missing code, ...): merging it would carry
    the damage into the project."""
    from coding.check import check_copy

    problems = check_copy(copy_path)
    if problems:
        first, more = problems[0], len(problems) - 1
        also = f" (and {more} more problem{'s' * (more > 1)})" if more else ""
        raise ProjectError(
            f"{copy_path}: damaged copy, nothing merged: {first.check}: {first.message}{also}; "
            f"see kodeverk check {copy_path}"
        )


def _check_copy_of(project: Project, copy: Project) -> None:
    origin = copy.meta("copy_of")
    if copy.path.resolve() == project.path.resolve():
        raise ProjectError(f"{copy.path}: cannot merge a project into itself")
    if origin and origin != project.meta("project_guid"):
        raise ProjectError(
            f"{copy.path}: a copy of another project ({copy.meta('copy_of_path', origin)}), "
            f"not of {project.path}"
        )


@dataclass
class _CopyContents:
    """Everything the merge needs from the copy, read before the project's transaction."""

    coder: str | None
    base: dict[str, dict[str, Row]]
    now: dict[str, dict[str, Row]]
    document_sha: dict[str, str]  # document guid -> text hash
    document_names: dict[str, str]  # text hash -> document name
    case_names: dict[str, str]  # case guid -> name
    events: list[Row]

    @classmethod
    def read(cls, copy: Project) -> _CopyContents:
        conn = copy.conn
        base = json.loads(copy.meta("copy_base") or "{}")
        return cls(
            coder=copy.meta("copy_coder"),
            base={table: base.get(table, {}) for table in PORTABLE_QUERIES},
            now=snapshot(conn),
            document_sha=dict(conn.execute("SELECT guid, sha256 FROM documents")),
            document_names=dict(conn.execute("SELECT sha256, name FROM documents")),
            case_names=dict(conn.execute("SELECT guid, name FROM cases")),
            events=_rows(
                conn,
                "SELECT e.guid, e.at, u.name AS coder, e.action, e.summary, e.changes "
                "FROM events e LEFT JOIN coders u ON u.id = e.coder_id ORDER BY e.id",
            ),
        )


class _Merger:
    def __init__(self, project: Project, source: _CopyContents, report: MergeReport) -> None:
        self.project = project
        self.conn = project.conn
        self.source = source
        self.report = report
        self.changes: list[dict[str, Any]] = []
        self.code_guids: dict[str, str] = {}  # copy code guid -> project code guid
        self.coding_guids: dict[str, str] = {}  # copy coding guid -> project coding guid
        self.document_ids: dict[tuple[str, str | None], int | None] = {}
        self.code_ids: dict[str, int] = {}  # project code guid -> id
        self.cases: dict[tuple[str, int | None], int | None] = {}

    def run(self, merged_by: str) -> None:
        self._merge_codes()
        for table in ("codings", "memos", "document_status"):
            self._merge_table(table)
        self.report.events = self._merge_events()
        if self.changes or self.report.events:
            self.report.event_id = journal.record(
                self.conn,
                self.project.coder_id(merged_by),
                "merge",
                f"merge {self.report.summary()}",
                self.changes,
                undoable=bool(self.changes),
            )

    # -- the three-way decision ------------------------------------------------------------------
    def _merge_table(self, table: str) -> None:
        base, theirs = self.source.base[table], self.source.now[table]
        for key in sorted(base.keys() | theirs.keys()):
            b, t = base.get(key), theirs.get(key)
            if _same(table, b, t):
                continue  # the copy did not change it
            b, t = self._translate(table, b), self._translate(table, t)
            if (b or t) is None:
                continue  # refers to a document or code the project lacks: reported
            if t:
                mine = self._project_row(table, t)
            else:
                assert b is not None  # (b or t) is not None
                mine = self._project_row(table, b, match=False)
            if _same(table, mine, t):
                self.report.already[table] += 1
            elif _same(table, mine, b):
                self._apply(table, mine, t)
            else:
                self._conflict(table, mine, t)

    def _translate(self, table: str, row: Row | None) -> Row | None:
        """The copy's portable row in the project's terms; None (and a note) if impossible."""
        if row is None:
            return None
        row = dict(row)
        if "document_sha" in row and self._document_id(row) is None:
            self.report.skipped.append(
                f"{LABELS[table]} on {self._missing_document(row['document_sha'])}"
            )
            return None
        if table == "codings":
            row["code_guid"] = self.code_guids.get(row["code_guid"])
            if row["code_guid"] is None:
                self.report.skipped.append("a coding of a code the project lacks")
                return None
        if table == "memos":
            target_guid = row["target_guid"]
            row["target_guid"] = self._memo_target(row["target_kind"], target_guid)
            if row["target_kind"] != "project" and row["target_guid"] is None:
                kind = row["target_kind"]
                target = (
                    self._missing_document(self.source.document_sha.get(target_guid, ""))
                    if kind == "document"
                    else f"a {kind} the project lacks"
                )
                self.report.skipped.append(f"memos on {target}")
                return None
        return row

    def _missing_document(self, sha: str) -> str:
        name = self.source.document_names.get(sha, "?")
        return f"document {name!r}, which the project lacks"

    def _memo_target(self, kind: str, guid: str | None) -> str | None:
        if kind == "code":
            return self.code_guids.get(guid or "")
        if kind == "coding":
            mapped = self.coding_guids.get(guid or "", guid)
            return self._scalar("SELECT guid FROM codings WHERE guid = ?", mapped)
        if kind == "document":
            sha = self.source.document_sha.get(guid or "")
            return self._scalar(
                "SELECT guid FROM documents WHERE sha256 = ? ORDER BY guid = ? DESC, id", sha, guid
            )
        if kind == "case":
            name = self.source.case_names.get(guid or "")
            return self._scalar(
                "SELECT guid FROM cases WHERE guid = ? OR name = ? ORDER BY guid = ? DESC",
                guid,
                name,
                guid,
            )
        return guid

    def _project_row(self, table: str, row: Row, *, match: bool = True) -> Row | None:
        """The project's portable row for the same thing, by key, then (with ``match``) by
        content (codings) or target (memos)."""
        query = PORTABLE_QUERIES[table].replace(" ORDER BY c.id", "")
        if table == "document_status":
            found = _rows(
                self.conn,
                f"SELECT * FROM ({query}) WHERE document_sha = ? AND coder = ?",
                row["document_sha"],
                row["coder"],
            )
        else:
            found = _rows(self.conn, f"SELECT * FROM ({query}) WHERE guid = ?", row["guid"])
        if not found and match and table == "codings":
            same = self._same_coding(row)
            if same is not None:
                found = _rows(self.conn, f"SELECT * FROM ({query}) WHERE guid = ?", same)
                self.coding_guids[row["guid"]] = same
        if not found and match and table == "memos":
            return self._same_target_memo(row)
        return found[0] if found else None

    def _same_coding(self, row: Row) -> str | None:
        """The GUID of the project's coding with the same document, code, coder and span."""
        return self._scalar(
            "SELECT guid FROM codings WHERE document_id = ? AND coder_id = ? AND start = ? "
            'AND +code_id = ? AND "end" = ?',  # "+": look up by (document, coder, start)
            self._document_id(row),
            self.project.coder_id(row["coder"]),
            row["start"],
            self._code_id(row["code_guid"]),
            row["end"],
        )

    def _same_target_memo(self, row: Row) -> Row | None:
        found = _rows(
            self.conn,
            f"SELECT * FROM ({PORTABLE_QUERIES['memos']}) WHERE coder = ? AND target_kind = ? "
            "AND target_guid IS ? ORDER BY created_at LIMIT 1",
            row["coder"],
            row["target_kind"],
            row["target_guid"],
        )
        if found and row["text"] in found[0]["text"]:
            same = dict(found[0], guid=row.get("guid", found[0]["guid"]), text=row["text"])
            return same  # joined before: there already
        return None if not found else dict(found[0], joined_into=True)

    # -- writing --------------------------------------------------------------------------------
    def _apply(self, table: str, mine: Row | None, theirs: Row | None) -> None:
        before = self._stored(table, mine) if mine else None
        if theirs is None:
            assert before is not None
            self._write(change(table, before, None))
            self.report.removed[table] += 1
            return
        after = self._stored_form(table, theirs, before)
        self._write(change(table, before, after))
        (self.report.updated if before else self.report.added)[table] += 1

    def _stored(self, table: str, portable: Row) -> Row:
        if table == "document_status":
            key = {
                "document_id": self._document_id(portable),
                "coder_id": self.project.coder_id(portable["coder"]),
            }
        else:
            key = {"guid": portable["guid"]}
        row = journal.fetch_row(self.conn, table, key)
        assert row is not None
        return row

    def _stored_form(self, table: str, t: Row, before: Row | None) -> Row:
        """The row to store for the copy's portable row ``t`` (over ``before`` if updating)."""
        coder_id = self.project.coder_id(t["coder"])
        if table == "codings":
            document_id = self._document_id(t)
            fields = {
                "document_id": document_id,
                "code_id": self._code_id(t["code_guid"]),
                "coder_id": coder_id,
                "case_id": self._case_of(document_id),
                "start": t["start"],
                "end": t["end"],
            }
            new = {"guid": self._fresh_guid("codings", t["guid"]), "created_at": t["created_at"]}
        elif table == "memos":
            fields = {"text": t["text"], "updated_at": t["updated_at"]}
            new = {
                "guid": self._fresh_guid("memos", t["guid"]),
                "coder_id": coder_id,
                "target_kind": t["target_kind"],
                "target_guid": t["target_guid"],
                "created_at": t["created_at"],
            }
        else:
            fields = {"done": t["done"], "updated_at": t["updated_at"]}
            new = {"document_id": self._document_id(t), "coder_id": coder_id}
        return dict(before, **fields) if before else {**new, **fields}

    def _conflict(self, table: str, mine: Row | None, theirs: Row | None) -> None:
        if table == "memos" and mine and theirs and mine.get("joined_into"):
            self._join_memo(mine, theirs["text"])
            self.report.conflicts.append(
                f"memo on {mine['target_kind']}: {mine['coder']} wrote one in the project and "
                "in the copy; the copy's text was appended"
            )
            return
        what = LABELS[table][:-1] if table != "document_status" else "done mark"
        state = "removed" if mine is None else "changed"
        self.report.conflicts.append(
            f"{what} {_describe(table, theirs or mine)}: {state} in the project since the copy "
            "was made and changed in the copy; the project's version is kept"
        )

    def _join_memo(self, mine: Row, text: str) -> None:
        before = self._stored("memos", mine)
        joined = f"{before['text']}\n\n[merged from {self.report.copy.name}] {text}"
        self._write(change("memos", before, dict(before, text=joined, updated_at=now())))
        self.report.updated["memos"] += 1

    def _write(self, item: dict[str, Any]) -> None:
        journal.apply_changes(self.conn, [item])
        self.changes.append(item)

    # -- codes ----------------------------------------------------------------------------------
    def _merge_codes(self) -> None:
        base, theirs = self.source.base["codes"], self.source.now["codes"]
        for t in _parents_first(theirs.values()):
            self._merge_code(base.get(t["guid"]), t)
        for guid in base.keys() - theirs.keys():
            if self._scalar("SELECT name FROM codes WHERE guid = ?", guid):
                self.report.conflicts.append(
                    f"code {base[guid]['name']!r} was deleted in the copy; kept in the project"
                )

    def _merge_code(self, b: Row | None, t: Row) -> None:
        t = dict(t, parent_guid=self.code_guids.get(t["parent_guid"] or "", t["parent_guid"]))
        mine = self._code_by_guid(t["guid"]) or self._code_by_path(t)
        if mine is None:
            self._add_code(t)
            return
        self.code_guids[t["guid"]] = mine["guid"]
        if mine["guid"] != t["guid"]:
            b = None  # added in the copy and in the project independently: same path
        if _same("codes", b, t) or _same("codes", mine, t):
            if b is None or not _same("codes", b, t):
                self.report.already["codes"] += 1
            return
        if b is not None and _same("codes", mine, b) and self._can_move(mine, t):
            self._write(change("codes", self._stored("codes", mine), self._code_update(mine, t)))
            self.report.updated["codes"] += 1
            return
        self._code_conflict(mine, t)

    def _add_code(self, t: Row) -> None:
        parent_id = self._code_id(t["parent_guid"]) if t["parent_guid"] else None
        ordinal = self._scalar(
            "SELECT coalesce(max(ordinal), -1) + 1 FROM codes WHERE coalesce(parent_id, 0) = ?",
            parent_id or 0,
        )
        row = {k: t[k] for k in CODE_FIELDS if k != "parent_guid"}
        row |= {
            "guid": self._fresh_guid("codes", t["guid"]),
            "parent_id": parent_id,
            "ordinal": ordinal,
            "created_at": t["created_at"],
        }
        self._write(change("codes", None, row))
        self.code_guids[t["guid"]] = row["guid"]
        self.report.added["codes"] += 1

    def _code_update(self, mine: Row, t: Row) -> Row:
        stored = self._stored("codes", mine)
        fields = {k: t[k] for k in CODE_FIELDS if k != "parent_guid"}
        parent_id = self._code_id(t["parent_guid"]) if t["parent_guid"] else None
        return dict(stored, parent_id=parent_id, **fields)

    def _can_move(self, mine: Row, t: Row) -> bool:
        """The copy's name and parent fit the project's tree (no clash, no cycle)."""
        parent_id = self._code_id(t["parent_guid"]) if t["parent_guid"] else None
        clash = self._scalar(
            "SELECT guid FROM codes WHERE coalesce(parent_id, 0) = ? AND name = ? AND guid != ?",
            parent_id or 0,
            t["name"],
            mine["guid"],
        )
        own_id = self._code_id(mine["guid"])
        ancestor = parent_id
        while ancestor is not None:
            if ancestor == own_id:
                return False
            ancestor = self._scalar("SELECT parent_id FROM codes WHERE id = ?", ancestor)
        return clash is None

    def _code_conflict(self, mine: Row, t: Row) -> None:
        differences = [
            f"{k} «{t[k]}» (project: «{mine[k]}»)"
            for k in CODE_FIELDS
            if t[k] != mine[k] and k != "parent_guid"
        ]
        if t["parent_guid"] != mine["parent_guid"]:
            differences.append("another parent")
        note = (
            f"Merge of {self.report.copy.name}: the copy had {'; '.join(differences)}; "
            "the project's version is kept."
        )
        self.report.conflicts.append(f"code {mine['name']!r}: {note}")
        self._note_on_code(mine["guid"], note)

    def _note_on_code(self, code_guid: str, note: str) -> None:
        coder = self.source.coder or "merge"
        found = self._same_target_memo(
            {"coder": coder, "target_kind": "code", "target_guid": code_guid, "text": note}
        )
        if found and found.get("joined_into"):
            self._join_memo(found, note)
        elif found is None:
            stamp = now()
            row = {
                "guid": new_guid(),
                "coder_id": self.project.coder_id(coder),
                "target_kind": "code",
                "target_guid": code_guid,
                "text": note,
                "created_at": stamp,
                "updated_at": stamp,
            }
            self._write(change("memos", None, row))
            self.report.added["memos"] += 1

    def _code_by_guid(self, guid: str) -> Row | None:
        sql = PORTABLE_QUERIES["codes"].replace("ORDER", "WHERE c.guid = ? ORDER")
        return _first(_rows(self.conn, sql, guid))

    def _code_by_path(self, t: Row) -> Row | None:
        sql = PORTABLE_QUERIES["codes"].replace("ORDER", "WHERE p.guid IS ? AND c.name = ? ORDER")
        return _first(_rows(self.conn, sql, t["parent_guid"], t["name"]))

    # -- look-ups -------------------------------------------------------------------------------
    def _document_id(self, row: Row) -> int | None:
        key = (row["document_sha"], row.get("document_guid"))
        if key not in self.document_ids:  # documents do not change during a merge
            self.document_ids[key] = self._scalar(
                "SELECT id FROM documents WHERE sha256 = ? ORDER BY guid = ? DESC, id", *key
            )
        return self.document_ids[key]

    def _code_id(self, guid: str) -> int | None:
        if guid not in self.code_ids:  # codes are added, never removed, during a merge
            found = self._scalar("SELECT id FROM codes WHERE guid = ?", guid)
            if found is None:
                return None
            self.code_ids[guid] = found
        return self.code_ids[guid]

    def _case_of(self, document_id: int | None) -> int | None:
        if ("case", document_id) not in self.cases:
            self.cases[("case", document_id)] = self._scalar(
                "SELECT case_id FROM documents WHERE id = ?", document_id
            )
        return self.cases[("case", document_id)]

    def _fresh_guid(self, table: str, guid: str) -> str:
        """The copy's GUID, unless the project uses it for something else already."""
        taken = self._scalar(f"SELECT 1 FROM {table} WHERE guid = ?", guid)
        return new_guid() if taken else guid

    def _scalar(self, sql: str, *params: Any) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    # -- the audit trail ------------------------------------------------------------------------
    def _merge_events(self) -> int:
        known = {r[0] for r in self.conn.execute("SELECT guid FROM events")}
        added = 0
        for event in self.source.events:
            if event["guid"] in known:
                continue
            coder_id = self.project.coder_id(event["coder"]) if event["coder"] else None
            self.conn.execute(
                "INSERT INTO events(guid, at, coder_id, action, summary, changes, undoable) "
                "VALUES (?, ?, ?, ?, ?, ?, 0)",
                (
                    event["guid"],
                    event["at"],
                    coder_id,
                    f"merged:{event['action']}",
                    f"{event['summary']} (in {self.report.copy.name})",
                    event["changes"],
                ),
            )
            added += 1
        return added


# -- helpers ------------------------------------------------------------------------------------
def _same(table: str, a: Row | None, b: Row | None) -> bool:
    if a is None or b is None:
        return a is b
    return all(a[k] == b[k] for k in COMPARED[table])


def _describe(table: str, row: Row | None) -> str:
    if row is None:
        return ""
    if table == "codings":
        return f"[{row['start']}:{row['end']}] by {row['coder']}"
    return f"by {row['coder']}" if "coder" in row else repr(row.get("name", ""))


def _parents_first(rows: Iterable[Row]) -> list[Row]:
    rows = list(rows)
    by_guid = {r["guid"]: r for r in rows}

    def depth(row: Row) -> int:
        n, seen = 0, set()
        while row["parent_guid"] in by_guid and row["guid"] not in seen:
            seen.add(row["guid"])
            row, n = by_guid[row["parent_guid"]], n + 1
        return n

    return sorted(rows, key=lambda r: (depth(r), r["ordinal"], r["name"]))


def _rows(conn: sqlite3.Connection, sql: str, *params: Any) -> list[Row]:
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _first(rows: list[Row]) -> Row | None:
    return rows[0] if rows else None
