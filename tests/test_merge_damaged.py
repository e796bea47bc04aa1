"""A damaged coder copy (a coding outside its document, a missing code...) is refused at merge
with the row named, and the project is left as it was; agreement never crashes on such rows."""

from __future__ import annotations

import sqlite3

import pytest

from coding import operations as ops
from coding.store import Project
from tests.conftest import run_kodeverk, table_dump


def _bolig(project: Project) -> int:
    return project.conn.execute("SELECT id FROM codes WHERE name = 'Bolig'").fetchone()[0]


@pytest.fixture
def project_and_copy(small_project, project_path, tmp_path):
    """The small project and kari's copy (made with `kodeverk copy`) with two codings."""
    ops.apply_coding(small_project, 1, _bolig(small_project), "ola", 30, 40)
    small_project.close()
    out = tmp_path / "kari.kodeverk"
    result = run_kodeverk("copy", project_path, out, "--coder", "kari")
    assert result.returncode == 0, result.stderr
    with Project.open(out) as copy:
        ops.apply_coding(copy, 1, _bolig(copy), "kari", 10, 20)
        ops.apply_coding(copy, 1, _bolig(copy), "kari", 50, 60)
    return project_path, out


def _damage(path, sql: str) -> None:
    """Raw SQL on the file, past the schema's CHECK constraints (as any other tool could)."""
    conn = sqlite3.connect(path)
    conn.executescript(f"PRAGMA ignore_check_constraints = ON; {sql};")
    conn.close()


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        ('UPDATE codings SET "end" = 1000000 WHERE start = 10', "10–1000000"),
        ("UPDATE codings SET start = -5 WHERE start = 10", "-5–20"),
        ('UPDATE codings SET start = 20, "end" = 20 WHERE start = 10', "20–20"),
    ],
)
def test_merge_refuses_coding_outside_its_document(project_and_copy, damage, named):
    project, copy = project_and_copy
    _damage(copy, damage)
    before = table_dump(project)
    result = run_kodeverk("merge", project, copy, "--coder", "lead")
    assert result.returncode == 1, result.stdout
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "kari.kodeverk" in line and "intervju-oslo" in line and "Bolig" in line
    assert "kari" in line and named in line
    assert table_dump(project) == before
    check = run_kodeverk("check", project)
    assert check.returncode == 0, check.stdout + check.stderr


def test_merge_refusal_counts_the_other_bad_rows(project_and_copy):
    project, copy = project_and_copy
    _damage(copy, 'UPDATE codings SET "end" = 1000000')  # both of kari's codings
    before = table_dump(project)
    result = run_kodeverk("merge", project, copy, "--coder", "lead")
    assert result.returncode == 1
    assert "and 1 more" in result.stderr
    assert table_dump(project) == before


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        ("PRAGMA foreign_keys = OFF; DELETE FROM codes WHERE name = 'Bolig'", "missing code"),
        ("UPDATE memos SET target_guid = 'nowhere'", "memo 1 by kari is on document nowhere"),
        ('UPDATE segments SET "end" = 1000000 WHERE ordinal = 2', "segment 2 spans"),
        ("PRAGMA foreign_keys = OFF; DELETE FROM coders WHERE name = 'kari'", "missing coder"),
    ],
)
def test_merge_refuses_rows_pointing_nowhere(project_and_copy, damage, named):
    project, copy = project_and_copy
    with Project.open(copy) as opened:
        ops.set_memo(opened, "kari", "document", 1, "Karis tanker")
    _damage(copy, damage)
    before = table_dump(project)
    result = run_kodeverk("merge", project, copy, "--coder", "lead")
    assert result.returncode == 1, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "kari.kodeverk" in result.stderr and "Traceback" not in result.stderr
    assert named in result.stderr.split("nothing merged:")[1], result.stderr  # the row
    assert table_dump(project) == before


def test_merging_two_copies_with_one_damaged_merges_neither(project_and_copy, tmp_path):
    project, bad = project_and_copy
    good = tmp_path / "per.kodeverk"
    assert run_kodeverk("copy", project, good, "--coder", "per").returncode == 0
    with Project.open(good) as copy:
        ops.apply_coding(copy, 1, _bolig(copy), "per", 10, 20)
    _damage(bad, 'UPDATE codings SET "end" = 1000000 WHERE start = 10')
    before = table_dump(project)
    result = run_kodeverk("merge", project, good, bad, "--coder", "lead")
    assert result.returncode == 1
    assert table_dump(project) == before


def test_agreement_by_character_on_a_damaged_project_is_one_line(project_and_copy):
    """A coding outside its document in the project itself (damaged by hand) is an error that
    names it, never a traceback."""
    project, _ = project_and_copy
    with Project.open(project) as opened:
        ops.apply_coding(opened, 1, _bolig(opened), "kari", 30, 40)
    _damage(project, 'UPDATE codings SET "end" = 1000000 WHERE coder_id = '
            "(SELECT id FROM coders WHERE name = 'kari')")  # fmt: skip
    result = run_kodeverk("agreement", project, "--coders", "ola,kari", "--unit", "character")
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stdout
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, result.stderr
    assert "intervju-oslo" in line and "30–1000000" in line and "kodeverk check" in line


@pytest.mark.parametrize("unit", ["segment", "character"])
def test_agreement_with_a_coding_of_a_missing_document_is_one_line(project_and_copy, unit):
    """A coding whose document is gone (deleted by another tool with foreign keys off) is named,
    never an IndexError nor a coding laid on another document."""
    project, _ = project_and_copy
    with Project.open(project) as opened:
        ops.apply_coding(opened, 1, _bolig(opened), "kari", 30, 40)
    _damage(project, "PRAGMA foreign_keys = OFF; UPDATE codings SET document_id = 999 "
            "WHERE coder_id = (SELECT id FROM coders WHERE name = 'kari')")  # fmt: skip
    before = table_dump(project)
    result = run_kodeverk("agreement", project, "--coders", "ola,kari", "--unit", unit)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1, result.stdout
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1, result.stderr
    assert "a missing document" in line and "kari" in line and "kodeverk check" in line
    assert table_dump(project) == before


@pytest.mark.parametrize("ola_removes_it", [False, True])
def test_memo_on_another_coders_coding_is_no_damage(
    small_project, project_path, tmp_path, ola_removes_it
):
    """A copy leaves out ola's coding but keeps kari's memo on it: no damage, the copy merges
    (even when ola removed the coding in the project meanwhile: the memo is skipped, named)."""
    ops.apply_coding(small_project, 1, _bolig(small_project), "ola", 30, 40)
    coding = small_project.conn.execute("SELECT id FROM codings").fetchone()[0]
    ops.set_memo(small_project, "kari", "coding", coding, "Ola har rett")
    out = tmp_path / "kari.kodeverk"
    small_project.close()
    assert run_kodeverk("copy", project_path, out, "--coder", "kari").returncode == 0
    with Project.open(out) as copy:
        ops.apply_coding(copy, 1, _bolig(copy), "kari", 10, 20)
        ops.set_memo(copy, "kari", "document", 1, "Karis tanker")
    check = run_kodeverk("check", out)
    assert check.returncode == 0, check.stdout  # the copy is healthy
    if ola_removes_it:
        with Project.open(project_path) as project:
            ops.remove_coding(project, coding, "ola")
    result = run_kodeverk("merge", project_path, out, "--coder", "lead")
    assert result.returncode == 0, result.stderr
    with Project.open(project_path) as project:
        assert project.conn.execute("SELECT count(*) FROM codings").fetchone()[0] == 2 - (
            ola_removes_it
        )
        memos = project.conn.execute("SELECT text FROM memos ORDER BY text").fetchall()
    assert ("Karis tanker",) in memos


def test_check_names_a_row_written_past_the_check_rules(project_and_copy):
    """`kodeverk check` used to stop at «CHECK constraint failed in codings»: now it names the
    coding too (document, code, coder, span)."""
    _, copy = project_and_copy
    _damage(copy, 'UPDATE codings SET start = 30, "end" = 25 WHERE start = 10')
    result = run_kodeverk("check", copy)
    assert result.returncode == 1
    assert "CHECK constraint failed" in result.stdout + result.stderr
    named = [line for line in result.stdout.splitlines() if "30–25" in line]
    assert named and "'Bolig' by kari" in named[0] and "'intervju-oslo'" in named[0], result.stdout


@pytest.mark.parametrize("missing_id", [0, 999])
def test_done_mark_of_a_missing_document_counts_nowhere(project_and_copy, missing_id):
    """A done mark of a document that is gone (a damaged file) makes no other document count,
    in the agreement report and in the review's tables alike, and crashes neither."""
    from coding.reliability import agreement_report
    from coding.review_tables import ReviewTables

    project, _ = project_and_copy
    with Project.open(project) as opened:
        ops.apply_coding(opened, 1, _bolig(opened), "kari", 30, 40)
        expected = agreement_report(opened, ["ola", "kari"]).as_dict()
    _damage(project, "PRAGMA foreign_keys = OFF; INSERT INTO document_status "
            f"(document_id, coder_id, done, updated_at) "
            f"SELECT {missing_id}, id, 1, '2026-01-01' FROM coders")  # fmt: skip
    with Project.open(project) as opened:
        assert agreement_report(opened, ["ola", "kari"]).as_dict() == expected
        tables = ReviewTables.refreshed(None, opened, None)
        report, _ = tables.compare(opened, ("ola", "kari"))
        assert report.as_dict() == expected
