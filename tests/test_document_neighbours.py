"""``]`` and ``[`` on the coding screen look up one neighbour (``neighbour_document``) instead of
reading the whole order: the neighbours are those of ``document_order`` (the overview's), in a
project built to trip a shortcut: a case named «~» (the key of documents without a case), one
name twice in a case, cases without documents, names that sort by code point."""

from __future__ import annotations

from pathlib import Path

import pytest

from coding.cases import ensure_case
from coding.documents import Segment, add_document
from coding.store import Project
from coding.views import document_order, neighbour_document

CASES = ["Kommune 2", "~", "Kommune 10", "Å-kommune", "tom", "kommune 1", "~~", " "]
NAMES = ["b", "a", "A", "å", "z", "a"]  # «a» twice in a case


def hostile_project(path: Path) -> Project:
    project = Project.create(path)
    for n, case in enumerate([*CASES, None]):
        case_id = ensure_case(project, case) if case and case.strip() else None
        if case == "tom":
            continue  # a case without documents
        for name in NAMES[: 2 + n % 5]:
            text = f"{case} {name} {n}\n"
            document_id = add_document(
                project, name, text, "text", [Segment(0, len(text) - 1, "paragraph", 0, None)]
            )
            if case_id is not None:
                project.conn.execute(
                    "UPDATE documents SET case_id = ? WHERE id = ?", (case_id, document_id)
                )
    project.conn.commit()
    return project


@pytest.mark.parametrize("step", [1, -1])
def test_neighbours_follow_the_overview_order(tmp_path: Path, step: int) -> None:
    with hostile_project(tmp_path / "p.kodeverk") as project:
        order = document_order(project.conn)
        assert len(order) > 20
        for here, document_id in enumerate(order):
            there = here + step
            expected = order[there] if 0 <= there < len(order) else None
            assert neighbour_document(project.conn, document_id, step) == expected, (
                here,
                step,
            )


def test_after_a_document_no_longer_there_comes_the_first(tmp_path: Path) -> None:
    with hostile_project(tmp_path / "p.kodeverk") as project:
        order = document_order(project.conn)
        assert neighbour_document(project.conn, 10_000, 1) == order[0]
        assert neighbour_document(project.conn, 10_000, -1) is None
