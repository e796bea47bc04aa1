"""From codings to reliability units: per code, a binary present/absent value per coder and unit.

Units are segments (default) or characters (as NVivo does). A coder applied code *c* to a
segment when one of their codings of *c* itself (not of its descendants: agreement is about how
each code was applied) overlaps the segment by more than nothing and by at least
``min_overlap`` of the segment's length.

A coder's values on a document are present only when that coder marked the document done or
coded it at least once (any code); otherwise they are missing, never «absent». By default
(``missing="complete"``) only documents that every compared coder qualifies for count, so every
unit counted has a value from every coder; ``missing="gwet"`` keeps each coder's values wherever
that coder qualifies (for Gwet's missing-data form), and a document that fewer than two coders
qualify for gives no pairable units. ``Coverage`` says how many documents were left out and why.

Units with the same values are counted, not repeated: each code yields the distinct rows of its
reliability matrix with a weight each (for characters: the number of characters), which every
function in ``coding.agreement`` accepts. So 100 000 segments × 60 codes stay small, and
character units never need one row per character.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from coding.agreement import unitizing_disagreement_arrays
from coding.codes import code_paths
from coding.errors import CodingError
from coding.store import Project

UNIT_KINDS = ("segment", "character")
MISSING_FORMS = ("complete", "gwet")
MAX_CODERS = 12  # 3**12 distinct rows per code


@dataclass(frozen=True)
class CodeUnits:
    """A code's reliability data: distinct rows (1 present, 0 absent, NaN missing), each with
    how many units show it."""

    code_id: int
    path: str
    rows: np.ndarray
    weights: np.ndarray
    missing: str = "complete"

    @property
    def units(self) -> int:
        """Units counted: with a value from every coder (``complete``), or pairable ones, with
        values from two or more coders (``gwet``)."""
        values = (~np.isnan(self.rows)).sum(axis=1)
        counted = values == self.rows.shape[1] if self.missing == "complete" else values >= 2
        return int(self.weights[counted].sum())

    @property
    def left_out(self) -> int:
        """Units on documents that do not count (see ``Coverage``)."""
        return int(self.weights.sum()) - self.units

    @property
    def disagreements(self) -> int:
        """Pairable units on which not every coder gave the same value."""
        present = ~np.isnan(self.rows)
        pairable = present.sum(axis=1) >= 2
        high = np.where(present, self.rows, -np.inf).max(axis=1)
        low = np.where(present, self.rows, np.inf).min(axis=1)
        return int(self.weights[pairable & (high != low)].sum())


def pooled(per_code: Iterable[CodeUnits]) -> CodeUnits:
    """All codes' units together (each unit-and-code pair is one unit)."""
    items = list(per_code)
    coders = items[0].rows.shape[1] if items else 0
    rows = np.vstack([c.rows for c in items]) if items else np.zeros((0, coders))
    weights = np.concatenate([c.weights for c in items]) if items else np.zeros(0)
    missing = items[0].missing if items else "complete"
    return CodeUnits(0, "(all codes)", rows, weights, missing)


@dataclass(frozen=True)
class Coverage:
    """Which documents count, and why the others were left out."""

    documents: int  # in the project
    counted: int
    not_coded_by: dict[str, int]  # per coder: documents left out that the coder has not coded
    coded_by_none: int  # documents none of the compared coders finished or coded

    @property
    def left_out(self) -> int:
        return self.documents - self.counted

    def reasons(self) -> list[str]:
        """E.g. «12 documents not coded by ola» (a done mark counts as coded)."""
        out = [f"{_documents(n)} not coded by {name}" for name, n in self.not_coded_by.items() if n]
        if self.coded_by_none:
            out.append(f"{_documents(self.coded_by_none)} coded by none of them")
        return out

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "documents_counted": self.counted,
            "documents_left_out": self.left_out,
            "not_coded_by": self.not_coded_by,
            "coded_by_none": self.coded_by_none,
            "reasons": self.reasons(),
        }


def _documents(n: int) -> str:
    return f"{n} document" + ("" if n == 1 else "s")


def build_units(
    project: Project, coders: Sequence[str], code_ids: Sequence[int] | None = None, **options: Any
) -> dict[int, CodeUnits]:
    """Reliability data per code for ``coders`` (in that column order); ``options`` (unit,
    min_overlap, missing) as for ``build_units_and_coverage``."""
    return build_units_and_coverage(project, coders, code_ids, **options)[0]


def build_units_and_coverage(
    project: Project,
    coders: Sequence[str],
    code_ids: Sequence[int] | None = None,
    unit: str = "segment",
    min_overlap: float = 0.0,
    missing: str = "complete",
) -> tuple[dict[int, CodeUnits], Coverage]:
    """``build_units`` and which documents count."""
    if missing not in MISSING_FORMS:
        raise CodingError(f"missing must be one of {', '.join(MISSING_FORMS)}, not {missing!r}")
    if unit not in UNIT_KINDS:
        raise CodingError(f"unit must be one of {', '.join(UNIT_KINDS)}, not {unit!r}")
    if not 0.0 <= min_overlap <= 1.0:
        raise CodingError(f"minimum overlap must lie between 0 and 1, not {min_overlap}")
    if not 2 <= len(coders) <= MAX_CODERS:
        raise CodingError(f"compare between 2 and {MAX_CODERS} coders, not {len(coders)}")
    paths = code_paths(project)
    codes = list(paths) if code_ids is None else list(code_ids)
    for code_id in codes:
        if code_id not in paths:
            raise CodingError(f"no code with id {code_id}")
    coder_ids = [project.coder_id(name, create=False) for name in coders]
    layout = _Layout.load(project, coder_ids)
    coverage = document_coverage(layout.eligible, coders, missing)
    if missing == "complete":  # a document counts only when every coder qualifies for it
        layout = replace(
            layout, eligible=layout.eligible & np.asarray(layout.eligible.all(axis=1))[:, None]
        )
    codings = _codings(project, coder_ids, codes, layout)
    build = _segment_keys if unit == "segment" else _character_keys
    keys, weights = build(project, layout, codings, len(codes), min_overlap)
    per_code = {
        code_id: decode_units(code_id, paths[code_id], keys[i], weights[i], len(coders), missing)
        for i, code_id in enumerate(codes)
    }
    return per_code, coverage


def document_coverage(eligible: np.ndarray, coders: Sequence[str], missing: str) -> Coverage:
    """Which documents count for ``coders`` (and why the others do not), from ``eligible``
    (documents × coders: finished or coded)."""
    qualified = eligible.sum(axis=1)
    counted = qualified == len(coders) if missing == "complete" else qualified >= 2
    partly = ~counted & (qualified > 0)
    not_coded_by = {name: int((partly & ~eligible[:, j]).sum()) for j, name in enumerate(coders)}
    return Coverage(len(eligible), int(counted.sum()), not_coded_by, int((qualified == 0).sum()))


def int_rows(rows: Iterable[Sequence[int]], width: int) -> np.ndarray:
    """A query's rows of ``width`` integers as an int64 array, taken from the cursor one row at
    a time. ``fetchall`` first built every row as a tuple of Python ints (~200 bytes a row in
    Python's small-object arenas: 16 MB for the study's 79 000 segments, freed a moment later),
    and the arenas that peak needed stayed held by whatever else was allocated meanwhile: the
    app's resident size grew after each visit of the review (issue 13)."""
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64)
    return flat.reshape(-1, width)


@dataclass(frozen=True)
class _Layout:
    """Documents laid end to end on one line, and which coder counts on which document."""

    doc_ids: np.ndarray  # sorted document ids
    base: np.ndarray  # global offset of each document (len(doc_ids) + 1 entries)
    eligible: np.ndarray  # documents × coders: the coder's values there are present

    @classmethod
    def load(cls, project: Project, coder_ids: list[int]) -> _Layout:
        docs = int_rows(project.conn.execute("SELECT id, length FROM documents ORDER BY id"), 2)
        base = np.concatenate(([0], np.cumsum(docs[:, 1])))
        marks = ",".join("?" * len(coder_ids))
        rows = project.conn.execute(
            f"SELECT document_id, coder_id FROM document_status "
            f"WHERE done = 1 AND coder_id IN ({marks}) "
            f"UNION SELECT DISTINCT document_id, coder_id FROM codings "
            f"WHERE coder_id IN ({marks})",
            coder_ids * 2,
        ).fetchall()
        eligible = np.zeros((len(docs), len(coder_ids)), dtype=bool)
        column = {c: j for j, c in enumerate(coder_ids)}
        if rows:
            pairs = np.array(rows, dtype=np.int64)
            doc_index = np.searchsorted(docs[:, 0], pairs[:, 0])
            # a mark or coding of a missing document (a damaged file): the codings' own check
            # names it; here it must not land on a neighbour or past the end
            known = np.append(docs[:, 0], -1)[doc_index] == pairs[:, 0]
            pairs, doc_index = pairs[known], doc_index[known]
            eligible[doc_index, [column[c] for c in pairs[:, 1]]] = True
        return cls(docs[:, 0], base, eligible)

    def to_global(self, doc_ids: np.ndarray, offsets: np.ndarray) -> np.ndarray:
        return self.base[np.searchsorted(self.doc_ids, doc_ids)] + offsets


# Per code: the numbers of the row patterns found and the (weighted) count of each.
_KeyCounts = tuple[list[np.ndarray], list[np.ndarray]]


@dataclass(frozen=True)
class Codings:
    """The codings of the requested codes as arrays, on the line of documents."""

    code: np.ndarray  # index into the requested codes
    coder: np.ndarray  # column
    start: np.ndarray  # global offsets
    end: np.ndarray


def _codings(project: Project, coder_ids: list[int], codes: list[int], layout: _Layout) -> Codings:
    code_index = {c: i for i, c in enumerate(codes)}
    coder_index = {c: j for j, c in enumerate(coder_ids)}
    marks = ",".join("?" * len(coder_ids))
    array = int_rows(
        project.conn.execute(
            f'SELECT code_id, coder_id, document_id, start, "end" FROM codings '
            f"WHERE coder_id IN ({marks})",
            coder_ids,
        ),
        5,
    )
    lookup = np.full(int(array[:, 0].max(initial=0)) + 1, -1, dtype=np.int64)
    for code_id, i in code_index.items():
        if code_id < len(lookup):
            lookup[code_id] = i
    code = lookup[array[:, 0]]
    keep = code >= 0
    array, code = array[keep], code[keep]
    _refuse_codings_outside(project, layout, array)
    coder = np.array([coder_index[c] for c in array[:, 1].tolist()], dtype=np.int64)
    return Codings(
        code,
        coder,
        layout.to_global(array[:, 2], array[:, 3]),
        layout.to_global(array[:, 2], array[:, 4]),
    )


def _refuse_codings_outside(project: Project, layout: _Layout, array: np.ndarray) -> None:
    """A coding outside its document (only a file damaged by another tool has one) would be
    laid over the next document on the line: name it instead of computing on it."""
    ids = np.append(layout.doc_ids, -1)  # -1: past the end, for ids of no document
    lengths = np.append(np.diff(layout.base), 0)
    doc = np.searchsorted(layout.doc_ids, array[:, 2])
    start, end = array[:, 3], array[:, 4]
    bad = (ids[doc] != array[:, 2]) | (start < 0) | (start >= end) | (end > lengths[doc])
    if not bad.any():
        return
    code_id, coder_id, document_id, start, end = array[np.argmax(bad)].tolist()
    code = code_paths(project).get(code_id, f"code {code_id}")
    coder = project.conn.execute("SELECT name FROM coders WHERE id = ?", (coder_id,)).fetchone()
    found = project.conn.execute(
        "SELECT name, length FROM documents WHERE id = ?", (document_id,)
    ).fetchone()
    where = f"document {found[0]!r} (length {found[1]})" if found else "a missing document"
    more = int(bad.sum()) - 1
    raise CodingError(
        f"coding of {code!r} by {coder[0] if coder else coder_id} spans {start}–{end}, outside "
        f"{where}{f' (and {more} more)' if more else ''}: the project is damaged; see "
        f"kodeverk check {project.path}"
    )


@dataclass(frozen=True)
class SegmentTable:
    """Segments on the line, and per code, segment and coder whether the code was applied."""

    document_id: np.ndarray
    start: np.ndarray  # offsets within the document
    end: np.ndarray
    present: np.ndarray  # codes × segments × coders
    eligible: np.ndarray  # segments × coders: the coder's value there is present
    block: np.ndarray  # the segment's block (speaker turn, answer or paragraph)


def segment_table(
    project: Project, coder_ids: list[int], code_ids: list[int], min_overlap: float = 0.0
) -> SegmentTable:
    """Which coder applied which code to which segment (the rule in the module docstring)."""
    layout = _Layout.load(project, coder_ids)
    return _segment_table(
        project, layout, _codings(project, coder_ids, code_ids, layout), len(code_ids), min_overlap
    )


def _segment_table(
    project: Project, layout: _Layout, codings: Codings, n_codes: int, min_overlap: float
) -> SegmentTable:
    segs = int_rows(
        project.conn.execute(
            'SELECT document_id, start, "end", block FROM segments ORDER BY document_id, ordinal'
        ),
        4,
    )
    seg_start = layout.to_global(segs[:, 0], segs[:, 1])
    seg_end = layout.to_global(segs[:, 0], segs[:, 2])
    present = np.zeros((n_codes, len(segs), layout.eligible.shape[1]), dtype=bool)
    coding_index, seg_index = overlapping_segments(codings, seg_start, seg_end)
    overlap = np.minimum(codings.end[coding_index], seg_end[seg_index]) - np.maximum(
        codings.start[coding_index], seg_start[seg_index]
    )
    enough = overlap >= min_overlap * (seg_end - seg_start)[seg_index]
    coding_index, seg_index = coding_index[enough], seg_index[enough]
    present[codings.code[coding_index], seg_index, codings.coder[coding_index]] = True
    eligible = layout.eligible[np.searchsorted(layout.doc_ids, segs[:, 0])]
    return SegmentTable(segs[:, 0], segs[:, 1], segs[:, 2], present, eligible, segs[:, 3])


def _segment_keys(
    project: Project, layout: _Layout, codings: Codings, n_codes: int, min_overlap: float
) -> _KeyCounts:
    table = _segment_table(project, layout, codings, n_codes, min_overlap)
    return _pattern_counts(table.present, table.eligible[None], np.ones(len(table.start)))


def overlapping_segments(
    codings: Codings, seg_start: np.ndarray, seg_end: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every (coding, segment) pair that overlaps by at least one character."""
    first = np.searchsorted(seg_end, codings.start, side="right")
    last = np.searchsorted(seg_start, codings.end, side="left")
    counts = np.maximum(last - first, 0)
    coding_index = np.repeat(np.arange(len(first)), counts)
    step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return coding_index, np.repeat(first, counts) + step


def _character_keys(
    project: Project, layout: _Layout, codings: Codings, n_codes: int, _min_overlap: float
) -> _KeyCounts:
    """Per code: cut the line at every span edge and document edge; each piece has one row."""
    keys, weights = [], []
    for code in range(n_codes):
        mine = codings.code == code
        cuts = np.unique(np.concatenate((layout.base, codings.start[mine], codings.end[mine])))
        piece_start, piece_len = cuts[:-1], np.diff(cuts)
        doc = np.searchsorted(layout.base, piece_start, side="right") - 1
        eligible = layout.eligible[doc]
        present = np.zeros(eligible.shape, dtype=bool)
        for coder in range(eligible.shape[1]):
            spans = mine & (codings.coder == coder)
            present[:, coder] = _covered(piece_start, codings.start[spans], codings.end[spans])
        key, weight = _pattern_counts(present[None], eligible[None], piece_len.astype(float))
        keys.append(key[0])
        weights.append(weight[0])
    return keys, weights


def _covered(points: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which points lie inside any of the spans (spans may overlap)."""
    order = np.argsort(starts, kind="stable")
    starts, reach = starts[order], np.maximum.accumulate(ends[order]) if len(ends) else ends
    index = np.searchsorted(starts, points, side="right") - 1
    inside = np.zeros(len(points), dtype=bool)
    valid = index >= 0
    inside[valid] = points[valid] < reach[index[valid]]
    return inside


def _pattern_counts(
    present: np.ndarray, eligible: np.ndarray, unit_weight: np.ndarray
) -> _KeyCounts:
    """Encode each unit's row as a base-3 number (0 missing, 1 absent, 2 present) and count
    the units (weighted) per code and number. ``eligible`` is one layer (1 × units × coders)
    shared by every code."""
    n_codes = present.shape[0]
    code, unit, coder = np.nonzero(present)
    return pattern_counts(n_codes, code, unit, coder, eligible[0], unit_weight)


def pattern_counts(
    n_codes: int,
    code: np.ndarray,
    unit: np.ndarray,
    coder: np.ndarray,
    eligible: np.ndarray,
    unit_weight: np.ndarray,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """``_pattern_counts`` from where codes are present: (code, unit, coder) triples
    (repeats allowed); ``eligible`` is units × coders.

    Sparse: every code starts from the counts of its units with nothing present (a number that
    depends on eligibility only, counted once), then only the units where a code is present
    move from that number to their own (dense code × unit temporaries took 0.5 s and 50 MB
    on the study)."""
    n_units, n_coders = eligible.shape
    per = max(n_units, 1)
    power = 3 ** np.arange(n_coders, dtype=np.int64)
    weight = np.broadcast_to(unit_weight, (n_units,))
    base = eligible.astype(np.int64) @ power  # the number when no coder applied the code
    size = 3**n_coders
    counts = np.tile(np.bincount(base, weights=weight, minlength=size), (n_codes, 1))
    triple = distinct((code.astype(np.int64) * per + unit) * n_coders + coder)
    pair, coder = np.divmod(triple, n_coders)
    first = np.nonzero(np.concatenate(([True], pair[1:] != pair[:-1])))[0] if len(pair) else pair
    pairs = pair[first]
    added = np.where(eligible[pair % per, coder], power[coder], 0)
    extra = np.add.reduceat(added, first) if len(first) else np.zeros(0, dtype=np.int64)
    code, unit = np.divmod(pairs, per)
    moved = (code * size + base[unit])[extra > 0]
    into = (code * size + base[unit] + extra)[extra > 0]
    moved_weight = weight[unit][extra > 0]
    flat = counts.ravel()
    flat -= np.bincount(moved, weights=moved_weight, minlength=flat.size)
    flat += np.bincount(into, weights=moved_weight, minlength=flat.size)
    keys = [np.nonzero(row)[0] for row in counts]
    return keys, [counts[i, k] for i, k in enumerate(keys)]


def distinct(values: np.ndarray) -> np.ndarray:
    """``np.unique(values)`` by sorting (numpy's hashing unique took 25 ms on 80 000 values)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def decode_units(
    code_id: int, path: str, keys: np.ndarray, weights: np.ndarray, n_coders: int, missing: str
) -> CodeUnits:
    """A code's ``CodeUnits`` from its ``pattern_counts``."""
    state = (keys[:, None] // 3 ** np.arange(n_coders)) % 3
    rows = np.where(state == 0, np.nan, state - 1).astype(float)
    return CodeUnits(code_id, path, rows, np.asarray(weights, dtype=float), missing)


Continua = list[tuple[int, list[list[tuple[int, int]]]]]


def unitizing_disagreements(
    project: Project, coders: Sequence[str], code_ids: Sequence[int]
) -> dict[int, tuple[float, float] | None]:
    """Per code, ``coding.agreement.unitizing_disagreement`` of its ``unitizing_continua``
    (None when no document counts), computed from the codings' arrays in one pass per code."""
    coder_ids = [project.coder_id(name, create=False) for name in coders]
    layout = _Layout.load(project, coder_ids)
    codings = _codings(project, coder_ids, list(code_ids), layout)
    shared = np.nonzero(layout.eligible.all(axis=1))[0]
    lengths = np.diff(layout.base)[shared]
    if not lengths.sum():  # no document counts, or only empty ones: nothing to unitize
        return dict.fromkeys(code_ids)
    doc = np.searchsorted(layout.base, codings.start, side="right") - 1
    continuum = np.full(len(layout.doc_ids), -1, dtype=np.int64)
    continuum[shared] = np.arange(len(shared))
    keep = continuum[doc] >= 0
    by_code = np.argsort(codings.code[keep], kind="stable")
    code = codings.code[keep][by_code]
    doc = doc[keep][by_code]
    columns = (
        continuum[doc],
        codings.coder[keep][by_code],
        codings.start[keep][by_code] - layout.base[doc],
        codings.end[keep][by_code] - layout.base[doc],
    )
    bounds = np.searchsorted(code, np.arange(len(code_ids) + 1))
    return {
        code_id: unitizing_disagreement_arrays(
            lengths, len(coders), *(c[bounds[i] : bounds[i + 1]] for c in columns)
        )
        for i, code_id in enumerate(code_ids)
    }


def unitizing_continua(
    project: Project, coders: Sequence[str], code_ids: Sequence[int]
) -> dict[int, Continua]:
    """Per code, the input of ``coding.agreement.unitizing_alpha``: for each document that every
    coder marked done or coded, ``(length, spans)`` with each coder's spans of the code there."""
    coder_ids = [project.coder_id(name, create=False) for name in coders]
    layout = _Layout.load(project, coder_ids)
    codings = _codings(project, coder_ids, list(code_ids), layout)
    shared = np.nonzero(layout.eligible.all(axis=1))[0].tolist()
    lengths = np.diff(layout.base).tolist()
    doc = np.searchsorted(layout.base, codings.start, side="right") - 1
    local_start = (codings.start - layout.base[doc]).tolist()
    local_end = (codings.end - layout.base[doc]).tolist()
    spans: dict[tuple[int, int], list[list[tuple[int, int]]]] = {}
    triples = zip(codings.code.tolist(), doc.tolist(), codings.coder.tolist(), strict=True)
    for n, (i, d, j) in enumerate(triples):
        per_coder = spans.setdefault((i, d), [[] for _ in coder_ids])
        per_coder[j].append((local_start[n], local_end[n]))
    empty: list[list[tuple[int, int]]] = [[] for _ in coder_ids]
    return {
        code_id: [(lengths[d], spans.get((i, d), empty)) for d in shared]
        for i, code_id in enumerate(code_ids)
    }
