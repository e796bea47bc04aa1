"""Sentence segmentation with spaCy (``blank("nb")`` + ``sentencizer``; no model downloads).

Each block (speaker turn, survey answer, paragraph or cue) is split into sentences; a sentence
keeps its block's kind, number and speaker, so the coder moves sentence by sentence inside turns.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from coding.documents import Segment

BATCH_SIZE = 256
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


@lru_cache(maxsize=1)
def sentence_pipeline():  # -> spacy.Language (spaCy is imported lazily: it is slow to import)
    """The shared pipeline: Norwegian Bokmål tokenizer rules plus the rule-based sentencizer."""
    import spacy

    nlp = spacy.blank("nb")
    nlp.add_pipe("sentencizer")
    return nlp


def split_sentences(
    documents: list[tuple[str, list[Segment]]],
    progress: Callable[[int], None] | None = None,
) -> list[list[Segment]]:
    """Sentence segments for each ``(text, blocks)`` pair, in order. ``progress`` is called with
    the number of blocks done since the previous call.

    Each document's whole text goes through spaCy once (a document per block would cost spaCy's
    per-document overhead thousands of times); a block's start is always a sentence start, and
    sentences are cut where a block ends."""
    nlp = sentence_pipeline()
    docs = nlp.pipe((text for text, _ in documents), batch_size=BATCH_SIZE)
    result: list[list[Segment]] = []
    for (text, blocks), doc in zip(documents, docs, strict=True):
        starts = [sent.start_char for sent in doc.sents]
        segments: list[Segment] = []
        for block in blocks:
            segments.extend(_sentences_of(text, block, starts))
        result.append(segments)
        if progress:
            progress(len(blocks))
    return result


def _sentences_of(text: str, block: Segment, starts: list[int]) -> Iterator[Segment]:
    """Segments between consecutive sentence starts inside ``block``, trimmed and cut at blank
    lines."""
    first = bisect.bisect_right(starts, block.start)
    last = bisect.bisect_left(starts, block.end, first)
    bounds = [block.start, *starts[first:last], block.end]
    for begin, end in itertools.pairwise(bounds):
        for start, stop in _pieces(text, begin, end):
            yield Segment(start, stop, block.kind, block.block, block.speaker)


def _pieces(text: str, start: int, end: int) -> Iterable[tuple[int, int]]:
    """``text[start:end]`` trimmed; split where it spans a blank line (a paragraph break the
    sentencizer cannot see when the sentence before has no final punctuation)."""
    chunk = text[start:end]
    if "\n" in chunk and _PARAGRAPH_BREAK.search(chunk):
        pieces = []
        for match in re.finditer(r"\S(?:.*?\S)?(?=\s*\n[ \t]*\n|\s*$)", chunk, re.DOTALL):
            pieces.append((start + match.start(), start + match.end()))
        return pieces
    left = len(chunk) - len(chunk.lstrip())
    right = len(chunk.rstrip())
    return [(start + left, start + right)] if right > left else []
