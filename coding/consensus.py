"""Disagreements between two coders, and settling them into the ``consensus`` coder.

A disagreement is a segment on which exactly one of two coders applied a code (the rule of
``coding.units``, so the review lists what the agreement figures count). The lead settles it by
accepting coder A's spans, B's, both, or neither; the choice becomes the ``consensus`` coder's
coding there, written with ``coding.operations.apply_coding`` and recorded in the audit trail
together with a ``consensus.settle`` event naming the lead and the choice.

What is written are the chosen coders' own codings of the code that overlap the segment (for
«both» their union), each kept inside the segment's turn (its block: a speaker turn, answer or
paragraph). So a span is never widened to the segment where a coder coded less, a coder who
coded nothing adds nothing, and a span that a coder dragged across a speaker label into the
interviewer's question stops at the answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from coding import journal
from coding.errors import CodingError
from coding.operations import apply_coding, remove_code
from coding.store import Project
from coding.units import segment_table

CONSENSUS = "consensus"
CHOICES = ("a", "b", "both", "neither")
SETTLE_ACTION = "consensus.settle"
_SUMMARY = re.compile(r"^code (\d+) document (\d+) \[(\d+):(\d+)\]: (a|b|both|neither) ")

Span = tuple[int, int]


@dataclass(frozen=True)
class Disagreement:
    code_id: int
    document_id: int
    document: str
    start: int  # the segment
    end: int
    coders: tuple[str, str]
    spans_a: tuple[Span, ...]  # coder A's codings of the code that overlap the segment
    spans_b: tuple[Span, ...]
    settled: str | None = None  # the choice, once settled


NOT_BY_DEFAULT = (CONSENSUS, "root")  # never in the default pair; the lead may choose them


@dataclass(frozen=True)
class CoderPair:
    a: str
    b: str
    shared: int  # documents both coders finished (done mark) or coded

    @property
    def label(self) -> str:
        return f"{self.a} vs {self.b}"


def coder_pairs(project: Project) -> list[CoderPair]:
    """Every pair of coders, most shared documents first, then most codings between them."""
    docs: dict[str, set[int]] = {}
    for name, doc in project.conn.execute(
        "SELECT c.name, s.document_id FROM document_status s JOIN coders c ON c.id = s.coder_id "
        "WHERE s.done = 1 UNION SELECT c.name, g.document_id FROM codings g "
        "JOIN coders c ON c.id = g.coder_id"
    ):
        docs.setdefault(name, set()).add(doc)
    codings = dict(
        project.conn.execute(
            "SELECT c.name, count(g.id) FROM coders c LEFT JOIN codings g ON g.coder_id = c.id "
            "GROUP BY c.id"
        ).fetchall()
    )
    names = sorted(codings)  # A comes first in the alphabet: the same pair reads the same
    pairs = [
        CoderPair(a, b, len(docs.get(a, set()) & docs.get(b, set())))
        for i, a in enumerate(names)
        for b in names[i + 1 :]
    ]
    return sorted(pairs, key=lambda p: (-p.shared, -(codings[p.a] + codings[p.b]), p.a, p.b))


def default_pair(project: Project) -> tuple[str, ...]:
    """The two coders to review when the lead has not chosen: the pair of human coders
    (not ``consensus`` or ``root``) with the most shared documents; empty when there is none."""
    for pair in coder_pairs(project):
        if pair.a not in NOT_BY_DEFAULT and pair.b not in NOT_BY_DEFAULT:
            return (pair.a, pair.b)
    return ()


def review_coders(project: Project) -> list[str]:
    """Coders other than ``consensus``, most codings first (the default pair to review)."""
    rows = project.conn.execute(
        "SELECT c.name FROM coders c LEFT JOIN codings g ON g.coder_id = c.id "
        "WHERE c.name != ? GROUP BY c.id ORDER BY count(g.id) DESC, c.name",
        (CONSENSUS,),
    ).fetchall()
    return [r[0] for r in rows]


def disagreements(
    project: Project, coders: Sequence[str], code_id: int, *, min_overlap: float = 0.0
) -> list[Disagreement]:
    """Segments where exactly one of the two coders applied the code, in document order."""
    pair = _pair(coders)
    coder_ids = [project.coder_id(name, create=False) for name in pair]
    table = segment_table(project, coder_ids, [code_id], min_overlap)
    both = table.eligible.all(axis=1)
    differ = both & (table.present[0, :, 0] != table.present[0, :, 1])
    settled = _settled(project, code_id)
    names = dict(project.conn.execute("SELECT id, name FROM documents").fetchall())
    found = []
    for i in np.nonzero(differ)[0]:
        doc, start, end = int(table.document_id[i]), int(table.start[i]), int(table.end[i])
        found.append(
            Disagreement(
                code_id,
                doc,
                names[doc],
                start,
                end,
                pair,
                _spans(project, doc, code_id, coder_ids[0], start, end),
                _spans(project, doc, code_id, coder_ids[1], start, end),
                settled.get((doc, start, end)),
            )
        )
    return found


def open_counts(
    project: Project, coders: Sequence[str], code_ids: Sequence[int], *, min_overlap: float = 0.0
) -> dict[int, tuple[int, int]]:
    """Per code: (open, settled) disagreements between the two coders."""
    pair = _pair(coders)
    coder_ids = [project.coder_id(name, create=False) for name in pair]
    table = segment_table(project, coder_ids, list(code_ids), min_overlap)
    both = table.eligible.all(axis=1)
    differ = both[None, :] & (table.present[:, :, 0] != table.present[:, :, 1])
    counts = {}
    for i, code_id in enumerate(code_ids):
        settled_keys = set(_settled(project, code_id))
        segments = zip(
            table.document_id[differ[i]].tolist(),
            table.start[differ[i]].tolist(),
            table.end[differ[i]].tolist(),
            strict=True,
        )
        tally = Counter(key in settled_keys for key in segments)
        counts[code_id] = (tally[False], tally[True])
    return counts


def settle(project: Project, disagreement: Disagreement, choice: str, lead: str) -> None:
    """Write the lead's choice as the consensus coder's coding of the segment, in one
    transaction: earlier consensus codings of the code on the segment are replaced."""
    if choice not in CHOICES:
        raise CodingError(f"choice must be one of {', '.join(CHOICES)}, not {choice!r}")
    d = disagreement
    chosen = {
        "a": d.spans_a,
        "b": d.spans_b,
        "both": d.spans_a + d.spans_b,
        "neither": (),
    }[choice]
    with project.transaction() as conn:
        remove_code(project, d.document_id, d.code_id, CONSENSUS, d.start, d.end)
        for start, end in settled_spans(chosen, _turn_of(project, d)):
            apply_coding(project, d.document_id, d.code_id, CONSENSUS, start, end)
        summary = (
            f"code {d.code_id} document {d.document_id} [{d.start}:{d.end}]: {choice} "
            f"({d.coders[0]} vs {d.coders[1]}), settled by {lead}"
        )
        journal.record(conn, project.coder_id(lead), SETTLE_ACTION, summary, [], undoable=False)


def settled_spans(spans: Sequence[Span], turn: Span) -> list[Span]:
    """The union of ``spans`` (the coders' own codings), each kept inside ``turn``."""
    clipped = sorted((max(s, turn[0]), min(e, turn[1])) for s, e in spans)
    union: list[Span] = []
    for start, end in clipped:
        if start >= end:
            continue
        if union and start <= union[-1][1]:
            union[-1] = (union[-1][0], max(union[-1][1], end))
        else:
            union.append((start, end))
    return union


def _turn_of(project: Project, d: Disagreement) -> Span:
    """The extent of the segment's block (its speaker turn, answer or paragraph): from its first
    segment's start to its last segment's end, so speaker labels between turns stay out."""
    row = project.conn.execute(
        'SELECT min(s.start), max(s."end") FROM segments s JOIN segments u '
        "ON u.document_id = s.document_id AND u.block = s.block "
        'WHERE u.document_id = ? AND u.start = ? AND u."end" = ?',
        (d.document_id, d.start, d.end),
    ).fetchone()
    return (row[0], row[1]) if row and row[0] is not None else (d.start, d.end)


def _pair(coders: Sequence[str]) -> tuple[str, str]:
    if len(coders) != 2 or coders[0] == coders[1]:
        raise CodingError("a review compares exactly two different coders")
    return coders[0], coders[1]


def _spans(
    project: Project, document_id: int, code_id: int, coder_id: int, start: int, end: int
) -> tuple[Span, ...]:
    rows = project.conn.execute(
        'SELECT start, "end" FROM codings WHERE document_id = ? AND code_id = ? AND coder_id = ? '
        'AND start < ? AND "end" > ? ORDER BY start',
        (document_id, code_id, coder_id, end, start),
    ).fetchall()
    return tuple((s, e) for s, e in rows)


def _settled(project: Project, code_id: int) -> dict[tuple[int, int, int], str]:
    """(document, start, end) -> latest choice, from the audit trail."""
    rows = project.conn.execute(
        "SELECT summary FROM events WHERE action = ? AND summary LIKE ? ORDER BY id",
        (SETTLE_ACTION, f"code {code_id} %"),
    ).fetchall()
    settled = {}
    for (summary,) in rows:
        match = _SUMMARY.match(summary)
        if match:
            _, doc, start, end, choice = match.groups()
            settled[(int(doc), int(start), int(end))] = choice
    return settled
