"""Import speed: the whole ``import_files`` (read, decode, speaker turns, spaCy sentences, SQLite
with FTS5) against spaCy's own ``nlp.pipe`` over the same text in the same run."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.common import result
from coding.store import Project
from corpus.importer import ImportOptions, import_files
from corpus.segment import sentence_pipeline

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


def spacy_words_per_second(texts: list[str]) -> float:
    nlp = sentence_pipeline()
    started = time.perf_counter()
    words = sum(len(doc) for doc in nlp.pipe(texts, batch_size=64))
    del words
    return sum(len(t.split()) for t in texts) / (time.perf_counter() - started)


def run(quick: bool) -> list[dict]:
    total = 200_000 if quick else 2_000_000
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        paths = write_corpus(folder, total)
        texts = [p.read_text(encoding="utf-8") for p in paths]
        sentence_pipeline()  # load spaCy before timing either side
        # Alternate the two sides and keep the best of each: other work on the machine
        # disturbs single runs.
        baselines, summaries = [], []
        for attempt in range(REPEAT):
            baselines.append(spacy_words_per_second(texts))
            with Project.create(folder / f"bench-{attempt}.kodeverk") as project:
                summaries.append(import_files(project, paths, ImportOptions()))
        baseline = max(baselines)
        summary = min(summaries, key=lambda s: s.seconds)
        rate = summary.words / summary.seconds
    return [
        result(
            "import_words_per_second",
            rate,
            "words/s",
            baseline,
            baseline_name="spaCy nlp.pipe (blank nb + sentencizer) over the same text",
            target=">= 0.7 x spaCy",
            passed=rate >= 0.7 * baseline,
            note=f"{summary.words:,} words, {summary.documents} files, "
            f"{summary.segments:,} segments in {summary.seconds:.2f} s",
            higher_is_better=True,
        )
    ]
