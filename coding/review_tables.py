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

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from coding.codes import code_paths
from coding.consensus import (
    CoderPair,
    Disagreement,
    ReviewRead,
    _overlapping,
    _pair,
    _settled,
    count_open,
)
from coding.reliability import AgreementReport, agreement_report, segment_report
from coding.store import Project, ReviewWrites
from coding.units import (
    _Codings,
    _coverage,
    _decode,
    _distinct,
    _overlapping_segments,
    int_rows,
    pattern_counts,
)

Choices = dict[tuple[int, int, int], str]  # (document, start, end) -> the settled choice


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


@dataclass(frozen=True)
class _Coder:
    """One coder's codings of the report's codes, sorted by code, document, start, end."""

    code: np.ndarray  # index into _Material.codes
    doc: np.ndarray  # document ids
    doc_index: np.ndarray
    start: np.ndarray  # offsets in the document
    end: np.ndarray
    hits: np.ndarray  # sorted distinct code index × segments + segment the codings overlap
    docs: np.ndarray  # documents the coder coded (any code)
    count: int  # codings
    damaged: bool  # a coding outside its document: computed the way that names it
    group: np.ndarray  # code index × documents + document index, ascending
    keyed: np.ndarray  # group × _Material.big + start, ascending
    reach: np.ndarray  # group × big + the furthest end so far (within the group)

    @classmethod
    def of(cls, m: _Material, rows: np.ndarray) -> _Coder:
        """From (code_id, document_id, start, end) rows."""
        lookup = np.full(max(m.codes, default=0) + 1, -1, dtype=np.int64)
        lookup[m.codes] = np.arange(len(m.codes))
        ids = rows[:, 0]
        known = (ids >= 0) & (ids < len(lookup))
        code = np.where(known, lookup[np.where(known, ids, 0)], -1)
        doc_index = np.searchsorted(m.doc_ids, rows[:, 1])
        inside = doc_index < len(m.doc_ids)
        at = np.where(inside, doc_index, 0)
        damaged = bool(
            (
                ~inside
                | (m.doc_ids[at] != rows[:, 1])
                | (rows[:, 2] < 0)
                | (rows[:, 2] >= rows[:, 3])
                | (rows[:, 3] > m.lengths[at])
            )[code >= 0].any()
        )
        docs = np.unique(rows[:, 1])
        keep = code >= 0
        rows, code, at = rows[keep], code[keep], at[keep]
        order = np.lexsort((rows[:, 3], rows[:, 2], rows[:, 1], code))
        rows, code, at = rows[order], code[order], at[order]
        hits = np.zeros(0, dtype=np.int64)
        if not damaged and len(rows):
            seg_start = m.base[m.seg_doc_index] + m.seg_start
            seg_end = m.base[m.seg_doc_index] + m.seg_end
            line = m.base[at]  # offsets on the line, as coding.units lays documents out
            spans = _Codings(code, np.zeros_like(code), line + rows[:, 2], line + rows[:, 3])
            coding, seg = _overlapping_segments(spans, seg_start, seg_end)
            hits = _distinct(code[coding] * max(len(seg_start), 1) + seg)
        group = code * len(m.doc_ids) + at
        reach = np.maximum.accumulate(group * m.big + rows[:, 3]) if len(group) else group
        start, end = rows[:, 2], rows[:, 3]
        return cls(
            code, rows[:, 1], at, start, end, hits, docs, len(ids), damaged,
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
    n_segs = max(len(m.seg_start), 1)
    # where exactly one of them applied the code, on documents both finished or coded
    keys = np.setxor1d(a.hits, b.hits, assume_unique=True)
    who = (~np.isin(keys, a.hits)).astype(np.int64)
    code, seg = np.divmod(keys, n_segs)
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
        """``coding.consensus._Group.settled`` of run ``i``."""
        g, m = self.groups, self.material
        doc = int(g.doc[i])
        found = choices.get((doc, int(g.start[i]), int(g.end[i])))
        if found or g.first[i] == g.last[i]:
            return found
        segs = slice(int(g.first[i]), int(g.last[i]) + 1)
        each = {
            choices.get((doc, s, e))
            for s, e in zip(m.seg_start[segs].tolist(), m.seg_end[segs].tolist(), strict=True)
        }
        return each.pop() if len(each) == 1 else None

    def _rows(self, code_id: int) -> list[Disagreement]:
        index, lo, hi = self._slice(code_id)
        if lo == hi:
            return []
        spans = [c.spans(index) for c in self.coders]
        choices = self.settled.get(code_id, {})
        g, names = self.groups, self.material.names
        rows = []
        for i, (doc, start, end) in enumerate(
            zip(g.doc[lo:hi].tolist(), g.start[lo:hi].tolist(), g.end[lo:hi].tolist(), strict=True),
            lo,
        ):
            rows.append(
                Disagreement(
                    code_id,
                    doc,
                    names[doc],
                    start,
                    end,
                    self.pair,
                    _overlapping(spans[0].get(doc, ()), start, end),
                    _overlapping(spans[1].get(doc, ()), start, end),
                    self._settled(i, choices),
                )
            )
        return rows


_Key = tuple | None


def _same(kept: tuple[_Key, object] | None, key: _Key) -> bool:
    return kept is not None and key is not None and kept[0] == key


@dataclass
class ReviewTables:
    """The parts (see the module docstring), each as (key, value), and the pairs computed."""

    material: tuple[_Key, _Material]
    status: tuple[_Key, dict[int, np.ndarray]]  # coder id -> documents marked done
    settled: tuple[_Key, dict[int, Choices]]
    names: tuple[_Key, dict[str, int]]  # coder name -> id
    coders: dict[int, tuple[_Key, _Coder]]
    pairs: dict[tuple, tuple[AgreementReport, _Groups]] = field(default_factory=dict)
    _coder_pairs: list[CoderPair] | None = field(default=None, init=False)

    @classmethod
    def refreshed(
        cls, kept: ReviewTables | None, project: Project, writes: ReviewWrites | None
    ) -> ReviewTables:
        """``kept`` with the parts whose key changed read again from ``project`` (all of
        them without ``kept``, and without ``writes``: then nothing is kept for later)."""

        def key(*tables: str) -> _Key:
            return writes.table(*tables) if writes else None

        material = (
            kept.material if kept and _same(kept.material, key("documents", "codes")) else None
        )
        if material is None:
            material = (key("documents", "codes"), _Material.read(project))
        status = kept.status if kept and _same(kept.status, key("document_status")) else None
        if status is None:
            status = (key("document_status"), _done_marks(project))
        settled = kept.settled if kept and _same(kept.settled, key("events")) else None
        if settled is None:
            settled = (key("events"), _settled(project))
        names = kept.names if kept and _same(kept.names, key("coders")) else None
        if names is None:
            names = (key("coders"), dict(project.conn.execute("SELECT name, id FROM coders")))
        coders: dict[int, tuple[_Key, _Coder]] = {}
        stale = []
        for coder_id in names[1].values():
            coder_key = (material[0], writes.coder(coder_id)) if writes and material[0] else None
            old = kept.coders.get(coder_id) if kept else None
            if old is not None and _same(old, coder_key):
                coders[coder_id] = old
            else:
                stale.append((coder_id, coder_key))
        coders.update(_read_coders(project, material[1], stale))
        tables = cls(material, status, settled, names, coders)
        if kept:
            tables.pairs = {k: v for k, v in kept.pairs.items() if k == tables._pair_key(*k[-2:])}
        return tables

    def ready(
        self, writes: ReviewWrites | None, coders: Sequence[str]
    ) -> tuple[AgreementReport, PairRead] | None:
        """The pair's report and disagreements when it was computed and nothing it comes from
        was written since (as ``writes``, taken now on the app's connection, says), else None:
        a look-up, no read."""
        if writes is None or len(coders) != 2 or coders[0] == coders[1]:
            return None
        parts = (
            (self.material, writes.table("documents", "codes")),
            (self.status, writes.table("document_status")),
            (self.settled, writes.table("events")),
            (self.names, writes.table("coders")),
        )
        if not all(_same(part, key) for part, key in parts):
            return None
        ids = [self.names[1].get(name.strip()) for name in coders]
        if None in ids:
            return None
        a, b = (int(i) for i in ids if i is not None)
        for coder_id in (a, b):
            if not _same(self.coders.get(coder_id), (self.material[0], writes.coder(coder_id))):
                return None
        found = self.pairs.get(self._pair_key(a, b))
        if found is None or found[0].coders != list(coders):
            return None
        report, groups = found
        pair = (coders[0], coders[1])
        parts_ab = (self.coders[a][1], self.coders[b][1])
        return report, PairRead(pair, self.material[1], parts_ab, groups, self.settled[1])

    def with_pairs_of(self, other: ReviewTables) -> ReviewTables:
        """These tables with the pairs ``other`` computed from the same parts (a new object:
        a worker thread may be reading this one)."""
        same = {k: v for k, v in other.pairs.items() if k == self._pair_key(*k[-2:])}
        tables = replace(self, pairs={**self.pairs, **same})
        tables._coder_pairs = self._coder_pairs  # the same parts
        return tables

    def prepare(self, project: Project, pairs: Sequence[tuple[str, str]]) -> None:
        """Compute ``pairs`` now (in a worker thread), so switching to one is a look-up."""
        for pair in pairs:
            self.compare(project, pair)
        self.coder_pairs()

    def _pair_key(self, a: int, b: int) -> tuple:
        return (
            self.material[0],
            self.status[0],
            self.coders[a][0] if a in self.coders else None,
            self.coders[b][0] if b in self.coders else None,
            a,
            b,
        )

    def compare(
        self, project: Project, coders: Sequence[str]
    ) -> tuple[AgreementReport, ReviewRead | PairRead]:
        """The pair's agreement report and disagreements (``project``: the connection the
        tables were read on, for what only a fresh read says: a damaged file, a coder that
        does not exist)."""
        pair = _pair(coders)
        ids = [self.names[1].get(name.strip()) for name in pair]
        if None in ids or any(self.coders[i][1].damaged for i in ids if i is not None):
            report = agreement_report(project, list(pair))
            return report, ReviewRead(project, pair, [r.code_id for r in report.codes])
        a, b = ids
        assert a is not None and b is not None
        key = self._pair_key(a, b)
        found = self.pairs.get(key) if None not in key else None
        if found is None or found[0].coders != list(pair):
            found = self._compute(list(pair), self.coders[a][1], self.coders[b][1], (a, b))
            if None not in key:
                self.pairs[key] = found
        report, groups = found
        parts = (self.coders[a][1], self.coders[b][1])
        return report, PairRead(pair, self.material[1], parts, groups, self.settled[1])

    def _compute(self, pair: list[str], a: _Coder, b: _Coder, ids: tuple[int, int]):
        m = self.material[1]
        eligible = np.zeros((len(m.doc_ids), 2), dtype=bool)
        for j, (coder_id, part) in enumerate(zip(ids, (a, b), strict=True)):
            docs = np.union1d(part.docs, self.status[1].get(coder_id, np.zeros(0, np.int64)))
            eligible[np.searchsorted(m.doc_ids, docs), j] = True
        coverage = _coverage(eligible, pair, "complete")
        counted = eligible & np.asarray(eligible.all(axis=1))[:, None]
        n_segs = max(len(m.seg_start), 1)
        code, seg = np.divmod(np.concatenate((a.hits, b.hits)), n_segs)
        coder = np.repeat([0, 1], [len(a.hits), len(b.hits)])
        keys, weights = pattern_counts(
            len(m.codes), code, seg, coder, counted[m.seg_doc_index], np.ones(len(m.seg_start))
        )
        per_code = {
            code_id: _decode(code_id, m.paths[code_id], keys[i], weights[i], 2, "complete")
            for i, code_id in enumerate(m.codes)
        }
        return segment_report(pair, per_code, coverage), _groups(m, eligible, a, b)

    def coder_pairs(self) -> list[CoderPair]:
        """``coding.consensus.coder_pairs`` from the tables (computed once)."""
        if self._coder_pairs is None:
            self._coder_pairs = self._count_pairs()
        return self._coder_pairs

    def _count_pairs(self) -> list[CoderPair]:
        docs = {
            name: _distinct(
                np.concatenate((self.coders[i][1].docs, self.status[1].get(i, np.zeros(0, int))))
            )
            for name, i in self.names[1].items()
        }
        count = {name: self.coders[i][1].count for name, i in self.names[1].items()}
        names = sorted(self.names[1])
        pairs = [
            CoderPair(a, b, len(np.intersect1d(docs[a], docs[b], assume_unique=True)))
            for i, a in enumerate(names)
            for b in names[i + 1 :]
        ]
        return sorted(pairs, key=lambda p: (-p.shared, -(count[p.a] + count[p.b]), p.a, p.b))


def _done_marks(project: Project) -> dict[int, np.ndarray]:
    found: dict[int, list[int]] = {}
    for doc, coder in project.conn.execute(
        "SELECT document_id, coder_id FROM document_status WHERE done = 1"
    ):
        found.setdefault(coder, []).append(doc)
    return {coder: np.unique(np.array(docs, dtype=np.int64)) for coder, docs in found.items()}


def _read_coders(
    project: Project, m: _Material, stale: list[tuple[int, _Key]]
) -> dict[int, tuple[_Key, _Coder]]:
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
        coder_id: (key, _Coder.of(m, rows[lo:hi, 1:]))
        for (coder_id, key), lo, hi in zip(stale, *cut, strict=True)
    }
