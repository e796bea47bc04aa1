"""Codings as a CSV table: coding without the app (``exports.codings_csv`` writes the table).

Columns: ``document`` (name or id), ``code`` (a name or path like ``Mål 4/Bolig``), ``coder``,
optionally ``start`` and ``end`` (string offsets, end exclusive; both empty: the whole document)
and ``quote`` (checked against the text when present). The export writes those columns plus
``document_id``, so exporting and importing again gives the same codings.
"""

from __future__ import annotations

import itertools
import operator
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from coding import journal
from coding.anonymise import redact, spans_by_document
from coding.codes import code_paths, ensure_code_path, resolve_code
from coding.errors import CodingError, InputError
from coding.gc_pause import collector_paused
from coding.journal import Row
from coding.operations import merge_into_one
from coding.output import unsafe_cell
from coding.store import Project, insert_rows, now
from corpus.tables import Table, read_table


@dataclass
class CodingsImportSummary:
    source: str
    rows: int
    codes_created: int
    coders: list[str]
    already_coded: int = 0  # rows whose span the coder had coded with that code already


class _Row(NamedTuple):  # a tuple: 20 000 of them are made per import
    row_index: int  # in the table (``Table.where`` names it in messages)
    document_id: int
    code_ref: str
    coder: str
    start: int
    end: int


Progress = Callable[[int, int], None] | None  # (rows done, rows in all)


def import_codings_csv(
    project: Project, path: Path, *, create_codes: bool = False, progress: Progress = None
) -> CodingsImportSummary:
    """Apply every row of ``path`` as a coding (overlapping codings of the same code and coder
    merge, as in the app), all in one transaction: a bad row changes nothing. Each coder's
    undo takes back the whole import at once (one event per coder).

    The rows are applied in memory exactly as ``apply_coding`` would apply them one after the
    other (the same merges, the same row changes in the journal, the same ids), and only the
    net result is written, with ``executemany``: 60× faster than a transaction per row."""
    with collector_paused():
        return _import(project, path, create_codes, progress)


def _import(
    project: Project, path: Path, create_codes: bool, progress: Progress
) -> CodingsImportSummary:
    table = read_table(Path(path))
    for required in ("document", "code", "coder"):
        table.column(required)
    reader = _Reader(project, table)
    reader.prefetch()
    rows = [reader.row(i) for i in range(len(table.rows))]
    code_ids: dict[str, int] = {}
    with _checked_references(project), project.transaction():
        last_code = _last_code_id(project)
        plan = _Plan(project)
        plan.load(rows)
        for number, row in enumerate(rows, 1):
            if row.code_ref not in code_ids:
                code_ids[row.code_ref] = _code_id(
                    project, row.code_ref, table.where(row.row_index), create_codes
                )
            plan.apply(row.document_id, code_ids[row.code_ref], row.coder, row.start, row.end)
            if progress and (number % 1000 == 0 or number == len(rows)):
                progress(number, len(rows))
        created = _codes_after(project, last_code)
        plan.write()
        applied = _record_events(project, plan, Path(path).name, created)
    coders = sorted({row.coder for row in rows})
    return CodingsImportSummary(str(path), len(rows), len(created), coders, len(rows) - applied)


_REFERENCES_CODINGS = (
    "SELECT 1 FROM sqlite_schema AS t, pragma_foreign_key_list(t.name) AS f "
    "WHERE t.type = 'table' AND f.\"table\" = 'codings' LIMIT 1"
)


@contextmanager
def _checked_references(project: Project) -> Iterator[None]:
    """SQLite's foreign key checks off for the import's own transaction (they cost half the
    insert: four parent lookups per coding), because every reference is checked by the plan:
    documents are read inside the transaction (``_Plan.load``), codes resolved or created in
    it, coders created in it, case ids copied from the documents. Only while no table
    references codings (a cascade from a merged coding must not be skipped). Inside another
    transaction the setting cannot change."""
    conn = project.conn
    if (
        conn.in_transaction
        or not conn.execute("PRAGMA foreign_keys").fetchone()[0]
        or conn.execute(_REFERENCES_CODINGS).fetchone()
    ):
        yield
        return
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


def _last_code_id(project: Project) -> int:
    return project.conn.execute("SELECT coalesce(max(id), 0) FROM codes").fetchone()[0]


def _codes_after(project: Project, code_id: int) -> list[Row]:
    """The code rows added after ``code_id`` (by ``--create-codes``), parents first."""
    cur = project.conn.execute("SELECT * FROM codes WHERE id > ? ORDER BY id", (code_id,))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


Key = tuple[int, int, int]  # document, code, coder
_COLUMNS = ("document", "document_id", "code", "coder", "start", "end", "quote")


class _Plan:
    """Codings applied in memory, one row after another as ``apply_coding`` does, keeping each
    coder's journal changes; ``write`` stores the net result."""

    def __init__(self, project: Project) -> None:
        self.project = project
        conn = project.conn
        self.next_id = conn.execute(
            "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'codings'), 0), "
            "coalesce((SELECT max(id) FROM codings), 0)) + 1"
        ).fetchone()[0]
        self.columns = [d[1] for d in conn.execute("PRAGMA table_info(codings)")]
        self.cases: dict[int, int | None] = {}
        self.coder_ids: dict[str, int] = {}
        self.stored: dict[Key, list[Row]] = {}  # rows as stored, by (start, id): see load
        self.before: dict[Key, dict[int, Row]] = {}  # rows as stored, per key touched
        self.now: dict[Key, list[Row]] = {}  # rows as applied so far, by (start, id)
        self.changes: dict[int, list[dict[str, Any]]] = {}  # per coder, in order
        self.counts: dict[int, int] = {}  # rows that changed something, per coder
        self.created_at = now()  # one transaction: one moment for every new coding

    def load(self, rows: list[_Row]) -> None:
        """Read the stored codings of every (document, coder) the rows touch and the case of
        every document, a few hundred documents per query (coders are created here, in the
        order they first appear). A document removed since the rows were read is refused."""
        documents: dict[int, set[int]] = {}
        for row in rows:
            documents.setdefault(self.project.coder_id(row.coder), set()).add(row.document_id)
        self._load_cases(sorted({row.document_id for row in rows}))
        for coder_id, ids in documents.items():
            ordered = sorted(ids)
            for first in range(0, len(ordered), 500):
                chunk = ordered[first : first + 500]
                cur = self.project.conn.execute(
                    f"SELECT * FROM codings WHERE coder_id = ? AND document_id IN "
                    f"({', '.join('?' * len(chunk))}) ORDER BY start, id",
                    (coder_id, *chunk),
                )
                names = [d[0] for d in cur.description]
                for values in cur.fetchall():
                    stored = dict(zip(names, values, strict=True))
                    key = (stored["document_id"], stored["code_id"], coder_id)
                    self.stored.setdefault(key, []).append(stored)

    def apply(self, document_id: int, code_id: int, coder: str, start: int, end: int) -> None:
        coder_id = self.coder_ids.get(coder)
        if coder_id is None:
            coder_id = self.coder_ids[coder] = self.project.coder_id(coder)
        key = (document_id, code_id, coder_id)
        rows = self._rows(key)
        existing = [r for r in rows if r["start"] <= end and r["end"] >= start]
        if len(existing) == 1 and existing[0]["start"] <= start and existing[0]["end"] >= end:
            return  # already coded: nothing to change
        if existing:
            changes = merge_into_one(
                existing, document_id, code_id, coder_id, self._case(document_id), start, end
            )
        else:  # a new coding, with the id SQLite would give it (as merge_into_one makes it)
            row = {"id": self.next_id, "guid": _guid(), "document_id": document_id,
                   "code_id": code_id, "coder_id": coder_id, "case_id": self._case(document_id),
                   "start": start, "end": end, "created_at": self.created_at}  # fmt: skip
            changes = [{"table": "codings", "before": None, "after": row}]  # journal.change
            self.next_id += 1
        if existing:
            gone = {id(r) for r in existing}
            rows[:] = [r for r in rows if id(r) not in gone]
        added = changes[0]["after"]
        if rows and (rows[-1]["start"], rows[-1]["id"]) > (added["start"], added["id"]):
            rows.append(added)
            rows.sort(key=lambda r: (r["start"], r["id"]))
        else:  # in order already (rows mostly come sorted by span)
            rows.append(added)
        self.changes.setdefault(coder_id, []).extend(changes)
        self.counts[coder_id] = self.counts.get(coder_id, 0) + 1

    def _rows(self, key: Key) -> list[Row]:
        if key not in self.now:
            stored = self.stored.get(key, [])
            self.before[key] = {r["id"]: r for r in stored}
            self.now[key] = list(stored)
        return self.now[key]

    def _load_cases(self, documents: list[int]) -> None:
        for first in range(0, len(documents), 500):
            chunk = documents[first : first + 500]
            marks = ", ".join("?" * len(chunk))
            self.cases.update(
                self.project.conn.execute(
                    f"SELECT id, case_id FROM documents WHERE id IN ({marks})", chunk
                )
            )
        missing = [d for d in documents if d not in self.cases]
        if missing:
            raise CodingError(f"document {missing[0]} was deleted meanwhile; nothing imported")

    def _case(self, document_id: int) -> int | None:
        return self.cases[document_id]

    def write(self) -> None:
        """Delete, update and insert what differs between the stored and the applied rows."""
        gone: list[tuple[int]] = []
        changed: list[tuple[int, int, int]] = []
        added: list[tuple] = []
        values = operator.itemgetter(*self.columns)
        for key, rows in self.now.items():
            stored = self.before[key]
            kept = {r["id"] for r in rows}
            gone.extend((i,) for i in stored if i not in kept)
            for r in rows:
                if r["id"] not in stored:
                    added.append(values(r))
                elif r != stored[r["id"]]:
                    changed.append((r["start"], r["end"], r["id"]))
        conn = self.project.conn
        conn.executemany("DELETE FROM codings WHERE id = ?", gone)
        conn.executemany('UPDATE codings SET start = ?, "end" = ? WHERE id = ?', changed)
        insert_rows(conn, "codings", self.columns, added)  # not executemany: see insert_rows
        # Ids of codings merged away before they were written count as used, as they would.
        last = self.next_id - 1
        if (
            last
            and not conn.execute(
                "UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'codings'", (last,)
            ).rowcount
        ):
            conn.execute("INSERT INTO sqlite_sequence(name, seq) VALUES ('codings', ?)", (last,))


def _guid() -> str:
    """A random (version 4) UUID as text, like ``new_guid`` at a tenth of the cost: made a
    thousand at a time from one read of random bytes."""
    if not _GUIDS:
        _GUIDS.extend(_guids(1024))
    return _GUIDS.pop()


_GUIDS: list[str] = []


def _guids(count: int) -> list[str]:
    raw = bytearray(os.urandom(16 * count))
    raw[6::16] = bytes((b & 0x0F) | 0x40 for b in raw[6::16])  # version 4
    raw[8::16] = bytes((b & 0x3F) | 0x80 for b in raw[8::16])  # RFC 4122 variant
    h = raw.hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-{h[i + 12 : i + 16]}-{h[i + 16 : i + 20]}-"
        f"{h[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


def _record_events(project: Project, plan: _Plan, source: str, codes: list[Row]) -> int:
    """One event per coder holding all its changes, so undo takes back the import as a whole.
    Codes the import created go first into the event of its only coder (undo removes them
    too); with several coders they are recorded on their own, not undoable, since every
    coder's codings may use them. Returns the number of rows that changed something."""
    conn = project.conn
    code_changes = [journal.change("codes", None, code) for code in codes]
    if code_changes and len(plan.changes) != 1:
        summary = f"create {len(codes)} codes for codings from {source}"
        journal.record(conn, None, "codes.create", summary, code_changes, undoable=False)
    for coder_id, changes in plan.changes.items():
        summary = f"import {plan.counts[coder_id]} codings from {source}"
        if code_changes and len(plan.changes) == 1:
            changes = code_changes + changes
            summary += f" (and {len(codes)} new codes)"
        journal.record(conn, coder_id, "codings.import", summary, changes)
    return sum(plan.counts.values())


class _Reader:
    """Reads rows of a codings table, with the column names and documents looked up once."""

    def __init__(self, project: Project, table: Table) -> None:
        self.project = project
        self.table = table
        self.columns = {c.casefold(): c for c in reversed(table.columns)}
        self.wanted = [self.columns.get(name) for name in _COLUMNS]
        self.getter = operator.itemgetter(*self.wanted) if all(self.wanted) else None
        self.texts: dict[int, str] = {}
        self.documents: dict[tuple[str, str], int | str] = {}  # id, or the error message
        self.names: dict[int, str] | None = None
        self.all_cells: list[tuple[str, ...]] = []  # of every row, once prefetched

    def prefetch(self) -> None:
        """Resolve every document the rows name and read their texts, a few hundred per query
        (one query per document costs more than the rest of a row's checks). Unresolvable
        names are kept as their message and raised at their row."""
        self.all_cells = self._all_cells()
        for document, fallback, *_ in self.all_cells:
            if (document or fallback) and (document, fallback) not in self.documents:
                self.documents[document, fallback] = self._resolve(document, fallback)
        wanted = sorted(
            {i for i in self.documents.values() if isinstance(i, int)} - set(self.texts)
        )
        for first in range(0, len(wanted), 500):
            chunk = wanted[first : first + 500]
            self.texts.update(
                self.project.conn.execute(
                    f"SELECT id, text FROM documents WHERE id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
            )

    def _all_cells(self) -> list[tuple[str, ...]]:
        """``cells`` of every row; with every column there (as exported) and no cell that
        starts with ``'`` (a neutralised formula), in one pass of itemgetter."""
        if self.getter is not None:
            every = list(map(self.getter, self.table.rows))
            flat = "\0".join(itertools.chain.from_iterable(every))  # no NUL in a table read
            if not flat.startswith("'") and "\0'" not in flat:
                return every
        return [self.cells(index) for index in range(len(self.table.rows))]

    def cells(self, index: int) -> tuple[str, ...]:
        """document, document_id, code, coder, start, end, quote of one row (empty if absent;
        cells come stripped from ``read_table``)."""
        row = self.table.rows[index]
        return tuple(
            ("" if not c else unsafe_cell(row[c]) if row[c][:1] == "'" else row[c])
            for c in self.wanted
        )

    def row(self, index: int) -> _Row:
        """The row at ``index``, checked; the common case (a known document, offsets inside
        it, the quote exactly as in the text) without building messages."""
        cells = self.all_cells[index] if self.all_cells else self.cells(index)
        document, fallback, code_ref, coder, raw_start, raw_end, quote = cells
        found = self.documents.get((document, fallback))
        text = self.texts.get(found) if isinstance(found, int) else None
        if (
            isinstance(found, int)
            and text is not None
            and code_ref
            and coder
            and raw_start.isdecimal()
            and raw_end.isdecimal()
        ):
            start, end = int(raw_start), int(raw_end)
            if 0 <= start < end <= len(text) and (not quote or quote == text[start:end]):
                return _Row(index, found, code_ref, coder, start, end)
        return self._checked_row(index, cells)

    def _checked_row(self, index: int, cells: tuple[str, ...]) -> _Row:
        where = self.table.where(index)
        document, fallback, code_ref, coder, raw_start, raw_end, quote = cells
        document_id = self._document_id(document, fallback, where)
        if not code_ref or not coder:
            raise InputError(f"{where}: {'code' if not code_ref else 'coder'} is empty")
        text = self._text(document_id)
        start, end = _span(raw_start, raw_end, where, len(text))
        if (
            quote
            and quote.split() != text[start:end].split()
            and not _matches_redacted(self.project, document_id, text, start, end, quote)
        ):
            raise InputError(
                f"{where}: the quote does not match document {document_id} at {start}–{end}; "
                "were the offsets or the text changed?"
            )
        return _Row(index, document_id, code_ref, coder, start, end)

    def _text(self, document_id: int) -> str:
        if document_id not in self.texts:
            self.texts[document_id] = self.project.conn.execute(
                "SELECT text FROM documents WHERE id = ?", (document_id,)
            ).fetchone()[0]
        return self.texts[document_id]

    def _document_id(self, ref: str, fallback: str, where: str) -> int:
        if not ref and not fallback:
            raise InputError(f"{where}: document is empty")
        if (ref, fallback) not in self.documents:
            self.documents[ref, fallback] = self._resolve(ref, fallback)
        found = self.documents[ref, fallback]
        if isinstance(found, str):
            raise InputError(f"{where}: {found}")
        return found

    def _resolve(self, ref: str, fallback: str) -> int | str:
        """The document a row names, by id or unique name; a name shared by several documents
        is made exact by the id. Returns why not when it names none (as ``resolve_document``
        words it). Names are read once: ``documents.name`` has no index."""
        if self.names is None:
            self.names = {}
            self.ids: dict[str, list[int]] = {}
            for document_id, name in self.project.conn.execute("SELECT id, name FROM documents"):
                self.names[document_id] = name
                self.ids.setdefault(name, []).append(document_id)
        key = ref or fallback
        if key.isdigit() and int(key) in self.names:
            return int(key)
        if len(self.ids.get(key, ())) == 1:
            return self.ids[key][0]
        if fallback.isdigit() and self.names.get(int(fallback)) == ref:
            return int(fallback)
        from coding.documents import resolve_document

        try:
            return resolve_document(self.project, key)
        except CodingError as exc:
            return str(exc)


def _span(raw_start: str, raw_end: str, where: str, length: int) -> tuple[int, int]:
    if not raw_start and not raw_end:
        return 0, length
    try:
        start, end = int(raw_start), int(raw_end)
    except ValueError:
        raise InputError(
            f"{where}: start and end must both be whole numbers (got {raw_start!r}, {raw_end!r})"
        ) from None
    if not 0 <= start < end <= length:
        raise InputError(
            f"{where}: span {start}–{end} lies outside the document (length {length}); "
            "a span needs 0 <= start < end <= length"
        )
    return start, end


def _code_id(project: Project, ref: str, where: str, create: bool) -> int:
    if create:
        exact = {path: code_id for code_id, path in code_paths(project).items()}
        if ref in exact:
            return exact[ref]
    try:
        return resolve_code(project, ref)
    except InputError as exc:
        if create and str(exc).startswith("no code"):
            return ensure_code_path(project, ref)
        hint = "" if create else " (use --create-codes to create missing codes)"
        raise InputError(f"{where}: {exc}{hint}") from None


def _matches_redacted(
    project: Project, document_id: int, text: str, start: int, end: int, quote: str
) -> bool:
    """An exported quote has its marked names replaced: it still matches."""
    spans = spans_by_document(project, [document_id]).get(document_id)
    return bool(spans) and quote.split() == redact(text, start, end, spans).split()
