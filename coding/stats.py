"""Figures for prevalence tables: verbal quantifiers, tests of difference, post-stratification.

Pure functions over counts; ``coding.prevalence`` feeds them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from fractions import Fraction
from pathlib import Path

from coding.errors import InputError

QUANTIFIERS = {
    "nb": ("ingen", "én", "en del", "et flertall", "et klart flertall", "noen få"),
    "en": ("none", "one", "some", "a majority", "a clear majority", "a few"),
}
# Below this share, two or more cases are «noen få», not «en del» (2 of 300 is not «en del»).
# A project sets its own in meta «few_below»; reports print the scale in their method note.
FEW_BELOW = 0.1
FEW_BELOW_META = "few_below"

# Table 2.1 of the SINTEF survey report (seed 004): municipalities in Norway per population
# class (2014). The six classes are folded into the four size classes the report quotes by:
# liten < 5 000 (96 + 134), mellomstor 5 000–19 999 (90 + 58), stor 20 000–50 000, storby > 50 000.
SEED_004_POPULATION_CLASSES = {
    "under 2 000": 96,
    "2 000-4 999": 134,
    "5 000-9 999": 90,
    "10 000-19 999": 58,
    "20 000-50 000": 39,
    "over 50 000": 13,
}
SEED_004_SIZE_CLASS_POPULATION = {"liten": 230, "mellomstor": 148, "stor": 39, "storby": 13}

SMALL_EXPECTED = 5.0


def quantifier(cases_with: int, cases: int, lang: str = "nb", few_below: float = FEW_BELOW) -> str:
    """The verbal quantifier of the seeds (SINTEF A26099): none, one, more than half «et
    flertall», two thirds or more «et klart flertall», otherwise «en del» (exactly half too);
    below ``few_below`` of the cases «noen få». Exact fractions, so that 2/3 or 1/10 is never
    lost to rounding."""
    if lang not in QUANTIFIERS:
        raise InputError(f"language must be one of {', '.join(QUANTIFIERS)}, not {lang!r}")
    none, one, some, majority, clear_majority, few = QUANTIFIERS[lang]
    if cases_with <= 0:
        return none
    if cases_with == 1:
        return one
    if 3 * cases_with >= 2 * cases:
        return clear_majority
    if 2 * cases_with > cases:
        return majority
    if Fraction(cases_with, cases) < Fraction(str(few_below)):
        return few
    return some


def check_few_below(value: float | str, where: str = "--few-below") -> float:
    """A share between 0 and 0.5 (at 0.5 or more «noen få» would swallow «en del»)."""
    try:
        share = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{where}: {value!r} is not a number (a share such as 0.1)") from None
    if not 0 <= share <= 0.5:
        raise InputError(f"{where}: {share} is outside 0–0.5 (a share such as 0.1)")
    return share


@dataclass(frozen=True)
class DifferenceTest:
    """A test of whether the share raising a theme differs across groups."""

    test: str  # "fisher", "chi2" or "none"
    p_value: float | None
    statistic: float | None
    groups: int
    small_expected: bool
    note: str = ""
    low_expected: int = 0  # cells with an expected count below 5
    cells: int = 0

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in ("low_expected", "cells")}


def difference_test(table: Sequence[tuple[int, int]]) -> DifferenceTest:
    """Test a groups × (with, without) table: Fisher's exact test for two groups, the
    chi-square test otherwise. Groups without cases are left out. ``small_expected`` flags
    expected counts below 5 (the chi-square p-value is then unreliable)."""
    rows = [(w, wo) for w, wo in table if w + wo > 0]
    if len(rows) < 2:
        return DifferenceTest("none", None, None, len(rows), False, "fewer than two groups")
    with_total = sum(w for w, _ in rows)
    without_total = sum(wo for _, wo in rows)
    if with_total == 0 or without_total == 0:
        note = "no case raises it" if with_total == 0 else "every case raises it"
        return DifferenceTest("none", None, None, len(rows), False, f"{note}: nothing to test")
    n = with_total + without_total
    expected = [(w + wo) * col / n for w, wo in rows for col in (with_total, without_total)]
    small = min(expected) < SMALL_EXPECTED
    if len(rows) == 2:
        statistic, p_value = fisher_exact(rows)
        return DifferenceTest("fisher", float(p_value), float(statistic), 2, small, "exact test")
    chi2 = _chi_square(rows, expected)
    p_value = chi_square_tail(chi2, len(rows) - 1)  # = chi2_contingency's p
    low = sum(1 for e in expected if e < SMALL_EXPECTED)
    note = f"{low} of {len(expected)} expected counts below 5: p unreliable" if small else ""
    return DifferenceTest(
        "chi2", float(p_value), float(chi2), len(rows), small, note, low, len(expected)
    )


# Fisher's test and the chi-square tail are written out here rather than taken from scipy: its
# statistics module was ~20 MB of memory and 0.9 s imported by the prevalence screen's worker
# for one p-value per theme (issue 13). tests/test_prevalence.py checks both against scipy.
TIES = 1e-7  # pmf values this close to the table's count as ties (R's fisher.test, relErr)


def fisher_exact(table: Sequence[tuple[int, int]]) -> tuple[float, float]:
    """Fisher's exact test of a 2 × 2 table, two-sided, as ``scipy.stats.fisher_exact``: the
    sample odds ratio and the summed probability of every table with the same margins that is
    no more likely than this one."""
    (a, b), (c, d) = table
    row1, row2, col1 = a + b, c + d, a + c
    n = row1 + row2
    if 0 in (row1, row2, col1, n - col1):
        return math.nan, 1.0
    odds = a * d / (b * c) if b and c else math.inf
    whole = _log_choose(n, col1)

    def log_pmf(x: int) -> float:  # hypergeometric: x of col1 drawn from row1 of n
        return _log_choose(row1, x) + _log_choose(row2, col1 - x) - whole

    limit = log_pmf(a) + math.log1p(TIES)
    found = (log_pmf(x) for x in range(max(0, col1 - row2), min(row1, col1) + 1))
    return odds, min(1.0, math.fsum(math.exp(p) for p in found if p <= limit))


def chi_square_tail(statistic: float, df: int) -> float:
    """P(X ≥ statistic) for X chi-square with ``df`` (a whole number ≥ 1) degrees of freedom:
    the regularized upper incomplete gamma Q(df/2, statistic/2), summed in closed form
    (Q(1/2, h) = erfc(√h), Q(a + 1, h) = Q(a, h) + hᵃ e⁻ʰ / Γ(a + 1)), each term in logs."""
    if statistic <= 0:
        return 1.0
    h = statistic / 2
    if df % 2 == 0:
        first, steps = 0.0, [float(i) for i in range(df // 2)]
    else:
        first, steps = math.erfc(math.sqrt(h)), [i + 0.5 for i in range(df // 2)]
    terms = (math.exp(a * math.log(h) - h - math.lgamma(a + 1)) for a in steps)
    return min(1.0, first + math.fsum(terms))


def _log_choose(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _chi_square(rows: list[tuple[int, int]], expected: list[float]) -> float:
    """Pearson's statistic (no continuity correction: more than one degree of freedom)."""
    observed = [count for row in rows for count in row]
    return sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True))


def poststratified_share(
    shares: Mapping[str, float | None], weights: Mapping[str, float]
) -> tuple[float | None, list[str]]:
    """Population share by post-stratification: Σ W_g · p_g / Σ W_g over groups with data.
    Returns the share and the weighted groups left out because the sample has no case there."""
    used = [
        (w, share) for g, w in weights.items() if (share := shares.get(g)) is not None and w > 0
    ]
    missing = [g for g, w in weights.items() if w > 0 and shares.get(g) is None]
    total = sum(w for w, _ in used)
    if not total:
        return None, missing
    return sum(w * share for w, share in used) / total, missing


def parse_weights(text: str) -> dict[str, float]:
    """``liten=230,mellomstor=148`` → ``{"liten": 230.0, "mellomstor": 148.0}``;
    ``seed004`` → Table 2.1 of the SINTEF report folded into size classes."""
    if text.strip().lower() in {"seed004", "sintef2014"}:
        return {k: float(v) for k, v in SEED_004_SIZE_CLASS_POPULATION.items()}
    weights: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--weights: {part!r} is not NAME=NUMBER")
        weights[name.strip()] = _number(value, f"--weights: {name.strip()}")
    if not weights:
        raise InputError("--weights: no NAME=NUMBER pairs given")
    return weights


def load_population(path: str | Path) -> dict[str, float]:
    """Population counts per group from a file: JSON ``{"liten": 230, ...}`` or a two-column
    CSV/TSV ``group,count`` (a header row is allowed)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read population file ({exc.strerror})") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(data, dict):
            raise InputError(f"{path}: expected an object {{group: count}}")
        return {str(k): _number(str(v), f"{path}: {k}") for k, v in data.items()}
    return _population_table(path, text)


def _population_table(path: Path, text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        sep = next((s for s in ("\t", ";", ",") if s in line), None)
        if sep is None:
            raise InputError(f"{path}: line {lineno}: expected GROUP,COUNT")
        name, value = (p.strip().strip('"') for p in line.split(sep)[:2])
        if lineno == 1 and not _is_number(value):
            continue  # header row
        weights[name] = _number(value, f"{path}: line {lineno}")
    if not weights:
        raise InputError(f"{path}: no GROUP,COUNT rows")
    return weights


def _is_number(value: str) -> bool:
    try:
        float(value.replace(" ", "").replace(",", "."))
    except ValueError:
        return False
    return True


def _number(value: str, where: str) -> float:
    cleaned = value.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        raise InputError(f"{where}: {value.strip()!r} is not a number") from None
    if number < 0:
        raise InputError(f"{where}: a population count cannot be negative")
    return number
