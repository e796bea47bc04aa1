"""The faster import (issue 13: segments a few hundred rows per INSERT, words counted by
``str.split``) stores what the import before it stored (kept in benchmarks/reference.py): the
same documents, segments, cases, journal and full-text index, row for row."""

from __future__ import annotations

import random
import re
import sqlite3
import sys
from pathlib import Path

import pytest

from benchmarks.bench_import import make_transcript
from benchmarks.reference import import_files_before
from coding.operations import undo
from coding.store import Project
from corpus import importer
from corpus.importer import ImportOptions, import_files, word_count
from corpus.transcripts import LABEL, _line_labels
from tests.conftest import table_dump

SURVEY = (
    "kommune;størrelse;Q1 Bolig;Q2 Samarbeid\n"
    "Bergen;stor;Det mangler boliger. Ventetiden er lang!;\n"
    "Vadsø;liten;;Samarbeidet med NAV er svakt. Brukerrådet møtes sjelden.\n"
    "Tromsø;mellom;Lavterskeltilbud i sentrum.\u2003Det virker;Godt samarbeid\n"
)
VTT = (
    "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.500\n<v Kari Nordmann>Velkommen til intervjuet.</v>"
    "\n\n2\n00:00:03.500 --> 00:00:06.000\n<v Ola Hansen>Boliger mangler. Helt klart.</v>\n"
)
SEARCHES = ("boliger", "brukerråd", "samarbeid*", "nav", "ventetiden")


def _files(folder: Path) -> list[tuple[list[Path], ImportOptions]]:
    """Imports in order: interviews (one with 700+ sentences, more than one INSERT's worth of
    rows) and paragraphs, a subtitle file, then a survey with cases and attributes."""
    rng = random.Random(13)
    long_interview = folder / "intervju-lang.txt"
    long_interview.write_text("Innledning uten taler.\n\n" + make_transcript(rng, 9_000))
    short = folder / "intervju-kort.txt"
    short.write_text("Intervjuer: Hei. Hva\u00a0tenker du?\nInformant: Boliger mangler!\n")
    notes = folder / "notater.md"
    notes.write_text("Første avsnitt. Uten punktum\n\nAndre avsnitt om NAV.\n\n\n  Tredje.  \n")
    cues = folder / "opptak.vtt"
    cues.write_text(VTT)
    survey = folder / "skjema.csv"
    survey.write_text(SURVEY)
    survey_options = ImportOptions(case_column="kommune", text_columns=["Q1 Bolig", "Q2 Samarbeid"])
    survey_options.attribute_columns = ["størrelse"]
    return [
        ([long_interview, short, notes], ImportOptions(case="Oslo")),
        ([cues], ImportOptions()),
        ([survey], survey_options),
    ]


def _normalised(path: Path) -> list[str]:
    """Every row of every table (the FTS5 index's own tables too), with random GUIDs and clock
    times replaced by their order of appearance."""
    names: dict[str, str] = {}
    guid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
    clock = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\+00:00")
    lines = []
    for line in table_dump(path):
        line = guid.sub(lambda m: names.setdefault(m.group(), f"guid{len(names)}"), line)
        lines.append(clock.sub("TIME", line))
    return lines


def _search(path: Path, query: str) -> list[int]:
    conn = sqlite3.connect(path)
    try:
        sql = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ? ORDER BY rowid"
        return [row[0] for row in conn.execute(sql, (query,))]
    finally:
        conn.close()


def _expected_hits(path: Path, query: str) -> list[int]:
    """The documents whose text has the word (a prefix for «x*»), found without the index."""
    conn = sqlite3.connect(path)
    try:
        word = query.rstrip("*")
        tail = r"\w*" if query.endswith("*") else ""
        pattern = re.compile(rf"(?<!\w){re.escape(word)}{tail}(?!\w)", re.IGNORECASE)
        rows = conn.execute("SELECT id, text FROM documents ORDER BY id").fetchall()
        return [i for i, text in rows if pattern.search(text)]
    finally:
        conn.close()


def _import_all(path: Path, folder: Path, importer_function) -> list[dict]:
    summaries = []
    with Project.create(path) as project:
        for paths, options in _files(folder):
            summary = importer_function(project, paths, options).to_dict()
            summary.pop("seconds")
            summaries.append(summary)
        assert undo(project, "anna") is None  # an import is not undoable
    return summaries


def test_fast_import_stores_what_the_old_import_stored(tmp_path: Path) -> None:
    for folder in ("filer", "gammel", "ny"):
        (tmp_path / folder).mkdir()
    old = tmp_path / "gammel" / "studie.kodeverk"
    new = tmp_path / "ny" / "studie.kodeverk"
    old_summaries = _import_all(old, tmp_path / "filer", import_files_before)
    new_summaries = _import_all(new, tmp_path / "filer", import_files)
    assert new_summaries == old_summaries
    assert old_summaries[0]["segments"] > 700  # more than one INSERT statement's rows
    assert _normalised(new) == _normalised(old)
    for query in SEARCHES:
        expected = _expected_hits(new, query)
        assert expected, query
        assert _search(new, query) == _search(old, query) == expected, query
    conn = sqlite3.connect(new)
    try:  # the index holds exactly the documents' text
        conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')")
    finally:
        conn.close()


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "ett",
        " to  ord ",
        "a\u00a0b\u2003c\u2028d\x1ce\x85f\u3000g\u205fh",  # Unicode spaces, as \\s sees them
        "\ufeffikke\u200bmellomrom \U0001f600\U0001f600 \U0010ffff",  # not spaces; astral
        " starter og slutter med mellomrom ",
        "ordsomkrysserbitgrensen " * 7 + "x" * 30 + " slutt",
        "æøå " * 40,
    ],
)
def test_word_count_matches_the_regex_it_replaced(
    monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    monkeypatch.setattr(importer, "WORD_CHUNK", 4)  # many pieces, words across the cuts
    assert word_count(text) == len(re.findall(r"\S+", text))


@pytest.mark.parametrize(
    "text",
    [
        "Intervjuer: Hei.\nInformant 1: Hei!\n",
        "I:\nIP: svar\n\n  **Kari:** ja\nhttp: nei\nMerk: x",
        "http://x: ikke\nIntervjuer: ja",
        "Ingen etiketter her.\n\nTo avsnitt.",
        "\nA: tom første linje\nB:\nC: siste:",
    ],
)
def test_line_labels_match_the_multiline_regex_they_replaced(text: str) -> None:
    old = re.compile(f"(?m)^{LABEL.pattern}")
    expected = [
        (m.start(), m.end(), " ".join(m.group("label").split()))
        for m in old.finditer(text)
        if not m.group("label").startswith(("http", "www"))
    ]
    assert _line_labels(text) == expected


def test_no_whitespace_above_the_word_count_table() -> None:
    """``word_count`` looks every code point above U+3000 up as one non-space."""
    assert not any(chr(c).isspace() for c in range(0x3001, sys.maxunicode + 1))
