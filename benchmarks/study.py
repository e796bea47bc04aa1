"""A generated study the size of a real one, the same every time (seeded): the project every
benchmark of issue 13 works on, and (at a small ``scale``) the project some tests work on.

At ``scale=1``: 400 municipalities (``size_class``, ``region``), a survey of 6 400 answers to
3 open questions (answers split into sentence segments, as the importer does), 40 interviews of
15 000 words in speaker turns, the bundled codebook, three coders with about 20 000 codings
each (interview sentences and whole survey answers; the coders agree on most), every document
marked done by every coder, and an audit trail like the app leaves: one event per coding, undo
pairs, done marks (about 80 000 events).

Documents, cases and codings are written with ``executemany`` into the real schema (triggers
and indexes included), with GUIDs from the seeded generator and timestamps counting from a
fixed start; the codebook goes in through ``install_codebook``. ``write_sources`` writes the
same material as files (survey CSV, interview texts) for benchmarks of the import itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from codebooks.bundled import bundled_codebook
from codebooks.install import install_codebook
from coding.store import Project, insert_rows

SEED = 13
CODERS = ("anna", "bjørn", "cato")
SIZES = ("liten", "mellomstor", "stor", "storby")
REGIONS = ("Nord-Norge", "Midt-Norge", "Vestlandet", "Østlandet", "Sørlandet")
QUESTIONS = (
    "Hva er de viktigste utfordringene i rusarbeidet?",
    "Hvordan involveres brukerne?",
    "Hva trenger kommunen mest?",
)
START = dt.datetime(2026, 9, 1, 8, 0, tzinfo=dt.UTC)

# Sentences of the kind the material holds; recombined with a few varying words.
SENTENCES = (
    "Vi mangler egnede boliger for personer med rusproblemer",
    "Brukerrådet møtes fire ganger i året og blir hørt i planarbeidet",
    "Ventetiden for behandling er fortsatt for lang",
    "Det er vanskelig å rekruttere fagfolk i en liten kommune",
    "Samarbeidet med NAV og fastlegene fungerer stort sett godt",
    "Lavterskeltilbudet er viktig for dem som ikke er klare for behandling",
    "Vi har fått midler til to nye stillinger i oppfølgingstjenesten",
    "Pårørende etterspør mer informasjon og bedre støtte",
    "Ettervernet etter institusjonsopphold er for dårlig koordinert",
    "Skolene melder om mer bruk av cannabis blant ungdom",
    "Kommunen har ansatt en egen erfaringskonsulent",
    "Det tar for lang tid før brukerne får en individuell plan",
    "Helsestasjonen for ungdom gjør et viktig forebyggende arbeid",
    "Vi samarbeider med spesialisthelsetjenesten om felles innleggelser",
    "Husbanken har vært en god støtte i boligarbeidet",
)
FILLERS = ("nok", "faktisk", "egentlig", "særlig", "også", "jo", "dessverre", "heldigvis")


@dataclass(frozen=True)
class StudySize:
    cases: int
    answers: int
    interviews: int
    words_per_interview: int
    codings_per_coder: int

    @classmethod
    def at(cls, scale: float = 1.0) -> StudySize:
        """The study of issue 13 times ``scale`` (interviews keep their length; their number
        scales, at least one)."""
        return cls(
            cases=max(3, round(400 * scale)),
            answers=max(3, round(6400 * scale)),
            interviews=max(1, round(40 * scale)),
            words_per_interview=15_000,
            codings_per_coder=max(10, round(20_000 * scale)),
        )


@dataclass
class _Doc:
    name: str
    kind: str
    text: str
    case: int
    segments: list[tuple[int, int, str, int, str | None]]  # start, end, kind, block, speaker
    meta: dict


class _Ids:
    """Deterministic GUIDs and timestamps."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tick = 0

    def guid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def stamp(self) -> str:
        self.tick += 1
        return (START + dt.timedelta(milliseconds=250 * self.tick)).isoformat(
            timespec="microseconds"
        )


def _sentence(rng: random.Random) -> str:
    words = rng.choice(SENTENCES).split()
    words.insert(rng.randrange(1, len(words)), rng.choice(FILLERS))
    return " ".join(words) + rng.choice(".....?!")


def _interview(rng: random.Random, words: int) -> tuple[str, list]:
    """Speaker turns «Intervjuer: …» / «Informant 1: …», one segment per sentence."""
    parts: list[str] = []
    segments: list[tuple[int, int, str, int, str | None]] = []
    offset, count, block = 0, 0, 0
    while count < words:
        speaker = "Intervjuer" if block % 2 == 0 else "Informant 1"
        prefix = f"{speaker}: "
        parts.append(prefix)
        offset += len(prefix)
        for number in range(1 if block % 2 == 0 else rng.randint(2, 6)):
            if number:
                parts.append(" ")
                offset += 1
            sentence = _sentence(rng)
            segments.append((offset, offset + len(sentence), "turn", block, speaker))
            parts.append(sentence)
            offset += len(sentence)
            count += len(sentence.split())
        parts.append("\n")
        offset += 1
        block += 1
    return "".join(parts), segments


def _answer(rng: random.Random) -> tuple[str, list]:
    sentences = [_sentence(rng) for _ in range(rng.choice((1, 2, 2, 3, 3, 4)))]
    text, segments, offset = " ".join(sentences), [], 0
    for sentence in sentences:
        segments.append((offset, offset + len(sentence), "answer", 0, None))
        offset += len(sentence) + 1
    return text, segments


def _material(size: StudySize, rng: random.Random) -> tuple[list[tuple[str, str, str]], list]:
    """Cases (name, size class, region) and documents: survey answers first, then interviews."""
    cases = [
        (f"Kommune {i:03d}", rng.choice(SIZES), rng.choice(REGIONS))
        for i in range(1, size.cases + 1)
    ]
    docs: list[_Doc] = []
    for i in range(size.answers):
        respondent, question = divmod(i, len(QUESTIONS))
        case = respondent % size.cases
        text, segments = _answer(rng)
        name = f"undersokelse.csv · {cases[case][0]} · {QUESTIONS[question]}"
        if respondent >= size.cases:  # several respondents for one case, as the importer names
            name += f" · row {respondent + 2}"
        meta = {"question": QUESTIONS[question], "row": respondent + 2}
        docs.append(_Doc(name, "survey", text, case, segments, meta))
    for i in range(size.interviews):
        text, segments = _interview(rng, size.words_per_interview)
        case = (i * 10) % size.cases
        docs.append(_Doc(f"intervju_{i + 1:02d}.txt", "interview", text, case, segments, {}))
    return cases, docs


def build_study(path: str | Path, scale: float = 1.0) -> StudySize:
    """Write the study as a new project file at ``path``; the same bytes of content for the
    same ``scale`` every time."""
    size = StudySize.at(scale)
    rng = random.Random(SEED)
    ids = _Ids(rng)
    cases, docs = _material(size, rng)
    project = Project.create(path, name="studie")
    try:
        install_codebook(project, bundled_codebook())
        with project.transaction() as conn:
            _write_material(conn, ids, cases, docs)
            coder_ids = _write_coders(conn, ids)
            _write_codings(conn, ids, rng, size, docs, coder_ids)
        conn.execute("ANALYZE")
    finally:
        project.close()
    return size


def _write_material(conn, ids: _Ids, cases: list, docs: list[_Doc]) -> None:
    conn.execute(
        "INSERT INTO imports(id, sha256, file_name, source_path, format, imported_at) "
        "VALUES (1, 'study', 'undersokelse.csv', 'undersokelse.csv', 'csv', ?)",
        (ids.stamp(),),
    )
    conn.executemany(
        "INSERT INTO cases(id, guid, name, created_at) VALUES (?, ?, ?, ?)",
        [(i, ids.guid(), name, ids.stamp()) for i, (name, _, _) in enumerate(cases, 1)],
    )
    conn.executemany(
        "INSERT INTO case_attributes(case_id, name, value) VALUES (?, ?, ?)",
        [(i, "size_class", c[1]) for i, c in enumerate(cases, 1)]
        + [(i, "region", c[2]) for i, c in enumerate(cases, 1)],
    )
    stamp = ids.stamp()
    conn.executemany(
        "INSERT INTO documents(id, guid, name, kind, text, length, sha256, case_id, import_id, "
        "source_meta, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)",
        [
            (
                i,
                ids.guid(),
                d.name,
                d.kind,
                d.text,
                len(d.text),
                _sha(d.text),
                d.case + 1,
                json.dumps(d.meta, ensure_ascii=False),
                stamp,
            )
            for i, d in enumerate(docs, 1)
        ],
    )
    conn.executemany(
        'INSERT INTO segments(document_id, ordinal, start, "end", kind, block, speaker) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(i, n, *seg) for i, d in enumerate(docs, 1) for n, seg in enumerate(d.segments)],
    )
    _event(conn, ids, None, "import", f"imported {len(docs)} documents from undersokelse.csv", [])


def _write_coders(conn, ids: _Ids) -> dict[str, int]:
    rows = [(i, ids.guid(), name, ids.stamp()) for i, name in enumerate(CODERS, 1)]
    conn.executemany("INSERT INTO coders(id, guid, name, created_at) VALUES (?, ?, ?, ?)", rows)
    return {name: i for i, _, name, _ in rows}


def _units(rng: random.Random, size: StudySize, docs: list[_Doc]) -> list[tuple[int, int, int]]:
    """What gets coded: (document id, start, end) of interview sentences and whole answers,
    about 1.2× the codings per coder, in document order."""
    surveys = [(i, 0, len(d.text)) for i, d in enumerate(docs, 1) if d.kind == "survey"]
    sentences = [
        (i, s[0], s[1])
        for i, d in enumerate(docs, 1)
        if d.kind == "interview"
        for s in d.segments
        if s[4] != "Intervjuer"
    ]
    wanted = round(size.codings_per_coder * 1.2)
    from_surveys = min(len(surveys), wanted // 3)
    chosen = rng.sample(surveys, from_surveys)
    chosen += rng.sample(sentences, min(len(sentences), wanted - from_surveys))
    return sorted(chosen)


def _write_codings(conn, ids: _Ids, rng, size: StudySize, docs: list[_Doc], coders: dict) -> None:
    """Each coder codes most units with the unit's own code, sometimes another or none; every
    coding is an ``coding.apply`` event, every 40th is applied, undone and applied again
    (an undone event and its undo), and every coder marks every document done."""
    code_ids = [r[0] for r in conn.execute("SELECT id FROM codes WHERE parent_id IS NOT NULL")]
    units = _units(rng, size, docs)
    truth = [rng.choice(code_ids) for _ in units]
    case_of = {i: d.case + 1 for i, d in enumerate(docs, 1)}
    codings, events = [], []
    coding_id = 0
    keep = size.codings_per_coder / len(units)
    for coder_id in coders.values():
        seen = set()
        for (doc, start, end), code in zip(units, truth, strict=True):
            if rng.random() > keep:
                continue
            if rng.random() < 0.15:
                code = rng.choice(code_ids)
            if (doc, code, start) in seen:
                continue
            seen.add((doc, code, start))
            coding_id += 1
            stamp = ids.stamp()
            row = {"id": coding_id, "guid": ids.guid(), "document_id": doc, "code_id": code,
                   "coder_id": coder_id, "case_id": case_of[doc], "start": start, "end": end,
                   "created_at": stamp}  # fmt: skip
            codings.append(tuple(row.values()))
            summary = f"code {code} on {docs[doc - 1].name} [{start}:{end}]"
            change = [{"table": "codings", "before": None, "after": row}]
            events.append([coder_id, "coding.apply", summary, change, 1, "done", None, stamp])
            if coding_id % 40 == 0:
                _undo_pair(events, coder_id, summary, change, stamp)
    columns = ("id", "guid", "document_id", "code_id", "coder_id", "case_id", "start", "end")
    insert_rows(conn, "codings", (*columns, "created_at"), codings)  # the count triggers fire
    for coder_id in coders.values():
        for doc in range(1, len(docs) + 1):
            stamp = ids.stamp()
            row = {"document_id": doc, "coder_id": coder_id, "done": 1, "updated_at": stamp}
            conn.execute("INSERT INTO document_status VALUES (?, ?, 1, ?)", (doc, coder_id, stamp))
            change = [{"table": "document_status", "before": None, "after": row}]
            events.append([coder_id, "document.done", docs[doc - 1].name, change, 1, "done", None,
                           stamp])  # fmt: skip
    _write_events(conn, ids, events)


def _undo_pair(events: list, coder_id: int, summary: str, change: list, stamp: str) -> None:
    """Before the last event: the same coding applied, then undone (marked by a negative
    placeholder resolved to the undo event's id when written)."""
    inverse = [{"table": "codings", "before": change[0]["after"], "after": None}]
    applied = [coder_id, "coding.apply", summary, change, 1, "undone", -1, stamp]
    undo = [coder_id, "undo", f"undo coding.apply ({summary})", inverse, 0, "done", None, stamp]
    events[-1:-1] = [applied, undo]


def _write_events(conn, ids: _Ids, events: list) -> None:
    first = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM events").fetchone()[0]
    rows, undone = [], []
    for number, (coder_id, action, summary, changes, undoable, state, undone_by, at) in enumerate(
        events, first
    ):
        if undone_by == -1:
            undone.append((number + 1, number))  # undone by the undo right after it
        rows.append((number, ids.guid(), at, coder_id, action, summary,
                     json.dumps(changes, ensure_ascii=False), undoable, state))  # fmt: skip
    conn.executemany(
        "INSERT INTO events(id, guid, at, coder_id, action, summary, changes, undoable, state) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.executemany("UPDATE events SET undone_by = ? WHERE id = ?", undone)


def _event(conn, ids: _Ids, coder_id, action: str, summary: str, changes: list) -> None:
    conn.execute(
        "INSERT INTO events(guid, at, coder_id, action, summary, changes, undoable) "
        "VALUES (?, ?, ?, ?, ?, ?, 0)",
        (ids.guid(), ids.stamp(), coder_id, action, summary, json.dumps(changes)),
    )


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- the same material as files, for benchmarks of importing it --------------------------------
def write_sources(folder: str | Path, scale: float = 1.0) -> tuple[Path, list[Path]]:
    """The survey as a CSV (one row per respondent, a column per question, the municipality
    and its attributes) and the interviews as text files; returns (survey, interviews)."""
    folder = Path(folder)
    size = StudySize.at(scale)
    cases, docs = _material(size, random.Random(SEED))
    survey = folder / "undersokelse.csv"
    with survey.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["kommune", "size_class", "region", *QUESTIONS])
        for row in _survey_rows(cases, [d for d in docs if d.kind == "survey"]):
            writer.writerow(row)
    interviews = []
    for d in docs:
        if d.kind == "interview":
            path = folder / d.name
            path.write_text(d.text, encoding="utf-8")
            interviews.append(path)
    return survey, interviews


def _survey_rows(cases: list, answers: list[_Doc]) -> Iterator[list[str]]:
    for first in range(0, len(answers), len(QUESTIONS)):
        group = answers[first : first + len(QUESTIONS)]
        name, size_class, region = cases[group[0].case]
        texts = [d.text for d in group] + [""] * (len(QUESTIONS) - len(group))
        yield [name, size_class, region, *texts]


def codings_table(project: Project, path: str | Path, *, coders: tuple[str, ...] = CODERS) -> int:
    """Write the codings of ``coders`` as a codings CSV (``kodeverk codings export`` format),
    for re-importing into a project with the same documents; returns the number of rows."""
    from exports.codings_csv import export_codings_csv

    count = export_codings_csv(project, Path(path))
    if set(coders) == set(CODERS):
        return count
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    kept = [rows[0]] + [r for r in rows[1:] if r[3] in coders]
    with Path(path).open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerows(kept)
    return len(kept) - 1
