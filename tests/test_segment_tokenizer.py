"""The import's sentence splitting (the tokenizer with its word cache primed, the sentencizer's
rule over token arrays) against a separate, untouched spaCy pipeline (blank «nb» + the
``sentencizer`` component) on hostile texts: the same tokens and the same sentences."""

from __future__ import annotations

from functools import lru_cache
from unittest import mock

import pytest
import spacy
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coding.documents import Segment
from corpus.segment import _sentences_of, sentence_rows, tokenized

HOSTILE = [
    "",
    " ",
    "\n\n",
    "Uten punktum",
    "Det bor folk i. Neste setning starter her. Et. Og et.",
    "Vi så det f.eks. i Bergen, bl.a. hos NAV, dvs. i sentrum osv. Ferdig.",
    "Dr. Hansen kom kl. 12.30. Han gikk ca. 13. Nr. 5 er tom.",
    "Hm... Tja… Ja?! Nei!? «Sitat.» «Sitat». (Parentes.) [Klamme.] {Krøll.}",
    '"Hei," sa hun. "Hva nå?" \'Enkelt.\' Slutt.',
    "Emoji 😀. Flere 👍🏽👍🏽! Et hjerte <3 og :) og :-( . Slutt🙂",
    "Mellomrom\u00a0hardt.\u2003Em-rom.\u3000Ideografisk.\u2028Linje.\u205fSmalt. Ferdig",
    "Tall 3,5 og 12.5 og 1.000.000. Dato 17.05.2024. Prosent 50 %. Slutt.",
    "Nettsted www.nav.no. E-post kari@nav.no. Adresse https://nav.no/x?y=1. Nord-Norge.",
    "(i.) «i.» i.. et... (et.) i.i. et.et. I. ET. Et.",
    "。Kinesisk punktum。Og arabisk؟ Og hindi। Slutt",
    "Linje én\nLinje to.\n\nAvsnitt uten punktum\n\nTredje. ",
    "a. b. c. d. e. f. g. h. i. j. k. l. m. n. o. p. q. r. s. t. u. v. w. x. y. z.",
    "Svaret er: ja. Svaret er ; nei . Mellomrom før punktum . Og ?",
    "Tabulator\tinni.\tOg\t\tto. Vertikal\x0bfane.\x0cSkjema.",
    "ÆØÅ æøå. Ærlig talt? Øya! Åpent.",
    "Veldig-langt-ord-med-bindestreker-og-punktum. Ord/skråstrek. Ord—tankestrek–strek.",
]


@lru_cache(maxsize=1)
def fresh_pipeline():  # -> spacy.Language
    """spaCy as a user would run it, sharing nothing with the import's pipeline."""
    nlp = spacy.blank("nb")
    nlp.add_pipe("sentencizer")
    return nlp


def _tokens(doc) -> list[tuple[str, int, str]]:
    return [(token.text, token.idx, token.whitespace_) for token in doc]


def test_primed_tokenizer_gives_the_tokens_of_a_fresh_one() -> None:
    """Twice over: the second time every word is already in the cache."""
    texts = HOSTILE + HOSTILE[::-1] + [" ".join(HOSTILE)]
    fresh = fresh_pipeline().tokenizer
    ours = [_tokens(doc) for doc in tokenized(texts)]
    assert ours == [_tokens(fresh(text)) for text in texts]


def _expected_rows(text: str) -> list[tuple]:
    """Sentences of the whole text as one paragraph, cut where the sentencizer component of a
    fresh pipeline starts them."""
    if not text.strip():
        return []
    start = len(text) - len(text.lstrip())
    block = Segment(start, len(text.rstrip()), "paragraph", 0, None)
    starts = [sentence.start_char for sentence in fresh_pipeline()(text).sents]
    return _sentences_of(text, block, starts)


def _rows(text: str) -> list[tuple]:
    if not text.strip():
        return []
    start = len(text) - len(text.lstrip())
    block = Segment(start, len(text.rstrip()), "paragraph", 0, None)
    return next(sentence_rows([(text, [block])]))


@pytest.mark.parametrize("text", HOSTILE)
def test_sentences_equal_a_fresh_sentencizer(text: str) -> None:
    assert _rows(text) == _expected_rows(text)
    with mock.patch("corpus.segment.CHUNK_CHARS", 7):  # tokenized in pieces
        assert _rows(text) == _expected_rows(text)


PIECES = st.sampled_from(
    ["Hei", "bolig", "i", "et", "Et", "I", ".", "!", "?", "...", "…", ",", ":", ";", "«", "»",
     "(", ")", "[", "]", '"', "'", "-", "–", " ", " ", " ", "\n", "\n\n", "\t", "\u00a0",
     "\u2003", "\u3000", "f.eks.", "bl.a.", "Dr.", "kl.", "3,5", "12.5", "😀", "👍🏽", ":)",
     "www.nav.no", "。", "؟"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=50).map("".join), st.integers(3, 40))
@example("Det var i. Et. og et. (i.) Slutt", 5)
def test_random_hostile_texts_equal_a_fresh_sentencizer(text: str, chunk: int) -> None:
    expected = _expected_rows(text)
    assert _rows(text) == expected
    with mock.patch("corpus.segment.CHUNK_CHARS", chunk):
        assert _rows(text) == expected


def test_priming_stops_at_the_size_of_the_cache() -> None:
    """spaCy's cache holds ``max_cache_size`` words; priming more would only cost time."""
    from corpus.segment import _primed_words, sentence_pipeline

    tokenizer = sentence_pipeline().tokenizer
    size = tokenizer.max_cache_size
    primed = _primed_words(tokenizer)
    before = set(primed)
    words = [f"ord{n}" for n in range(50)]
    try:
        tokenizer.max_cache_size = len(primed) + 7
        docs = list(tokenized([" ".join(words[:25]), " ".join(words[25:])]))
        assert len(primed - before) == 7
        assert primed - before <= set(words)
    finally:
        tokenizer.max_cache_size = size
    assert [token.text for doc in docs for token in doc] == words


def test_long_words_are_not_primed() -> None:
    """A hostile «word» of megabytes would be tokenized twice and kept in the primed set."""
    from corpus.segment import MAX_PRIME_CHARS, _primed_words, sentence_pipeline

    long_word = "lang" * MAX_PRIME_CHARS
    short_word = "kort" + "x" * (MAX_PRIME_CHARS - 4)
    tokenizer = sentence_pipeline().tokenizer
    primed = _primed_words(tokenizer)
    size = tokenizer.max_cache_size
    try:
        tokenizer.max_cache_size = len(primed) + 10  # room, whatever ran before in this process
        docs = list(tokenized([f"{long_word} {short_word}"]))
    finally:
        tokenizer.max_cache_size = size
    assert long_word not in primed and short_word in primed
    assert [token.text for token in docs[0]] == [long_word, short_word]
