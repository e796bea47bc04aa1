"""Code suggestions: segments whose words match a code's keywords.

Matching is spaCy's ``PhraseMatcher`` over a light Norwegian stem of each lower-cased word
(stored in the token's NORM), applied to keywords and text alike, so the keyword «bolig» also
finds «boliger», «boligen» and «boligene», and «tidlig innsats» finds «tidlig innsatsen».
"""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass

from coding.documents import document_text, segments_of
from coding.store import Project
from corpus.segment import sentence_pipeline

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
    matcher = _matcher(codes)
    doc = _stemmed(text)
    starts = [s.start for s in segments]
    coded = _coded_spans(project, document_id, coder) if coder else {}
    found: dict[tuple[int, int], Suggestion] = {}
    for match_id, first, last in matcher(doc):
        span = doc[first:last]
        index = bisect.bisect_right(starts, span.start_char) - 1
        if index < 0 or span.end_char > segments[index].end:
            continue  # a match across segment borders or outside any segment
        segment = segments[index]
        code_id = int(doc.vocab.strings[match_id])
        key = (index, code_id)
        if key in found or _overlaps(coded.get(code_id, ()), segment.start, segment.end):
            continue
        found[key] = Suggestion(segment.start, segment.end, code_id, codes[code_id][0], span.text)
    return sorted(found.values(), key=lambda s: (s.start, s.code_name))


def _keyword_codes(project: Project) -> dict[int, tuple[str, list[str]]]:
    codes = {}
    for code_id, name, keywords in project.conn.execute(
        "SELECT id, name, keywords FROM codes WHERE keywords NOT IN ('', '[]') ORDER BY id"
    ):
        words = [k for k in json.loads(keywords) if isinstance(k, str) and k.strip()]
        if words:
            codes[code_id] = (name, words)
    return codes


def _stemmed(text: str):
    """The tokenised text with each token's NORM set to its stem."""
    doc = sentence_pipeline().make_doc(text)
    for token in doc:
        token.norm_ = stem(token.text)
    return doc


def _matcher(codes: dict[int, tuple[str, list[str]]]):
    from spacy.matcher import PhraseMatcher

    matcher = PhraseMatcher(sentence_pipeline().vocab, attr="NORM")
    for code_id, (_, keywords) in codes.items():
        matcher.add(str(code_id), [_stemmed(keyword.strip()) for keyword in keywords])
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


def _overlaps(spans, start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in spans)
