"""Reports quote what informants said: no speaker labels, no interviewer turns unless asked,
one quote per passage when several coders coded it."""

from __future__ import annotations

from pathlib import Path

import pytest

from coding.cases import ensure_case, set_attributes
from coding.codes import add_code
from coding.documents import add_document, normalise_text
from coding.operations import apply_coding
from coding.store import Project
from corpus.segment import split_sentences
from corpus.transcripts import parse_transcript
from exports.quotes import collect_quotes
from tests.conftest import run_kodeverk

TEXT = normalise_text(
    "Intervjuer: Hvordan jobber dere med brukermedvirkning?\n"
    "Informant 2: Vi har et brukerråd. Det møtes fire ganger i året.\n"
    "Intervjuer: Og bolig?\n"
    "Informant 2: Det mangler boliger. Ventetiden er lang.\n"
)
ANSWER = "Det mangler boliger. Ventetiden er lang."


def build_interview(path: Path) -> Path:
    with Project.create(path, name="intervju") as project:
        case = ensure_case(project, "Vadsø")
        set_attributes(project, case, {"size_class": "liten", "region": "Nord-Norge"})
        goal1 = add_code(project, "Brukermedvirkning", goal=1)
        bolig = add_code(project, "Bolig", goal=4)
        segments = split_sentences([(TEXT, parse_transcript(TEXT).blocks)])[0]
        doc = add_document(project, "intervju-vadso", TEXT, "interview", segments, case_id=case)
        question = TEXT.index("Intervjuer: Og bolig?")
        # ane: from the interviewer's label over the question and the label into the answer
        apply_coding(project, doc, bolig, "ane", question, TEXT.index("Ventetiden") - 1)
        # bo: the whole answer line, label included
        line = TEXT.index("Informant 2: Det")
        apply_coding(project, doc, bolig, "bo", line, line + len("Informant 2: ") + len(ANSWER))
        # ane: the interviewer's first question only
        apply_coding(project, doc, goal1, "ane", 0, TEXT.index("\n"))
    return path


@pytest.fixture
def interview(tmp_path: Path) -> Path:
    return build_interview(tmp_path / "intervju.kodeverk")


def export(path: Path, output: Path, *args: str) -> Path:
    done = run_kodeverk("export", path, "--output", output, *args)
    assert done.returncode == 0, done.stderr
    return output


def docx_quotes(path: Path) -> list[str]:
    from docx import Document

    return [p.text for p in Document(str(path)).paragraphs if p.style.name == "Quote"]


def md_quotes(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(">")]


def test_word_and_markdown_leave_out_labels_and_interviewer_turns(
    interview: Path, tmp_path: Path
) -> None:
    quotes = docx_quotes(export(interview, tmp_path / "r.docx"))
    assert quotes == [f"«{ANSWER}» (Liten kommune i Nord-Norge)"]
    md = md_quotes(export(interview, tmp_path / "r.md"))
    assert md == [f"> «{ANSWER}» (Liten kommune i Nord-Norge)"]
    for text in ["\n".join(quotes), "\n".join(md)]:
        assert "Informant 2:" not in text and "Intervjuer:" not in text
        assert "Og bolig?" not in text and "brukermedvirkning?" not in text


def test_interviewer_turns_on_request_still_without_labels(interview: Path, tmp_path: Path) -> None:
    quotes = docx_quotes(export(interview, tmp_path / "r.docx", "--include-interviewer"))
    assert quotes == [
        "«Hvordan jobber dere med brukermedvirkning?» (Liten kommune i Nord-Norge)",
        f"«Og bolig? […] {ANSWER}» (Liten kommune i Nord-Norge)",
    ]
    md = "\n".join(md_quotes(export(interview, tmp_path / "r.md", "--include-interviewer")))
    assert "Informant 2:" not in md and "Intervjuer:" not in md and "Og bolig?" in md


def test_coder_any_gives_one_quote_per_passage(interview: Path, tmp_path: Path) -> None:
    quotes = md_quotes(
        export(interview, tmp_path / "r.md", "--codings-of", "any", "--codes", "Bolig")
    )
    assert quotes == [f"> «{ANSWER}» (Liten kommune i Nord-Norge)"]
    with Project.open(interview) as project:  # no labels involved: two spans, one passage
        council = TEXT.index("Vi har")
        apply_coding(project, 1, 1, "ane", council, TEXT.index("Det møtes") - 1)
        apply_coding(project, 1, 1, "bo", council, TEXT.index("året.") + 5)
    council_md = md_quotes(export(interview, tmp_path / "c.md", "--codes", "Brukermedvirkning"))
    assert council_md == [
        "> «Vi har et brukerråd. Det møtes fire ganger i året.» (Liten kommune i Nord-Norge)"
    ]
    only_bo = md_quotes(
        export(interview, tmp_path / "b.md", "--codings-of", "bo", "--codes", "Bolig")
    )
    assert only_bo == quotes


def test_tables_keep_a_row_per_coding_without_labels(interview: Path, tmp_path: Path) -> None:
    with Project.open(interview) as project:
        rows = collect_quotes(project)
        assert [(q.coder, q.text) for q in rows] == [("ane", ANSWER[:20]), ("bo", ANSWER)]
        every = collect_quotes(project, include_interviewer=True)
        assert [q.text for q in every] == [
            "Hvordan jobber dere med brukermedvirkning?",
            f"Og bolig? […] {ANSWER[:20]}",
            ANSWER,
        ]
        assert all(TEXT[q.start : q.end].startswith(q.text[:8]) for q in every)


def test_csv_and_html_follow_the_same_rule(interview: Path, tmp_path: Path) -> None:
    import csv

    def quotes_in(path: Path) -> list[str]:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return [row["quote"] for row in csv.DictReader(handle)]

    assert quotes_in(export(interview, tmp_path / "a.csv")) == [ANSWER[:20], ANSWER]
    every = quotes_in(export(interview, tmp_path / "b.csv", "--include-interviewer"))
    assert len(every) == 3 and not any(":" in q for q in every)
    html = export(interview, tmp_path / "r.html").read_text(encoding="utf-8")
    assert ANSWER in html and "Informant 2:" not in html and "Og bolig?" not in html
