"""The framework matrix and goal assessments on the hand-made project (tests/prevalence_project.py),
where every count is known."""

from __future__ import annotations

import pytest

from coding.errors import InputError
from coding.goals import goal_table, next_rating, set_assessment
from coding.matrix import framework_matrix, set_summary
from coding.operations import redo, undo
from tests.prevalence_project import build


def grid(matrix) -> dict[str, list[int]]:
    return {
        label: [matrix.count(r, c) for c in matrix.column_keys]
        for r, label in zip(matrix.row_keys, matrix.row_labels, strict=True)
    }


def test_size_class_by_goal_counts_every_coded_passage(project):
    build(project)
    matrix = framework_matrix(project, "size_class", "goal")
    assert matrix.row_labels == ["liten", "mellomstor", "stor", "storby", "(mangler)"]
    assert matrix.column_labels[0] == "Mål 1 Brukermedvirkning"
    assert grid(matrix) == {
        "liten": [0, 0, 0, 3, 0],  # Omsorgsbolig L1a, L2 and Bolig L1b (Z1 has no documents)
        "mellomstor": [0, 1, 0, 3, 0],  # Bolig M1, M2 (bjørn), M1 (consensus); Forebygging M3
        "stor": [2, 0, 0, 0, 0],  # Brukerråd S1 by two coders
        "storby": [0, 0, 0, 0, 0],
        "(mangler)": [0, 0, 0, 0, 0],  # Ressurser X1 has no goal
    }
    assert [len(matrix.row_cases[r]) for r in matrix.row_keys] == [4, 3, 2, 0, 1]


def test_cases_by_code_roll_up_descendants_and_one_coder(project):
    ids = build(project)
    matrix = framework_matrix(project, "case", "code", coder="anna")
    assert matrix.row_labels == ["L1", "L2", "L3", "L4", "M1", "M2", "M3", "S1", "S2", "X1"]
    column = {
        label: key for key, label in zip(matrix.column_keys, matrix.column_labels, strict=True)
    }
    counts = {
        label: matrix.count(matrix.row_keys[i], column["Ressurser"])
        for i, label in enumerate(matrix.row_labels)
    }
    assert counts == dict.fromkeys(matrix.row_labels, 0) | {"L3": 1, "L4": 1, "X1": 1}
    goal4 = column["Mål 4 Aktiv og meningsfull tilværelse"]
    assert [matrix.count(r, goal4) for r in matrix.row_keys][:5] == [2, 1, 0, 0, 0]
    bolig = column["Mål 4 Aktiv og meningsfull tilværelse/Bolig"]
    assert matrix.count(matrix.row_keys[0], bolig) == 2 and ids["Bolig"]
    bjorn = framework_matrix(project, "case", "code", coder="bjørn")
    assert bjorn.count(bjorn.row_keys[6], column["Ressurser"]) == 1  # Forebygging M3 rolls up


def test_summary_is_one_undoable_action(project):
    build(project)
    matrix = framework_matrix(project, "size_class", "goal")
    assert set_summary(project, "anna", matrix, "liten", "4", "  Boligmangel i små kommuner ")
    rows = project.conn.execute("SELECT row_kind, row_key, column_kind, column_key, text "
                                "FROM matrix_summaries").fetchall()  # fmt: skip
    assert rows == [("size_class", "liten", "goal", "4", "Boligmangel i små kommuner")]
    again = framework_matrix(project, "size_class", "goal")
    assert again.summary("liten", "4") == "Boligmangel i små kommuner"
    assert framework_matrix(project, "region", "goal").summaries == {}
    assert not set_summary(project, "anna", matrix, "liten", "4", "Boligmangel i små kommuner")
    event = undo(project, "anna")
    assert event is not None and event.action == "matrix.summary"
    assert project.conn.execute("SELECT count(*) FROM matrix_summaries").fetchone() == (0,)
    redo(project, "anna")
    assert framework_matrix(project, "size_class", "goal").summary("liten", "4")
    set_summary(project, "anna", matrix, "liten", "4", "")  # empty deletes
    assert project.conn.execute("SELECT count(*) FROM matrix_summaries").fetchone() == (0,)


def test_bad_matrix_arguments(project):
    build(project)
    with pytest.raises(InputError, match="--columns"):
        framework_matrix(project, "size_class", "theme")
    with pytest.raises(InputError, match="colour"):
        framework_matrix(project, "colour", "goal")
    matrix = framework_matrix(project, "size_class", "goal")
    with pytest.raises(InputError, match="no cell"):
        set_summary(project, "anna", matrix, "huge", "4", "x")


def test_goal_table_counts_evidence(project):
    build(project)
    rows = goal_table(project)
    assert [(r.goal, r.passages, r.cases_with, r.cases) for r in rows] == [
        (1, 2, 1, 10),
        (2, 1, 1, 10),
        (3, 0, 0, 10),
        (4, 6, 4, 10),  # L1 (2 documents), L2, M1 (two coders), M2
        (5, 0, 0, 10),
    ]
    assert [(r.goal, r.passages) for r in goal_table(project, coder="anna")][3] == (4, 3)
    assert all(r.rating == "" and r.rating_label() == "Ikke vurdert" for r in rows)


def test_assessment_is_undoable_and_rating_checked(project):
    build(project)
    assert set_assessment(project, "anna", 4, rating="lav", assessment="Måloppnåelsen er lav.")
    assert set_assessment(project, "anna", 4, rating="relativt høy")
    row = project.conn.execute("SELECT goal, rating, assessment FROM goal_assessments").fetchall()
    assert row == [(4, "relativt høy", "Måloppnåelsen er lav.")]
    assert goal_table(project)[3].rating_label("en") == "Fairly high"
    undo(project, "anna")
    assert project.conn.execute("SELECT rating FROM goal_assessments").fetchall() == [("lav",)]
    undo(project, "anna")
    assert project.conn.execute("SELECT count(*) FROM goal_assessments").fetchone() == (0,)
    with pytest.raises(InputError, match="rating must be one of"):
        set_assessment(project, "anna", 4, rating="super")
    with pytest.raises(InputError, match="goal must be 1–5"):
        set_assessment(project, "anna", 6, rating="lav")
    assert next_rating("") == "høy" and next_rating("ikke mulig å vurdere") == ""


def test_version_1_file_gets_the_evaluation_tables(project):
    import sqlite3

    from coding.store import Project, migrate_evaluation

    build(project)
    path = project.path
    project.close()
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TABLE matrix_summaries; DROP TABLE goal_assessments; PRAGMA user_version = 1;"
        "UPDATE meta SET value = '1' WHERE key = 'schema_version';"
    )
    conn.close()
    with Project.open(path) as opened:
        assert opened.schema_version == 2
        matrix = framework_matrix(opened, "size_class", "goal")
        assert set_summary(opened, "anna", matrix, "stor", "1", "Brukerråd i store kommuner")
        assert set_assessment(opened, "anna", 1, rating="høy")
        schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
        before = opened.conn.execute(schema).fetchall()
        with opened.transaction() as conn:
            migrate_evaluation(conn)  # idempotent
        assert opened.conn.execute(schema).fetchall() == before
        assert framework_matrix(opened, "size_class", "goal").summary("stor", "1")
