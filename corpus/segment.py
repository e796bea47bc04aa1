"""Sentence segmentation with spaCy (``blank("nb")`` + ``sentencizer``; no model downloads).

Each block (speaker turn, survey answer, paragraph or cue) is split into sentences; a sentence
keeps its block's kind, number and speaker, so the coder moves sentence by sentence inside turns.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from coding.documents import Segment

BATCH_SIZE = 256
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A stretch of text up to a blank line or the end, without surrounding whitespace.
_PIECE = re.compile(r"\S(?:.*?\S)?(?=\s*\n[ \t]*\n|\s*$)", re.DOTALL)


@lru_cache(maxsize=1)
def sentence_pipeline():  # -> spacy.Language (spaCy is imported lazily: it is slow to import)
    """The shared pipeline: Norwegian Bokmål tokenizer rules plus the rule-based sentencizer."""
    import spacy

    nlp = spacy.blank("nb")
    nlp.add_pipe("sentencizer")
    return nlp


# A sentence segment as a plain row: (start, end, kind, block, speaker). Bulk imports store
# these directly; building a Segment object per sentence costs more than the SQLite insert.
SentenceRow = tuple[int, int, str, int, "str | None"]


def split_sentences(
    documents: list[tuple[str, list[Segment]]],
    progress: Callable[[int], None] | None = None,
) -> list[list[Segment]]:
    """Sentence segments for each ``(text, blocks)`` pair, in order. ``progress`` is called with
    the number of blocks done since the previous call."""
    return [[Segment(*row) for row in rows] for rows in sentence_rows(documents, progress)]


def sentence_rows(
    documents: list[tuple[str, list[Segment]]],
    progress: Callable[[int], None] | None = None,
) -> Iterator[list[SentenceRow]]:
    """Like ``split_sentences``, as plain rows, one list per document as it is done.

    Each document's whole text goes through spaCy once (a document per block would cost spaCy's
    per-document overhead thousands of times); a block's start is always a sentence start, and
    sentences are cut where a block ends."""
    nlp = sentence_pipeline()
    docs = nlp.pipe((text for text, _ in documents), batch_size=BATCH_SIZE)
    for (text, blocks), doc in zip(documents, docs, strict=True):
        starts = [sent.start_char for sent in doc.sents]
        rows: list[SentenceRow] = []
        for block in blocks:
            rows.extend(_sentences_of(text, block, starts))
        if progress:
            progress(len(blocks))
        yield rows


def _sentences_of(text: str, block: Segment, starts: list[int]) -> list[SentenceRow]:
    """Sentences between consecutive sentence starts inside ``block``, trimmed, and cut where
    one spans a blank line (a paragraph break the sentencizer cannot see when the sentence
    before it has no final punctuation)."""
    first = bisect.bisect_right(starts, block.start)
    last = bisect.bisect_left(starts, block.end, first)
    bounds = [block.start, *starts[first:last], block.end]
    kind, number, speaker = block.kind, block.block, block.speaker
    rows: list[SentenceRow] = []
    for begin, end in itertools.pairwise(bounds):
        chunk = text[begin:end]
        body = chunk.strip()
        if not body:
            continue
        start = begin + chunk.index(body)
        if "\n" in body and _PARAGRAPH_BREAK.search(body):
            for piece in _PIECE.finditer(body):
                rows.append((start + piece.start(), start + piece.end(), kind, number, speaker))
        else:
            rows.append((start, start + len(body), kind, number, speaker))
    return rows
