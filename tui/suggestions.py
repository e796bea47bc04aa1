"""Suggestions for the coding screen: learned ones (``coding.learn``, with confidences) first,
then keyword ones (``corpus.suggest``: spaCy PhraseMatcher with Norwegian inflection),
combined per segment, never duplicated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from coding.store import Project
from corpus.suggest import Suggestion  # the keyword suggestions' class, with a confidence

if TYPE_CHECKING:  # coding.learn (numpy) is imported when suggestions are asked for
    from coding.learn import Model

__all__ = ["Suggestion", "find_suggestions"]


def find_suggestions(
    project: Project, document_id: int, coder: str, model: Model | None = None, top: int = 3
) -> list[Suggestion]:
    """Per segment in text order: the learned suggestions (most confident first), then the
    keyword ones for codes not already proposed there."""
    learned = _learned(project, document_id, coder, model, top) if model is not None else []
    seen = {(s.start, s.end, s.code_id) for s in learned}
    keyword = [
        s for s in _keyword(project, document_id, coder) if (s.start, s.end, s.code_id) not in seen
    ]
    combined = learned + keyword
    return sorted(combined, key=lambda s: (s.start, not s.learned, -(s.confidence or 0)))


def _learned(
    project: Project, document_id: int, coder: str, model: Model, top: int
) -> list[Suggestion]:
    from coding import learn

    units = learn.project_units(project, [document_id])
    units = learn.uncoded_units(project, units, coder)
    found = learn.suggest_for_units(project, units, model, top=top, coder=coder)
    return [
        Suggestion(s.start, s.end, s.code_id, s.code, f"learned {s.confidence:.0%}", s.confidence)
        for per_unit in found
        for s in per_unit
    ]


def _keyword(project: Project, document_id: int, coder: str) -> list[Suggestion]:
    from corpus.suggest import suggest

    return suggest(project, document_id, coder=coder)  # spaCy loads on first use


def answer_suggestions(
    project: Project,
    document_id: int,
    text: str,
    span: tuple[int, int],
    coder: str,
    model: Model | None = None,
) -> list[Suggestion]:
    """The codes proposed for one whole survey answer (``span`` of ``text``, what a digit in the
    answer grid codes): the learned ones (most confident first) then the keyword ones, each
    code once, none the coder already gave the answer or rejected there. Nothing for documents
    without suggestible segments (interviewer turns, headers)."""
    from coding import learn

    if not learn.project_units(project, [document_id]):
        return []
    start, end = span
    unit = learn.Unit(document_id, start, end, text[start:end])
    found: dict[int, Suggestion] = {}
    if model is not None:
        for s in learn.suggest_for_units(project, [unit], model, top=3, coder=coder)[0]:
            found[s.code_id] = Suggestion(
                start, end, s.code_id, s.code, f"learned {s.confidence:.0%}", s.confidence
            )
    rejected = {c for c, hit in learn.rejections(project, [unit], coder).items() if hit[0]}
    for k in _keyword(project, document_id, coder):
        if k.code_id not in found and k.code_id not in rejected and start <= k.start < end:
            found[k.code_id] = Suggestion(start, end, k.code_id, k.code_name, k.matched)
    return list(found.values())
