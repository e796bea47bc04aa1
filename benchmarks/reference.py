"""The implementations issue 13 replaced, kept as baselines for the benchmarks and as the
reference the tests compare the faster paths with (same rows, same journal, same undo)."""

from __future__ import annotations

from pathlib import Path

from coding import codings_csv
from coding.codings_csv import CodingsImportSummary, _code_id, _codes_after, _last_code_id
from coding.operations import apply_coding
from coding.store import Project
from corpus.tables import read_table


def import_codings_one_by_one(
    project: Project, path: Path, *, create_codes: bool = False
) -> CodingsImportSummary:
    """The codings import before issue 13: ``apply_coding`` per row, then the per-coding events
    folded into one event per coder (340 rows/s on the study)."""
    table = read_table(Path(path))
    for required in ("document", "code", "coder"):
        table.column(required)
    reader = codings_csv._Reader(project, table)
    rows = [reader.row(i) for i in range(len(table.rows))]
    code_ids: dict[str, int] = {}
    with project.transaction():
        last_event = project.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        last_code = _last_code_id(project)
        for row in rows:
            if row.code_ref not in code_ids:
                code_ids[row.code_ref] = _code_id(project, row.code_ref, row.where, create_codes)
            apply_coding(
                project, row.document_id, code_ids[row.code_ref], row.coder, row.start, row.end
            )
        created = _codes_after(project, last_code)
        applied = _fold_events(project, last_event, Path(path).name, created)
    coders = sorted({row.coder for row in rows})
    return CodingsImportSummary(str(path), len(rows), len(created), coders, len(rows) - applied)


def _fold_events(project: Project, after_id: int, source: str, codes: list[dict]) -> int:
    import json

    from coding import journal

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
