"""Code tree look-ups: tree order, paths, inherited goals, resolving what a user typed."""

from __future__ import annotations

import pytest

from coding.codes import (
    add_code,
    children_of,
    code_path,
    code_paths,
    descendants,
    ensure_code_path,
    list_codes,
    resolve_code,
)
from coding.errors import InputError
from coding.store import Project


@pytest.fixture
def tree(project: Project) -> dict[str, int]:
    ids: dict[str, int] = {}
    ids["g3"] = add_code(project, "Mål 3 Tilgjengelige og helhetlige tjenester", goal=3)
    ids["g3bolig"] = add_code(project, "Bolig", parent_id=ids["g3"])
    ids["g4"] = add_code(project, "Mål 4 Aktiv og meningsfull tilværelse", goal=4)
    ids["g4bolig"] = add_code(project, "Bolig", parent_id=ids["g4"], keywords=["bolig"])
    ids["housing"] = add_code(project, "Housing First", parent_id=ids["g4bolig"], goal=3)
    ids["arbeid"] = add_code(project, "Arbeid og aktivitet", parent_id=ids["g4"])
    ids["ressurser"] = add_code(project, "Ressurser og finansiering")
    return ids


def test_list_codes_is_depth_first_with_paths_and_inherited_goals(project, tree):
    codes = list_codes(project)
    assert [c.id for c in codes] == [
        tree["g3"],
        tree["g3bolig"],
        tree["g4"],
        tree["g4bolig"],
        tree["housing"],
        tree["arbeid"],
        tree["ressurser"],
    ]
    by_id = {c.id: c for c in codes}
    assert by_id[tree["g4bolig"]].path == "Mål 4 Aktiv og meningsfull tilværelse/Bolig"
    assert by_id[tree["g4bolig"]].depth == 1
    assert by_id[tree["g4bolig"]].goal is None
    assert by_id[tree["g4bolig"]].effective_goal == 4
    assert by_id[tree["housing"]].effective_goal == 3  # own goal overrides the inherited one
    assert by_id[tree["ressurser"]].effective_goal is None
    assert by_id[tree["g4bolig"]].keywords == ["bolig"]


def test_paths_children_and_descendants(project, tree):
    assert code_path(project, tree["housing"]).endswith("tilværelse/Bolig/Housing First")
    assert len(code_paths(project)) == 7
    assert children_of(project, tree["g4"]) == [tree["g4bolig"], tree["arbeid"]]
    assert children_of(project, None) == [tree["g3"], tree["g4"], tree["ressurser"]]
    assert descendants(project, tree["g4"]) == {
        tree["g4"],
        tree["g4bolig"],
        tree["housing"],
        tree["arbeid"],
    }


@pytest.mark.parametrize(
    ("ref", "key"),
    [
        ("Mål 4 Aktiv og meningsfull tilværelse/Bolig", "g4bolig"),
        ("Mål 4/Bolig", "g4bolig"),
        ("mål 3/bolig", "g3bolig"),
        ("Bolig/Housing First", "housing"),
        ("housing", "housing"),
        ("Ressurser", "ressurser"),
        ("Arbeid og aktivitet", "arbeid"),
    ],
)
def test_resolve_code_by_path_prefix_and_name(project, tree, ref, key):
    assert resolve_code(project, ref) == tree[key]


def test_resolve_code_by_id_and_guid(project, tree):
    guid = project.conn.execute("SELECT guid FROM codes WHERE id = ?", (tree["arbeid"],)).fetchone()
    assert resolve_code(project, tree["arbeid"]) == tree["arbeid"]
    assert resolve_code(project, str(tree["arbeid"])) == tree["arbeid"]
    assert resolve_code(project, guid[0].upper()) == tree["arbeid"]


def test_exact_name_wins_over_prefix(project):
    short = add_code(project, "Bolig")
    add_code(project, "Boligsosialt arbeid")
    assert resolve_code(project, "bolig") == short


def test_ambiguous_and_unknown_references_are_one_line_errors(project, tree):
    with pytest.raises(InputError, match="ambiguous") as ambiguous:
        resolve_code(project, "Bolig")
    assert "Mål 3" in str(ambiguous.value) and "Mål 4" in str(ambiguous.value)
    with pytest.raises(InputError, match=r"no code 'Boolig'.*close matches") as unknown:
        resolve_code(project, "Boolig")
    assert "\n" not in str(unknown.value)
    with pytest.raises(InputError, match="no code with id 999"):
        resolve_code(project, 999)
    with pytest.raises(InputError, match="no code 'Mål 5/Bolig'"):
        resolve_code(project, "Mål 5/Bolig")


def test_ensure_code_path_creates_only_missing_parts(project, tree):
    assert (
        ensure_code_path(project, "Mål 4 Aktiv og meningsfull tilværelse/Bolig")
        == (tree["g4bolig"])
    )
    before = len(list_codes(project))
    new = ensure_code_path(project, "mål 4 aktiv og meningsfull tilværelse / Bolig / Bostøtte")
    assert len(list_codes(project)) == before + 1
    assert code_path(project, new) == "Mål 4 Aktiv og meningsfull tilværelse/Bolig/Bostøtte"
    fresh = ensure_code_path(project, "Kompetanse/Rekruttering")
    assert code_path(project, fresh) == "Kompetanse/Rekruttering"


def test_the_cached_tree_follows_changes_from_this_and_other_connections(project, tree):
    assert resolve_code(project, "Ressurser") == tree["ressurser"]
    list_codes(project)[0].keywords.append("endret")  # callers get copies
    assert "endret" not in list_codes(project)[0].keywords
    with Project.open(project.path) as other:
        new = add_code(other, "Ressurser i skolen")
    assert resolve_code(project, "Ressurser i") == new  # seen although another connection wrote
    with pytest.raises(InputError, match="ambiguous"):
        resolve_code(project, "Ressurser")
    # rolled back: a fresh read shows the tree without the code
    with pytest.raises(InputError), project.transaction():
        add_code(project, "Midlertidig")
        assert "Midlertidig" in code_paths(project).values()
        raise InputError("stop")
    assert "Midlertidig" not in code_paths(project).values()
