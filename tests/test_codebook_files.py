"""Codebook files: the bundled codebook, reading and writing, and bad codebooks refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from codebooks.bundled import bundled_codebook
from codebooks.install import install_codebook, project_codebook
from codebooks.loader import dump_codebook, load_codebook
from codebooks.model import Codebook, CodeSpec, validate
from coding.codes import list_codes, resolve_code
from coding.errors import CodebookError


def test_bundled_codebook_maps_the_five_goals_and_cross_cutting_themes():
    codebook = bundled_codebook()
    top = codebook.codes
    goal_codes = [c for c in top if c.goal is not None]
    assert [c.goal for c in goal_codes] == [1, 2, 3, 4, 5]
    assert all(c.name.startswith(f"Mål {c.goal} ") for c in goal_codes)
    assert all(c.children for c in goal_codes)
    cross = [c.name for c in top if c.goal is None]
    assert {"Ressurser og finansiering", "Organisering", "Små kommuner"} <= set(cross)
    assert "Kompetanse og rekruttering" in cross
    codes = [code for _, code in codebook.walk()]
    assert len(codes) >= 30
    for code in codes:
        assert code.description and code.include and code.exclude, code.name
        assert 3 <= len(code.keywords) <= 8, code.name
        assert re.fullmatch(r"#[0-9a-f]{6}", code.colour), code.name
    assert len({c.colour for c in codes}) == len(codes)  # distinct colours
    shortcuts = [c.shortcut for c in codes if c.shortcut]
    assert sorted(shortcuts) == [str(n) for n in range(1, 10)]
    assert all(c.guid for c in codes)
    assert bundled_codebook().codes[0].guid == top[0].guid  # stable across loads


def test_bundled_codebook_installs_with_inherited_goals(project):
    assert install_codebook(project, bundled_codebook()) == bundled_codebook().count()
    bolig = resolve_code(project, "Mål 4/Bolig")
    rows = {c.id: c for c in list_codes(project)}
    assert rows[bolig].path == "Mål 4 Aktiv og meningsfull tilværelse/Bolig"
    assert rows[bolig].goal is None and rows[bolig].effective_goal == 4
    omsorg = resolve_code(project, "døgnbemannede")
    assert rows[omsorg].effective_goal == 4 and rows[omsorg].depth == 2
    assert rows[resolve_code(project, "Små kommuner")].effective_goal is None
    event = project.conn.execute("SELECT action, changes FROM events").fetchall()
    assert [e[0] for e in event] == ["codebook.install"]
    assert len(json.loads(event[0][1])) == len(rows)
    assert project.meta("codebook_name") == "Opptrappingsplanen for rusfeltet"


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_dump_and_load_round_trip(tmp_path, project, suffix):
    install_codebook(project, bundled_codebook())
    written = dump_codebook(project_codebook(project), tmp_path / f"kodebok{suffix}")
    again = load_codebook(written)
    assert again == project_codebook(project)
    assert again.codes[0].children[0].guid == bundled_codebook().codes[0].children[0].guid


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


BAD_CODEBOOKS = {
    "duplicate": (
        "codes:\n"
        "  - name: Mål 1\n"
        "    goal: 1\n"
        "    children:\n"
        "      - name: Brukerråd\n"
        "      - name: brukerråd\n",
        r"line 6: code 'Mål 1/brukerråd': duplicate name 'brukerråd' under 'Mål 1'",
    ),
    "goal6": (
        "codes:\n  - name: Mål 6\n    goal: 6\n",
        r"line 2: code 'Mål 6': goal 6 is not one of 1–5",
    ),
    "cycle": (
        "codes:\n"
        "  - {id: 1, name: A}\n"
        "  - {id: 2, parent: 4, name: B}\n"
        "  - {id: 3, parent: 2, name: C}\n"
        "  - {id: 4, parent: 3, name: D}\n",
        r"the parents form a cycle: (B|C|D) -> .* -> \1",
    ),
    "malformed": (
        "codes:\n  - name: A\n    goal: [1\n  - name: B\n",
        r"line \d+: malformed YAML",
    ),
    "colour": (
        "codes:\n  - name: A\n    colour: rødaktig\n",
        r"line 2: code 'A': colour 'rødaktig' is not of the form #rrggbb",
    ),
    "shortcut": (
        "codes:\n  - name: A\n    shortcut: 1\n  - name: B\n    shortcut: '1'\n",
        r"line 4: code 'B': shortcut '1' is used already by 'A'",
    ),
    "empty-name": ("codes:\n  - name: A\n    children:\n      - name: ' '\n", r"empty code name"),
    "unknown-field": ("codes:\n  - name: A\n    colr: '#ffffff'\n", r"unknown field 'colr'"),
    "unknown-parent": ("codes:\n  - {id: 1, parent: 9, name: A}\n", r"unknown parent 9"),
}


@pytest.mark.parametrize("case", sorted(BAD_CODEBOOKS))
def test_bad_codebooks_give_one_line_errors_with_file_and_line(tmp_path, case):
    text, pattern = BAD_CODEBOOKS[case]
    path = write(tmp_path, f"{case}.yaml", text)
    with pytest.raises(CodebookError) as error:
        load_codebook(path)
    message = str(error.value)
    assert message.startswith(str(path)), message
    assert "\n" not in message
    assert re.search(pattern, message), message


def test_malformed_json_names_the_line(tmp_path):
    path = write(tmp_path, "bad.json", '{"codes": [\n  {"name": "A"},\n  {"name" "B"}\n]}\n')
    with pytest.raises(CodebookError, match=r"bad.json: line 3: malformed JSON"):
        load_codebook(path)


def test_flat_form_builds_the_tree(tmp_path):
    path = write(
        tmp_path,
        "flat.json",
        json.dumps(
            {
                "name": "Flat",
                "codes": [
                    {"id": "b", "parent": "a", "name": "Bolig", "keywords": "bolig, husbank"},
                    {"id": "a", "name": "Mål 4", "goal": 4, "color": "Lilla"},
                ],
            }
        ),
    )
    codebook = load_codebook(path)
    assert codebook.name == "Flat"
    assert codebook.codes[0].name == "Mål 4"
    assert codebook.codes[0].children[0].keywords == ["bolig", "husbank"]
    assert codebook.codes[0].colour == "#9467bd"


def test_validate_in_code_names_the_tree_path():
    codebook = Codebook("x", codes=[CodeSpec("A", children=[CodeSpec("B", goal=0)])])
    with pytest.raises(CodebookError, match=r"^codebook: code 'A/B': goal 0"):
        validate(codebook)


def test_other_suffixes_and_missing_files_are_refused(tmp_path):
    with pytest.raises(CodebookError, match="no such codebook file"):
        load_codebook(tmp_path / "nope.yaml")
    with pytest.raises(CodebookError, match="unknown codebook format"):
        load_codebook(write(tmp_path, "koder.txt", "A\n"))


def test_failed_install_leaves_the_project_unchanged(project, project_path):
    from tests.conftest import table_dump

    before = table_dump(project_path)
    bad = Codebook("x", codes=[CodeSpec("A"), CodeSpec("B", shortcut="1"), CodeSpec("C")])
    bad.codes[2].shortcut = "1"
    with pytest.raises(CodebookError):
        install_codebook(project, bad)
    assert table_dump(project_path) == before


def test_load_codebook_reads_refi_qda_qdc(tmp_path, project):
    from codebooks.qdc import write_qdc

    install_codebook(project, bundled_codebook())
    write_qdc(project, tmp_path / "kodebok.qdc")
    codebook = load_codebook(tmp_path / "kodebok.qdc")
    assert [c.name for c in codebook.codes] == [c.name for c in bundled_codebook().codes]
    assert codebook.codes[3].children[0].guid == bundled_codebook().codes[3].children[0].guid
