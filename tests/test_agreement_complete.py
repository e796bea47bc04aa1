"""Kappas over units every coder rated (issue 11), Gwet's missing-data form as an option, and
the bootstrap of alpha (Hayes & Krippendorff 2007) against a plain resampling written here."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from coding.agreement import (
    UndefinedAgreement,
    alpha_bootstrap,
    brennan_prediger,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from coding.reliability import summarise
from coding.units import CodeUnits
from tests.test_agreement import KRIPPENDORFF_2011

NAN = np.nan


def issue_case() -> np.ndarray:
    """Three coders; 1 000 segments all three rated with 99 % agreement on a rare code, and
    43 000 segments only the first coder rated (documents the others never opened)."""
    paired = [[0, 0, 0]] * 960 + [[1, 1, 1]] * 30 + [[1, 1, 0]] * 6 + [[0, 1, 0]] * 4
    lonely = [[0, NAN, NAN]] * 43_000
    return np.array(paired + lonely, dtype=float)


def test_fleiss_counts_only_units_every_coder_rated() -> None:
    data = issue_case()
    complete = data[~np.isnan(data).any(axis=1)]
    expected = sm_fleiss(aggregate_raters(complete)[0])
    kappa = fleiss_kappa(data)
    assert -0.5 <= kappa <= 1.0  # -1/(m-1) for three coders
    assert kappa == pytest.approx(expected, abs=1e-12)
    assert kappa > 0.8  # 99 % agreement on the units that count
    assert percent_agreement(data) == pytest.approx(percent_agreement(complete))


def test_gwet_form_is_an_option_and_never_printed_out_of_range() -> None:
    data = issue_case()
    with pytest.raises(UndefinedAgreement, match=r"out of range.*Gwet"):
        fleiss_kappa(data, missing="gwet")  # today's figure: far below -1
    # Gwet (2014) via irrCAC on Krippendorff's (2011) data: the missing-data form by name
    assert round(fleiss_kappa(KRIPPENDORFF_2011, missing="gwet"), 3) == 0.761
    assert round(percent_agreement(KRIPPENDORFF_2011, missing="gwet"), 3) == 0.818
    assert round(gwet_ac1(KRIPPENDORFF_2011, missing="gwet"), 3) == 0.775
    assert round(brennan_prediger(KRIPPENDORFF_2011, missing="gwet"), 3) == 0.773
    complete = [row for row in KRIPPENDORFF_2011 if None not in row]
    assert fleiss_kappa(KRIPPENDORFF_2011) == pytest.approx(
        sm_fleiss(aggregate_raters(np.array(complete))[0]), abs=1e-12
    )
    with pytest.raises(ValueError, match="missing must be one of"):
        fleiss_kappa(KRIPPENDORFF_2011, missing="pairwise")


def test_no_complete_unit_is_undefined() -> None:
    with pytest.raises(UndefinedAgreement, match="every coder"):
        fleiss_kappa([[1, 1, None], [None, 2, 2]])
    assert krippendorff_alpha([[1, 1, None], [None, 2, 2], [1, 2, 2]]) is not None


# -- bootstrap -------------------------------------------------------------------------------------
def plain_bootstrap(data: np.ndarray, samples: int, seed: int) -> np.ndarray:
    """Hayes & Krippendorff (2007), written out plainly: list every ordered pair of values
    within a unit with weight 1/(m_u - 1), draw M pairs by those weights, alpha = 1 - mean
    disagreement / expected disagreement of the data (nominal)."""
    pairs, weight = [], []
    m_total = 0
    for unit in data:
        values = [v for v in unit if not np.isnan(v)]
        m = len(values)
        if m < 2:
            continue
        m_total += m * (m - 1) // 2
        for i in range(m):
            for j in range(m):
                if i != j:
                    pairs.append((values[i], values[j]))
                    weight.append(1.0 / (m - 1))
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    w = np.array(weight)
    n = w.sum()
    values = np.unique(a)
    n_c = np.array([w[a == v].sum() for v in values])
    d_e = (n * n - np.sum(n_c**2)) / (n * (n - 1))
    rng = np.random.default_rng(seed)
    out = np.empty(samples)
    for s in range(samples):
        drawn = rng.choice(len(w), size=m_total, p=w / n)
        out[s] = max(-1.0, 1.0 - np.mean(a[drawn] != b[drawn]) / d_e)
    return out


def noisy(units: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 2, size=(units, 1))
    data = np.where(rng.random((units, 3)) < 0.85, truth, 1 - truth).astype(float)
    data[rng.random(data.shape) < 0.1] = NAN
    return data


def test_bootstrap_matches_a_plain_resampling() -> None:
    data = noisy(150, 4)
    ours = alpha_bootstrap(data, samples=4000, seed=11)
    plain = plain_bootstrap(data, 4000, seed=12)
    assert ours.alpha == pytest.approx(krippendorff_alpha(data))
    assert ours.low == pytest.approx(np.quantile(plain, 0.025), abs=0.02)
    assert ours.high == pytest.approx(np.quantile(plain, 0.975), abs=0.02)
    for minimum in (0.667, 0.8):
        assert ours.below[minimum] == pytest.approx(np.mean(plain < minimum), abs=0.03)


def test_bootstrap_interval_contains_alpha_is_reproducible_and_narrows() -> None:
    data = noisy(120, 7)
    first = alpha_bootstrap(data, samples=2000, seed=3)
    assert first.low <= first.alpha <= first.high
    assert alpha_bootstrap(data, samples=2000, seed=3) == first
    assert alpha_bootstrap(data, samples=2000, seed=4) != first
    assert 0.0 <= first.below[0.667] <= first.below[0.8] <= 1.0
    bigger = alpha_bootstrap(np.vstack([data] * 9), samples=2000, seed=3)
    assert bigger.alpha == pytest.approx(first.alpha, abs=0.005)
    assert bigger.high - bigger.low < 0.5 * (first.high - first.low)


def test_bootstrap_weights_equal_repeated_units() -> None:
    data = noisy(60, 2)
    counts = np.random.default_rng(0).integers(1, 4, size=len(data))
    weighted = alpha_bootstrap(data, weights=counts, samples=500, seed=5)
    repeated = alpha_bootstrap(np.repeat(data, counts, axis=0), samples=500, seed=5)
    assert weighted == repeated


def test_bootstrap_undefined_without_variation() -> None:
    with pytest.raises(UndefinedAgreement, match="no variation"):
        alpha_bootstrap([[1, 1], [1, 1]])


def test_report_row_shows_an_out_of_range_kappa_as_undefined_with_the_reason() -> None:
    data = issue_case()
    gwet = summarise(CodeUnits(1, "Bolig", data, np.ones(len(data)), "gwet"), 3)
    assert gwet.kappa is None and "out of range" in gwet.undefined
    assert gwet.alpha is not None and gwet.ac1 is not None and -1 <= gwet.ac1 <= 1
    complete = summarise(CodeUnits(1, "Bolig", data, np.ones(len(data))), 3)
    assert complete.kappa == pytest.approx(fleiss_kappa(data)) and complete.undefined is None
    assert complete.units == 1000 and complete.units_left_out == 43_000
