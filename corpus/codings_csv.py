"""Codings as a CSV table: coding without the app (``exports.codings_csv`` writes the table).

Columns: ``document`` (name or id), ``code`` (a name or path like ``Mål 4/Bolig``), ``coder``,
optionally ``start`` and ``end`` (string offsets, end exclusive; both empty: the whole document)
and ``quote`` (checked against the text when present). The export writes those columns plus
``document_id``, so exporting and importing again gives the same codings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from coding import journal
from coding.codes import code_paths, ensure_code_path, resolve_code
from coding.errors import CodingError, InputError
from coding.operations import apply_coding
from coding.store import Project
from corpus.tables import Table, read_table


@dataclass
class CodingsImportSummary:
    source: str
    rows: int
    codes_created: int
    coders: list[str]
    already_coded: int = 0  # rows whose span the coder had coded with that code already


@dataclass(frozen=True)
class _Row:
    where: str
    document_id: int
    code_ref: str
    coder: str
    start: int
    end: int


def import_codings_csv(
    project: Project, path: Path, *, create_codes: bool = False
) -> CodingsImportSummary:
    """Apply every row of ``path`` as a coding (overlapping codings of the same code and coder
    merge, as in the app), all in one transaction: a bad row changes nothing. Each coder's
    undo takes back the whole import at once (one event per coder, see ``_fold_events``)."""
    table = read_table(Path(path))
    for required in ("document", "code", "coder"):
        table.column(required)
    texts: dict[int, str] = {}
    rows = [_read_row(project, table, i, texts) for i in range(len(table.rows))]
    code_ids: dict[str, int] = {}
    with project.transaction():
        last_event = _last_event_id(project)
        last_code = _last_code_id(project)
        for row in rows:
            if row.code_ref not in code_ids:
                code_ids[row.code_ref] = _code_id(project, row.code_ref, row.where, create_codes)
            code_id = code_ids[row.code_ref]
            apply_coding(project, row.document_id, code_id, row.coder, row.start, row.end)
        created = _codes_after(project, last_code)
        applied = _fold_events(project, last_event, Path(path).name, created)
    coders = sorted({row.coder for row in rows})
    return CodingsImportSummary(str(path), len(rows), len(created), coders, len(rows) - applied)


def _last_event_id(project: Project) -> int:
    return project.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]


def _last_code_id(project: Project) -> int:
    return project.conn.execute("SELECT coalesce(max(id), 0) FROM codes").fetchone()[0]


def _codes_after(project: Project, code_id: int) -> list[dict]:
    """The code rows added after ``code_id`` (by ``--create-codes``), parents first."""
    cur = project.conn.execute("SELECT * FROM codes WHERE id > ? ORDER BY id", (code_id,))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _fold_events(project: Project, after_id: int, source: str, codes: list[dict]) -> int:
    """Replace the per-coding events written since ``after_id`` by one event per coder, so undo
    takes back the import as a whole. Changes keep their order; codings of different coders
    never touch each other's rows, so splitting by coder is safe. Codes the import created go
    first into the event of its only coder (undo removes them too); with several coders they
    are recorded on their own, not undoable, since every coder's codings may use them. Returns
    the number of rows that changed something."""
    conn = project.conn
    by_coder: dict[int, list[dict]] = {}
    counts: dict[int, int] = {}
    for coder_id, changes in conn.execute(
        "SELECT coder_id, changes FROM events WHERE id > ? AND action = 'coding.apply' ORDER BY id",
        (after_id,),
    ):
        by_coder.setdefault(coder_id, []).extend(json.loads(changes))
        counts[coder_id] = counts.get(coder_id, 0) + 1
    conn.execute("DELETE FROM events WHERE id > ? AND action = 'coding.apply'", (after_id,))
    code_changes = [journal.change("codes", None, code) for code in codes]
    if code_changes and len(by_coder) != 1:
        summary = f"create {len(codes)} codes for codings from {source}"
        journal.record(conn, None, "codes.create", summary, code_changes, undoable=False)
    for coder_id, changes in by_coder.items():
        summary = f"import {counts[coder_id]} codings from {source}"
        if code_changes and len(by_coder) == 1:
            changes = code_changes + changes
            summary += f" (and {len(codes)} new codes)"
        journal.record(conn, coder_id, "codings.import", summary, changes)
    return sum(counts.values())


def _cell(table: Table, index: int, name: str) -> str:
    column = next((c for c in table.columns if c.casefold() == name), None)
    return table.rows[index][column].strip() if column else ""


def _read_row(project: Project, table: Table, index: int, texts: dict[int, str]) -> _Row:
    where = table.where(index)
    document_id = _document_id(project, table, index, where)
    code_ref = _cell(table, index, "code")
    coder = _cell(table, index, "coder")
    if not code_ref or not coder:
        raise InputError(f"{where}: {'code' if not code_ref else 'coder'} is empty")
    if document_id not in texts:
        texts[document_id] = project.conn.execute(
            "SELECT text FROM documents WHERE id = ?", (document_id,)
        ).fetchone()[0]
    text = texts[document_id]
    start, end = _span(table, index, where, len(text))
    quote = _cell(table, index, "quote")
    if quote and quote.split() != text[start:end].split():
        raise InputError(
            f"{where}: the quote does not match document {document_id} at {start}–{end}; "
            "were the offsets or the text changed?"
        )
    return _Row(where, document_id, code_ref, coder, start, end)


def _document_id(project: Project, table: Table, index: int, where: str) -> int:
    from coding.documents import resolve_document

    ref = _cell(table, index, "document")
    fallback = _cell(table, index, "document_id")
    if not ref and not fallback:
        raise InputError(f"{where}: document is empty")
    try:
        return resolve_document(project, ref or fallback)
    except CodingError as exc:
        if fallback.isdigit() and _document_named(project, int(fallback), ref):
            return int(fallback)  # a name shared by several documents, made exact by the id
        raise InputError(f"{where}: {exc}") from None


def _document_named(project: Project, document_id: int, name: str) -> bool:
    row = project.conn.execute(
        "SELECT 1 FROM documents WHERE id = ? AND name = ?", (document_id, name)
    ).fetchone()
    return row is not None


def _span(table: Table, index: int, where: str, length: int) -> tuple[int, int]:
    raw_start, raw_end = _cell(table, index, "start"), _cell(table, index, "end")
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
