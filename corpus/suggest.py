"""Code suggestions: segments whose words match a code's keywords.

Matching is spaCy's ``PhraseMatcher`` over a light Norwegian stem of each lower-cased word
(stored in the token's NORM), applied to keywords and text alike, so the keyword «bolig» also
finds «boliger», «boligen» and «boligene», and «tidlig innsats» finds «tidlig innsatsen».

Only what informants say is suggested: never interviewer turns (``coding.documents.
interviewer_rule``), nor headers: in a transcript the text outside speaker turns (title, date,
place), elsewhere Markdown headings (``# …``).
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from coding.documents import (
    Segment,
    document_text,
    interviewer_rule,
    segments_of,
    suggestible,
)
from coding.store import Project
from corpus.segment import block_runs, sentence_pipeline

if TYPE_CHECKING:  # spaCy is imported lazily: it is slow to import
    from spacy.matcher import PhraseMatcher
    from spacy.tokens import Doc

# Inflection endings, longest first (bokmål and nynorsk; definite, plural, genitive).
SUFFIXES = ("endes", "ende", "ene", "ane", "ers", "ens", "ets", "er", "en", "et", "ar", "a", "e")
MIN_STEM = 3


@dataclass(frozen=True)
class Suggestion:
    """Code ``code_id`` suggested for the segment ``start``–``end``, because of ``matched``."""

    start: int
    end: int
    code_id: int
    code_name: str
    matched: str
    confidence: float | None = None  # learned suggestions only (``tui.suggestions``)

    @property
    def learned(self) -> bool:
        return self.confidence is not None


def stem(word: str) -> str:
    """A light Norwegian stem: the lower-cased word without one inflection ending."""
    word = word.lower()
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
            return word[: -len(suffix)]
    return word


def suggest(project: Project, document_id: int, coder: str | None = None) -> list[Suggestion]:
    """One suggestion per segment and matching code, in text order. With ``coder``, segments
    the coder has already coded with that code are left out."""
    codes = _keyword_codes(project)
    segments = segments_of(project, document_id)
    if not codes or not segments:
        return []
    text = document_text(project, document_id)
    segments = suggestible(segments, text, interviewer_rule(project))
    names = {code_id: name for code_id, (name, _) in codes.items()}
    patterns = {
        code_id: [_stemmed(k.strip()) for k in words] for code_id, (_, words) in codes.items()
    }
    keyword_stems = {token.norm_ for docs in patterns.values() for doc in docs for token in doc}
    matcher = _matcher(patterns)
    coded = _coded_spans(project, document_id, coder) if coder else {}
    found: dict[tuple[int, int], Suggestion] = {}
    # Run by run of segments: a match never crosses a segment border anyway, and spaCy
    # tokenizes one huge document slowly.
    for run in block_runs(segments):
        doc = _stemmed(text[run[0].start : run[-1].end], keyword_stems)
        for segment, code_id, matched in _matches(matcher, doc, run):
            key = (segment.start, code_id)
            if key not in found and not _overlaps(coded.get(code_id, ()), segment):
                found[key] = Suggestion(
                    segment.start, segment.end, code_id, names[code_id], matched
                )
    return sorted(found.values(), key=lambda s: (s.start, s.code_name))


def _matches(
    matcher: PhraseMatcher, doc: Doc, run: list[Segment]
) -> Iterator[tuple[Segment, int, str]]:
    """``(segment, code id, matched text)`` for each match inside one segment of ``run``
    (``doc`` holds the text from the run's first segment on)."""
    offset = run[0].start
    starts = [s.start - offset for s in run]
    for match_id, first, last in matcher(doc):
        span = doc[first:last]
        index = bisect.bisect_right(starts, span.start_char) - 1
        if index >= 0 and span.end_char <= run[index].end - offset:
            yield run[index], int(doc.vocab.strings[match_id]), span.text


def _keyword_codes(project: Project) -> dict[int, tuple[str, list[str]]]:
    codes = {}
    for code_id, name, keywords in project.conn.execute(
        "SELECT id, name, keywords FROM codes WHERE keywords NOT IN ('', '[]') ORDER BY id"
    ):
        words = [k for k in json.loads(keywords) if isinstance(k, str) and k.strip()]
        if words:
            codes[code_id] = (name, words)
    return codes


def _stemmed(text: str, only: set[str] | None = None) -> Doc:
    """The tokenised text with each token's NORM set to its stem. With ``only``, just the
    tokens whose stem or lower-case form is in ``only`` get it: no other token can be part of
    a match, and a document has far fewer distinct words than tokens."""
    doc = sentence_pipeline().make_doc(text)
    if only is None:
        for token in doc:
            token.norm_ = stem(token.text)
        return doc
    from spacy.attrs import LOWER

    strings = doc.vocab.strings
    lowers = doc.to_array(LOWER)
    wanted: dict[int, str] = {}
    for key in np.unique(lowers).tolist():
        lower = strings[key]
        if (stemmed := stem(lower)) in only or lower in only:
            wanted[key] = stemmed
    for index in np.flatnonzero(np.isin(lowers, list(wanted))).tolist():
        doc[index].norm_ = wanted[int(lowers[index])]
    return doc


def _matcher(patterns: dict[int, list[Doc]]) -> PhraseMatcher:
    from spacy.matcher import PhraseMatcher

    matcher = PhraseMatcher(sentence_pipeline().vocab, attr="NORM")
    for code_id, docs in patterns.items():
        matcher.add(str(code_id), docs)
    return matcher


def _coded_spans(
    project: Project, document_id: int, coder: str
) -> dict[int, list[tuple[int, int]]]:
    spans: dict[int, list[tuple[int, int]]] = {}
    for code_id, start, end in project.conn.execute(
        'SELECT c.code_id, c.start, c."end" FROM codings c JOIN coders k ON k.id = c.coder_id '
        "WHERE c.document_id = ? AND k.name = ?",
        (document_id, coder.strip()),
    ):
        spans.setdefault(code_id, []).append((start, end))
    return spans


def _overlaps(spans: Iterable[tuple[int, int]], segment: Segment) -> bool:
    return any(s < segment.end and segment.start < e for s, e in spans)
