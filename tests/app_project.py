"""A small, deterministic project for the app tests and snapshots (built with the real store)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from coding.cases import ensure_case, set_attributes
from coding.codes import add_code
from coding.documents import Segment, add_document, normalise_text
from coding.store import Project

CODER = "anne"

TURNS = [
    ("Intervjuer", "Hvordan jobber kommunen med brukermedvirkning?"),
    ("Informant", "Vi har et brukerråd. Det møtes fire ganger i året."),
    ("Intervjuer", "Hva med bolig?"),
    ("Informant", "Det mangler boliger for folk med rusproblemer. Ventetiden er lang."),
    ("Intervjuer", "Og tidlig innsats?"),
    ("Informant", "Skolen melder fra tidlig. Vi har et lavterskeltilbud for ungdom."),
    ("Intervjuer", "Hvordan er samarbeidet med spesialisthelsetjenesten?"),
    ("Informant", "Samarbeidet er bedre nå. Men det er langt til nærmeste sykehus."),
]


def transcript(turns: list[tuple[str, str]]) -> tuple[str, list[Segment]]:
    """Text with one line per turn and one segment per sentence."""
    lines, segments, offset = [], [], 0
    for block, (speaker, speech) in enumerate(turns):
        line = f"{speaker}: {speech}"
        position = offset + len(speaker) + 2
        for sentence in speech.replace(". ", ".\0").split("\0"):
            segments.append(Segment(position, position + len(sentence), "turn", block, speaker))
            position += len(sentence) + 1
        lines.append(line)
        offset += len(line) + 1
    return normalise_text("\n".join(lines) + "\n"), segments


def build_app_project(path: Path) -> Path:
    with Project.create(path, name="testprosjekt") as project:
        goal1 = add_code(
            project,
            "Brukermedvirkning",
            goal=1,
            shortcut="1",
            colour="#1f77b4",
            description="Brukernes innflytelse på tjenestene",
            keywords=["brukerråd", "brukermedvirkning"],
        )
        add_code(project, "Brukerråd", parent_id=goal1, colour="#aec7e8", shortcut="3")
        add_code(
            project,
            "Bolig",
            goal=4,
            shortcut="2",
            colour="#2ca02c",
            description="Boliger og botilbud for personer med rusproblemer",
            keywords=["bolig"],
        )
        add_code(
            project,
            "Tidlig innsats",
            goal=2,
            colour="#d62728",
            description="Forebygging og tidlig intervensjon overfor barn og unge",
            keywords=["tidlig", "lavterskel"],
        )
        cases = [
            ("Vadsø", "liten", "Nord-Norge"),
            ("Bergen", "storby", "Vestlandet"),
        ]
        for number, (name, size, region) in enumerate(cases):
            case = ensure_case(project, name)
            set_attributes(project, case, {"size_class": size, "region": region})
            text, segments = transcript(TURNS if number == 0 else TURNS[:4])
            add_document(
                project, f"intervju-{name.lower()}", text, "interview", segments, case_id=case
            )
    return path


def remembered(path: Path, key: str) -> str | None:
    """What the app remembered for CODER under ``key`` (coder_state), read from the file."""
    conn = sqlite3.connect(path)
    try:
        row = conn.execute(
            "SELECT s.value FROM coder_state s JOIN coders c ON c.id = s.coder_id "
            "WHERE c.name = ? AND s.key = ?",
            (CODER, key),
        ).fetchone()
    finally:
        conn.close()
    return row[0] if row else None
