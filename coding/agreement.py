"""Inter-coder agreement: pure functions over a reliability matrix.

A reliability matrix is a sequence of units, each a sequence with one value per coder; ``None``
(or NaN in a float array) marks a missing value. Values may be numbers or any hashable labels
(labels sort for ``ordinal``; ``interval`` and ``ratio`` need numbers). Every function also takes
``weights``: how many times each unit occurs (default one each), so identical units can be
passed once with a count (``coding.units`` uses this for segments and characters).

A unit whose values come from fewer than two coders is not pairable and is left out, as
Krippendorff does. When a coefficient is 0/0 (no variation at all, nothing pairable) the
function raises ``UndefinedAgreement`` saying why; reports show «undefined» with the reason.

Kappa-type measures (percent agreement, Fleiss, Brennan-Prediger, AC1; Cohen and Scott always)
count by default only complete units, those with a value from every coder, so that observed and
chance agreement rest on the same units (``missing="complete"``). ``missing="gwet"`` selects
Gwet's missing-data form (2014, *Handbook of Inter-Rater Reliability*, 4th ed., ch. 2–3):
observed agreement is the mean over units rated by two or more coders of the share of agreeing
coder pairs; the category shares behind chance agreement are the mean over units rated at least
once of each category's share of the unit's values. On complete data both reduce to the
classical formulas (Fleiss 1971, Scott 1955, Brennan & Prediger 1981, Gwet 2008). Krippendorff's
alpha always uses every pairable value, as Krippendorff defines it.

A coefficient outside its possible range (below -1, or below Fleiss' bound -1/(m-1) on complete
data, or above 1) is never returned: ``UndefinedAgreement`` says why.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

LEVELS = ("nominal", "ordinal", "interval", "ratio")
MISSING = ("complete", "gwet")  # complete units only; Gwet's (2014) missing-data form
_MATRIX_LIMIT = 2048  # categories up to which alpha uses a q × q coincidence matrix


class UndefinedAgreement(ValueError):
    """The coefficient is 0/0 for these data; the message says why."""


NO_VARIATION = "no variation: every value is the same"
Weights = Sequence[float] | None  # one weight per unit (None: all 1)
Categories = Sequence[object] | None  # the values a unit may take (None: those that occur)
# A reliability matrix: units × coders, one value per coder (None or NaN: missing), as rows or
# an array; values are numbers or labels.
Data = np.ndarray | Iterable[Iterable[object]]


@dataclass(frozen=True)
class _Coded:
    """A reliability matrix as category indices: ``codes[u, j]`` is the index into ``values``
    of coder j's value on unit u, or -1 when missing."""

    codes: np.ndarray  # int64, units × coders
    values: np.ndarray  # sorted distinct values (float, or object for labels)
    weights: np.ndarray  # float, one per unit

    @property
    def present(self) -> np.ndarray:
        return self.codes >= 0

    @property
    def raters(self) -> np.ndarray:
        """Number of values per unit."""
        return self.present.sum(axis=1)


def _coded(
    data: Data, weights: Sequence[float] | np.ndarray | None = None, numeric: bool = False
) -> _Coded:
    matrix = _as_array(data)
    if matrix.ndim != 2:
        raise ValueError("reliability data must be a units × coders matrix")
    if matrix.dtype == object:
        missing = np.array([[_is_missing(v) for v in row] for row in matrix], dtype=bool)
        if numeric:
            try:
                matrix = np.where(missing, np.nan, matrix).astype(float)
            except (TypeError, ValueError):
                raise ValueError("interval and ratio levels need numeric values") from None
    if matrix.dtype != object:
        matrix = matrix.astype(float, copy=False)
        missing = np.isnan(matrix)
    values, inverse = _factorise(matrix[~missing])
    codes = np.full(matrix.shape, -1, dtype=np.int64)
    codes[~missing] = inverse
    w = np.ones(len(codes)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(codes),):
        raise ValueError(f"weights: expected {len(codes)} values, one per unit")
    return _Coded(codes, values, w)


def _as_array(data: Data) -> np.ndarray:
    if isinstance(data, np.ndarray):
        return data
    rows = [list(row) for row in data]
    if len({len(row) for row in rows}) > 1:
        raise ValueError("every unit needs one value per coder (use None for missing)")
    try:
        return np.array(rows, dtype=float).reshape(len(rows), -1)
    except (TypeError, ValueError):
        array = np.empty((len(rows), len(rows[0]) if rows else 0), dtype=object)
        for i, row in enumerate(rows):
            array[i, :] = row
        return array


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _factorise(flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if flat.dtype != object:
        return np.unique(flat, return_inverse=True)
    distinct = list(dict.fromkeys(flat.tolist()))
    with contextlib.suppress(TypeError):  # mixed labels: nominal only, first-seen order
        distinct.sort()
    index = {v: i for i, v in enumerate(distinct)}
    values = np.empty(len(distinct), dtype=object)
    values[:] = distinct
    return values, np.array([index[v] for v in flat.tolist()], dtype=np.int64)


# -- agreement from pairs of coders ----------------------------------------------------------------
def _pair_agreement(coded: _Coded) -> tuple[np.ndarray, np.ndarray]:
    """Per pairable unit (two or more values): share of agreeing coder pairs, and the mask."""
    codes, present = coded.codes, coded.present
    raters = coded.raters
    agree = np.zeros(len(codes))
    for i in range(codes.shape[1]):
        for j in range(i + 1, codes.shape[1]):
            agree += present[:, i] & present[:, j] & (codes[:, i] == codes[:, j])
    pairable = raters >= 2
    pairs = raters[pairable] * (raters[pairable] - 1) / 2
    return agree[pairable] / pairs, pairable


def _observed(coded: _Coded) -> float:
    share, pairable = _pair_agreement(coded)
    w = coded.weights[pairable]
    if w.sum() == 0:
        raise UndefinedAgreement("no unit has values from two or more coders")
    return float(share @ w / w.sum())


def _category_shares(coded: _Coded) -> np.ndarray:
    """Mean over units rated at least once of each category's share of the unit's values."""
    raters = coded.raters
    rated = raters > 0
    unit_of = np.nonzero(coded.present)[0]
    shares = np.bincount(
        coded.codes[coded.present],
        weights=(coded.weights / np.maximum(raters, 1))[unit_of],
        minlength=len(coded.values),
    )
    return shares / coded.weights[rated].sum()


def _chance_corrected(
    observed: float, expected: float, name: str, lowest: float = -1.0, why: str = ""
) -> float:
    if np.isclose(expected, 1.0):
        raise UndefinedAgreement(f"{NO_VARIATION} (chance agreement of {name} is 1)")
    value = (observed - expected) / (1.0 - expected)
    if not lowest - 1e-9 <= value <= 1.0 + 1e-9:
        raise UndefinedAgreement(
            f"out of range: {value:.3f} lies outside the possible range {lowest:.3f} to 1"
            f"{why} ({name})"
        )
    return float(min(max(value, lowest), 1.0))


def _units_for(coded: _Coded, missing: str) -> _Coded:
    """The units a kappa-type measure counts: complete ones, or all (Gwet's form)."""
    if missing not in MISSING:
        raise ValueError(f"missing must be one of {', '.join(MISSING)}, not {missing!r}")
    if missing == "gwet":
        return coded
    keep = coded.present.all(axis=1) & (coded.weights > 0)
    if not keep.any():
        raise UndefinedAgreement("no unit has values from every coder (complete units only)")
    codes = coded.codes[keep]
    used, inverse = np.unique(codes, return_inverse=True)
    return _Coded(inverse.reshape(codes.shape), coded.values[used], coded.weights[keep])


def _bounds(coded: _Coded, missing: str) -> tuple[float, str]:
    """Fleiss' kappa's lowest possible value: -1/(m-1) for m coders on complete units
    (mean of squares >= square of means); -1 for Gwet's form, which has no proven bound."""
    if missing == "gwet":
        return -1.0, ": observed and chance agreement rest on different units in Gwet's form"
    return -1.0 / (coded.codes.shape[1] - 1), ""


def percent_agreement(data: Data, *, weights: Weights = None, missing: str = "complete") -> float:
    """Share of agreeing coder pairs, averaged over the units counted (for two coders: the
    share of units on which both gave the same value); ``missing="gwet"``: over every unit with
    two or more values."""
    return _observed(_units_for(_coded(data, weights), missing))


def fleiss_kappa(data: Data, *, weights: Weights = None, missing: str = "complete") -> float:
    """Fleiss' (1971) kappa for two or more coders, over complete units; ``missing="gwet"``:
    Gwet's (2014) missing-data form (observed agreement over units with two or more values,
    category shares over units with one or more)."""
    coded = _units_for(_coded(data, weights), missing)
    observed = _observed(coded)
    expected = float(np.sum(_category_shares(coded) ** 2))
    lowest, why = _bounds(coded, missing)
    return _chance_corrected(observed, expected, "Fleiss' kappa", lowest, why)


def gwet_ac1(
    data: Data, categories: Categories = None, *, weights: Weights = None, missing: str = "complete"
) -> float:
    """Gwet's (2008) AC1: chance agreement ``sum(pi_k (1 - pi_k)) / (q - 1)``, robust to skewed
    codes where kappa collapses. ``q`` is the number of ``categories`` (default: the values
    that occur in the units counted); ``missing`` as in ``fleiss_kappa``."""
    coded, q = _units_and_categories(data, weights, missing, categories)
    observed = _observed(coded)
    pi = _category_shares(coded)
    expected = float(np.sum(pi * (1 - pi)) / (q - 1))
    return _chance_corrected(observed, expected, "Gwet's AC1")


def brennan_prediger(
    data: Data, categories: Categories = None, *, weights: Weights = None, missing: str = "complete"
) -> float:
    """Brennan & Prediger's (1981) kappa with chance agreement ``1/q``; ``q`` is the number of
    ``categories`` (default: the values that occur in the units counted)."""
    coded, q = _units_and_categories(data, weights, missing, categories)
    return _chance_corrected(_observed(coded), 1.0 / q, "Brennan-Prediger")


def _units_and_categories(
    data: Data, weights: Weights, missing: str, categories: Categories
) -> tuple[_Coded, int]:
    """The units counted and the number of categories ``q`` (see ``_category_count``)."""
    coded = _units_for(_coded(data, weights), missing)
    return coded, _category_count(coded, categories)


def _category_count(coded: _Coded, categories: Categories) -> int:
    if categories is not None:
        unknown = set(coded.values.tolist()) - set(categories)
        if unknown:
            raise ValueError(f"values outside the given categories: {sorted(map(str, unknown))}")
        q = len(set(categories))
    else:
        q = len(coded.values)
    if q < 2:
        raise UndefinedAgreement(f"{NO_VARIATION} (only one category)")
    return q


# -- two coders -----------------------------------------------------------------------------------
def _two_coder_table(data: Data, weights: Weights) -> np.ndarray:
    """Proportions table coder 1 × coder 2 over units where both gave a value."""
    coded = _coded(data, weights)
    if coded.codes.shape[1] != 2:
        raise ValueError(f"needs exactly two coders, got {coded.codes.shape[1]}")
    both = coded.present.all(axis=1)
    q = len(coded.values)
    cells = coded.codes[both, 0] * q + coded.codes[both, 1]
    table = np.bincount(cells, weights=coded.weights[both], minlength=q * q).reshape(q, q)
    if table.sum() == 0:
        raise UndefinedAgreement("no unit has values from both coders")
    return table / table.sum()


def cohen_kappa(data: Data, *, weights: Weights = None) -> float:
    """Cohen's (1960) kappa for exactly two coders; units where either value is missing are
    dropped."""
    table = _two_coder_table(data, weights)
    expected = float(table.sum(axis=1) @ table.sum(axis=0))
    return _chance_corrected(float(np.trace(table)), expected, "Cohen's kappa")


def scott_pi(data: Data, *, weights: Weights = None) -> float:
    """Scott's (1955) pi for exactly two coders (pooled category shares); units where either
    value is missing are dropped."""
    table = _two_coder_table(data, weights)
    pooled = (table.sum(axis=1) + table.sum(axis=0)) / 2
    return _chance_corrected(float(np.trace(table)), float(pooled @ pooled), "Scott's pi")


# -- Krippendorff's alpha -------------------------------------------------------------------------
def krippendorff_alpha(data: Data, level: str = "nominal", *, weights: Weights = None) -> float:
    """Krippendorff's alpha at the ``nominal``, ``ordinal``, ``interval`` or ``ratio`` level
    (Krippendorff 2011, «Computing Krippendorff's Alpha-Reliability»), any number of coders,
    missing values allowed; units with fewer than two values are left out.

    Built from the coincidence matrix (one ``bincount`` per ordered coder pair, so a 100 000 × 3
    matrix takes milliseconds); with more than 2 048 distinct values the disagreements are
    summed pair by pair instead, in bounded memory."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    coded = _coded(data, weights, numeric=level in ("interval", "ratio"))
    q = len(coded.values)
    pairs = list(_ordered_pairs(coded))
    counts = np.zeros(q)
    for a, _b, w in pairs:
        counts += np.bincount(a, weights=w, minlength=q)
    n = counts.sum()
    if n == 0:
        raise UndefinedAgreement("no unit has values from two or more coders")
    if q <= _MATRIX_LIMIT:
        o = coincidence_matrix_from_pairs(pairs, q)
        index = np.arange(q)
        delta = _delta(level, index[:, None], index[None, :], coded.values, counts)
        observed = float(np.sum(o * delta))
        expected = float(counts @ delta @ counts)
    else:
        observed = sum(float(w @ _delta(level, a, b, coded.values, counts)) for a, b, w in pairs)
        expected = _expected_in_chunks(level, coded.values, counts)
    if expected == 0:
        raise UndefinedAgreement(NO_VARIATION)
    return 1.0 - (n - 1) * observed / expected


class PairValues(NamedTuple):
    """One ordered coder pair's values over the units where both gave one (``_ordered_pairs``)."""

    a: np.ndarray  # category indices of the first coder
    b: np.ndarray  # of the second
    weight: np.ndarray  # per unit: 1/(m_u - 1) times the unit's weight


def _ordered_pairs(coded: _Coded) -> Iterator[PairValues]:
    """For each ordered coder pair (i, j), i != j: the two category arrays over units where both
    gave a value, and each pair's weight 1/(m_u - 1) times the unit's weight."""
    codes, present = coded.codes, coded.present
    unit_weight = coded.weights / np.maximum(coded.raters - 1, 1)
    for i in range(codes.shape[1]):
        for j in range(codes.shape[1]):
            if i != j:
                both = present[:, i] & present[:, j]
                yield PairValues(codes[both, i], codes[both, j], unit_weight[both])


def coincidence_matrix_from_pairs(pairs: Sequence[PairValues], q: int) -> np.ndarray:
    o = np.zeros(q * q)
    for a, b, w in pairs:
        o += np.bincount(a * q + b, weights=w, minlength=q * q)
    return o.reshape(q, q)


def coincidence_matrix(data: Data, *, weights: Weights = None) -> np.ndarray:
    """Krippendorff's coincidence matrix over the sorted distinct values."""
    coded = _coded(data, weights)
    return coincidence_matrix_from_pairs(list(_ordered_pairs(coded)), len(coded.values))


def _delta(
    level: str, a: np.ndarray, b: np.ndarray, values: np.ndarray, counts: np.ndarray
) -> np.ndarray:
    """Squared difference function delta² for category indices ``a`` and ``b`` (broadcast)."""
    if level == "nominal":
        return (a != b).astype(float)
    if level == "ordinal":
        cumulative = np.cumsum(counts)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        return (cumulative[hi] - cumulative[lo] + (counts[lo] - counts[hi]) / 2) ** 2
    x, y = values.astype(float)[a], values.astype(float)[b]
    if level == "interval":
        return (x - y) ** 2
    total = x + y
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(total == 0, 0.0, (x - y) / np.where(total == 0, 1, total))
    return ratio**2


def _expected_in_chunks(level: str, values: np.ndarray, counts: np.ndarray) -> float:
    q = len(values)
    index = np.arange(q)
    step = max(1, 4_000_000 // q)
    total = 0.0
    for start in range(0, q, step):
        rows = index[start : start + step]
        delta = _delta(level, rows[:, None], index[None, :], values, counts)
        total += float(counts[rows] @ delta @ counts)
    return total


# -- bootstrapping alpha: Hayes & Krippendorff (2007) ---------------------------------------------
MINIMUMS = (0.667, 0.800)  # Krippendorff's (2004) lowest acceptable alphas: tentative, reliable


@dataclass(frozen=True)
class AlphaBootstrap:
    """Alpha with its bootstrap distribution summarised: the percentile confidence interval and,
    per minimum, the probability ``q`` that alpha lies below it."""

    alpha: float
    low: float
    high: float
    below: dict[float, float]
    samples: int
    pairs: int  # M: pairs of values drawn in each bootstrap sample
    confidence: float


def alpha_bootstrap(
    data: Data,
    level: str = "nominal",
    *,
    weights: Sequence[float] | np.ndarray | None = None,
    samples: int = 1000,
    seed: int | None = None,
    confidence: float = 0.95,
    minimums: Sequence[float] = MINIMUMS,
) -> AlphaBootstrap:
    """Krippendorff's alpha bootstrapped as the KALPHA macro does (Hayes & Krippendorff 2007,
    *Communication Methods and Measures* 1(1):77-89; Krippendorff's «Algorithm for
    bootstrapping a distribution of alpha», 2006/2011): each sample draws M pairs of values
    from the coincidence matrix (so each unit's pairs weigh 1/(m_u-1)); the sample's alpha is
    1 - mean delta² / D_e with the expected disagreement D_e of the data, floored at -1, and 0
    when the sample holds one value only. M is the number of coder pairs within units (sum of
    m_u(m_u-1)/2; Krippendorff's (m-1)n/2 on complete data). His cap of M at 25 × the non-empty
    cells, a limit for computers of 2006, is not applied: it would keep the interval from
    narrowing as the data grow, and here each sample is one multinomial draw of cell counts,
    so M costs nothing."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    if samples < 1 or not 0 < confidence < 1:
        raise ValueError("bootstrap needs one or more samples and a confidence between 0 and 1")
    coded = _coded(data, weights, numeric=level in ("interval", "ratio"))
    q = len(coded.values)
    if q > _MATRIX_LIMIT:
        raise ValueError(f"bootstrap supports up to {_MATRIX_LIMIT} distinct values")
    o = coincidence_matrix_from_pairs(list(_ordered_pairs(coded)), q)
    counts, n = o.sum(axis=1), o.sum()
    if n == 0:
        raise UndefinedAgreement("no unit has values from two or more coders")
    index = np.arange(q)
    delta = _delta(level, index[:, None], index[None, :], coded.values, counts)
    expected = float(counts @ delta @ counts) / (n * (n - 1))  # D_e per pair of values
    if expected == 0:
        raise UndefinedAgreement(NO_VARIATION)
    alpha = 1.0 - float(np.sum(o * delta)) / n / expected
    boot, pairs = _alpha_samples(coded, o, delta, expected, samples, seed)
    tail = (1.0 - confidence) / 2
    low, high = np.quantile(boot, [tail, 1.0 - tail])
    below = {m: float(np.mean(boot < m)) for m in minimums}
    return AlphaBootstrap(alpha, float(low), float(high), below, samples, pairs, confidence)


def _alpha_samples(
    coded: _Coded,
    o: np.ndarray,
    delta: np.ndarray,
    expected: float,
    samples: int,
    seed: int | None,
) -> tuple[np.ndarray, int]:
    raters = coded.raters.astype(float)
    pairable = raters >= 2
    pairs = round(float(coded.weights[pairable] @ (raters * (raters - 1) / 2)[pairable]))
    rows, cols = np.triu_indices(len(o))
    diagonal = rows == cols
    p = np.where(diagonal, 1.0, 2.0) * o[rows, cols]
    p /= p.sum()
    rng = np.random.default_rng(seed)
    chunk = max(1, 4_000_000 // len(p))
    out = []
    for start in range(0, samples, chunk):
        draws = rng.multinomial(pairs, p, size=min(chunk, samples - start))
        alpha = 1.0 - (draws @ delta[rows, cols]) / pairs / expected
        alpha = np.maximum(alpha, -1.0)
        alpha[(draws[:, diagonal] == pairs).any(axis=1)] = 0.0  # one value only: no variation
        out.append(alpha)
    return np.concatenate(out), pairs


# -- unitizing: Krippendorff's u-alpha ------------------------------------------------------------
Span = tuple[int, int]


def unitizing_alpha(continua: Sequence[tuple[int, Sequence[Sequence[Span]]]]) -> float:
    """Krippendorff's alpha for unitizing (|u-alpha of Krippendorff 1995, «On the reliability of
    unitizing continuous data», in the form of Krippendorff 2004, *Content Analysis*, 2nd ed.,
    sec. 12.4): how far coders who marked their own spans of one category on a continuum agree.

    ``continua`` holds, per document, ``(length, spans)`` where ``spans[j]`` are coder j's
    ``(start, end)`` spans (end exclusive, offsets from 0). A coder's overlapping spans are
    united. Every coder is taken to have unitized every continuum given (pass only documents
    each coder finished). Several documents are treated as one continuum of their summed length
    in which no gap runs across a document boundary; with one document this is exactly
    Krippendorff's coefficient. Categories are assessed one at a time (one code: binary)."""
    observed, expected = unitizing_disagreement(continua)
    if expected == 0:
        raise UndefinedAgreement("no coder marked any span, so there is nothing to compare")
    return 1.0 - observed / expected


def unitizing_disagreement(
    continua: Sequence[tuple[int, Sequence[Sequence[Span]]]],
) -> tuple[float, float]:
    """Observed and expected disagreement (uD_o, uD_e) behind ``unitizing_alpha``; sum them over
    codes to pool categories as Krippendorff (2004) does."""
    coders = {len(spans) for _, spans in continua}
    if len(coders) != 1 or coders.pop() < 2:
        raise ValueError("unitizing needs the same number (two or more) of coders per continuum")
    m = len(continua[0][1])
    flat = [
        (c, j, start, end)
        for c, (_, spans) in enumerate(continua)
        for j, coder_spans in enumerate(spans)
        for start, end in coder_spans
    ]
    columns = np.array(flat, dtype=np.int64).reshape(-1, 4).T
    lengths = np.array([length for length, _ in continua], dtype=np.int64)
    return unitizing_disagreement_arrays(lengths, m, *columns)


def unitizing_disagreement_arrays(
    lengths: np.ndarray,
    m: int,
    continuum: np.ndarray,
    coder: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> tuple[float, float]:
    """``unitizing_disagreement`` from arrays: the continua's lengths, and one entry per span
    (its continuum, coder 0..m-1 and offsets within the continuum).

    Linear in spans and continua: every coder's continua are laid end to end on one line per
    coder, and those m lines one after another, so uniting spans, finding the gaps and pairing
    two coders' units are each one pass over sorted arrays (a loop over continua took 30 s for
    the 6 440 documents × 38 codes of a study). Floats as the definition sums them: the units
    in the order continuum, coder, start."""
    lengths = np.asarray(lengths, dtype=np.int64)
    base = np.concatenate(([0], np.cumsum(lengths)))
    total = int(base[-1])
    merged = _merge_on_lines(lengths, base, m, continuum, coder, start, end)
    line_start, line_end, unit_cell = merged
    pair_sum = 0.0
    bounds = np.searchsorted(line_start, np.arange(m + 1) * total)
    own = [
        (line_start[a:b] - j * total, line_end[a:b] - j * total)
        for j, (a, b) in enumerate(itertools.pairwise(bounds))
    ]
    for i in range(m):
        for j in range(i + 1, m):
            pair_sum += _pair_disagreement(own[i], own[j])
    observed = 2.0 * pair_sum / (m * (m - 1) * float(total) ** 2)
    order = np.argsort(unit_cell % len(lengths) * m + unit_cell // len(lengths), kind="stable")
    units = (line_end - line_start)[order]
    gaps = _gaps_on_lines(line_start, line_end, base, lengths, m)
    return observed, _unitizing_expected(units, gaps, m, total)


def _merge_on_lines(
    lengths: np.ndarray,
    base: np.ndarray,
    m: int,
    continuum: np.ndarray,
    coder: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every coder's spans clipped to their continuum and united (overlapping ones only;
    touching ones stay apart), as sorted disjoint (start, end) on the lines of all coders
    (coder j's continuum c begins at j × total + base[c]), with each unit's cell
    j × continua + c."""
    continuum, coder = np.asarray(continuum, np.int64), np.asarray(coder, np.int64)
    length = lengths[continuum]
    start = np.clip(np.asarray(start, np.int64), 0, length)
    end = np.clip(np.asarray(end, np.int64), 0, length)
    keep = end > start
    offset = coder[keep] * int(base[-1]) + base[continuum[keep]]
    cell = coder[keep] * len(lengths) + continuum[keep]
    start, end = start[keep] + offset, end[keep] + offset
    order = np.argsort(start, kind="stable")
    start, reach, cell = start[order], np.maximum.accumulate(end[order]), cell[order]
    if not len(start):
        return start, reach, cell
    new_run = np.ones(len(start), dtype=bool)
    new_run[1:] = start[1:] >= reach[:-1]
    last = np.append(new_run[1:], True)  # a run's reach is its end
    return start[new_run], reach[last], cell[new_run]


def _gaps_on_lines(
    line_start: np.ndarray, line_end: np.ndarray, base: np.ndarray, lengths: np.ndarray, m: int
) -> np.ndarray:
    """Lengths of the stretches between a coder's units, from a continuum's start to its end
    (none runs across a continuum's edge): before each unit, and after each continuum's last."""
    total = int(base[-1])
    cell_start = (np.arange(m)[:, None] * total + base[None, :-1]).ravel()
    cell_end = cell_start + np.tile(lengths, m)
    previous_end = np.concatenate(([0], line_end[:-1]))
    owner = np.searchsorted(cell_end, line_start, side="right")  # the cell holding each unit
    before = line_start - np.maximum(previous_end, cell_start[owner])
    last = np.searchsorted(line_end, cell_end, side="right") - 1
    ends = np.append(line_end, 0)  # index -1: no unit before the cell's end
    last_end = ends[last]
    after = cell_end - np.maximum(last_end, cell_start)
    gaps = np.concatenate((before, after))
    return gaps[gaps > 0]


def _merge_spans(spans: Sequence[Span], length: int) -> tuple[np.ndarray, np.ndarray]:
    """A coder's spans clipped to the continuum and united: sorted disjoint (starts, ends)."""
    if not spans:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    array = np.clip(np.asarray(spans, dtype=np.int64).reshape(-1, 2), 0, length)
    array = array[np.argsort(array[:, 0], kind="stable")]
    array = array[array[:, 1] > array[:, 0]]
    starts, ends = array[:, 0], np.maximum.accumulate(array[:, 1]) if len(array) else array[:, 1]
    new_run = np.ones(len(starts), dtype=bool)
    new_run[1:] = starts[1:] >= ends[:-1]  # only overlapping spans unite; touching ones stay apart
    run = np.cumsum(new_run) - 1
    out_ends = np.zeros(int(run[-1]) + 1 if len(run) else 0, dtype=np.int64)
    np.maximum.at(out_ends, run, ends)
    return starts[new_run], out_ends


def _gap_lengths(starts: np.ndarray, ends: np.ndarray, length: int) -> np.ndarray:
    bounds_start = np.concatenate(([0], ends))
    bounds_end = np.concatenate((starts, [length]))
    gaps = bounds_end - bounds_start
    return gaps[gaps > 0]


def _pair_disagreement(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> float:
    """Sum of delta² over all pairs of sections of two coders: overlapping units differ by their
    squared start and end offsets; a unit lying wholly in the other coder's gap counts its
    squared length; everything else is 0."""
    (a_start, a_end), (b_start, b_end) = a, b
    first = np.searchsorted(b_end, a_start, side="right")  # first b unit ending after a starts
    last = np.searchsorted(b_start, a_end, side="left")  # b units starting before a ends
    overlaps = last - first
    total = float(np.sum((a_end - a_start)[overlaps == 0].astype(float) ** 2))
    a_index = np.repeat(np.arange(len(a_start)), overlaps)
    b_index = np.arange(overlaps.sum()) - np.repeat(np.cumsum(overlaps) - overlaps, overlaps)
    b_index += np.repeat(first, overlaps)
    total += float(
        np.sum((a_start[a_index] - b_start[b_index]).astype(float) ** 2)
        + np.sum((a_end[a_index] - b_end[b_index]).astype(float) ** 2)
    )
    alone_b = np.ones(len(b_start), dtype=bool)
    alone_b[b_index] = False
    return total + float(np.sum((b_end - b_start)[alone_b].astype(float) ** 2))


def _unitizing_expected(units: np.ndarray, gaps: np.ndarray, m: int, length: int) -> float:
    """uD_e: disagreement expected when every unit could fall anywhere in every gap."""
    if len(units) == 0:
        return 0.0
    lengths = units.astype(float)
    sorted_gaps = np.sort(gaps.astype(float))
    suffix = np.concatenate((np.cumsum(sorted_gaps[::-1])[::-1], [0.0]))
    k = np.searchsorted(sorted_gaps, lengths, side="left")
    fits = suffix[k] - (len(sorted_gaps) - k) * (lengths - 1)  # sum over gaps h >= l of h - l + 1
    within = (len(units) - 1) * (2 * lengths**3 - 3 * lengths**2 + lengths) / 3
    numerator = 2.0 / length * float(np.sum(within + lengths**2 * fits))
    denominator = m * length * (m * length - 1) - float(np.sum(lengths * (lengths - 1)))
    return numerator / denominator
