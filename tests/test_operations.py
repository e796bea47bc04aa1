import pytest

from coding import operations as ops
from coding.errors import CodingError
from coding.store import Project


def code_id(project: Project, name: str) -> int:
    return project.conn.execute("SELECT id FROM codes WHERE name = ?", (name,)).fetchone()[0]


def rows(project: Project):
    return project.conn.execute(
        'SELECT c.name, k.name, start, "end" FROM codings JOIN coders c ON c.id = coder_id '
        "JOIN codes k ON k.id = code_id ORDER BY start, k.name"
    ).fetchall()


def test_apply_and_reopen(small_project, project_path):
    bolig = code_id(small_project, "Bolig")
    ops.apply_coding(small_project, 1, bolig, "kari", 10, 20)
    small_project.close()
    with Project.open(project_path) as reopened:
        assert rows(reopened) == [("kari", "Bolig", 10, 20)]
        events = reopened.conn.execute("SELECT action FROM events").fetchall()
        assert events == [("coding.apply",)]


def test_overlapping_same_code_merges(small_project):
    bolig = code_id(small_project, "Bolig")
    first = ops.apply_coding(small_project, 1, bolig, "kari", 10, 20)
    merged = ops.apply_coding(small_project, 1, bolig, "kari", 15, 30)
    assert merged.guid == first.guid
    assert rows(small_project) == [("kari", "Bolig", 10, 30)]
    ops.apply_coding(small_project, 1, bolig, "ola", 12, 14)  # another coder: separate
    assert len(rows(small_project)) == 2


def test_span_outside_document_refused(small_project):
    bolig = code_id(small_project, "Bolig")
    with pytest.raises(CodingError, match="outside document 1"):
        ops.apply_coding(small_project, 1, bolig, "kari", 5, 100_000)
    with pytest.raises(CodingError):
        ops.apply_coding(small_project, 1, bolig, "kari", 9, 9)
    assert rows(small_project) == []


def test_remove_trims_and_splits(small_project):
    bolig = code_id(small_project, "Bolig")
    ops.apply_coding(small_project, 1, bolig, "kari", 10, 40)
    ops.remove_code(small_project, 1, bolig, "kari", 20, 25)
    assert rows(small_project) == [("kari", "Bolig", 10, 20), ("kari", "Bolig", 25, 40)]
    ops.remove_code(small_project, 1, bolig, "kari", 0, 50)
    assert rows(small_project) == []


def test_undo_redo_across_restart(small_project, project_path):
    bolig = code_id(small_project, "Bolig")
    ops.apply_coding(small_project, 1, bolig, "kari", 10, 20)
    ops.apply_coding(small_project, 1, bolig, "kari", 15, 30)
    ops.remove_code(small_project, 1, bolig, "kari", 12, 14)
    small_project.close()
    with Project.open(project_path) as project:
        assert ops.undo(project, "kari").action == "coding.remove"
        assert rows(project) == [("kari", "Bolig", 10, 30)]
        ops.undo(project, "kari")
        assert rows(project) == [("kari", "Bolig", 10, 20)]
        ops.undo(project, "kari")
        assert rows(project) == []
        assert ops.undo(project, "kari") is None
        ops.redo(project, "kari")
        ops.redo(project, "kari")
        assert rows(project) == [("kari", "Bolig", 10, 30)]
    with Project.open(project_path) as project:
        ops.redo(project, "kari")
        assert rows(project) == [("kari", "Bolig", 10, 12), ("kari", "Bolig", 14, 30)]
        assert ops.redo(project, "kari") is None


def test_new_action_clears_redo_and_undo_is_per_coder(small_project):
    bolig = code_id(small_project, "Bolig")
    ops.apply_coding(small_project, 1, bolig, "kari", 10, 20)
    ops.apply_coding(small_project, 1, bolig, "ola", 30, 40)
    ops.undo(small_project, "kari")
    assert rows(small_project) == [("ola", "Bolig", 30, 40)]
    ops.apply_coding(small_project, 1, bolig, "kari", 50, 60)
    assert ops.redo(small_project, "kari") is None


def test_memo_and_done_are_undoable(small_project):
    bolig = code_id(small_project, "Bolig")
    coding = ops.apply_coding(small_project, 1, bolig, "kari", 10, 20)
    ops.set_memo(small_project, "kari", "coding", coding.id, "Viktig sitat")
    ops.set_memo(small_project, "kari", "document", 1, "Godt intervju")
    assert ops.get_memo(small_project, "kari", "coding", coding.id) == "Viktig sitat"
    ops.set_document_done(small_project, 1, "kari")
    assert ops.is_document_done(small_project, 1, "kari")
    ops.undo(small_project, "kari")
    assert not ops.is_document_done(small_project, 1, "kari")
    ops.undo(small_project, "kari")
    assert ops.get_memo(small_project, "kari", "document", 1) == ""


def test_removing_a_coding_removes_its_memo_and_undo_restores_both(small_project):
    bolig = code_id(small_project, "Bolig")
    coding = ops.apply_coding(small_project, 1, bolig, "kari", 10, 20)
    ops.set_memo(small_project, "kari", "coding", coding.id, "Viktig")
    ops.remove_coding(small_project, coding.id, "kari")
    assert small_project.conn.execute("SELECT count(*) FROM memos").fetchone()[0] == 0
    ops.undo(small_project, "kari")
    assert ops.get_memo(small_project, "kari", "coding", coding.id) == "Viktig"


def test_resume_position(small_project):
    ops.remember(small_project, "kari", "last_document", "1")
    assert ops.recall(small_project, "kari", "last_document") == "1"
    assert ops.recall(small_project, "ola", "last_document") is None


def test_undo_refused_when_others_depend_on_the_row(small_project, project_path):
    """Undoing a new code that another coder has coded with since: a clear error, no change."""
    from coding.codes import create_code
    from coding.errors import CodingError
    from coding.operations import apply_coding, undo
    from tests.conftest import table_dump

    code_id = create_code(small_project, "Ettervern", coder="kari")
    apply_coding(small_project, 1, code_id, "ola", 0, 10)
    before = table_dump(project_path)
    with pytest.raises(CodingError, match="other rows depend"):
        undo(small_project, "kari")
    assert table_dump(project_path) == before
