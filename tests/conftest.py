"""Shared fixtures: real project files in a temporary folder, never mocks of the store."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from coding.cases import ensure_case, set_attributes
from coding.codes import add_code
from coding.documents import Segment, add_document, normalise_text
from coding.store import Project

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"

SMALL_TEXT = normalise_text(
    "Intervjuer: Hvordan jobber dere med brukermedvirkning?\n"
    "Informant 1: Vi har et brukerråd. Det møtes fire ganger i året.\n"
    "Intervjuer: Og bolig?\n"
    "Informant 1: Det mangler boliger. Ventetiden er lang.\n"
)


def sentence_segments(text: str) -> list[Segment]:
    """Naive segments for fixtures: each sentence after a speaker label, one block per line."""
    segments: list[Segment] = []
    offset = 0
    for block, line in enumerate(text.split("\n")):
        if ":" in line:
            speaker, _, rest = line.partition(":")
            start = offset + len(speaker) + 2
            pos = start
            for part in rest.strip().split(". "):
                part = part.rstrip(".")
                if not part:
                    continue
                begin = text.index(part, pos)
                end = begin + len(part) + (1 if text[begin + len(part)] in ".?" else 0)
                segments.append(Segment(begin, end, "turn", block, speaker))
                pos = end
        offset += len(line) + 1
    return segments


@pytest.fixture
def project_path(tmp_path: Path) -> Path:
    return tmp_path / "test.kodeverk"


@pytest.fixture
def project(project_path: Path):
    """An empty project file."""
    with Project.create(project_path) as opened:
        yield opened


@pytest.fixture
def small_project(project: Project) -> Project:
    """Two cases, two codes (one nested), one interview document."""
    oslo = ensure_case(project, "Gamle Oslo")
    set_attributes(project, oslo, {"size_class": "storby", "region": "Østlandet"})
    vadso = ensure_case(project, "Vadsø")
    set_attributes(project, vadso, {"size_class": "liten", "region": "Nord-Norge"})
    goal1 = add_code(project, "Mål 1 Brukermedvirkning", goal=1, shortcut="1")
    add_code(project, "Brukerråd", parent_id=goal1, keywords=["brukerråd"])
    add_code(project, "Bolig", goal=4, shortcut="2", keywords=["bolig"])
    add_document(
        project,
        "intervju-oslo",
        SMALL_TEXT,
        "interview",
        sentence_segments(SMALL_TEXT),
        case_id=oslo,
    )
    return project


def run_kodeverk(*args: str, cwd: Path | None = None, input: str | None = None):
    """Run the real `kodeverk` command in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *map(str, args)],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        input=input,
        timeout=300,
    )


def table_dump(path: Path) -> list[str]:
    """Every row of every table, to show a failed command left the project unchanged."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture(autouse=True)
def app_language(monkeypatch, tmp_path_factory):
    """Tests speak English to the app unless they choose (the app's default is bokmål), and
    never read the user's own keymap file."""
    import tui.i18n

    monkeypatch.setenv("KODEVERK_LANG", "en")
    monkeypatch.setenv("KODEVERK_KEYMAP", str(tmp_path_factory.getbasetemp() / "no-keymap.toml"))
    monkeypatch.setattr(tui.i18n, "_active", None)
