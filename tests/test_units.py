"""Codings to reliability units, on real project files."""

from __future__ import annotations

import numpy as np
import pytest

from coding.agreement import cohen_kappa, krippendorff_alpha, percent_agreement
from coding.codes import resolve_code
from coding.documents import add_document, segments_of
from coding.errors import CodingError
from coding.operations import apply_coding, set_document_done
from coding.store import Project
from coding.units import build_units, pooled
from tests.conftest import SMALL_TEXT, sentence_segments


def expand(rows: np.ndarray, weights: np.ndarray) -> list[tuple]:
    """Rows repeated by weight, as sortable tuples (None for missing)."""
    out = []
    for row, w in zip(rows, weights, strict=True):
        out += [tuple(None if np.isnan(v) else int(v) for v in row)] * int(w)
    return sorted(out, key=str)


@pytest.fixture
def coded(small_project: Project) -> Project:
    bolig = resolve_code(small_project, "Bolig")
    segs = segments_of(small_project, 1)
    apply_coding(small_project, 1, bolig, "ane", segs[4].start, segs[5].end)  # two segments
    apply_coding(small_project, 1, bolig, "bo", segs[4].start, segs[4].end)
    apply_coding(small_project, 1, bolig, "bo", segs[3].start, segs[3].start + 3)  # 3 of 9
    return small_project


def test_segment_units_per_code(coded: Project) -> None:
    bolig = resolve_code(coded, "Bolig")
    units = build_units(coded, ["ane", "bo"], [bolig])[bolig]
    assert units.path == "Bolig"
    assert units.units == 6 and units.disagreements == 2
    assert expand(units.rows, units.weights) == sorted(
        [(0, 0), (0, 0), (0, 0), (0, 1), (1, 1), (1, 0)], key=str
    )
    data = np.repeat(units.rows, units.weights.astype(int), axis=0)
    assert cohen_kappa(units.rows, weights=units.weights) == pytest.approx(cohen_kappa(data))


def test_min_overlap_drops_a_slight_touch(coded: Project) -> None:
    bolig = resolve_code(coded, "Bolig")
    units = build_units(coded, ["ane", "bo"], [bolig], min_overlap=0.5)[bolig]
    assert units.disagreements == 1  # bo's 3 of 9 characters on «Og bolig?» no longer count


def test_only_coded_or_done_documents_count(coded: Project) -> None:
    bolig = resolve_code(coded, "Bolig")
    other = add_document(
        coded, "intervju-2", SMALL_TEXT + " ", "interview", sentence_segments(SMALL_TEXT)
    )
    apply_coding(coded, other, bolig, "ane", 154, 174)
    units = build_units(coded, ["ane", "bo"], [bolig])[bolig]
    assert units.units == 6  # bo never opened document 2: missing, not absent
    set_document_done(coded, other, "bo")
    units = build_units(coded, ["ane", "bo"], [bolig])[bolig]
    assert units.units == 12 and units.disagreements == 3


def test_a_parent_code_does_not_collect_its_childrens_codings(coded: Project) -> None:
    parent = resolve_code(coded, "Mål 1 Brukermedvirkning")
    child = resolve_code(coded, "Brukerråd")
    apply_coding(coded, 1, child, "ane", 68, 88)
    apply_coding(coded, 1, child, "bo", 68, 88)
    units = build_units(coded, ["ane", "bo"], [parent, child])
    assert units[child].disagreements == 0 and percent_agreement(
        units[child].rows, weights=units[child].weights
    ) == pytest.approx(1.0)
    assert units[parent].rows.tolist() == [[0.0, 0.0]]


def test_character_units_match_a_per_character_count(coded: Project) -> None:
    rng = np.random.default_rng(1)
    code = resolve_code(coded, "Brukerråd")
    marks = {"ane": np.zeros(len(SMALL_TEXT), bool), "bo": np.zeros(len(SMALL_TEXT), bool)}
    for coder, mask in marks.items():
        for _ in range(4):
            start = int(rng.integers(0, len(SMALL_TEXT) - 20))
            end = start + int(rng.integers(1, 20))
            apply_coding(coded, 1, code, coder, start, end)
            mask[start:end] = True
    units = build_units(coded, ["ane", "bo"], [code], unit="character")[code]
    by_hand = np.column_stack([marks["ane"], marks["bo"]]).astype(float)
    assert units.weights.sum() == len(SMALL_TEXT)
    assert krippendorff_alpha(units.rows, weights=units.weights) == pytest.approx(
        krippendorff_alpha(by_hand)
    )


def test_pooled_and_bad_arguments(coded: Project) -> None:
    units = build_units(coded, ["ane", "bo"])
    assert pooled(units.values()).units == sum(u.units for u in units.values())
    with pytest.raises(CodingError, match="unit must be"):
        build_units(coded, ["ane", "bo"], unit="word")
    with pytest.raises(CodingError, match="between 2"):
        build_units(coded, ["ane"])
    with pytest.raises(Exception, match="no coder named"):
        build_units(coded, ["ane", "nobody"])


def test_unitizing_alpha_over_documents_every_coder_finished(coded: Project) -> None:
    from coding.agreement import unitizing_alpha
    from coding.reliability import agreement_report
    from coding.units import unitizing_continua

    bolig = resolve_code(coded, "Bolig")
    segs = segments_of(coded, 1)
    other = add_document(
        coded, "intervju-2", SMALL_TEXT + " ", "interview", sentence_segments(SMALL_TEXT)
    )
    apply_coding(coded, other, bolig, "ane", 154, 174)  # bo never opened it: left out
    expected = [
        (
            len(SMALL_TEXT),
            [
                [(segs[4].start, segs[5].end)],
                [(segs[3].start, segs[3].start + 3), (segs[4].start, segs[4].end)],
            ],
        )
    ]
    continua = unitizing_continua(coded, ["ane", "bo"], [bolig])[bolig]
    assert [(n, [sorted(s) for s in spans]) for n, spans in continua] == expected
    report = agreement_report(coded, ["ane", "bo"], [bolig], unit="character")
    assert report.codes[0].u_alpha == pytest.approx(unitizing_alpha(expected))
    assert report.pooled.u_alpha == pytest.approx(unitizing_alpha(expected))
    assert agreement_report(coded, ["ane", "bo"], [bolig]).codes[0].u_alpha is None
    never = resolve_code(coded, "Mål 1 Brukermedvirkning")
    row = agreement_report(coded, ["ane", "bo"], [never], unit="character").codes[0]
    assert row.u_alpha is None and "u-alpha: no coder marked" in row.undefined
