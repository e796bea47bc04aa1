"""Sentence segmentation with spaCy (``blank("nb")`` + ``sentencizer``; no model downloads).

Each block (speaker turn, survey answer, paragraph or cue) is split into sentences; a sentence
keeps its block's kind, number and speaker, so the coder moves sentence by sentence inside turns.

For speed, imports run spaCy's tokenizer and apply the sentencizer's rule to the token arrays
with numpy (``sentence_starts``) instead of running the component, which walks the tokens in
Python: same boundaries (a test compares them with the component's), a third less time.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import numpy as np

from coding.documents import Segment

if TYPE_CHECKING:  # spaCy is imported lazily: it is slow to import
    from spacy.language import Language
    from spacy.pipeline import Sentencizer
    from spacy.tokenizer import Tokenizer
    from spacy.tokens import Doc

CHUNK_CHARS = 50_000
MAX_PRIME_CHARS = 60  # longer words are not primed (tokenized)
MAX_PRIME_GAP = 32  # pieces left unlisted for new words after pieces without any (tokenized)
MAX_SENTENCES = 500_000  # per document: a 30 MB text; a million "a." would take gigabytes
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
# A stretch of text up to a blank line or the end, without surrounding whitespace. The lazy
# "??" matters: a one-character piece («…») must not reach across the blank line after it.
_CUT = re.compile(r"\s(?=\S)")
_PIECE = re.compile(r"\S(?:.*?\S)??(?=\s*\n[ \t]*\n|\s*$)", re.DOTALL)


@lru_cache(maxsize=1)
def sentence_pipeline() -> Language:
    """The shared pipeline: Norwegian Bokmål tokenizer rules plus the rule-based sentencizer."""
    import spacy

    nlp = spacy.blank("nb")
    nlp.add_pipe("sentencizer")
    nlp.max_length = 100_000_000  # the limit protects parser and NER models, which we do not use
    return nlp


class TooManySentences(ValueError):
    """A document has more than ``MAX_SENTENCES`` sentences; ``index`` is its place in the
    list given. The caller names the file."""

    def __init__(self, index: int) -> None:
        super().__init__(f"more than {MAX_SENTENCES:,} sentences; refused (split the file)")
        self.index = index


# A sentence segment as a plain row: (start, end, kind, block, speaker). Bulk imports store
# these directly; building a Segment object per sentence costs more than the SQLite insert.
SentenceRow = tuple[int, int, str, int, "str | None"]


def sentence_starts(doc: Doc) -> list[int]:
    """Character offsets where spaCy's ``sentencizer`` would start sentences in ``doc``.

    Its rule: the first token starts a sentence, and so does every token that is neither
    punctuation nor a sentence-final character (``punct_chars``) when such a character occurred
    since the previous such token."""
    return _starts(doc, first=True, final_pending=False)[0]


def _starts(doc: Doc, *, first: bool, final_pending: bool) -> tuple[list[int], bool]:
    """``sentence_starts`` for a piece of a longer text: ``first`` when the piece opens it,
    ``final_pending`` when a sentence-final character ended the text before the piece. Returns
    the starts and whether a final character is pending at the piece's end."""
    if len(doc) == 0:
        return [], final_pending
    attributes, final_punctuation = _sentencizer_rule()
    orth, punct, idx = doc.to_array(attributes).T
    punct = punct.astype(bool)
    other = np.flatnonzero(~punct)
    punctuation = np.flatnonzero(punct)  # the final characters are all punctuation
    finals = punctuation[np.isin(orth[punctuation], final_punctuation)]
    # The first non-punctuation token after each final character starts a sentence.
    after = np.searchsorted(other, finals)
    after = after[after < len(other)]
    after = after[np.diff(after, prepend=-1) > 0]
    starts: list[int] = idx[other[after]].tolist()
    if final_pending and len(other) and (not len(after) or after[0] != 0):
        starts.insert(0, int(idx[other[0]]))
    pending = bool(len(finals) and (not len(other) or finals[-1] > other[-1])) or (
        final_pending and not len(other)
    )
    if first and (not starts or starts[0] != int(idx[0])):
        starts.insert(0, int(idx[0]))
    return starts, pending


@lru_cache(maxsize=1)
def _sentencizer_rule() -> tuple[list[int | str], np.ndarray]:
    """The token attributes ``sentence_starts`` reads, and the sentencizer's final characters
    as ORTH ids."""
    from spacy.attrs import IDX, IS_PUNCT, ORTH

    nlp = sentence_pipeline()
    chars = cast("Sentencizer", nlp.get_pipe("sentencizer")).punct_chars
    if not all(nlp.vocab[c].is_punct for c in chars):  # what _starts relies on
        raise RuntimeError("a sentence-final character of spaCy's sentencizer is not punctuation")
    return [ORTH, IS_PUNCT, IDX], np.array([nlp.vocab.strings.add(c) for c in chars], np.uint64)


def counting(
    progress: Callable[[str, int, int], None] | None, stage: str, total: int
) -> Callable[[int], None]:
    """The ``progress(blocks)`` step the splitters call, reported as ``progress(stage, done,
    total)`` (the importers' form)."""
    done = 0

    def advance(blocks: int) -> None:
        nonlocal done
        done += blocks
        if progress:
            progress(stage, done, total)

    return advance


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

    spaCy gets runs of whole blocks of about ``CHUNK_CHARS`` characters: a document per block
    would pay spaCy's per-document cost thousands of times, and one huge document is slow too
    (the tokenizer stops caching words for the rest of a document after its first special
    case). A block's start is always a sentence start, and sentences are cut where a block
    ends, so the chunking does not change the result."""
    plans = [
        (text, run, _pieces(text, run)) for text, blocks in documents for run in block_runs(blocks)
    ]
    docs = tokenized(text[a:b] for text, _, pieces in plans for a, b in pieces)
    pending = iter(plans)
    for index, (text, blocks) in enumerate(documents):
        rows: list[SentenceRow] = []
        for _ in block_runs(blocks):
            _, run, pieces = next(pending)
            starts = _run_starts(pieces, docs)
            if len(rows) + len(starts) > MAX_SENTENCES:
                raise TooManySentences(index)
            for block in run:
                rows.extend(_sentences_of(text, block, starts))
            if progress:
                progress(len(run))
        yield rows


def tokenized(texts: Iterable[str]) -> Iterator[Doc]:
    """spaCy's tokenizer over ``texts``, its word cache filled first with each piece's new words.

    The tokenizer caches how it split each whitespace-separated word, but stops adding to the
    cache for the rest of a Doc once a special case (an exception such as «i.», «et.»,
    «f.eks.») occurred in it (spaCy's ``_save_cached``, issue #1250), so in Norwegian most
    words of a long text are split again with the prefix and suffix regexes each time they
    occur: most of the tokenizer's time. A word tokenized alone is cached (unless it involves a
    special case itself), and the cache holds exactly what tokenizing the word in place
    computes, so the Docs are the same.

    Listing a piece's words costs a fifth of tokenizing it; once pieces bring no new
    words, the next 1, 2, 4 ... ``MAX_PRIME_GAP`` pieces are not listed. Words longer than
    ``MAX_PRIME_CHARS`` are left to the cache as it works (a hostile 10 MB «word» would be
    tokenized twice and kept in memory)."""
    tokenizer = cast("Tokenizer", sentence_pipeline().tokenizer)
    primed = _primed_words(tokenizer)
    gap = skip = 0
    for text in texts:
        room = tokenizer.max_cache_size - len(primed)
        if skip:
            skip -= 1
        elif room > 0:  # the cache takes at most max_cache_size words; then priming stops
            new = {w for w in set(text.split()).difference(primed) if len(w) <= MAX_PRIME_CHARS}
            for word in itertools.islice(new, room):
                tokenizer(word)
                primed.add(word)
            gap = 0 if new else min(2 * gap or 1, MAX_PRIME_GAP)
            skip = gap
        yield tokenizer(text)


@lru_cache(maxsize=1)
def _primed_words(tokenizer: Tokenizer) -> set[str]:
    """The words ``tokenized`` has put in ``tokenizer``'s cache (a new pipeline, a new set)."""
    return set()


def _pieces(text: str, run: list[Segment]) -> list[tuple[int, int]]:
    """The run's span cut into pieces of about ``CHUNK_CHARS`` where whitespace meets a
    non-space character: spaCy's tokens never cross such a place, so the pieces' tokens are
    the whole's. A block of megabytes is then never one spaCy Doc (10 MB of one-letter lines
    took 2 GB as one Doc)."""
    start, end = run[0].start, run[-1].end
    pieces = []
    while end - start > CHUNK_CHARS:
        cut = _CUT.search(text, start + CHUNK_CHARS, end)
        if cut is None:
            break
        pieces.append((start, cut.end()))
        start = cut.end()
    pieces.append((start, end))
    return pieces


def _run_starts(pieces: list[tuple[int, int]], docs: Iterator[Doc]) -> list[int]:
    """Sentence starts over a run's pieces, the sentencizer's state carried from piece to piece."""
    starts: list[int] = []
    final_pending = False
    for number, (offset, _) in enumerate(pieces):
        found, final_pending = _starts(next(docs), first=number == 0, final_pending=final_pending)
        starts.extend(offset + start for start in found)
    return starts


def block_runs(blocks: list[Segment]) -> Iterator[list[Segment]]:
    """Consecutive blocks in runs of about ``CHUNK_CHARS`` characters (a longer block alone)."""
    chunk: list[Segment] = []
    for block in blocks:
        if chunk and block.end - chunk[0].start > CHUNK_CHARS:
            yield chunk
            chunk = []
        chunk.append(block)
    if chunk:
        yield chunk


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
        right_trimmed = text[begin:end].rstrip()
        body = right_trimmed.lstrip()  # the same string when nothing is stripped: no copy
        if not body:
            continue
        start = begin + len(right_trimmed) - len(body)  # str.index(body) doubled the loop's time
        if "\n" in body and _PARAGRAPH_BREAK.search(body):
            for piece in _PIECE.finditer(body):
                rows.append((start + piece.start(), start + piece.end(), kind, number, speaker))
        else:
            rows.append((start, start + len(body), kind, number, speaker))
    return rows
