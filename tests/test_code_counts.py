"""``code_document_counts`` (issue 13): after every kind of write it equals a recount of the
codings, and prevalence read from it gives what a recount from the codings gives."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from benchmarks.study import build_study, codings_table
from coding.check import check_project
from coding.codes import delete_code, list_codes, merge_codes
from coding.consensus import disagreements, settle
from coding.copy import make_copy
from coding.merge import merge_copy
from coding.operations import apply_coding, codings_of, redo, remove_coding, undo
from coding.prevalence import GOALS, MISSING, canonical_value
from coding.store import Project
from corpus.codings_csv import import_codings_csv
from tests.conftest import run_kodeverk

SCALE = 0.01


@pytest.fixture(scope="module")
def study_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("study") / "study.kodeverk"
    build_study(path, SCALE)
    return path


@pytest.fixture
def study(study_file: Path, tmp_path: Path) -> Path:
    path = tmp_path / "study.kodeverk"
    shutil.copy(study_file, path)
    return path


def recount(conn: sqlite3.Connection) -> dict[tuple[int, int, int], int]:
    rows = conn.execute(
        "SELECT code_id, document_id, coder_id, count(*) FROM codings GROUP BY 1, 2, 3"
    )
    return {(code, doc, coder): n for code, doc, coder, n in rows}


def stored(conn: sqlite3.Connection) -> dict[tuple[int, int, int], int]:
    rows = conn.execute("SELECT code_id, document_id, coder_id, n FROM code_document_counts")
    return {(code, doc, coder): n for code, doc, coder, n in rows}


def assert_exact(path: Path) -> None:
    conn = sqlite3.connect(path)
    try:
        assert stored(conn) == recount(conn)
    finally:
        conn.close()
    assert [p for p in check_project(path) if "count" in p.check] == []


def first_coding(project: Project, coder: str) -> tuple[int, int, int]:
    """(document, code, length) of the first document ``coder`` coded."""
    row = project.conn.execute(
        "SELECT k.document_id, k.code_id, d.length FROM codings k "
        "JOIN documents d ON d.id = k.document_id JOIN coders c ON c.id = k.coder_id "
        "WHERE c.name = ? ORDER BY k.id LIMIT 1",
        (coder,),
    ).fetchone()
    return row


def test_a_new_study_file_counts_every_coding(study: Path) -> None:
    conn = sqlite3.connect(study)
    assert sum(stored(conn).values()) == conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    conn.close()
    assert_exact(study)


def test_apply_remove_undo_redo(study: Path) -> None:
    with Project.open(study) as project:
        document, code, length = first_coding(project, "anna")
        apply_coding(project, document, code, "anna", 0, min(length, 40))  # merges overlaps
        assert_exact(study)
        apply_coding(project, document, code, "dina", 0, 5)  # a new coder
        assert_exact(study)
        coding = codings_of(project, document, "anna")[0]
        remove_coding(project, coding.id, "anna")
        assert_exact(study)
        for step in (undo, undo, redo, undo, redo, redo):
            step(project, "anna")
            assert_exact(study)
        undo(project, "dina")
        assert_exact(study)


def test_merge_of_a_coder_copy(study: Path, tmp_path: Path) -> None:
    copy = tmp_path / "anna.kodeverk"
    with Project.open(study) as project:
        make_copy(project, copy, "anna")
    assert_exact(copy)
    with Project.open(copy) as working:
        document, code, length = first_coding(working, "anna")
        apply_coding(working, document, code, "anna", max(0, length - 10), length)
        other = codings_of(working, document, "anna")[0]
        remove_coding(working, other.id, "anna")
    assert_exact(copy)
    with Project.open(study) as project:
        merge_copy(project, copy, "lead")
    assert_exact(study)
    with Project.open(study) as project:
        undo(project, "lead")
    assert_exact(study)


def test_codings_import(study: Path, tmp_path: Path) -> None:
    table = tmp_path / "cato.csv"
    with Project.open(study) as project:
        codings_table(project, table, coders=("cato",))
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        row[3] = "dina"
    with table.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with Project.open(study) as project:
        import_codings_csv(project, table)
    assert_exact(study)
    with Project.open(study) as project:
        undo(project, "dina")
    assert_exact(study)


def _coded_codes(project: Project) -> list[int]:
    leaves = {c.id for c in list_codes(project)} - {
        c.parent_id for c in list_codes(project) if c.parent_id
    }
    rows = project.conn.execute(
        "SELECT code_id FROM codings GROUP BY code_id ORDER BY count(*) DESC"
    ).fetchall()
    return [code for (code,) in rows if code in leaves]


def test_delete_and_merge_codes(study: Path) -> None:
    with Project.open(study) as project:
        first, second, third = _coded_codes(project)[:3]
        merge_codes(project, first, second, "lead")
        assert_exact(study)
        delete_code(project, third, "lead")
        assert_exact(study)
        undo(project, "lead")
        assert_exact(study)
        undo(project, "lead")
        assert_exact(study)


def test_remove_a_document(study: Path) -> None:
    """No command removes documents yet: a removal cascades to its codings in SQLite."""
    with Project.open(study) as project:
        document, _, _ = first_coding(project, "bjørn")
        with project.transaction() as conn:
            conn.execute("DELETE FROM documents WHERE id = ?", (document,))
    assert_exact(study)
    conn = sqlite3.connect(study)
    left = conn.execute(
        "SELECT count(*) FROM code_document_counts WHERE document_id = ?", (document,)
    )
    assert left.fetchone()[0] == 0
    conn.close()


def test_settle_a_disagreement(study: Path) -> None:
    with Project.open(study) as project:
        found = []
        for code in _coded_codes(project):
            found = disagreements(project, ("anna", "bjørn"), code)
            if len(found) >= 3:
                break
        for disagreement, choice in zip(found, ("a", "both", "neither"), strict=False):
            settle(project, disagreement, choice, "lead")
            assert_exact(study)
        settle(project, found[0], "b", "lead")  # settled again: replaced
    assert_exact(study)


def test_a_version_1_file_gets_the_counts_when_opened(study: Path) -> None:
    conn = sqlite3.connect(study)
    conn.executescript(
        "DROP TRIGGER codings_count_insert; DROP TRIGGER codings_count_delete; "
        "DROP TRIGGER codings_count_update; DROP TABLE code_document_counts; "
        "UPDATE meta SET value = '1' WHERE key = 'schema_version'; PRAGMA user_version = 1;"
    )
    conn.close()
    from coding.store import migrate_code_counts

    with Project.open(study) as project:
        assert project.schema_version == 2
        migrate_code_counts(project.conn)  # idempotent: a second run recounts the same
    assert_exact(study)


def test_check_names_a_count_that_differs(study: Path) -> None:
    conn = sqlite3.connect(study)
    (code, document, coder), n = next(iter(stored(conn).items()))
    conn.execute(
        "UPDATE code_document_counts SET n = n + 2 WHERE code_id = ? AND document_id = ? "
        "AND coder_id = ?",
        (code, document, coder),
    )
    conn.commit()
    coder_name = conn.execute("SELECT name FROM coders WHERE id = ?", (coder,)).fetchone()[0]
    conn.close()
    result = run_kodeverk("check", study)
    assert result.returncode != 0
    assert f"by {coder_name} in document {document} has {n + 2} coding(s)" in result.stdout
    assert f"a recount finds {n}" in result.stdout


# -- prevalence against an independent recount from the codings ---------------------------------
def reference(path: Path, by: str, level: str, coder: str) -> dict:
    """(theme, group or None) -> (cases, cases_with, excerpts, documents), from the codings."""
    conn = sqlite3.connect(path)
    codes = conn.execute("SELECT id, parent_id, goal FROM codes").fetchall()
    parent = {c: p for c, p, _ in codes}
    own_goal = {c: g for c, _, g in codes}

    def ancestors(code: int) -> list[int]:
        chain = [code]
        while parent[chain[-1]] is not None:
            chain.append(parent[chain[-1]])
        return chain

    def goal(code: int) -> int | None:
        return next((own_goal[a] for a in ancestors(code) if own_goal[a] is not None), None)

    value = {
        case: canonical_value(by, v)
        for case, v in conn.execute(
            "SELECT case_id, value FROM case_attributes WHERE name = ?", (by,)
        )
    }
    cases = [
        c
        for (c,) in conn.execute("SELECT DISTINCT case_id FROM documents WHERE case_id IS NOT NULL")
    ]
    group = {c: value.get(c, MISSING) for c in cases}
    sql = (
        "SELECT k.code_id, k.document_id, d.case_id FROM codings k JOIN documents d "
        "ON d.id = k.document_id JOIN coders u ON u.id = k.coder_id WHERE d.case_id IS NOT NULL"
    )
    rows = conn.execute(
        sql + (" AND u.name = ?" if coder != "any" else ""), (() if coder == "any" else (coder,))
    ).fetchall()
    conn.close()
    per_theme: dict[object, dict[int, tuple[int, set[int]]]] = {}
    for code, document, case in rows:
        themes = [goal(code)] if level == "goal" else ancestors(code)
        for theme in themes:
            n, docs = per_theme.setdefault(theme, {}).get(case, (0, set()))
            per_theme[theme][case] = (n + 1, docs | {document})
    figures: dict = {
        ("size", key): len([c for c in cases if key is None or group[c] == key])
        for key in {*group.values(), None}
    }
    for theme, by_case in per_theme.items():
        for key in {*group.values(), None}:
            members = [c for c in cases if key is None or group[c] == key]
            raising = [by_case[c] for c in members if c in by_case]
            figures[(theme, key)] = (
                len(members),
                len(raising),
                sum(n for n, _ in raising),
                sum(len(d) for _, d in raising),
            )
    return figures


@pytest.mark.parametrize(
    ("level", "coder", "huge_id"),
    [
        ("code", "any", False),
        ("goal", "any", False),
        ("code", "bjørn", False),
        ("goal", "anna", False),
        ("code", "any", True),  # ids too far apart to pack (code, document, sum) in one int64
        ("goal", "anna", True),
    ],
)
def test_prevalence_json_matches_a_recount(
    study: Path, level: str, coder: str, huge_id: bool
) -> None:
    if huge_id:
        conn = sqlite3.connect(study)
        with conn:
            conn.execute(
                "UPDATE codings SET id = ? WHERE id = (SELECT max(id) FROM codings)", (2**60,)
            )
        conn.close()
    result = run_kodeverk(
        "prevalence", study, "--by", "size_class", "--level", level, "--codings-of", coder,
        "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    expected = reference(study, "size_class", level, coder)
    with Project.open(study) as project:
        paths = {c.path: c.id for c in list_codes(project)}
    goal_of = {names["nb"]: g for g, names in GOALS.items()}
    checked = 0
    for cell in data["rows"] + data["totals"]:
        theme = goal_of[cell["code"]] if level == "goal" else paths[cell["code"]]
        key = None if cell["group"] is None else cell["group"]["size_class"]
        figures = (cell["cases"], cell["cases_with"], cell["excerpts"], cell["documents"])
        want = expected.get((theme, key), (expected.get(("size", key), 0), 0, 0, 0))
        assert figures == want, (cell["code"], key)
        checked += bool(cell["excerpts"])
    assert checked >= 15  # the study codes many themes in many groups


def test_code_counts_are_read_from_the_counts_table(study: Path) -> None:
    """The coding screen's and ``codebook show``'s counts come from ``code_document_counts``
    (a few thousand rows), not from a scan of every coding (issue 14: first paint). A count
    changed in the table alone shows there; per document and per coder too."""
    from coding.codes import code_counts

    conn = sqlite3.connect(study)
    (code, document, coder), _n = next(iter(stored(conn).items()))
    coder_name = conn.execute("SELECT name FROM coders WHERE id = ?", (coder,)).fetchone()[0]
    conn.close()
    with Project.open(study) as project:
        before = (
            code_counts(project)[code],
            code_counts(project, document)[code],
            code_counts(project, None, coder_name)[code],
        )
        project.conn.execute(
            "UPDATE code_document_counts SET n = n + 7 WHERE code_id = ? AND document_id = ? "
            "AND coder_id = ?",
            (code, document, coder),
        )
        after = (
            code_counts(project)[code],
            code_counts(project, document)[code],
            code_counts(project, None, coder_name)[code],
        )
    assert after == tuple(n + 7 for n in before)
