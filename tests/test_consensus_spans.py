"""Settling copies the coders' own spans (kept inside the unit's speaker turn), never the unit."""

from __future__ import annotations

import sqlite3

from coding.codes import resolve_code
from coding.consensus import disagreements, settle
from coding.documents import document_text, segments_of
from coding.operations import apply_coding
from coding.store import Project


def consensus_rows(project: Project) -> list[tuple[int, int]]:
    conn = sqlite3.connect(project.path)
    try:
        return conn.execute(
            'SELECT g.start, g."end" FROM codings g JOIN coders c ON c.id = g.coder_id '
            "WHERE c.name = 'consensus' ORDER BY g.start"
        ).fetchall()
    finally:
        conn.close()


def test_both_where_a_had_nothing_copies_b_span_and_leaves_the_question(
    small_project: Project,
) -> None:
    bolig = resolve_code(small_project, "Bolig")
    text = document_text(small_project, 1)
    segs = segments_of(small_project, 1)
    assert segs[0].speaker == "Intervjuer" and segs[1].speaker == "Informant 1"
    # B codes both sentences of the informant's answer about the user council; A codes
    # something elsewhere in the document so both count there
    apply_coding(small_project, 1, bolig, "bo", segs[1].start, segs[2].end)
    apply_coding(small_project, 1, bolig, "ane", segs[5].start, segs[5].end)
    found = disagreements(small_project, ["ane", "bo"], bolig)
    first = next(d for d in found if d.start == segs[1].start)
    assert first.spans_a == ()
    settle(small_project, first, "both", "leder")
    assert consensus_rows(small_project) == [(segs[1].start, segs[2].end)]
    assert text[segs[1].start : segs[2].end] == "Vi har et brukerråd. Det møtes fire ganger i året."
    question = (segs[0].start, segs[0].end)
    assert not any(s < question[1] and e > question[0] for s, e in consensus_rows(small_project))


def test_a_span_over_the_label_and_question_is_kept_inside_the_answer(
    small_project: Project,
) -> None:
    bolig = resolve_code(small_project, "Bolig")
    text = document_text(small_project, 1)
    segs = segments_of(small_project, 1)
    # B's selection runs from «bolig?» across «Informant 1:» into the answer
    start = text.index("bolig?")
    apply_coding(small_project, 1, bolig, "bo", start, segs[5].end)
    apply_coding(small_project, 1, bolig, "ane", segs[1].start, segs[1].end)
    found = disagreements(small_project, ["ane", "bo"], bolig)
    answer = next(d for d in found if d.start == segs[4].start)
    settle(small_project, answer, "both", "leder")
    rows = consensus_rows(small_project)
    assert rows == [(segs[4].start, segs[5].end)]
    assert [text[s:e] for s, e in rows] == ["Det mangler boliger. Ventetiden er lang."]


def test_both_is_the_union_of_both_coders_spans(small_project: Project) -> None:
    bolig = resolve_code(small_project, "Bolig")
    segs = segments_of(small_project, 1)
    first, second = segs[1], segs[2]  # two sentences of one informant turn
    # A: the first sentence and three characters of the second; B: the second sentence
    apply_coding(small_project, 1, bolig, "ane", first.start, second.start + 3)
    apply_coding(small_project, 1, bolig, "bo", second.start, second.end)
    found = disagreements(small_project, ["ane", "bo"], bolig, min_overlap=0.5)
    unit = next(d for d in found if d.start == second.start)
    assert unit.spans_a and unit.spans_b  # A's span touches the unit, below the minimum
    settle(small_project, unit, "both", "leder")
    assert consensus_rows(small_project) == [(first.start, second.end)]
    settle(small_project, unit, "a", "leder")  # A's own span, not the unit
    assert consensus_rows(small_project) == [(first.start, second.start + 3)]
