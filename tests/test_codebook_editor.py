"""Codebook editor operations: each one transaction, one event, undoable by the editing coder;
merge and delete never lose codings silently."""

from __future__ import annotations

import json

import pytest

from codebooks.bundled import bundled_codebook
from codebooks.install import install_codebook
from coding.codes import (
    code_counts,
    code_path,
    create_code,
    delete_code,
    delete_impact,
    get_code,
    list_codes,
    merge_codes,
    move_code,
    rename_code,
    reorder_code,
    resolve_code,
    set_code_colour,
    set_code_goal,
    set_code_shortcut,
    update_code,
)
from coding.errors import CodebookError
from coding.operations import apply_coding, codings_of, set_memo, undo
from tests.conftest import table_dump


def code_id(project, ref: str) -> int:
    return resolve_code(project, ref)


def events(project) -> list[tuple[str, list]]:
    rows = project.conn.execute("SELECT action, changes FROM events ORDER BY id").fetchall()
    return [(action, json.loads(changes)) for action, changes in rows]


def test_rename_move_colour_shortcut_goal_update_are_journalled_and_undoable(small_project):
    project = small_project
    raad = code_id(project, "Brukerråd")
    bolig = code_id(project, "Bolig")
    rename_code(project, raad, "Brukerråd og brukerorganisasjoner", coder="lise")
    move_code(project, bolig, code_id(project, "Mål 1"), coder="lise")
    set_code_colour(project, bolig, "#AABBCC", coder="lise")
    set_code_shortcut(project, bolig, "b", coder="lise")
    set_code_goal(project, bolig, None, coder="lise")
    update_code(
        project, bolig, description=" Boliger ", keywords=["bolig", " husbank "], coder="lise"
    )
    code = get_code(project, bolig)
    assert code.path == "Mål 1 Brukermedvirkning/Bolig"
    assert (code.colour, code.shortcut, code.goal, code.effective_goal) == ("#aabbcc", "b", None, 1)
    assert code.description == "Boliger" and code.keywords == ["bolig", "husbank"]
    assert [a for a, _ in events(project)] == [
        "code.rename",
        "code.move",
        "code.colour",
        "code.shortcut",
        "code.goal",
        "code.update",
    ]
    for _ in range(6):
        assert undo(project, "lise") is not None
    assert get_code(project, bolig).path == "Bolig"
    assert get_code(project, bolig).goal == 4 and get_code(project, bolig).shortcut == "2"
    assert get_code(project, raad).name == "Brukerråd"


def test_edits_that_would_break_the_tree_are_refused(small_project, project_path):
    project = small_project
    goal1, raad, bolig = (code_id(project, r) for r in ("Mål 1", "Brukerråd", "Bolig"))
    before = table_dump(project_path)
    with pytest.raises(CodebookError, match="under itself or its own descendant"):
        move_code(project, goal1, raad)
    with pytest.raises(CodebookError, match="exists already under the top level"):
        rename_code(project, bolig, "mål 1 brukermedvirkning")
    with pytest.raises(CodebookError, match="without '/'"):
        rename_code(project, bolig, "Bolig/arbeid")
    with pytest.raises(CodebookError, match="shortcut '1' belongs to 'Mål 1 Brukermedvirkning'"):
        set_code_shortcut(project, bolig, "1")
    with pytest.raises(CodebookError, match="goal 6"):
        set_code_goal(project, bolig, 6)
    with pytest.raises(CodebookError, match="neither #rrggbb nor a colour name"):
        set_code_colour(project, bolig, "blåaktig")
    with pytest.raises(CodebookError, match="no code with id 99"):
        rename_code(project, 99, "X")
    assert table_dump(project_path) == before  # refused edits change nothing
    create_code(project, "Brukerråd", parent_id=bolig)  # same name under another parent is fine
    with pytest.raises(CodebookError, match="exists already under 'Bolig'"):
        create_code(project, "brukerråd", parent_id=bolig)
    set_code_shortcut(project, bolig, None)
    assert get_code(project, bolig).shortcut is None
    set_code_colour(project, bolig, "Grønn")
    assert get_code(project, bolig).colour == "#2ca02c"
    set_code_colour(project, bolig, "dark_orange")  # one of rich's colour names
    assert get_code(project, bolig).colour == "#ff8700"


def test_reorder_and_create(small_project):
    project = small_project
    new = create_code(project, "Organisering", coder="lise", colour="#17becf")
    assert [c.name for c in list_codes(project) if c.depth == 0][-1] == "Organisering"
    reorder_code(project, new, 0, coder="lise")
    assert list_codes(project)[0].name == "Organisering"
    assert [a for a, _ in events(project)] == ["code.create", "code.reorder"]


def test_merge_moves_codings_joins_overlaps_and_children(small_project, project_path):
    project = small_project
    doc = 1
    raad = code_id(project, "Brukerråd")
    bolig = code_id(project, "Bolig")
    child = create_code(project, "Bostøtte", parent_id=bolig)
    apply_coding(project, doc, bolig, "lise", 10, 20)
    apply_coding(project, doc, raad, "lise", 15, 30)  # overlaps lise's target coding
    apply_coding(project, doc, raad, "lise", 40, 50)
    apply_coding(project, doc, raad, "ola", 15, 30)
    apply_coding(project, doc, child, "ola", 60, 70)
    memo = set_memo(project, "lise", "coding", codings_of(project, doc, "lise")[0].id, "notat")
    moved = merge_codes(project, bolig, raad, "lead")
    assert moved == 1  # lise's Bolig coding; ola's Bostøtte coding stays with its code
    assert not any(c.id == bolig for c in list_codes(project))
    assert code_path(project, child) == "Mål 1 Brukermedvirkning/Brukerråd/Bostøtte"
    spans = sorted((c.code_id, c.start, c.end) for c in codings_of(project, doc, "lise"))
    assert spans == [(raad, 10, 30), (raad, 40, 50)]
    assert [(c.start, c.end) for c in codings_of(project, doc, "ola") if c.code_id == raad] == [
        (15, 30)
    ]
    guid_of_kept = project.conn.execute(
        "SELECT guid FROM codings WHERE code_id = ? AND start = 10", (raad,)
    ).fetchone()[0]
    memo_target = project.conn.execute(
        "SELECT target_guid FROM memos WHERE guid = ?", (memo,)
    ).fetchone()[0]
    assert memo_target == guid_of_kept  # the memo followed its coding
    assert any((project_path.parent / f"{project_path.name}.backups").glob("*-merge.kodeverk"))
    action, changes = events(project)[-1]
    assert action == "code.merge"
    assert any(c["table"] == "codes" and c["after"] is None for c in changes)
    before_undo = code_counts(project)
    undo(project, "lead")
    assert code_path(project, bolig) == "Bolig" and code_path(project, child) == "Bolig/Bostøtte"
    assert code_counts(project)[bolig] == 1 and code_counts(project)[raad] == 3
    assert before_undo[raad] == 3


def test_merge_refuses_itself_and_descendants(small_project):
    project = small_project
    goal1, raad = code_id(project, "Mål 1"), code_id(project, "Brukerråd")
    with pytest.raises(CodebookError, match="into itself"):
        merge_codes(project, raad, raad, "lead")
    with pytest.raises(CodebookError, match="own descendant"):
        merge_codes(project, goal1, raad, "lead")


def test_merge_joins_same_named_children(project):
    install_codebook(project, bundled_codebook())
    extra = create_code(project, "Boligtema")
    twin = create_code(project, "Oppfølging i bolig", parent_id=extra)
    target = code_id(project, "Mål 4/Bolig")
    merge_codes(project, extra, target, "lead")
    names = [c.name for c in list_codes(project) if c.parent_id == target]
    assert names.count("Oppfølging i bolig") == 1
    assert twin not in {c.id for c in list_codes(project)}


def test_delete_removes_subtree_and_codings_and_records_every_row(small_project, project_path):
    project = small_project
    goal1, raad = code_id(project, "Mål 1"), code_id(project, "Brukerråd")
    apply_coding(project, 1, goal1, "lise", 0, 10)
    apply_coding(project, 1, raad, "lise", 20, 30)
    apply_coding(project, 1, code_id(project, "Bolig"), "lise", 40, 50)
    set_memo(project, "lise", "code", raad, "uklar grense")
    assert delete_impact(project, goal1) == (2, 2)
    assert delete_code(project, goal1, "lead") == (2, 2)
    assert [c.name for c in list_codes(project)] == ["Bolig"]
    assert len(codings_of(project, 1)) == 1
    action, changes = events(project)[-1]
    assert action == "code.delete"
    deleted = {(c["table"], c["before"]["guid"]) for c in changes if c["after"] is None}
    assert len([t for t, _ in deleted if t == "codings"]) == 2
    assert len([t for t, _ in deleted if t == "codes"]) == 2
    assert len([t for t, _ in deleted if t == "memos"]) == 1
    assert any((project_path.parent / f"{project_path.name}.backups").glob("*-delete.kodeverk"))
    undo(project, "lead")
    assert len(list_codes(project)) == 3 and len(codings_of(project, 1)) == 3


def test_code_counts_by_document_coder_and_rolled_up(small_project):
    project = small_project
    goal1, raad, bolig = (code_id(project, r) for r in ("Mål 1", "Brukerråd", "Bolig"))
    apply_coding(project, 1, raad, "lise", 0, 10)
    apply_coding(project, 1, raad, "lise", 20, 30)
    apply_coding(project, 1, raad, "ola", 0, 10)
    apply_coding(project, 1, goal1, "ola", 40, 50)
    assert code_counts(project) == {goal1: 1, raad: 3, bolig: 0}
    assert code_counts(project, coder="lise") == {goal1: 0, raad: 2, bolig: 0}
    assert code_counts(project, document_id=2) == {goal1: 0, raad: 0, bolig: 0}
    assert code_counts(project, rollup=True)[goal1] == 4


def test_code_groups_follow_merge_and_delete_and_undo(small_project):
    from coding.groups import CodeGroup, list_groups, merge_groups

    project = small_project
    raad, bolig = code_id(project, "Brukerråd"), code_id(project, "Bolig")
    guids = {c.id: c.guid for c in list_codes(project)}
    merge_groups(
        project, [CodeGroup("Tjenester", codes=[guids[raad]])], {guids[raad]: raad}, [], ""
    )
    members = lambda: [g.codes for g in list_groups(project)]  # noqa: E731
    merge_codes(project, raad, bolig, "lead")
    assert members() == [[guids[bolig]]]  # the merged code's place goes to the target
    undo(project, "lead")
    assert members() == [[guids[raad]]]
    delete_code(project, raad, "lead")
    assert members() == [[]]
    undo(project, "lead")
    assert members() == [[guids[raad]]]
