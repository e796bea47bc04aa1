"""Import speed: the whole ``import_files`` (read, decode, speaker turns, spaCy sentences, SQLite
with FTS5) against spaCy's own ``nlp.pipe`` over the same text in the same run."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.common import result
from benchmarks.reference import import_files_before
from coding.store import Project
from corpus.importer import ImportOptions, import_files
from corpus.segment import sentence_pipeline, sentence_rows
from corpus.transcripts import parse_transcript

VOCABULARY = (
    "vi har et brukerråd som møtes fire ganger i året og det fungerer godt men det mangler "
    "boliger for unge med rusproblemer kommunen samarbeider med NAV og spesialisthelsetjenesten "
    "om tidlig innsats ventetiden er lang i små kommuner i Nord-Norge tjenestene må være "
    "tilgjengelige og helhetlige brukerne skal ha innflytelse på eget tilbud lavterskeltilbud "
    "aktivitet arbeid fritid er viktig for en meningsfull hverdag ruskonsulenten jobber alene "
    "planen ga oss midler til nye stillinger oppfølgingsteam ble etablert i fjor"
)
WORDS = VOCABULARY.split()
SPEAKERS = ("Intervjuer", "Informant 1", "Informant 2")
WORDS_PER_FILE = 10_000
REPEAT = 3


def make_transcript(rng: random.Random, words: int) -> str:
    """A transcript of about ``words`` words: speaker turns of one to six sentences."""
    lines: list[str] = []
    count = 0
    turn = 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(1, 6)):
            length = rng.randint(5, 20)
            sentence = " ".join(rng.choice(WORDS) for _ in range(length))
            sentences.append(sentence[0].upper() + sentence[1:] + rng.choice(".?!."))
            count += length
        lines.append(f"{SPEAKERS[0] if turn % 2 == 0 else rng.choice(SPEAKERS[1:])}: ")
        lines[-1] += " ".join(sentences)
        turn += 1
    return "\n".join(lines) + "\n"


def write_corpus(folder: Path, total_words: int) -> list[Path]:
    rng = random.Random(2016)
    paths = []
    for number in range(total_words // WORDS_PER_FILE):
        path = folder / f"intervju-{number:04d}.txt"
        path.write_text(make_transcript(rng, WORDS_PER_FILE), encoding="utf-8")
        paths.append(path)
    return paths


def spacy_pipeline():  # -> spacy.Language
    """spaCy as a user would run it: blank «nb» + ``sentencizer``, a pipeline of its own. Not
    ``sentence_pipeline()``: the import fills that tokenizer's word cache (``tokenized``), and
    the baseline would time spaCy plus our priming."""
    import spacy

    nlp = spacy.blank("nb")
    nlp.add_pipe("sentencizer")
    return nlp


def spacy_seconds(nlp, texts: list[str]) -> float:
    """spaCy's own pipeline (tokenizer + sentencizer component) over the texts."""
    started = time.perf_counter()
    for doc in nlp.pipe(texts, batch_size=64):
        for _ in doc.sents:
            pass
    return time.perf_counter() - started


def splitter_seconds(texts: list[str]) -> float:
    """Our segmentation step alone: spaCy's tokenizer (its word cache primed, ``tokenized``) +
    the sentencizer rule over token arrays, turns cut into sentence rows."""
    pairs = [(text, parse_transcript(text).blocks) for text in texts]
    started = time.perf_counter()
    for _ in sentence_rows(pairs):
        pass
    return time.perf_counter() - started


def run(quick: bool) -> list[dict]:
    total = 200_000 if quick else 2_000_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_corpus(folder, total)
        texts = [p.read_text(encoding="utf-8") for p in paths]
        words = sum(len(text.split()) for text in texts)
        nlp = spacy_pipeline()  # load spaCy before timing any side
        sentence_pipeline()
        # Alternate the sides and keep the best of each: other work on the machine disturbs
        # single runs.
        spacy, splitter, imports, before = [], [], [], []
        for attempt in range(REPEAT):
            spacy.append(spacy_seconds(nlp, texts))
            splitter.append(splitter_seconds(texts))
            with Project.create(folder / f"bench-{attempt}.kodeverk") as project:
                imports.append(import_files(project, paths, ImportOptions()))
            with Project.create(folder / f"before-{attempt}.kodeverk") as project:
                before.append(import_files_before(project, paths, ImportOptions()))
        summary = min(imports, key=lambda s: s.seconds)
        old = min(before, key=lambda s: s.seconds)
    baseline = words / min(spacy)
    rate = summary.words / summary.seconds
    split_rate = words / min(splitter)
    spacy_name = "spaCy nlp.pipe (blank nb + sentencizer) over the same text"
    return [
        result(
            "import_words_per_second",
            rate,
            "words/s",
            baseline,
            baseline_name=spacy_name,
            target=">= 0.8 x spaCy",
            passed=rate >= 0.8 * baseline,
            note=f"whole import_files: {summary.words:,} words, {summary.documents} files, "
            f"{summary.segments:,} segments, FTS5 index, in {summary.seconds:.2f} s",
            higher_is_better=True,
        ),
        result(
            "import_before_words_per_second",
            old.words / old.seconds,
            "words/s",
            baseline,
            baseline_name=spacy_name,
            note="the import before issue 13's speed-up (benchmarks/reference.py), same run",
            higher_is_better=True,
        ),
        result(
            "import_sentence_split_words_per_second",
            split_rate,
            "words/s",
            baseline,
            baseline_name=spacy_name,
            note="segmentation step alone (tokenizer, its word cache primed, + sentencizer rule on "
            "token arrays)",
            higher_is_better=True,
        ),
    ]
