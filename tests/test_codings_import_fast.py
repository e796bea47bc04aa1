"""The bulk codings import gives what applying each row with ``apply_coding`` gave (the path
before issue 13, kept in benchmarks/reference.py): the same rows, the same journal, the same
undo per coder, on the small study."""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from benchmarks.reference import import_codings_one_by_one
from benchmarks.study import build_study, codings_table
from coding.errors import InputError
from coding.operations import undo
from coding.store import Project
from corpus.codings_csv import import_codings_csv

SCALE = 0.01


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("study") / "study.kodeverk"
    build_study(path, SCALE)
    return path


def _table(study: Path, folder: Path) -> Path:
    """Every coding of the study as a codings CSV, renamed to new coders (so every row is new
    work), plus rows that overlap, touch, repeat and nest, and a new code."""
    path = folder / "codings.csv"
    with Project.open(study) as project:
        codings_table(project, path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    extra = []
    for i, row in enumerate(rows[:300]):
        start = int(row["start"])
        twin = dict(row, quote="")
        if i % 3 == 0:
            twin.update(start=str(max(0, start - 5)), end=str(start + 2))  # overlaps the start
        elif i % 3 == 1 and start > 0:
            twin.update(start=str(start - 1), end=str(start))  # touches the start
        extra.append(twin)
        extra.append(dict(row))  # the same again: already coded
    extra.append(dict(rows[0], code="Nye temaer/Ettervern", quote=""))
    for row in rows + extra:
        row["coder"] = {"anna": "dina", "bjørn": "emil", "cato": "dina"}[row["coder"]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows + extra)
    return path


def _state(path: Path) -> dict[str, list]:
    """Rows and journal with random GUIDs and clock times replaced by their order of
    appearance, event ids left out (the old path used up ids for the events it folded, so
    an undo names another event number)."""
    conn = sqlite3.connect(path)
    names: dict[str, str] = {}

    def same(value: object) -> object:
        if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
            return names.setdefault(value, f"guid{len(names)}")
        return value

    def rows(sql: str) -> list:
        return [tuple(same(v) for v in row) for row in conn.execute(sql)]

    def changes(text: str) -> list:
        out = []
        for item in json.loads(text):
            for side in ("before", "after"):
                if item[side]:
                    item[side] = {k: same(v) for k, v in item[side].items() if k != "created_at"}
            out.append(item)
        return out

    state = {
        "codings": rows(
            'SELECT id, guid, document_id, code_id, coder_id, case_id, start, "end" '
            "FROM codings ORDER BY id"
        ),
        "codes": rows("SELECT id, guid, parent_id, name FROM codes ORDER BY id"),
        "coders": rows("SELECT id, name FROM coders ORDER BY id"),
        "sequence": rows("SELECT name, seq FROM sqlite_sequence WHERE name != 'events'"),
        "events": [
            (coder, action, re.sub(r"event \d+", "event", summary), changes(text), undoable, state)
            for coder, action, summary, text, undoable, state in conn.execute(
                "SELECT coder_id, action, summary, changes, undoable, state FROM events ORDER BY id"
            )
        ],
    }
    conn.close()
    return state


@pytest.mark.parametrize("create_codes", [False, True])
def test_bulk_import_matches_one_by_one(study: Path, tmp_path: Path, create_codes: bool) -> None:
    table = _table(study, tmp_path)
    if not create_codes:  # without --create-codes the row with a new code is refused
        lines = table.read_text(encoding="utf-8").splitlines()
        table.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    old, new = tmp_path / "old.kodeverk", tmp_path / "new.kodeverk"
    shutil.copy(study, old)
    shutil.copy(study, new)
    with Project.open(old) as project:
        expected = import_codings_one_by_one(project, table, create_codes=create_codes)
    with Project.open(new) as project:
        got = import_codings_csv(project, table, create_codes=create_codes)
    assert got == expected
    assert expected.already_coded > 0
    assert _state(new) == _state(old)
    for coder in ("emil", "dina"):
        for path in (old, new):
            with Project.open(path) as project:
                assert undo(project, coder) is not None
        assert _state(new) == _state(old)
    assert _state(new)["codings"] == _state(study)["codings"]


def test_bulk_import_over_existing_codings_merges_as_before(study: Path, tmp_path: Path) -> None:
    """Rows of coders who coded already merge with their stored codings, as in the app."""
    table = _table(study, tmp_path)
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace(",dina,", ",anna,").replace(",emil,", ",bjørn,"), "utf-8")
    old, new = tmp_path / "old.kodeverk", tmp_path / "new.kodeverk"
    shutil.copy(study, old)
    shutil.copy(study, new)
    with Project.open(old) as project:
        expected = import_codings_one_by_one(project, table, create_codes=True)
    with Project.open(new) as project:
        got = import_codings_csv(project, table, create_codes=True)
    assert got == expected
    assert _state(new) == _state(old)
    with Project.open(old) as a, Project.open(new) as b:
        assert undo(a, "anna").summary == undo(b, "anna").summary
    assert _state(new) == _state(old)


def test_bulk_import_reports_progress(study: Path, tmp_path: Path) -> None:
    table = _table(study, tmp_path)
    shutil.copy(study, tmp_path / "p.kodeverk")
    seen: list[tuple[int, int]] = []
    with Project.open(tmp_path / "p.kodeverk") as project:
        summary = import_codings_csv(
            project,
            table,
            create_codes=True,
            progress=lambda done, total: seen.append((done, total)),
        )
    assert seen[-1] == (summary.rows, summary.rows)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) >= summary.rows // 1000


def test_missing_column_is_named_on_one_line(small_project: Project, tmp_path: Path) -> None:
    """A header holding a line break (found by the fuzz test) is shown on one line."""
    table = tmp_path / "k.csv"
    table.write_text('"0\r0"\n","\n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        import_codings_csv(small_project, table)
    message = str(error.value)
    assert "no column 'document'" in message and "\r" not in message and "\n" not in message
