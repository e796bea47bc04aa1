"""Coder copies and merging them back: blind copies, three-way merge, idempotence, order."""

from __future__ import annotations

import itertools
import stat

import pytest

from coding import operations as ops
from coding.backup import backup_to
from coding.codes import add_code
from coding.copy import make_copy
from coding.documents import add_document
from coding.errors import CodingError, ProjectError
from coding.merge import merge_copy
from coding.store import Project
from tests.conftest import sentence_segments, table_dump


def code_id(project: Project, name: str) -> int:
    return project.conn.execute("SELECT id FROM codes WHERE name = ?", (name,)).fetchone()[0]


def dump(project: Project) -> dict[str, list]:
    """Codings, memos, done marks and codes by content (no ids, GUIDs or times)."""
    q = project.conn.execute
    paths = _code_paths(project)
    codings = q(
        'SELECT d.sha256, k.code_id, u.name, k.start, k."end" FROM codings k '
        "JOIN documents d ON d.id = k.document_id JOIN coders u ON u.id = k.coder_id"
    ).fetchall()
    memos = q(
        "SELECT u.name, m.target_kind, coalesce(c.id, k.id, d.name), m.text FROM memos m "
        "JOIN coders u ON u.id = m.coder_id LEFT JOIN codes c ON c.guid = m.target_guid "
        "LEFT JOIN codings k ON k.guid = m.target_guid "
        "LEFT JOIN documents d ON d.guid = m.target_guid"
    ).fetchall()
    status = q(
        "SELECT d.name, u.name, s.done FROM document_status s "
        "JOIN documents d ON d.id = s.document_id JOIN coders u ON u.id = s.coder_id"
    ).fetchall()
    coding_of = {r[0]: r[1:] for r in q('SELECT id, code_id, start, "end" FROM codings').fetchall()}
    return {
        "codings": sorted((sha, paths[code], *rest) for sha, code, *rest in codings),
        "memos": sorted(
            (u, kind, _target(kind, t, paths, coding_of), text) for u, kind, t, text in memos
        ),
        "status": sorted(status),
        "codes": sorted(paths.values()),
    }


def _code_paths(project: Project) -> dict[int, str]:
    rows = project.conn.execute("SELECT id, parent_id, name FROM codes").fetchall()
    by_id = {r[0]: r for r in rows}

    def path(i: int) -> str:
        _, parent, name = by_id[i]
        return name if parent is None else f"{path(parent)}/{name}"

    return {i: path(i) for i in by_id}


def _target(kind, target, paths, coding_of):
    if kind == "code":
        return paths[target]
    if kind == "coding":
        code, start, end = coding_of[target]
        return (paths[code], start, end)
    return target


@pytest.fixture
def team(small_project, tmp_path):
    """The small project with one coding by kari and one by ola, and kari's copy."""
    bolig = code_id(small_project, "Bolig")
    ops.apply_coding(small_project, 1, bolig, "kari", 10, 20)
    ops.apply_coding(small_project, 1, bolig, "ola", 30, 40)
    ops.set_memo(small_project, "ola", "document", 1, "Ola's thoughts")
    return small_project


def test_copy_is_blind_private_and_marked(team, tmp_path):
    out = tmp_path / "kari.kodeverk"
    info = make_copy(team, out, "kari")
    assert info.codings == 1 and info.memos == 0 and info.documents == 1
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    with Project.open(out) as copy:
        coders = copy.conn.execute(
            "SELECT DISTINCT u.name FROM codings JOIN coders u ON u.id = coder_id"
        ).fetchall()
        assert coders == [("kari",)]
        assert copy.meta("copy_of") == team.meta("project_guid")
        assert copy.meta("project_guid") != team.meta("project_guid")
        assert copy.meta("copy_coder") == "kari"
        assert copy.conn.execute("SELECT count(*) FROM events").fetchone() == (0,)
        assert copy.conn.execute("SELECT guid FROM documents").fetchall() == (
            team.conn.execute("SELECT guid FROM documents").fetchall()
        )
    raw = out.read_bytes()
    assert b"Ola's thoughts" not in raw  # vacuumed: nothing of others lingers in free pages
    with pytest.raises(ProjectError, match="file exists"):
        make_copy(team, out, "kari")


def test_merge_brings_work_back_once(team, tmp_path, project_path):
    out = tmp_path / "kari.kodeverk"
    make_copy(team, out, "kari")
    with Project.open(out) as copy:
        bolig = code_id(copy, "Bolig")
        wait = add_code(copy, "Ventetid", parent_id=bolig)
        coding = ops.apply_coding(copy, 1, wait, "kari", 50, 60)
        ops.apply_coding(copy, 1, bolig, "kari", 70, 80)
        ops.set_memo(copy, "kari", "coding", coding.id, "lang ventetid")
        ops.set_document_done(copy, 1, "kari")
    report = merge_copy(team, out, "lead")
    assert dict(report.added) == {"codes": 1, "codings": 2, "memos": 1, "document_status": 1}
    assert report.conflicts == [] and report.skipped == []
    assert report.events == 4
    assert ops.is_document_done(team, 1, "kari")
    rows = team.conn.execute(
        "SELECT action, summary FROM events WHERE action LIKE 'merged:%' ORDER BY id"
    ).fetchall()
    assert [a for a, _ in rows] == [
        "merged:coding.apply",
        "merged:coding.apply",
        "merged:memo.set",
        "merged:document.done",
    ]
    assert all("(in kari.kodeverk)" in s for _, s in rows)
    before = table_dump(project_path)
    again = merge_copy(team, out, "lead")
    assert not again.changed and again.events == 0 and again.conflicts == []
    assert table_dump(project_path) == before


def test_removal_in_copy_applies_only_when_project_unchanged(team, tmp_path):
    out = tmp_path / "kari.kodeverk"
    make_copy(team, out, "kari")
    bolig = code_id(team, "Bolig")
    with Project.open(out) as copy:
        ops.remove_code(copy, 1, bolig, "kari", 0, 100)
    assert dict(merge_copy(team, out, "lead").removed) == {"codings": 1}
    assert [c.coder_id for c in ops.codings_of(team, 1)] == [team.coder_id("ola")]

    out2 = tmp_path / "ola.kodeverk"
    make_copy(team, out2, "ola")
    with Project.open(out2) as copy:
        ops.remove_code(copy, 1, bolig, "ola", 0, 100)
    ops.apply_coding(team, 1, bolig, "ola", 25, 35)  # ola grew it in the project meanwhile
    report = merge_copy(team, out2, "lead")
    assert len(report.conflicts) == 1 and "project's version is kept" in report.conflicts[0]
    assert [(c.start, c.end) for c in ops.codings_of(team, 1)] == [(25, 40)]


def test_three_copies_in_any_order_give_the_same_project(team, tmp_path):
    copies = []
    for n, coder in enumerate(("kari", "ola", "per")):
        out = tmp_path / f"{coder}.kodeverk"
        make_copy(team, out, coder)
        with Project.open(out) as copy:
            bolig = code_id(copy, "Bolig")
            wait = add_code(copy, "Ventetid", parent_id=bolig)  # the same new code in all three
            ops.apply_coding(copy, 1, bolig, coder, 10, 20)  # overlapping work
            coding = ops.apply_coding(copy, 1, wait, coder, 40 + n, 60)
            ops.set_memo(copy, coder, "code", wait, f"{coder} om ventetid")
            ops.set_memo(copy, coder, "coding", coding.id, f"{coder}s sitat")
            if n != 1:
                ops.set_document_done(copy, 1, coder)
        copies.append(out)
    results = []
    for order in itertools.permutations(copies):
        target = tmp_path / f"main-{len(results)}.kodeverk"
        backup_to(team, target)
        with Project.open(target) as project:
            for out in order:
                merge_copy(project, out, "lead")
            results.append(dump(project))
            for out in order:  # and once more: nothing changes
                assert not merge_copy(project, out, "lead").changed
            assert dump(project) == results[-1]
    assert all(r == results[0] for r in results)
    assert "Bolig/Ventetid" in results[0]["codes"]
    assert len(results[0]["codings"]) == 2 + 2 * 3 - 1  # kari's 10-20 was there already


def test_code_renamed_differently_in_two_copies(team, tmp_path):
    paths = []
    for coder, name in (("kari", "Bustad"), ("ola", "Husvære")):
        out = tmp_path / f"{coder}.kodeverk"
        make_copy(team, out, coder)
        with Project.open(out) as copy:
            copy.conn.execute("UPDATE codes SET name = ? WHERE name = 'Bolig'", (name,))
        paths.append(out)
    first = merge_copy(team, paths[0], "lead")
    assert dict(first.updated) == {"codes": 1} and first.conflicts == []
    second = merge_copy(team, paths[1], "lead")
    assert len(second.conflicts) == 1
    assert "name «Husvære» (project: «Bustad»)" in second.conflicts[0]
    names = [r[0] for r in team.conn.execute("SELECT name FROM codes ORDER BY id")]
    assert "Bustad" in names and "Husvære" not in names
    memo = team.conn.execute(
        "SELECT m.text FROM memos m JOIN coders u ON u.id = m.coder_id "
        "WHERE u.name = 'ola' AND m.target_kind = 'code'"
    ).fetchone()[0]
    assert "Husvære" in memo and "project's version is kept" in memo
    assert not merge_copy(team, paths[1], "lead").changed  # the note is not written twice


def test_undo_stays_correct_after_merge(team, tmp_path):
    bolig = code_id(team, "Bolig")
    out = tmp_path / "kari.kodeverk"
    make_copy(team, out, "kari")
    with Project.open(out) as copy:
        ops.apply_coding(copy, 1, bolig, "kari", 15, 25)  # grows kari's 10-20 to 10-25
    merge_copy(team, out, "lead")
    assert (10, 25) in [(c.start, c.end) for c in ops.codings_of(team, 1, "kari")]
    with pytest.raises(CodingError, match="changed since"):
        ops.undo(team, "kari")  # kari's 10-20 in the project was changed by the merge
    assert (10, 25) in [(c.start, c.end) for c in ops.codings_of(team, 1, "kari")]
    assert ops.undo(team, "lead").action == "merge"  # the lead can take the merge back
    assert [(c.start, c.end) for c in ops.codings_of(team, 1, "kari")] == [(10, 20)]
    assert ops.undo(team, "kari").action == "coding.apply"
    assert ops.codings_of(team, 1, "kari") == []


def test_copy_of_another_project_refused(team, tmp_path):
    other = tmp_path / "other.kodeverk"
    Project.create(other).close()
    out = tmp_path / "copy.kodeverk"
    with Project.open(other) as project:
        make_copy(project, out, "kari")
    with pytest.raises(ProjectError, match="a copy of another project"):
        merge_copy(team, out, "lead")


def test_work_on_a_document_the_project_lacks_is_named_and_merged_later(team, tmp_path):
    """A document imported into a copy only: its codings, memos and done marks are skipped,
    with the document named; once the project imports the same text, a second merge adds them."""
    out = tmp_path / "kari.kodeverk"
    make_copy(team, out, "kari")
    text = "Intervjuer: Hei.\nInformant: Vi har et lavterskeltilbud for unge.\n"
    with Project.open(out) as copy:
        new = add_document(copy, "intervju-bodo", text, "interview", sentence_segments(text))
        ops.apply_coding(copy, new, code_id(copy, "Bolig"), "kari", 17, 30)
        ops.set_memo(copy, "kari", "document", new, "nytt intervju")
        ops.set_document_done(copy, new, "kari")
    report = merge_copy(team, out, "lead")
    assert not report.added
    assert sorted(report.skipped) == [
        "codings on document 'intervju-bodo', which the project lacks",
        "done marks on document 'intervju-bodo', which the project lacks",
        "memos on document 'intervju-bodo', which the project lacks",
    ]
    add_document(team, "intervju-bodo", text, "interview", sentence_segments(text))
    again = merge_copy(team, out, "lead")
    assert dict(again.added) == {"codings": 1, "memos": 1, "document_status": 1}
    assert again.skipped == []


def test_copy_and_merge_report_progress(team, tmp_path):
    """`kodeverk copy` and `kodeverk merge` show a progress bar fed by these callbacks: steps
    in order, ending at the total."""
    out = tmp_path / "kari.kodeverk"
    steps: list[tuple[int, int]] = []
    make_copy(team, out, "kari", progress=lambda done, total: steps.append((done, total)))
    assert steps == [(n, 5) for n in range(1, 6)]
    with Project.open(out) as copy:
        codes = [code_id(copy, "Bolig"), code_id(copy, "Brukerråd")]
        for start in range(100, 190, 2):
            for code in codes:
                ops.apply_coding(copy, 1, code, "kari", start, start + 1)
    seen: list[tuple[int, int]] = []
    merge_copy(team, out, "lead", progress=lambda done, total: seen.append((done, total)))
    assert len(seen) >= 2 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert {t for _, t in seen} == {seen[-1][1]}
