"""The framework matrix: cases (or values of a case attribute) × goals (or codes).

Each cell holds the number of coded passages (codings) in the row's cases with the column's
codes — a goal column counts every code whose effective goal it is, a code column the code and
its descendants, as ``prevalence --level goal|code`` does — and the summary a researcher writes
for the cell. Counting is one grouped query over ``codings.case_id`` (index
``codings_by_case``); the roll-up over the code tree happens in Python. Summaries live in
``matrix_summaries`` and are written as one journalled action (undoable).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coding import journal
from coding.codes import list_codes
from coding.errors import InputError
from coding.journal import change
from coding.prevalence import GOALS, case_groups, check_attributes, coder_filter, group_order
from coding.store import Project, now

CASE = "case"
COLUMN_KINDS = ("goal", "code")

CellKey = tuple[str, str]  # (row key, column key)


@dataclass
class Matrix:
    rows: str  # "case" or a case attribute
    columns: str  # "goal" or "code"
    coder: str
    row_keys: list[str]
    row_labels: list[str]
    column_keys: list[str]
    column_labels: list[str]
    row_cases: dict[str, list[int]]  # the cases (with documents) behind each row
    column_codes: dict[str, frozenset[int]]  # the codes each column counts
    counts: dict[CellKey, int] = field(default_factory=dict)
    summaries: dict[CellKey, str] = field(default_factory=dict)

    def count(self, row: str, column: str) -> int:
        return self.counts.get((row, column), 0)

    def summary(self, row: str, column: str) -> str:
        return self.summaries.get((row, column), "")

    def as_json(self) -> dict:
        return {
            "rows": self.rows,
            "columns": self.columns,
            "coder": self.coder,
            "column_labels": [
                {"key": k, "label": label}
                for k, label in zip(self.column_keys, self.column_labels, strict=True)
            ],
            "cells": [
                {
                    "row": label,
                    "cases": len(self.row_cases[r]),
                    "column": self.column_labels[j],
                    "passages": self.count(r, c),
                    "summary": self.summary(r, c),
                }
                for r, label in zip(self.row_keys, self.row_labels, strict=True)
                for j, c in enumerate(self.column_keys)
            ],
        }


def framework_matrix(
    project: Project,
    rows: str = "size_class",
    columns: str = "goal",
    *,
    coder: str = "any",
    lang: str = "nb",
) -> Matrix:
    """Counts of coded passages and summaries for every row × column cell."""
    if columns not in COLUMN_KINDS:
        raise InputError(f"--columns must be one of {', '.join(COLUMN_KINDS)}, not {columns!r}")
    if lang not in ("nb", "en"):
        raise InputError(f"--lang must be nb or en, not {lang!r}")
    row_keys, row_labels, row_cases = _rows(project, rows)
    column_keys, column_labels, column_codes = _columns(project, columns, lang)
    matrix = Matrix(
        rows, columns, coder, row_keys, row_labels, column_keys, column_labels, row_cases,
        column_codes,
    )  # fmt: skip
    matrix.counts = _counts(project, matrix, coder_filter(project, coder))
    matrix.summaries = read_summaries(project, rows, columns)
    return matrix


def _rows(project: Project, rows: str) -> tuple[list[str], list[str], dict[str, list[int]]]:
    if rows == CASE:
        found = project.conn.execute(
            "SELECT c.id, c.guid, c.name FROM cases c WHERE EXISTS "
            "(SELECT 1 FROM documents d WHERE d.case_id = c.id) ORDER BY c.name"
        ).fetchall()
        return [g for _, g, _ in found], [n for _, _, n in found], {g: [i] for i, g, _ in found}
    check_attributes(project, [rows])
    keys = case_groups(project, [rows])
    groups = [key[0] for key in group_order([rows], keys.values())]
    members: dict[str, list[int]] = {g: [] for g in groups}
    for case_id, key in keys.items():
        members[key[0]].append(case_id)
    return groups, list(groups), members


def _columns(
    project: Project, columns: str, lang: str
) -> tuple[list[str], list[str], dict[str, frozenset[int]]]:
    tree = list_codes(project)
    if columns == "goal":
        keys = [str(g) for g in GOALS]
        codes = {str(g): frozenset(c.id for c in tree if c.effective_goal == g) for g in GOALS}
        return keys, [GOALS[g][lang] for g in GOALS], codes
    below: dict[int, set[int]] = {c.id: {c.id} for c in tree}
    for code in reversed(tree):  # children come after parents in tree order
        if code.parent_id is not None:
            below[code.parent_id] |= below[code.id]
    keys = [c.guid for c in tree]
    return keys, [c.path for c in tree], {c.guid: frozenset(below[c.id]) for c in tree}


def _counts(project: Project, matrix: Matrix, coder_ids: list[int] | None) -> dict[CellKey, int]:
    sql = "SELECT case_id, code_id, count(*) FROM codings WHERE case_id IS NOT NULL"
    params: list[int] = []
    if coder_ids is not None:
        sql += f" AND coder_id IN ({','.join('?' * len(coder_ids))})"
        params = list(coder_ids)
    row_of = {case: row for row, cases in matrix.row_cases.items() for case in cases}
    columns_of: dict[int, list[str]] = {}
    for column, codes in matrix.column_codes.items():
        for code in codes:
            columns_of.setdefault(code, []).append(column)
    counts: dict[CellKey, int] = {}
    for case_id, code_id, n in project.conn.execute(sql + " GROUP BY case_id, code_id", params):
        row = row_of.get(case_id)
        if row is None:
            continue
        for column in columns_of.get(code_id, ()):
            counts[(row, column)] = counts.get((row, column), 0) + n
    return counts


# -- summaries ------------------------------------------------------------------------------------
def read_summaries(project: Project, rows: str, columns: str) -> dict[CellKey, str]:
    return {
        (r, c): text
        for r, c, text in project.conn.execute(
            "SELECT row_key, column_key, text FROM matrix_summaries "
            "WHERE row_kind = ? AND column_kind = ?",
            (rows, columns),
        )
    }


def set_summary(
    project: Project, coder: str, matrix: Matrix, row: str, column: str, text: str
) -> bool:
    """Write (empty text: delete) the summary of one cell as one journalled action. Returns
    whether anything changed."""
    if row not in matrix.row_cases or column not in matrix.column_codes:
        raise InputError(f"no cell {row!r} × {column!r} in this matrix")
    key = {"row_kind": matrix.rows, "row_key": row, "column_kind": matrix.columns}
    key["column_key"] = column
    with project.transaction() as conn:
        coder_id = project.coder_id(coder)
        before = journal.fetch_row(conn, "matrix_summaries", key)
        text = text.strip()
        after = dict(key, text=text, coder_id=coder_id, updated_at=now()) if text else None
        if before == after or (before and after and before["text"] == after["text"]):
            return False
        changes = [change("matrix_summaries", before, after)]
        journal.apply_changes(conn, changes)
        label = matrix.row_labels[matrix.row_keys.index(row)]
        column_label = matrix.column_labels[matrix.column_keys.index(column)]
        journal.record(
            conn, coder_id, "matrix.summary", f"summary {label} × {column_label}", changes
        )
    matrix.summaries = read_summaries(project, matrix.rows, matrix.columns)
    return True
