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
from collections.abc import Callable, Iterable, Mapping, Sequence
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
Choices = dict[tuple[int, int, int], str]  # (document, start, end) -> the settled choice


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
    return ranked_pairs(codings, lambda a, b: len(docs.get(a, set()) & docs.get(b, set())))


def ranked_pairs(codings: Mapping[str, int], shared: Callable[[str, str], int]) -> list[CoderPair]:
    """Every pair of the coders in ``codings`` (name -> how many codings they made), with
    ``shared(a, b)`` documents: most shared documents first, then most codings between them."""
    names = sorted(codings)  # A comes first in the alphabet: the same pair reads the same
    pairs = [CoderPair(a, b, shared(a, b)) for i, a in enumerate(names) for b in names[i + 1 :]]
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
    """Where exactly one of the two coders applied the code, in document order: one row per
    disagreement, so neighbouring segments that one coding covers (a whole survey answer of
    several sentences) are one disagreement spanning them, not one per sentence."""
    return all_disagreements(project, coders, [code_id], min_overlap=min_overlap)[code_id]


def all_disagreements(
    project: Project, coders: Sequence[str], code_ids: Sequence[int], *, min_overlap: float = 0.0
) -> dict[int, list[Disagreement]]:
    """Per code, ``disagreements`` of every code in ``code_ids``, read in one pass."""
    read = ReviewRead(project, coders, code_ids, min_overlap=min_overlap)
    return {code_id: read.disagreements(code_id) for code_id in code_ids}


class ReviewRead:
    """The review's read model: every code's disagreements between two coders, read in one
    pass (one segment table, one read each of the codings, the settled choices and the document
    names), so opening a code is a look-up. A code's rows (with each coder's spans) are made
    the first time it is opened, and are the list the review updates as it settles them."""

    def __init__(
        self,
        project: Project,
        coders: Sequence[str],
        code_ids: Sequence[int],
        *,
        min_overlap: float = 0.0,
    ) -> None:
        self.pair = review_pair(coders)
        coder_ids = [project.coder_id(name, create=False) for name in self.pair]
        self._spans = _codings_by_code(project, list(code_ids), coder_ids)
        self._groups = _groups(project, coder_ids, list(code_ids), min_overlap, self._spans)
        self._settled = settled_choices(project)
        wanted = {g.document_id for found in self._groups.values() for g in found}
        self._names = _document_names(project, wanted)
        self._made: dict[int, list[Disagreement]] = {}

    def disagreements(self, code_id: int) -> list[Disagreement]:
        if code_id not in self._made:
            self._made[code_id] = [self._row(code_id, g) for g in self._groups.get(code_id, [])]
        return self._made[code_id]

    def counts(self, code_id: int) -> tuple[int, int]:
        """(open, settled), as ``open_counts`` counts them."""
        if code_id in self._made:
            return count_open(self._made[code_id])
        choices = self._settled.get(code_id, {})
        groups = self._groups.get(code_id, [])
        settled = sum(g.settled(choices) is not None for g in groups)
        return len(groups) - settled, settled

    def _row(self, code_id: int, g: _Group) -> Disagreement:
        spans = self._spans[code_id]
        return Disagreement(
            code_id,
            g.document_id,
            self._names[g.document_id],
            g.start,
            g.end,
            self.pair,
            overlapping_spans(spans.get((g.document_id, 0), ()), g.start, g.end),
            overlapping_spans(spans.get((g.document_id, 1), ()), g.start, g.end),
            g.settled(self._settled.get(code_id, {})),
        )


def open_counts(
    project: Project, coders: Sequence[str], code_ids: Sequence[int], *, min_overlap: float = 0.0
) -> dict[int, tuple[int, int]]:
    """Per code: (open, settled) disagreements between the two coders, counted as
    ``disagreements`` lists them."""
    pair = review_pair(coders)
    coder_ids = [project.coder_id(name, create=False) for name in pair]
    spans = _codings_by_code(project, list(code_ids), coder_ids)
    groups = _groups(project, coder_ids, list(code_ids), min_overlap, spans)
    settled = settled_choices(project)
    counts = {}
    for code_id in code_ids:
        choices = settled.get(code_id, {})
        tally = Counter(g.settled(choices) is not None for g in groups[code_id])
        counts[code_id] = (tally[False], tally[True])
    return counts


def count_open(items: Sequence[Disagreement]) -> tuple[int, int]:
    """(open, settled) among ``items`` (as ``open_counts`` counts them)."""
    settled = sum(item.settled is not None for item in items)
    return len(items) - settled, settled


@dataclass
class _Group:
    """Neighbouring segments of one document where the same coder alone applied the code, and
    one of that coder's codings runs from each into the next."""

    document_id: int
    start: int
    end: int
    coder: int  # 0: only A applied the code, 1: only B
    segments: list[tuple[int, int]]

    def settled(self, choices: Choices) -> str | None:
        return run_choice(choices, self.document_id, (self.start, self.end), self.segments)


def run_choice(
    choices: Choices, document_id: int, span: Span, segments: Iterable[Span]
) -> str | None:
    """The choice settled for a disagreement's ``span`` (a run of ``segments``); or, when it was
    settled segment by segment before disagreements were grouped, the choice every segment got."""
    found = choices.get((document_id, *span))
    if found:
        return found
    each = {choices.get((document_id, s, e)) for s, e in segments}
    return each.pop() if len(each) == 1 else None


_Spans = dict[tuple[int, int], list[Span]]  # (document, 0 for A or 1 for B) -> spans, in order


def _groups(
    project: Project,
    coder_ids: list[int],
    code_ids: list[int],
    min_overlap: float,
    spans: dict[int, _Spans],
) -> dict[int, list[_Group]]:
    """Per code, the disagreements as groups of segments (one segment table for all codes)."""
    table = segment_table(project, coder_ids, code_ids, min_overlap)
    both = np.asarray(table.eligible.all(axis=1))
    differ = both[None, :] & (table.present[:, :, 0] != table.present[:, :, 1])
    found: dict[int, list[_Group]] = {}
    for i, code_id in enumerate(code_ids):
        rows = np.nonzero(differ[i])[0]
        found[code_id] = _join(
            rows.tolist(),
            table.document_id[rows].tolist(),
            table.start[rows].tolist(),
            table.end[rows].tolist(),
            (~table.present[i, rows, 0]).astype(int).tolist(),  # 0 when A has it, else 1
            table.block[rows].tolist(),
            spans[code_id],
        )
    return found


def _join(
    rows: list[int],
    docs: list[int],
    starts: list[int],
    ends: list[int],
    who: list[int],
    blocks: list[int],
    codings: _Spans,
) -> list[_Group]:
    """Runs of neighbouring rows of one document and block (never across a speaker turn) that
    one of the same coder's codings runs through."""
    groups: list[_Group] = []
    previous = None
    last_block = None
    for row, doc, start, end, coder, block in zip(
        rows, docs, starts, ends, who, blocks, strict=True
    ):
        last = groups[-1] if groups else None
        if (
            last is not None
            and previous == row - 1
            and (last.document_id, last.coder, last_block) == (doc, coder, block)
            and any(s < last.end and e > start for s, e in codings.get((doc, coder), ()))
        ):
            last.end = end
            last.segments.append((start, end))
        else:
            groups.append(_Group(doc, start, end, coder, [(start, end)]))
        previous = row
        last_block = block
    return groups


def _codings_by_code(
    project: Project, code_ids: list[int], coder_ids: list[int]
) -> dict[int, _Spans]:
    """Per code: (document, 0 for A or 1 for B) -> the coder's spans of the code there, in
    order (one query for every code)."""
    found: dict[int, _Spans] = {code_id: {} for code_id in code_ids}
    column = {c: j for j, c in enumerate(coder_ids)}
    for code, doc, coder, start, end in project.conn.execute(
        'SELECT code_id, document_id, coder_id, start, "end" FROM codings '
        'WHERE coder_id IN (?, ?) ORDER BY document_id, start, "end"',
        coder_ids,
    ):
        if code in found:
            found[code].setdefault((doc, column[coder]), []).append((start, end))
    return found


def _document_names(project: Project, document_ids: set[int]) -> dict[int, str]:
    if not document_ids:
        return {}
    rows = project.conn.execute("SELECT id, name FROM documents").fetchall()
    return {doc: name for doc, name in rows if doc in document_ids}


def overlapping_spans(spans: Iterable[Span], start: int, end: int) -> tuple[Span, ...]:
    """The ``spans`` that overlap ``start``–``end`` by at least one character, in order."""
    return tuple((s, e) for s, e in spans if s < end and e > start)


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


def review_pair(coders: Sequence[str]) -> tuple[str, str]:
    """``coders`` as the pair a review compares; refused unless they are two different names."""
    if len(coders) != 2 or coders[0] == coders[1]:
        raise CodingError("a review compares exactly two different coders")
    return coders[0], coders[1]


def settled_choices(project: Project) -> dict[int, Choices]:
    """Per code: (document, start, end) -> latest choice, from the audit trail (one pass over
    it for all codes)."""
    rows = project.conn.execute(
        "SELECT summary FROM events WHERE action = ? ORDER BY id", (SETTLE_ACTION,)
    ).fetchall()
    settled: dict[int, Choices] = {}
    for (summary,) in rows:
        match = _SUMMARY.match(summary)
        if match:
            code, doc, start, end, choice = match.groups()
            settled.setdefault(int(code), {})[(int(doc), int(start), int(end))] = choice
    return settled
