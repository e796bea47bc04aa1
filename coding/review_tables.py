"""The review's tables (issue 14): what comparing any two coders needs, read once per review and
kept while nothing it depends on was written. Switching the compared pair then computes on
arrays instead of reading the project again, and a pair seen before is a look-up.

Parts, each kept under its key from ``Project.review_writes`` (taken on the app's connection;
any other connection's commit changes every key):

- material: documents (ids, lengths, names), segments and the code paths (documents, codes);
- the done marks (document_status), the settled choices (events), the coders (coders);
- per coder: their codings and the (code, segment) pairs those touch (that coder's codings).

A pair's figures and disagreements are kept under the keys of the parts they came from; the
settled choices are applied when the pair is shown. The figures are what ``agreement_report``
gives with its defaults, the disagreements what ``coding.consensus.disagreements`` lists, by
the same rules (``tests/test_review_pairs.py`` compares them on every switch).

A key is taken before the read starts, so a part read after another connection committed is
kept under the older key and read again at the next switch: never older than its key says.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, NamedTuple, TypeVar

import numpy as np

from coding.codes import code_paths
from coding.consensus import (
    Choices,
    CoderPair,
    Disagreement,
    ReviewRead,
    count_open,
    overlapping_spans,
    ranked_pairs,
    review_pair,
    run_choice,
    settled_choices,
)
from coding.reliability import AgreementReport, agreement_report, segment_report
from coding.store import Project, ReviewWrites
from coding.units import (
    Codings,
    decode_units,
    distinct,
    document_coverage,
    int_rows,
    overlapping_segments,
    pattern_counts,
)

TableKey = tuple[int, ...]  # ``ReviewWrites.table``
CoderKey = tuple[TableKey, tuple[int, int]]  # the material's key, ``ReviewWrites.coder``
K = TypeVar("K")
T = TypeVar("T")


@dataclass(frozen=True)
class _Part(Generic[K, T]):
    """A part of the tables and the key it was read under (None: read without keys, so never
    taken as current)."""

    key: K | None
    value: T

    def current(self, key: K | None) -> bool:
        """Whether a read under ``key`` (taken now) would give this part again."""
        return key is not None and self.key == key


def _kept_or_read(kept: _Part[K, T] | None, key: K | None, read: Callable[[], T]) -> _Part[K, T]:
    return kept if kept is not None and kept.current(key) else _Part(key, read())


@dataclass(frozen=True)
class _Material:
    doc_ids: np.ndarray  # sorted
    lengths: np.ndarray
    base: np.ndarray  # each document's offset on the line (documents laid end to end)
    names: dict[int, str]
    seg_doc: np.ndarray  # document id of each segment, in document and segment order
    seg_doc_index: np.ndarray  # its index in doc_ids
    seg_start: np.ndarray  # offsets in the document
    seg_end: np.ndarray
    seg_block: np.ndarray
    paths: dict[int, str]
    codes: list[int]  # the report's codes, in code_paths order

    @property
    def big(self) -> int:
        """More than any offset in a document."""
        return int(self.lengths.max(initial=0)) + 1

    @property
    def n_segs(self) -> int:
        """The factor of a (code index, segment) pair's number: code index × n_segs + segment."""
        return max(len(self.seg_start), 1)

    @classmethod
    def read(cls, project: Project) -> _Material:
        docs = project.conn.execute("SELECT id, length, name FROM documents ORDER BY id").fetchall()
        doc_ids = np.array([d[0] for d in docs], dtype=np.int64)
        lengths = np.array([d[1] for d in docs], dtype=np.int64)
        segs = int_rows(
            project.conn.execute(
                'SELECT document_id, start, "end", block FROM segments '
                "ORDER BY document_id, ordinal"
            ),
            4,
        )
        paths = code_paths(project)
        return cls(
            doc_ids,
            lengths,
            np.concatenate(([0], np.cumsum(lengths))).astype(np.int64),
            {d[0]: d[2] for d in docs},
            segs[:, 0],
            np.searchsorted(doc_ids, segs[:, 0]),
            segs[:, 1],
            segs[:, 2],
            segs[:, 3],
            paths,
            list(paths),
        )

    def code_index(self, code_ids: np.ndarray) -> np.ndarray:
        """Each code id's index into ``codes``; -1 for a code not in the report."""
        lookup = np.full(max(self.codes, default=0) + 1, -1, dtype=np.int64)
        lookup[self.codes] = np.arange(len(self.codes))
        known = (code_ids >= 0) & (code_ids < len(lookup))
        return np.where(known, lookup[np.where(known, code_ids, 0)], -1)

    def outside(self, doc: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
        """Which spans lie outside their document (or name none): the rule by which
        ``coding.units`` refuses a damaged file."""
        ids = np.append(self.doc_ids, -1)  # -1: past the end, for ids of no document
        lengths = np.append(self.lengths, 0)
        at = np.searchsorted(self.doc_ids, doc)
        return (ids[at] != doc) | (start < 0) | (start >= end) | (end > lengths[at])


@dataclass(frozen=True)
class _Coder:
    """One coder's codings of the report's codes, sorted by code, document, start, end."""

    code: np.ndarray  # index into _Material.codes
    doc: np.ndarray  # document ids
    start: np.ndarray  # offsets in the document
    end: np.ndarray
    hits: np.ndarray  # sorted distinct code index × n_segs + segment the codings overlap
    docs: np.ndarray  # documents the coder coded (any code)
    count: int  # codings
    damaged: bool  # a coding outside its document: computed the way that names it
    group: np.ndarray  # code index × documents + document index, ascending
    keyed: np.ndarray  # group × _Material.big + start, ascending
    reach: np.ndarray  # group × big + the furthest end so far (within the group)

    @classmethod
    def of(cls, m: _Material, rows: np.ndarray) -> _Coder:
        """From (code_id, document_id, start, end) rows."""
        code = m.code_index(rows[:, 0])
        keep = code >= 0
        damaged = bool(m.outside(rows[keep, 1], rows[keep, 2], rows[keep, 3]).any())
        docs = np.unique(rows[:, 1])
        count = len(rows)
        rows, code = rows[keep], code[keep]
        order = np.lexsort((rows[:, 3], rows[:, 2], rows[:, 1], code))
        rows, code = rows[order], code[order]
        doc, start, end = rows[:, 1], rows[:, 2], rows[:, 3]
        at = np.searchsorted(m.doc_ids, doc)
        hits = np.zeros(0, dtype=np.int64) if damaged else _hits(m, code, at, start, end)
        group = code * len(m.doc_ids) + at
        reach = np.maximum.accumulate(group * m.big + end) if len(group) else group
        return cls(
            code, doc, start, end, hits, docs, count, damaged,
            group, group * m.big + start, reach,
        )  # fmt: skip

    def spans(self, code_index: int) -> dict[int, list[tuple[int, int]]]:
        """Document -> this coder's spans of the code there, in order."""
        lo, hi = np.searchsorted(self.code, [code_index, code_index + 1])
        found: dict[int, list[tuple[int, int]]] = {}
        for doc, start, end in zip(
            self.doc[lo:hi].tolist(),
            self.start[lo:hi].tolist(),
            self.end[lo:hi].tolist(),
            strict=True,
        ):
            found.setdefault(doc, []).append((start, end))
        return found


def _hits(
    m: _Material, code: np.ndarray, at: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """The distinct (code index, segment) pairs, as numbers, where codings (inside their
    documents, at document index ``at``) overlap a segment: ``coding.units``'s rule."""
    if not len(code):
        return np.zeros(0, dtype=np.int64)
    seg_start = m.base[m.seg_doc_index] + m.seg_start
    seg_end = m.base[m.seg_doc_index] + m.seg_end
    line = m.base[at]  # offsets on the line, as coding.units lays documents out
    spans = Codings(code, np.zeros_like(code), line + start, line + end)
    coding, seg = overlapping_segments(spans, seg_start, seg_end)
    return distinct(code[coding] * m.n_segs + seg)


@dataclass(frozen=True)
class _Groups:
    """A pair's disagreements as runs of segments, sorted by code and document order: the
    rule of ``coding.consensus._join``."""

    code: np.ndarray  # index into _Material.codes
    doc: np.ndarray
    start: np.ndarray
    end: np.ndarray
    who: np.ndarray  # 0: only A applied the code, 1: only B
    first: np.ndarray  # the run's first and last segment
    last: np.ndarray


def _groups(m: _Material, eligible: np.ndarray, a: _Coder, b: _Coder) -> _Groups:
    # where exactly one of them applied the code, on documents both finished or coded
    keys = np.setxor1d(a.hits, b.hits, assume_unique=True)
    who = (~np.isin(keys, a.hits)).astype(np.int64)
    code, seg = np.divmod(keys, m.n_segs)
    keep = np.asarray(eligible.all(axis=1))[m.seg_doc_index[seg]]
    code, seg, who = code[keep], seg[keep], who[keep]
    doc, block = m.seg_doc[seg], m.seg_block[seg]
    start, end = m.seg_start[seg], m.seg_end[seg]
    joined = np.zeros(len(seg), dtype=bool)
    joined[1:] = (
        (code[1:] == code[:-1])
        & (seg[1:] == seg[:-1] + 1)
        & (doc[1:] == doc[:-1])
        & (who[1:] == who[:-1])
        & (block[1:] == block[:-1])
    )
    at = np.nonzero(joined)[0]
    joined[at] = _bridged(
        m, (a, b), code[at], who[at], m.seg_doc_index[seg[at]], end[at - 1], start[at]
    )
    first = np.nonzero(~joined)[0]
    last = np.append(first[1:] - 1, len(seg) - 1)[: len(first)].astype(np.int64)
    return _Groups(
        code[first], doc[first], start[first], end[last], who[first], seg[first], seg[last]
    )


def _bridged(
    m: _Material,
    coders: tuple[_Coder, _Coder],
    code: np.ndarray,
    who: np.ndarray,
    doc_index: np.ndarray,
    end_before: np.ndarray,
    start: np.ndarray,
) -> np.ndarray:
    """Whether one of the coder's codings of the code runs from the segment before (ending at
    ``end_before``) into this one (from ``start``): ``s < end_before and e > start``."""
    found = np.zeros(len(code), dtype=bool)
    big = m.big
    for j, c in enumerate(coders):
        mine = np.nonzero(who == j)[0]
        if not len(mine) or not len(c.group):
            continue
        wanted = code[mine] * len(m.doc_ids) + doc_index[mine]
        index = np.searchsorted(c.keyed, wanted * big + end_before[mine], side="left") - 1
        safe = np.maximum(index, 0)
        found[mine] = (
            (index >= 0) & (c.group[safe] == wanted) & (c.reach[safe] - wanted * big > start[mine])
        )
    return found


@dataclass
class PairRead:
    """``coding.consensus.ReviewRead`` from the review's tables: every code's disagreements
    between two coders; a code's rows are made the first time it is opened."""

    pair: tuple[str, str]
    material: _Material
    coders: tuple[_Coder, _Coder]
    groups: _Groups
    settled: dict[int, Choices]
    _made: dict[int, list[Disagreement]] = field(default_factory=dict)

    def _slice(self, code_id: int) -> tuple[int, int, int]:
        """The code's index and its runs' range in ``groups``."""
        index = self.material.codes.index(code_id) if code_id in self.material.paths else -1
        lo, hi = np.searchsorted(self.groups.code, [index, index + 1])
        return index, int(lo), int(hi)

    def disagreements(self, code_id: int) -> list[Disagreement]:
        if code_id not in self._made:
            self._made[code_id] = self._rows(code_id)
        return self._made[code_id]

    def counts(self, code_id: int) -> tuple[int, int]:
        """(open, settled), as ``open_counts`` counts them."""
        if code_id in self._made:
            return count_open(self._made[code_id])
        _, lo, hi = self._slice(code_id)
        choices = self.settled.get(code_id, {})
        if not choices:
            return hi - lo, 0
        g = self.groups
        docs = np.array(sorted({doc for doc, _, _ in choices}), dtype=np.int64)
        maybe = lo + np.nonzero(np.isin(g.doc[lo:hi], docs))[0]
        settled = sum(self._settled(int(i), choices) is not None for i in maybe)
        return hi - lo - settled, settled

    def _settled(self, i: int, choices: Choices) -> str | None:
        """The choice settled for run ``i`` (``coding.consensus.run_choice``)."""
        if not choices:
            return None
        g, m = self.groups, self.material
        segs = slice(int(g.first[i]), int(g.last[i]) + 1)
        segments = zip(m.seg_start[segs].tolist(), m.seg_end[segs].tolist(), strict=True)
        return run_choice(choices, int(g.doc[i]), (int(g.start[i]), int(g.end[i])), segments)

    def _rows(self, code_id: int) -> list[Disagreement]:
        index, lo, hi = self._slice(code_id)
        if lo == hi:
            return []
        spans_a, spans_b = (c.spans(index) for c in self.coders)
        choices = self.settled.get(code_id, {})
        g, names = self.groups, self.material.names
        runs = zip(
            g.doc[lo:hi].tolist(), g.start[lo:hi].tolist(), g.end[lo:hi].tolist(), strict=True
        )
        return [
            Disagreement(
                code_id,
                doc,
                names[doc],
                start,
                end,
                self.pair,
                overlapping_spans(spans_a.get(doc, ()), start, end),
                overlapping_spans(spans_b.get(doc, ()), start, end),
                self._settled(i, choices),
            )
            for i, (doc, start, end) in enumerate(runs, lo)
        ]


class _PairKey(NamedTuple):
    """What a pair's figures and disagreements were computed from."""

    material: TableKey | None
    status: TableKey | None
    coder_a: CoderKey | None
    coder_b: CoderKey | None
    a: int  # the coders' ids
    b: int

    @property
    def complete(self) -> bool:
        """Every part was read under a key: the pair can be kept for later."""
        return None not in self


class _Computed(NamedTuple):
    report: AgreementReport
    groups: _Groups


@dataclass
class ReviewTables:
    """The parts (see the module docstring), each with its key, and the pairs computed."""

    material: _Part[TableKey, _Material]
    status: _Part[TableKey, dict[int, np.ndarray]]  # coder id -> documents marked done
    settled: _Part[TableKey, dict[int, Choices]]
    names: _Part[TableKey, dict[str, int]]  # coder name -> id
    coders: dict[int, _Part[CoderKey, _Coder]]
    pairs: dict[_PairKey, _Computed] = field(default_factory=dict)
    _coder_pairs: list[CoderPair] | None = field(default=None, init=False)

    @classmethod
    def refreshed(
        cls, kept: ReviewTables | None, project: Project, writes: ReviewWrites | None
    ) -> ReviewTables:
        """``kept`` with the parts whose key changed read again from ``project`` (all of
        them without ``kept``, and without ``writes``: then nothing is kept for later)."""

        def key(*tables: str) -> TableKey | None:
            return writes.table(*tables) if writes else None

        material = _kept_or_read(
            kept.material if kept else None,
            key("documents", "codes"),
            lambda: _Material.read(project),
        )
        status = _kept_or_read(
            kept.status if kept else None, key("document_status"), lambda: _done_marks(project)
        )
        settled = _kept_or_read(
            kept.settled if kept else None, key("events"), lambda: settled_choices(project)
        )
        names = _kept_or_read(
            kept.names if kept else None,
            key("coders"),
            lambda: dict(project.conn.execute("SELECT name, id FROM coders").fetchall()),
        )
        coders: dict[int, _Part[CoderKey, _Coder]] = {}
        stale: list[tuple[int, CoderKey | None]] = []
        for coder_id in names.value.values():
            coder_key = (material.key, writes.coder(coder_id)) if writes and material.key else None
            old = kept.coders.get(coder_id) if kept else None
            if old is not None and old.current(coder_key):
                coders[coder_id] = old
            else:
                stale.append((coder_id, coder_key))
        coders.update(_read_coders(project, material.value, stale))
        tables = cls(material, status, settled, names, coders)
        if kept:
            tables.pairs = tables._same_parts(kept.pairs)
        return tables

    def ready(
        self, writes: ReviewWrites | None, coders: Sequence[str]
    ) -> tuple[AgreementReport, PairRead] | None:
        """The pair's report and disagreements when it was computed and nothing it comes from
        was written since (as ``writes``, taken now on the app's connection, says), else None:
        a look-up, no read."""
        if writes is None or len(coders) != 2 or coders[0] == coders[1]:
            return None
        current = (
            self.material.current(writes.table("documents", "codes"))
            and self.status.current(writes.table("document_status"))
            and self.settled.current(writes.table("events"))
            and self.names.current(writes.table("coders"))
        )
        pair = (coders[0], coders[1])
        ids = self._ids(pair) if current else None
        material = self.material.key
        if ids is None or material is None:
            return None
        for coder_id in ids:
            part = self.coders.get(coder_id)
            if part is None or not part.current((material, writes.coder(coder_id))):
                return None
        found = self.pairs.get(self._pair_key(*ids))
        if found is None or found.report.coders != list(pair):
            return None
        return found.report, self._read(pair, ids, found.groups)

    def with_pairs_of(self, other: ReviewTables) -> ReviewTables:
        """These tables with the pairs ``other`` computed from the same parts (a new object:
        a worker thread may be reading this one)."""
        tables = replace(self, pairs={**self.pairs, **self._same_parts(other.pairs)})
        tables._coder_pairs = self._coder_pairs  # the same parts
        return tables

    def prepare(self, project: Project, pairs: Sequence[tuple[str, str]]) -> None:
        """Compute ``pairs`` now (in a worker thread), so switching to one is a look-up."""
        for pair in pairs:
            self.compare(project, pair)
        self.coder_pairs()

    def compare(
        self, project: Project, coders: Sequence[str]
    ) -> tuple[AgreementReport, ReviewRead | PairRead]:
        """The pair's agreement report and disagreements (``project``: the connection the
        tables were read on, for what only a fresh read says: a damaged file, a coder that
        does not exist)."""
        pair = review_pair(coders)
        ids = self._ids(pair)
        if ids is None or any(self.coders[i].value.damaged for i in ids):
            report = agreement_report(project, list(pair))
            return report, ReviewRead(project, pair, [r.code_id for r in report.codes])
        key = self._pair_key(*ids)
        found = self.pairs.get(key) if key.complete else None
        if found is None or found.report.coders != list(pair):
            found = self._compute(list(pair), ids)
            if key.complete:
                self.pairs[key] = found
        return found.report, self._read(pair, ids, found.groups)

    def coder_pairs(self) -> list[CoderPair]:
        """``coding.consensus.coder_pairs`` from the tables (computed once)."""
        if self._coder_pairs is None:
            docs = {name: self._qualified(i) for name, i in self.names.value.items()}
            count = {name: self.coders[i].value.count for name, i in self.names.value.items()}
            self._coder_pairs = ranked_pairs(
                count, lambda a, b: len(np.intersect1d(docs[a], docs[b], assume_unique=True))
            )
        return self._coder_pairs

    def _ids(self, pair: tuple[str, str]) -> tuple[int, int] | None:
        """The two coders' ids; None when one of them is not a coder (in these tables)."""
        a, b = (self.names.value.get(name.strip()) for name in pair)
        return (a, b) if a is not None and b is not None else None

    def _pair_key(self, a: int, b: int) -> _PairKey:
        coder_a, coder_b = (self.coders[i].key if i in self.coders else None for i in (a, b))
        return _PairKey(self.material.key, self.status.key, coder_a, coder_b, a, b)

    def _same_parts(self, pairs: dict[_PairKey, _Computed]) -> dict[_PairKey, _Computed]:
        """The ``pairs`` computed from the parts these tables hold."""
        return {k: v for k, v in pairs.items() if k == self._pair_key(k.a, k.b)}

    def _read(self, pair: tuple[str, str], ids: tuple[int, int], groups: _Groups) -> PairRead:
        a, b = (self.coders[i].value for i in ids)
        return PairRead(pair, self.material.value, (a, b), groups, self.settled.value)

    def _qualified(self, coder_id: int) -> np.ndarray:
        """The documents the coder finished (done mark) or coded, sorted; a mark of a document
        that is gone (a damaged file) counts nowhere."""
        done = self.status.value.get(coder_id, np.zeros(0, np.int64))
        docs = distinct(np.concatenate((self.coders[coder_id].value.docs, done)))
        return docs[np.isin(docs, self.material.value.doc_ids)]

    def _compute(self, pair: list[str], ids: tuple[int, int]) -> _Computed:
        """The pair's report (``segment_report``) and disagreements, on the arrays."""
        m = self.material.value
        a, b = (self.coders[i].value for i in ids)
        eligible = np.zeros((len(m.doc_ids), 2), dtype=bool)
        for j, coder_id in enumerate(ids):
            eligible[np.searchsorted(m.doc_ids, self._qualified(coder_id)), j] = True
        coverage = document_coverage(eligible, pair, "complete")
        counted = eligible & np.asarray(eligible.all(axis=1))[:, None]
        code, seg = np.divmod(np.concatenate((a.hits, b.hits)), m.n_segs)
        coder = np.repeat([0, 1], [len(a.hits), len(b.hits)])
        keys, weights = pattern_counts(
            len(m.codes), code, seg, coder, counted[m.seg_doc_index], np.ones(len(m.seg_start))
        )
        per_code = {
            code_id: decode_units(code_id, m.paths[code_id], keys[i], weights[i], 2, "complete")
            for i, code_id in enumerate(m.codes)
        }
        return _Computed(segment_report(pair, per_code, coverage), _groups(m, eligible, a, b))


def _done_marks(project: Project) -> dict[int, np.ndarray]:
    """Coder id -> the documents they marked done, sorted."""
    found: dict[int, list[int]] = {}
    for doc, coder in project.conn.execute(
        "SELECT document_id, coder_id FROM document_status WHERE done = 1"
    ):
        found.setdefault(coder, []).append(doc)
    return {coder: np.unique(np.array(docs, dtype=np.int64)) for coder, docs in found.items()}


def _read_coders(
    project: Project, m: _Material, stale: list[tuple[int, CoderKey | None]]
) -> dict[int, _Part[CoderKey, _Coder]]:
    """The codings of the ``stale`` coders, in one query."""
    if not stale:
        return {}
    ids = [coder_id for coder_id, _ in stale]
    marks = ",".join("?" * len(ids))
    rows = int_rows(
        project.conn.execute(
            f'SELECT coder_id, code_id, document_id, start, "end" FROM codings '
            f"WHERE coder_id IN ({marks})",
            ids,
        ),
        5,
    )
    order = np.argsort(rows[:, 0], kind="stable")
    rows = rows[order]
    cut = (
        np.searchsorted(rows[:, 0], ids, side="left"),
        np.searchsorted(rows[:, 0], ids, side="right"),
    )
    return {
        coder_id: _Part(key, _Coder.of(m, rows[lo:hi, 1:]))
        for (coder_id, key), lo, hi in zip(stale, *cut, strict=True)
    }
