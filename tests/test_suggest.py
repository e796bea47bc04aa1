"""Keyword suggestions with Norwegian inflection."""

from __future__ import annotations

import pytest

from coding.codes import add_code
from coding.documents import Segment, add_document, document_text, normalise_text
from coding.operations import apply_coding
from coding.store import Project
from corpus.segment import split_sentences
from corpus.suggest import stem, suggest
from corpus.transcripts import parse_transcript


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("bolig", "bolig"),
        ("Boliger", "bolig"),
        ("boligen", "bolig"),
        ("boligene", "bolig"),
        ("brukerrådet", "brukerråd"),
        ("kommunane", "kommun"),
        ("kommunens", "kommun"),
        ("rus", "rus"),
        ("ene", "ene"),
    ],
)
def test_stem(word: str, expected: str) -> None:
    assert stem(word) == expected


def test_suggestions_per_segment_and_code(small_project: Project) -> None:
    found = [(s.code_name, s.matched) for s in suggest(small_project, 1)]
    # «Og bolig?» is the interviewer's: no suggestion there
    assert found == [("Brukerråd", "brukerråd"), ("Bolig", "boliger")]
    text = document_text(small_project, 1)
    first = suggest(small_project, 1)[0]
    assert text[first.start : first.end] == "Vi har et brukerråd."


def test_skips_what_the_coder_has_coded(small_project: Project) -> None:
    text = document_text(small_project, 1)
    start = text.index("Det mangler")
    bolig = next(s.code_id for s in suggest(small_project, 1) if s.matched == "boliger")
    apply_coding(small_project, 1, bolig, "kari", start, start + 11)
    assert [s.matched for s in suggest(small_project, 1, coder="kari")] == ["brukerråd"]
    assert len(suggest(small_project, 1, coder="ola")) == 2


def test_multi_word_keywords_inflections_and_one_hit_per_segment(project: Project) -> None:
    add_code(project, "Tidlig innsats", goal=2, keywords=["tidlig innsats", "forebygging"])
    add_code(project, "Ingen nøkkelord")
    text = normalise_text(
        "Informant: Hva med tidlig innsatsen? Forebyggingen og forebygging i skolen.\n"
        "Intervjuer: Tidlig, men innsats kom sent."
    )
    transcript = parse_transcript(text)
    segments = split_sentences([(text, transcript.blocks)])[0]
    document_id = add_document(project, "t", text, "interview", segments)
    found = [(s.matched, text[s.start : s.end]) for s in suggest(project, document_id)]
    assert found == [
        ("tidlig innsatsen", "Hva med tidlig innsatsen?"),
        ("Forebyggingen", "Forebyggingen og forebygging i skolen."),
    ]


def test_documents_without_keywords_or_segments(project: Project) -> None:
    text = "Bolig."
    document_id = add_document(project, "t", text, "text", [Segment(0, 6, "paragraph", 0)])
    assert suggest(project, document_id) == []


def test_runs_of_segments_give_the_same_suggestions(
    small_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = suggest(small_project, 1)
    monkeypatch.setattr("corpus.segment.CHUNK_CHARS", 10)
    assert suggest(small_project, 1) == whole


def test_never_on_interviewer_turns_or_headers(project: Project) -> None:
    add_code(project, "Bolig", goal=4, keywords=["bolig"])
    text = normalise_text(
        "Intervju om bolig i Vadsø\n\n"
        "I: Hva med bolig?\n"
        "Informant 2: Boligen er for liten.\n"
        "Moderator: Og boliger for unge?\n"
        "Informant 2: Bolig mangler.\n"
    )
    segments = split_sentences([(text, parse_transcript(text).blocks)])[0]
    document_id = add_document(project, "t", text, "interview", segments)
    found = [text[s.start : s.end] for s in suggest(project, document_id)]
    assert found == ["Boligen er for liten.", "Bolig mangler."]
    heading = normalise_text("# Bolig\n\nVi mangler bolig.\n")
    blocks = parse_transcript(heading).blocks
    document_id = add_document(
        project, "md", heading, "text", split_sentences([(heading, blocks)])[0]
    )
    assert [heading[s.start : s.end] for s in suggest(project, document_id)] == [
        "Vi mangler bolig."
    ]


def test_a_project_names_its_own_interviewers(project: Project) -> None:
    add_code(project, "Bolig", goal=4, keywords=["bolig"])
    text = normalise_text("Kari: Hva med bolig?\nOla: Bolig mangler.\nKari: Bolig?\nOla: Ja.\n")
    segments = split_sentences([(text, parse_transcript(text).blocks)])[0]
    document_id = add_document(project, "t", text, "interview", segments)
    assert len(suggest(project, document_id)) == 3
    project.set_meta("interviewers", "kari, Per")
    assert [text[s.start : s.end] for s in suggest(project, document_id)] == ["Bolig mangler."]
