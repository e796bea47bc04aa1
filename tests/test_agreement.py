"""Agreement coefficients against published worked examples, at the published precision."""

from __future__ import annotations

import pytest

from coding.agreement import (
    UndefinedAgreement,
    brennan_prediger,
    cohen_kappa,
    coincidence_matrix,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
    scott_pi,
    unitizing_alpha,
    unitizing_disagreement,
)

# Krippendorff (2011), «Computing Krippendorff's Alpha-Reliability», p. 8 (section C): 4 coders
# (columns A-D) x 12 units with missing values; also Gwet (2014), Handbook, 4th ed., p. 120.
KRIPPENDORFF_2011 = [
    [1, 1, None, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [None, 5, 5, 5],
    [None, None, 1, 1],
    [None, 3, None, None],
]


def from_table(table: list[list[int]]) -> list[list[int]]:
    """Two-coder units from a contingency table (rows: coder 1, columns: coder 2)."""
    return [
        [i, j] for i, row in enumerate(table) for j, count in enumerate(row) for _ in range(count)
    ]


def from_counts(counts: list[list[int]]) -> list[list[int]]:
    """Units x raters from a subjects x categories table of rater counts (Fleiss' layout)."""
    return [[k for k, n in enumerate(row) for _ in range(n)] for row in counts]


@pytest.mark.parametrize(
    ("level", "published"),
    [("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)],
)
def test_krippendorff_2011_every_level(level: str, published: float) -> None:
    assert round(krippendorff_alpha(KRIPPENDORFF_2011, level), 3) == published


def test_krippendorff_2011_coincidences_of_nominal_example() -> None:
    # Krippendorff (2011) p. 8: n = 40 pairable values; n_c = 9, 13, 10, 5, 3
    o = coincidence_matrix(KRIPPENDORFF_2011)
    assert o.sum() == pytest.approx(40)
    assert o.sum(axis=1) == pytest.approx([9, 13, 10, 5, 3])
    assert o[0, 0] == pytest.approx(7) and o[1, 2] == pytest.approx(4 / 3)


def test_gwet_handbook_multi_coder_values_on_the_same_data() -> None:
    # Gwet (2014) via irrCAC (cac.raw4raters): pa .818, Fleiss .761, AC1 .775, BP .773, in
    # Gwet's missing-data form (by default only the 7 units all four coders rated count)
    gwet = {"missing": "gwet"}
    assert round(percent_agreement(KRIPPENDORFF_2011, **gwet), 3) == 0.818
    assert round(fleiss_kappa(KRIPPENDORFF_2011, **gwet), 3) == 0.761
    assert round(gwet_ac1(KRIPPENDORFF_2011, **gwet), 3) == 0.775
    assert round(brennan_prediger(KRIPPENDORFF_2011, **gwet), 3) == 0.773


def test_cohen_1960_example() -> None:
    # Cohen (1960), Educ. Psychol. Meas. 20:37-46, table 1: 200 units, p_o .70, p_c .41, κ .492
    data = from_table([[88, 14, 18], [10, 40, 10], [2, 6, 12]])
    assert percent_agreement(data) == pytest.approx(0.70)
    assert round(cohen_kappa(data), 3) == 0.492


def test_gwet_handbook_two_abstractors() -> None:
    # Gwet (2014) table «cont3x3abstractors» (irrCAC vignette): 100 pregnancies, 2 abstractors
    data = from_table([[13, 0, 0], [0, 20, 7], [0, 4, 56]])
    assert cohen_kappa(data) == pytest.approx(0.7964094, abs=1e-7)
    assert scott_pi(data) == pytest.approx(0.7962397, abs=1e-7)
    assert gwet_ac1(data) == pytest.approx(0.8493305, abs=1e-7)
    assert brennan_prediger(data) == pytest.approx(0.835, abs=1e-7)
    assert krippendorff_alpha(data) == pytest.approx(0.7972585, abs=1e-7)
    assert percent_agreement(data) == pytest.approx(0.89)


# Fleiss (1971), Psychol. Bull. 76:378-382: 30 patients, 6 psychiatrists, 5 diagnoses (as in
# R irr::diagnoses and statsmodels' tests), kappa .430
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4], [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5], [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5], [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5], [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
]  # fmt: skip


def test_fleiss_1971_diagnoses() -> None:
    assert round(fleiss_kappa(FLEISS_1971), 3) == 0.430


def test_fleiss_wikipedia_worked_example() -> None:
    # en.wikipedia.org «Fleiss' kappa», worked example: 10 subjects, 14 raters, κ = 0.210
    counts = [
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ]  # fmt: skip
    data = from_counts(counts)
    assert round(percent_agreement(data), 3) == 0.378
    assert round(fleiss_kappa(data), 3) == 0.210


def test_undefined_when_everyone_gives_the_same_value() -> None:
    same = [[1, 1], [1, 1], [1, 1]]
    for measure in (cohen_kappa, scott_pi, fleiss_kappa, gwet_ac1, brennan_prediger):
        with pytest.raises(UndefinedAgreement, match=r"one|same"):
            measure(same)
    with pytest.raises(UndefinedAgreement, match="no variation"):
        krippendorff_alpha(same)
    assert percent_agreement(same) == 1.0


def test_undefined_when_nothing_is_pairable() -> None:
    lonely = [[1, None], [None, 2]]
    for measure in (percent_agreement, krippendorff_alpha, fleiss_kappa, cohen_kappa):
        with pytest.raises(UndefinedAgreement, match=r"two|both|every coder"):
            measure(lonely)


# Krippendorff (2004), Content Analysis, 2nd ed., p. 254 (as reproduced in DKPro Statistics'
# tests): continuum 150-450, two coders, categories c and k; uD_o .0144, uD_e .0532, uα .7286
def krippendorff_2004(category: str) -> tuple[int, list[list[tuple[int, int]]]]:
    spans = {
        "c": [[(225, 295), (370, 400)], [(220, 300), (355, 375), (400, 420)]],
        "k": [[(180, 240), (300, 350)], [(180, 240), (300, 350)]],
    }[category]
    return 300, [[(a - 150, b - 150) for a, b in coder] for coder in spans]


def test_unitizing_alpha_krippendorff_2004() -> None:
    observed, expected = unitizing_disagreement([krippendorff_2004("c")])
    assert round(observed, 4) == 0.0144
    assert round(expected, 4) == 0.0532
    assert round(unitizing_alpha([krippendorff_2004("c")]), 4) == 0.7286
    assert unitizing_alpha([krippendorff_2004("k")]) == 1.0
    assert round(unitizing_disagreement([krippendorff_2004("k")])[1], 4) == 0.0490


# Krippendorff (1995), Sociological Methodology 25:47-76, p. 57: four pairs of coders on a
# 24-point continuum; published |uα A .553, B -.926, C .679, D .066 (the paper's expected-
# disagreement formula has a misprint corrected in 2004, so alpha agrees to 0.02, as in DKPro)
KRIPPENDORFF_1995 = {
    "A": ([(2, 8), (14, 6)], [(4, 4), (15, 2)], 0.03125, 0.553),
    "B": ([(0, 18)], [(0, 2), (2, 1), (3, 1), (4, 1), (5, 1), (6, 3), (9, 1)], 2.26736, -0.926),
    "C": ([(2, 6), (10, 2), (14, 4), (20, 2)], [(0, 2), (4, 4), (10, 4), (16, 2), (20, 2)],
          0.02777, 0.679),
    "D": ([(0, 2), (2, 8), (10, 4), (14, 6), (20, 4)],
          [(0, 4), (4, 4), (8, 7), (15, 2), (17, 7)], 0.38715, 0.066),
}  # fmt: skip


@pytest.mark.parametrize("pair", sorted(KRIPPENDORFF_1995))
def test_unitizing_alpha_krippendorff_1995(pair: str) -> None:
    first, second, observed, alpha = KRIPPENDORFF_1995[pair]

    def stretched(factor: int):
        coders = [[(b * factor, (b + n) * factor) for b, n in c] for c in (first, second)]
        return [(24 * factor, coders)]

    assert unitizing_disagreement(stretched(1))[0] == pytest.approx(observed, abs=1e-5)
    assert unitizing_alpha(stretched(50_000)) == pytest.approx(alpha, abs=0.02)


def test_unitizing_alpha_undefined_without_any_span() -> None:
    with pytest.raises(UndefinedAgreement, match="no coder marked"):
        unitizing_alpha([(100, [[], []])])
