"""The codebook through the real command line: `init --codebook` refuses bad codebooks and
leaves no file; `codebook show` prints the tree and nested JSON."""

from __future__ import annotations

import json

import pytest

from coding.codes import resolve_code
from coding.operations import apply_coding
from coding.store import Project
from tests.conftest import run_kodeverk

BAD = {
    "duplicate.yaml": (
        "codes:\n  - name: Mål 1\n    goal: 1\n    children:\n"
        "      - name: Brukerråd\n      - name: Brukerråd\n",
        "line 6: code 'Mål 1/Brukerråd': duplicate name",
    ),
    "goal6.yaml": ("codes:\n  - name: Mål 6\n    goal: 6\n", "line 2: code 'Mål 6': goal 6"),
    "cycle.json": (
        '{"codes": [{"id": 1, "name": "A", "parent": 2}, {"id": 2, "name": "B", "parent": 1}]}',
        "the parents form a cycle",
    ),
    "malformed.yaml": ("codes:\n  - name: A\n   goal: 1\n", "line 3: malformed YAML"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_init_with_a_bad_codebook_fails_in_one_line_and_leaves_no_file(tmp_path, name):
    text, expected = BAD[name]
    codebook = tmp_path / name
    codebook.write_text(text, encoding="utf-8")
    target = tmp_path / "ny.kodeverk"
    result = run_kodeverk("init", target, "--codebook", codebook)
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"kodeverk: error: {codebook}: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("ny.kodeverk*"))


def test_codebook_show_prints_tree_and_nested_json(tmp_path):
    target = tmp_path / "p.kodeverk"
    assert run_kodeverk("init", target).returncode == 0
    with Project.open(target) as project:
        from coding.documents import add_document

        doc = add_document(project, "svar", "Det mangler boliger i kommunen.", "survey", [])
        apply_coding(project, doc, resolve_code(project, "Mål 4/Bolig/Oppfølging"), "lise", 0, 10)
    shown = run_kodeverk("codebook", "show", target)
    assert shown.returncode == 0, shown.stderr
    assert "Mål 4 Aktiv og meningsfull tilværelse" in shown.stdout
    assert "(1 with subcodes)" in shown.stdout
    assert "number: codings" in shown.stdout  # a legend says what the columns mean
    result = run_kodeverk("codebook", "show", target, "--json")
    assert result.returncode == 0, result.stderr
    tree = json.loads(result.stdout)
    assert [node["goal"] for node in tree[:5]] == [1, 2, 3, 4, 5]
    bolig = next(c for c in tree[3]["children"] if c["name"] == "Bolig")
    assert bolig["path"] == "Mål 4 Aktiv og meningsfull tilværelse/Bolig"
    assert bolig["goal"] is None and bolig["effective_goal"] == 4
    assert bolig["children"][0]["codings"] == 1
    assert set(bolig) >= {
        "name", "path", "guid", "goal", "effective_goal", "description", "include", "exclude",
        "colour", "shortcut", "keywords", "children",
    }  # fmt: skip
    assert run_kodeverk("codebook", "show", tmp_path / "nope.kodeverk").returncode == 1
