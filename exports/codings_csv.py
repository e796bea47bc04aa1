"""Codings as a CSV table: the re-importable export (``corpus.codings_csv`` reads it back).

Columns: ``document``, ``document_id``, ``code`` (a path like ``Mål 4/Bolig``), ``coder``,
``start``, ``end`` (string offsets, end exclusive) and ``quote``, so exporting and importing
again gives the same codings.
"""

from __future__ import annotations

import csv
from pathlib import Path

from coding.anonymise import Span, redact, spans_by_document
from coding.codes import code_paths
from coding.errors import InputError
from coding.output import atomic_output, safe_row
from coding.store import Project

EXPORT_COLUMNS = ("document", "document_id", "code", "coder", "start", "end", "quote")


# document, document_id, code_id, coder, start, end, quote
CodingRow = tuple[str, int, int, str, int, int, str]


def _redacted(project: Project, row: CodingRow, spans: list[Span] | None) -> CodingRow:
    if not spans:
        return row
    (text,) = project.conn.execute("SELECT text FROM documents WHERE id = ?", (row[1],)).fetchone()
    return (*row[:6], redact(text, row[4], row[5], spans))


def export_codings_csv(project: Project, path: Path) -> int:
    """Write every coding with its quote to ``path`` (UTF-8 with BOM, so Excel reads «æøå»);
    returns the number of rows."""
    if Path(path).suffix.lower() != ".csv":
        raise InputError(f"{path}: codings are written as .csv (Excel opens it); name a .csv file")
    paths = code_paths(project)
    rows = project.conn.execute(
        'SELECT d.name, d.id, k.code_id, c.name, k.start, k."end", '
        'substr(d.text, k.start + 1, k."end" - k.start) '
        "FROM codings k JOIN documents d ON d.id = k.document_id "
        "JOIN coders c ON c.id = k.coder_id ORDER BY d.id, k.start, k.code_id, c.name"
    ).fetchall()
    hidden = spans_by_document(project)  # names marked «anonymiser» never leave the project
    if hidden:
        rows = [_redacted(project, row, hidden.get(row[1])) for row in rows]
    with (
        atomic_output(path, project.path) as temp,
        temp.open("w", encoding="utf-8-sig", newline="") as handle,
    ):
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for name, doc_id, code_id, coder, start, end, quote in rows:
            writer.writerow(safe_row([name, doc_id, paths[code_id], coder, start, end, quote]))
    return len(rows)
