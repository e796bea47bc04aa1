"""Read models the app screens and commands share: a document's segments and codings as
plain tuples (read when a document opens and after undo, redo, removal), the documents
overview with each coder's progress, coder names. Writes go through ``coding.operations``
and ``coding.codes``."""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass
from typing import NamedTuple

from coding.errors import KodeverkError
from coding.gc_pause import collector_paused
from coding.store import Project


class SegmentRow(NamedTuple):
    """A segment as the coding screen needs it (a named tuple: 20 000 load in milliseconds)."""

    start: int
    end: int
    speaker: str | None
    block: int = 0  # the turn, answer or paragraph it belongs to


def load_segments(project: Project, document_id: int) -> list[SegmentRow]:
    with collector_paused():
        rows = project.conn.execute(
            'SELECT start, "end", speaker, block FROM segments WHERE document_id = ? '
            "ORDER BY ordinal",
            (document_id,),
        ).fetchall()
        return list(map(SegmentRow._make, rows))


@dataclass(frozen=True)
class SegmentWindow:
    """Consecutive segments of a document (``rows``, from index ``first`` in ordinal order),
    how many it has and whether any names a speaker: enough to show one segment before all
    are read (20 000 took 15–20 ms of a 0.15 s first paint, issue 13)."""

    first: int
    rows: list[SegmentRow]
    count: int
    has_speakers: bool
    following: int | None  # where the segment after the window starts; None: it has none

    def get(self, index: int) -> SegmentRow | None:
        """Segment ``index`` if the window holds it."""
        at = index - self.first
        return self.rows[at] if 0 <= at < len(self.rows) else None

    def index_at(self, offset: int) -> int | None:
        """The segment ``offset`` lies in (or last starts before it), as a search over all the
        document's starts finds it; None when the window cannot tell."""
        if offset < self.rows[0].start and self.first > 0:
            return None
        if self.following is not None and offset >= self.following:
            return None
        starts = [s.start for s in self.rows]
        return self.first + max(bisect_right(starts, offset) - 1, 0)


def load_segment_window(
    project: Project, document_id: int, index: int, reach: int = 64
) -> SegmentWindow | None:
    """The segments within ``reach`` of segment ``index`` (clamped to the document); None when
    the document has no segments."""
    conn = project.conn
    count = conn.execute(
        "SELECT count(*) FROM segments WHERE document_id = ?", (document_id,)
    ).fetchone()[0]
    if not count:
        return None
    first = max(min(index, count - 1) - reach, 0)
    rows = conn.execute(
        'SELECT start, "end", speaker, block FROM segments WHERE document_id = ? '
        "ORDER BY ordinal LIMIT ? OFFSET ?",
        (document_id, 2 * reach + 2, first),
    ).fetchall()
    window = list(map(SegmentRow._make, rows))
    following = window.pop().start if first + len(window) < count else None
    speakers = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM segments WHERE document_id = ? AND speaker <> '')",
        (document_id,),
    ).fetchone()[0]
    return SegmentWindow(first, window, count, bool(speakers), following)


class CodingRow(NamedTuple):
    id: int
    code_id: int
    coder_id: int
    start: int
    end: int


INDEX_BUCKET = 1024  # characters per bucket of ``CodingIndex``


class CodingIndex:
    """A document's codings as a screen holds them: ``rows`` in (start, id) order, and each
    row under the buckets of ``INDEX_BUCKET`` characters it covers, so that the codings over a
    span are found without a scan of them all (a key costs the same with 20 or 20 000
    codings in the document)."""

    __slots__ = ("_buckets", "rows")

    def __init__(self, rows: list[CodingRow] | None = None) -> None:
        self.rows: list[CodingRow] = sorted(rows or (), key=_order)
        self._buckets: dict[int, list[CodingRow]] = {}
        for row in self.rows:
            self._add(row)

    def _add(self, row: CodingRow) -> None:
        buckets = self._buckets
        for bucket in range(row.start // INDEX_BUCKET, _last_bucket(row) + 1):
            found = buckets.get(bucket)
            if found is None:
                buckets[bucket] = [row]
            else:
                found.append(row)

    def _drop(self, row: CodingRow) -> None:
        for bucket in range(row.start // INDEX_BUCKET, _last_bucket(row) + 1):
            found = self._buckets.get(bucket)
            if found and row in found:
                found.remove(row)

    def overlapping(self, start: int, end: int, *, touching: bool = False) -> list[CodingRow]:
        """The codings over ``start``..``end`` in (start, id) order; with ``touching``, also
        those that end at ``start`` or start at ``end``."""
        first, last = start // INDEX_BUCKET, max(end - 1, start) // INDEX_BUCKET
        if touching:
            first, last = (start - 1) // INDEX_BUCKET, end // INDEX_BUCKET
        seen: dict[int, CodingRow] = {}
        buckets = self._buckets
        for bucket in range(first, last + 1):
            for row in buckets.get(bucket, ()):
                if touching:
                    if row.start <= end and row.end >= start:
                        seen[row.id] = row
                elif row.start < end and row.end > start:
                    seen[row.id] = row
        found = list(seen.values())
        if len(found) > 1:
            found.sort(key=_order)
        return found

    def change(self, removed: list[CodingRow], added: list[CodingRow]) -> list[CodingRow]:
        """Take ``removed`` out and put ``added`` in; ``rows`` becomes a new list (the old
        one, which a caller may still hold, is left as it was) and is returned."""
        rows = self.rows.copy()
        for row in removed:
            i = bisect_left(rows, _order(row), key=_order)
            if i < len(rows) and rows[i] == row:
                del rows[i]
                self._drop(row)
        for row in added:
            insort(rows, row, key=_order)
            self._add(row)
        self.rows = rows
        return rows


def _order(row: CodingRow) -> tuple[int, int]:
    return row.start, row.id


def _last_bucket(row: CodingRow) -> int:
    return max(row.end - 1, row.start) // INDEX_BUCKET


def load_codings(project: Project, document_id: int, coder_id: int | None) -> list[CodingRow]:
    """A document's codings (of one coder, or all), by start: read after every action, so
    plain tuples rather than dataclasses."""
    sql = 'SELECT id, code_id, coder_id, start, "end" FROM codings WHERE document_id = ?'
    params: tuple = (document_id,)
    if coder_id is not None:
        sql += " AND coder_id = ?"
        params += (coder_id,)
    rows = project.conn.execute(sql + " ORDER BY start, id", params).fetchall()
    return list(map(CodingRow._make, rows))


@dataclass(frozen=True)
class DocumentRow:
    id: int
    name: str
    kind: str
    case: str
    attributes: dict[str, str]
    segments: int
    coded_segments: int
    done: bool


def document_rows(conn: sqlite3.Connection, coder_id: int | None) -> list[DocumentRow]:
    """Documents grouped by case, with the coder's progress (segments overlapped by one of
    their codings) and done mark. Takes a connection so a worker thread can use its own."""
    attrs: dict[int, dict[str, str]] = {}
    for case_id, name, value in conn.execute("SELECT case_id, name, value FROM case_attributes"):
        attrs.setdefault(case_id, {})[name] = value
    done = {
        r[0]
        for r in conn.execute(
            "SELECT document_id FROM document_status WHERE coder_id = ? AND done = 1", (coder_id,)
        )
    }
    rows = conn.execute(
        "SELECT d.id, d.name, d.kind, d.case_id, coalesce(c.name, '') "
        "FROM documents d LEFT JOIN cases c ON c.id = d.case_id "
        "ORDER BY coalesce(c.name, '~'), d.name, d.id"
    ).fetchall()
    result = []
    for doc_id, name, kind, case_id, case in rows:
        total, coded = _progress(conn, doc_id, coder_id)
        result.append(
            DocumentRow(
                doc_id, name, kind, case, attrs.get(case_id, {}), total, coded, doc_id in done
            )
        )
    return result


DOCUMENT_ORDER = (
    "SELECT d.id FROM documents d LEFT JOIN cases c ON c.id = d.case_id "
    "ORDER BY coalesce(c.name, '~'), d.name, d.id"
)


def document_order(conn: sqlite3.Connection) -> list[int]:
    """Document ids in the overview's order (by case, then name)."""
    return [r[0] for r in conn.execute(DOCUMENT_ORDER)]


_DOCUMENT_KEY = (
    "SELECT coalesce(c.name, '~'), d.name, d.id, d.case_id "
    "FROM documents d LEFT JOIN cases c ON c.id = d.case_id"
)


def neighbour_document(conn: sqlite3.Connection, document_id: int, step: int) -> int | None:
    """The document after (``step`` > 0) or before ``document_id`` in ``document_order``; None
    past either end (and before a document no longer there; after it comes the first). Looks
    up one document, not the whole order: first among the documents of the same case (by its
    index), then past the case."""
    key = conn.execute(_DOCUMENT_KEY + " WHERE d.id = ?", (document_id,)).fetchone()
    if key is None:
        first = conn.execute(DOCUMENT_ORDER + " LIMIT 1").fetchone() if step > 0 else None
        return first[0] if first else None
    case_name, name, _, case_id = key
    op, desc = (">", "") if step > 0 else ("<", " DESC")
    # a case's name is unique, and "~" also sorts the documents without a case
    if case_id is not None and case_name != "~":
        row = conn.execute(
            f"SELECT id FROM documents WHERE case_id = ? AND (name, id) {op} (?, ?) "
            f"ORDER BY name{desc}, id{desc} LIMIT 1",
            (case_id, name, document_id),
        ).fetchone()
        if row is not None:
            return row[0]
    row = conn.execute(
        _DOCUMENT_KEY + f" WHERE (coalesce(c.name, '~'), d.name, d.id) {op} (?, ?, ?) "
        f"ORDER BY 1{desc}, 2{desc}, 3{desc} LIMIT 1",
        (case_name, name, document_id),
    ).fetchone()
    return row[2] if row else None


def unfinished_after(conn: sqlite3.Connection, document_id: int, coder: str) -> int | None:
    """The next document in the overview's order (wrapping around) the coder has not marked
    done; None when every other document is done."""
    done = {
        r[0]
        for r in conn.execute(
            "SELECT s.document_id FROM document_status s JOIN coders c ON c.id = s.coder_id "
            "WHERE c.name = ? AND s.done = 1",
            (coder,),
        )
    }
    order = document_order(conn)
    here = order.index(document_id) if document_id in order else -1
    for candidate in order[here + 1 :] + order[: max(here, 0)]:
        if candidate not in done and candidate != document_id:
            return candidate
    return None


def coding_memo_starts(project: Project, document_id: int, coder_id: int | None) -> list[int]:
    """Where a memo on a coding of the document starts (only ``coder_id``'s memos if given)."""
    sql = (
        "SELECT k.start FROM memos m JOIN codings k ON k.guid = m.target_guid "
        "WHERE m.target_kind = 'coding' AND k.document_id = ?"
    )
    params: tuple[int, ...] = (document_id,)
    if coder_id is not None:
        sql += " AND m.coder_id = ?"
        params += (coder_id,)
    return [r[0] for r in project.conn.execute(sql, params)]


def _progress(conn: sqlite3.Connection, document_id: int, coder_id: int | None) -> tuple[int, int]:
    """(segments, segments overlapped by the coder's codings): one sweep over both, each read in
    start order from its index (a correlated SQL query is quadratic here)."""
    segments = conn.execute(
        'SELECT start, "end" FROM segments WHERE document_id = ? ORDER BY ordinal', (document_id,)
    ).fetchall()
    if coder_id is None:
        return len(segments), 0
    codings = conn.execute(
        'SELECT start, "end" FROM codings WHERE document_id = ? AND coder_id = ? ORDER BY start',
        (document_id, coder_id),
    ).fetchall()
    coded, i, reach = 0, 0, -1  # reach: the furthest end of codings starting before a segment's end
    for seg_start, seg_end in segments:
        while i < len(codings) and codings[i][0] < seg_end:
            reach = max(reach, codings[i][1])
            i += 1
        if reach > seg_start:
            coded += 1
    return len(segments), coded


def documents_overview(project: Project, coder: str) -> list[DocumentRow]:
    """``document_rows`` for ``coder``, read on a connection of its own (``Project.reading``):
    safe to call from a worker thread. A file that cannot be read raises ``KodeverkError``."""
    with project.reading() as reader:
        try:
            return document_rows(reader.conn, coder_id_or_none(reader.conn, coder))
        except sqlite3.Error as exc:
            raise KodeverkError(f"cannot read: {exc}") from None


def coder_names_by_id(project: Project) -> dict[int, str]:
    return dict(project.conn.execute("SELECT id, name FROM coders").fetchall())


def coder_id_or_none(conn: sqlite3.Connection, coder: str) -> int | None:
    row = conn.execute("SELECT id FROM coders WHERE name = ?", (coder,)).fetchone()
    return row[0] if row else None
