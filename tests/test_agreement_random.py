"""Each coefficient against an independent implementation on random matrices, and edge cases."""

from __future__ import annotations

import itertools

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import accuracy_score, cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from coding import agreement
from coding.agreement import (
    LEVELS,
    UndefinedAgreement,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
    unitizing_disagreement,
)

SEEDS = range(12)


def random_matrix(seed: int, *, missing: float = 0.2, coders: int | None = None) -> np.ndarray:
    rng = np.random.default_rng(seed)
    units = int(rng.integers(5, 80))
    coders = coders or int(rng.integers(2, 6))
    q = int(rng.integers(2, 7))
    truth = rng.integers(0, q, size=(units, 1))
    noise = rng.integers(0, q, size=(units, coders))
    data = np.where(rng.random((units, coders)) < 0.6, truth, noise).astype(float) + 1
    data[rng.random((units, coders)) < missing] = np.nan
    return data


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("level", LEVELS)
def test_alpha_matches_krippendorff_package(seed: int, level: str) -> None:
    data = random_matrix(seed)
    try:
        expected = krippendorff.alpha(reliability_data=data.T, level_of_measurement=level)
    except ValueError:  # the package refuses data with one value only
        return
    assert krippendorff_alpha(data, level) == pytest.approx(expected, abs=1e-9)
    as_lists = [[None if np.isnan(v) else v for v in row] for row in data]
    assert krippendorff_alpha(as_lists, level) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("level", LEVELS)
def test_alpha_pairwise_path_for_many_distinct_values(level: str, monkeypatch) -> None:
    rng = np.random.default_rng(7)
    truth = rng.integers(1, 200, size=(300, 1)).astype(float)
    data = truth + rng.integers(0, 3, size=(300, 3))
    data[rng.random(data.shape) < 0.1] = np.nan
    expected = krippendorff.alpha(reliability_data=data.T, level_of_measurement=level)
    monkeypatch.setattr(agreement, "_MATRIX_LIMIT", 10)  # force the path used past 2 048 values
    assert krippendorff_alpha(data, level) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_two_coder_measures_match_sklearn_and_statsmodels(seed: int) -> None:
    data = random_matrix(seed, missing=0.0, coders=2)
    a, b = data[:, 0], data[:, 1]
    assert cohen_kappa(data) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    assert percent_agreement(data) == pytest.approx(accuracy_score(a, b), abs=1e-12)
    table, _ = aggregate_raters(data)
    assert scott_pi(data) == pytest.approx(sm_fleiss(table), abs=1e-12)  # Fleiss(2) = Scott


@pytest.mark.parametrize("seed", SEEDS)
def test_cohen_drops_units_with_a_missing_value(seed: int) -> None:
    data = random_matrix(seed, coders=2)
    both = ~np.isnan(data).any(axis=1)
    assert cohen_kappa(data) == pytest.approx(cohen_kappa_score(data[both, 0], data[both, 1]))


@pytest.mark.parametrize("seed", SEEDS)
def test_fleiss_and_brennan_prediger_match_statsmodels(seed: int) -> None:
    data = random_matrix(seed, missing=0.0)
    table, _ = aggregate_raters(data)
    assert fleiss_kappa(data) == pytest.approx(sm_fleiss(table), abs=1e-12)
    # statsmodels' «randolph» is the free-marginal kappa: Brennan-Prediger with q categories
    assert brennan_prediger(data) == pytest.approx(sm_fleiss(table, "randolph"), abs=1e-12)


def gwet_ac1_by_hand(data: np.ndarray) -> float:
    """Gwet (2008), eq. for two raters and complete data, written out independently."""
    categories = np.unique(data)
    a, b = data[:, 0], data[:, 1]
    pa = np.mean(a == b)
    pi = np.array([(np.mean(a == k) + np.mean(b == k)) / 2 for k in categories])
    pe = np.sum(pi * (1 - pi)) / (len(categories) - 1)
    return (pa - pe) / (1 - pe)


@pytest.mark.parametrize("seed", SEEDS)
def test_gwet_ac1_matches_the_two_rater_formula(seed: int) -> None:
    data = random_matrix(seed, missing=0.0, coders=2)
    assert gwet_ac1(data) == pytest.approx(gwet_ac1_by_hand(data), abs=1e-12)


def test_gwet_ac1_stays_high_where_kappa_collapses() -> None:
    # a rare code: 118 units both «absent», 5 + 2 disagreements, none both «present»
    data = [[0, 0]] * 118 + [[0, 1]] * 5 + [[1, 0]] * 2
    assert cohen_kappa(data) < 0.0
    assert gwet_ac1(data) > 0.9


@pytest.mark.parametrize("seed", SEEDS)
def test_weights_equal_repeated_units(seed: int) -> None:
    data = random_matrix(seed)
    counts = np.random.default_rng(seed).integers(1, 4, size=len(data))
    repeated = np.repeat(data, counts, axis=0)
    measures = [percent_agreement, fleiss_kappa, gwet_ac1, brennan_prediger, krippendorff_alpha]
    for measure in measures:
        assert measure(data, weights=counts) == pytest.approx(measure(repeated))


def test_units_with_one_value_are_left_out_of_alpha() -> None:
    data = random_matrix(3, missing=0.0, coders=3)
    with_lonely = np.vstack([data, [[1.0, np.nan, np.nan], [np.nan, np.nan, 4.0]]])
    assert krippendorff_alpha(with_lonely) == pytest.approx(krippendorff_alpha(data))


def test_a_coder_who_used_one_code_only() -> None:
    data = [[0, 0], [0, 1], [0, 0], [0, 1]]
    assert cohen_kappa(data) == pytest.approx(cohen_kappa_score([0, 0, 0, 0], [0, 1, 0, 1]))
    assert cohen_kappa(data) == 0.0
    assert krippendorff_alpha(data) < 0


def test_labels_and_bad_input() -> None:
    words = [["ja", "ja"], ["nei", "ja"], ["nei", "nei"], [None, "ja"]]
    assert cohen_kappa(words) == pytest.approx(0.4)
    with pytest.raises(ValueError, match="numeric"):
        krippendorff_alpha(words, "interval")
    with pytest.raises(ValueError, match="exactly two"):
        cohen_kappa([[1, 2, 3]])
    with pytest.raises(ValueError, match="one value per coder"):
        percent_agreement([[1, 2], [1]])
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha([[1, 2]], "cardinal")
    with pytest.raises(UndefinedAgreement, match="only one category"):
        gwet_ac1([[1, 1], [1, 1]])


# -- unitizing: the vectorised sums against the definitions written out as loops ---------------
def sections(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int, bool]]:
    """(start, end, is_unit) covering the continuum."""
    out, pos = [], 0
    for start, end in sorted(spans):
        if start > pos:
            out.append((pos, start, False))
        out.append((start, end, True))
        pos = end
    if pos < length:
        out.append((pos, length, False))
    return out


def delta2(g: tuple[int, int, bool], h: tuple[int, int, bool]) -> float:
    (bg, eg, ug), (bh, eh, uh) = g, h
    if ug and uh and bh < eg and bg < eh:
        return (bg - bh) ** 2 + (eg - eh) ** 2
    if ug and not uh and bh <= bg and eg <= eh:
        return (eg - bg) ** 2
    if uh and not ug and bg <= bh and eh <= eg:
        return (eh - bh) ** 2
    return 0.0


def disagreement_by_loops(length: int, coders: list[list[tuple[int, int]]]) -> tuple[float, float]:
    m = len(coders)
    parts = [sections(c, length) for c in coders]
    pair_sum = sum(
        delta2(g, h)
        for i, j in itertools.combinations(range(m), 2)
        for g in parts[i]
        for h in parts[j]
    )
    observed = 2 * pair_sum / (m * (m - 1) * length**2)
    units = [e - b for p in parts for b, e, u in p if u]
    gaps = [e - b for p in parts for b, e, u in p if not u]
    total = 0.0
    for lg in units:
        total += (len(units) - 1) * (2 * lg**3 - 3 * lg**2 + lg) / 3
        total += lg**2 * sum(h - lg + 1 for h in gaps if h >= lg)
    expected = (
        2 / length * total / (m * length * (m * length - 1) - sum(x * (x - 1) for x in units))
    )
    return observed, expected


@pytest.mark.parametrize("seed", SEEDS)
def test_unitizing_matches_the_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    length = int(rng.integers(50, 400))
    coders = []
    for _ in range(int(rng.integers(2, 5))):
        cuts = np.sort(
            rng.choice(np.arange(1, length), size=2 * int(rng.integers(1, 6)), replace=False)
        )
        coders.append([(int(a), int(b)) for a, b in cuts.reshape(-1, 2)])
    ours = unitizing_disagreement([(length, coders)])
    assert ours == pytest.approx(disagreement_by_loops(length, coders), rel=1e-12)
