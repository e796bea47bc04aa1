"""Issue 11 on a real project: only documents every compared coder finished or coded count,
the report says what was left out and why, Gwet's form by name, and alpha's bootstrap."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from coding.codes import resolve_code
from coding.documents import add_document, segments_of
from coding.operations import apply_coding, set_document_done
from coding.reliability import agreement_report
from coding.store import Project
from tests.conftest import ROOT, SMALL_TEXT, run_kodeverk, sentence_segments

SHARED, ANNE_AND_BJORN, ANNE_ONLY = 10, 12, 30


def add(project: Project, name: str) -> int:
    return add_document(project, name, SMALL_TEXT, "interview", sentence_segments(SMALL_TEXT))


@pytest.fixture
def three_coders(small_project: Project) -> Project:
    """Document 1 and 9 more that anne, bjorn and ola all coded: «Bolig» on segment 4 by all
    three, except ola on the first, who put it on segment 5. 12 documents ola never opened and
    30 only anne coded, where «Bolig» is absent (only «Brukerråd» used)."""
    project = small_project
    bolig = resolve_code(project, "Bolig")
    brukerrad = resolve_code(project, "Brukerråd")
    segs = segments_of(project, 1)
    docs = [1] + [add(project, f"felles-{i}") for i in range(SHARED - 1)]
    for doc in docs:
        for coder in ("anne", "bjorn", "ola"):
            seg = segs[5] if (doc == 1 and coder == "ola") else segs[4]
            apply_coding(project, doc, bolig, coder, seg.start, seg.end)
    for i in range(ANNE_AND_BJORN):
        doc = add(project, f"uten-ola-{i}")
        for coder in ("anne", "bjorn"):
            apply_coding(project, doc, brukerrad, coder, segs[1].start, segs[1].end)
    for i in range(ANNE_ONLY):
        doc = add(project, f"bare-anne-{i}")
        set_document_done(project, doc, "anne")
    return project


def expected_bolig(n_segments: int) -> np.ndarray:
    """The complete units written out by hand: segments × (anne, bjorn, ola)."""
    rows = []
    for doc in range(SHARED):
        for seg in range(n_segments):
            ola = (seg == 5) if doc == 0 else (seg == 4)
            rows.append([seg == 4, seg == 4, ola])
    return np.array(rows, dtype=int)


def test_kappa_counts_only_documents_everyone_coded(three_coders: Project) -> None:
    report = agreement_report(three_coders, ["anne", "bjorn", "ola"])
    bolig = next(r for r in report.codes if r.code == "Bolig")
    n_segments = len(segments_of(three_coders, 1))
    data = expected_bolig(n_segments)
    assert bolig.units == SHARED * n_segments
    assert bolig.kappa == pytest.approx(sm_fleiss(aggregate_raters(data)[0]), abs=1e-12)
    assert -0.5 <= bolig.kappa <= 1
    assert bolig.units_left_out == (ANNE_AND_BJORN + ANNE_ONLY) * n_segments
    assert bolig.documents_left_out == ANNE_AND_BJORN + ANNE_ONLY
    coverage = report.coverage
    assert coverage.counted == SHARED and coverage.left_out == ANNE_AND_BJORN + ANNE_ONLY
    assert coverage.reasons() == [
        "30 documents not coded by bjorn",
        "42 documents not coded by ola",
    ]
    assert report.pooled.units_left_out == bolig.units_left_out * len(report.codes)


def test_gwet_form_is_named_and_never_out_of_range(three_coders: Project) -> None:
    report = agreement_report(three_coders, ["anne", "bjorn", "ola"], missing="gwet")
    for row in [*report.codes, report.pooled]:
        assert row.kappa is None or -1 <= row.kappa <= 1
        assert row.ac1 is None or -1 <= row.ac1 <= 1
    assert report.as_dict()["missing"] == "Gwet's missing-data form"
    assert report.coverage.left_out == ANNE_ONLY  # two coders qualify on the 12 without ola


def cli(project: Project, *args: str):
    project.close()
    env = {**os.environ, "COLUMNS": "80"}
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", "agreement", str(project.path), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_table_json_and_csv_say_what_was_left_out(three_coders: Project, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    done = cli(three_coders, "-o", str(out), "--bootstrap", "300", "--seed", "7")
    assert done.returncode == 0, done.stderr
    assert "12 documents" not in done.stdout  # counted per coder, not per group
    assert "Left out: 42 of 52 documents" in done.stdout
    assert "42 documents not coded by ola" in done.stdout.replace("\n", " ")
    assert "undefined α last" in done.stdout and "95% CI" in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    bolig = next(r for r in rows if r["code"] == "Bolig")
    assert int(bolig["documents_left_out"]) == 42 and int(bolig["units_left_out"]) > 0
    assert "not coded by ola" in bolig["left_out_because"]
    assert bolig["missing"].startswith("complete units")
    low, high = float(bolig["alpha_low"]), float(bolig["alpha_high"])
    assert low <= float(bolig["alpha"]) <= high
    assert 0 <= float(bolig["q_667"]) <= float(bolig["q_800"]) <= 1


def test_json_bootstrap_is_reproducible_with_a_seed(three_coders: Project) -> None:
    path = three_coders.path
    three_coders.close()
    runs = [
        run_kodeverk("agreement", path, "--json", "--bootstrap", "200", "--seed", "3")
        for _ in range(2)
    ]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    report = json.loads(runs[0].stdout)
    assert report["bootstrap"] == {"samples": 200, "seed": 3}
    assert report["coverage"]["not_coded_by"] == {"anne": 0, "bjorn": 30, "ola": 42}
    pooled = report["pooled"]
    assert pooled["alpha_low"] <= pooled["alpha"] <= pooled["alpha_high"]
    assert report["order"].startswith("worst first")
    gwet = run_kodeverk("agreement", path, "--json", "--missing", "gwet")
    assert json.loads(gwet.stdout)["missing"] == "Gwet's missing-data form"
    bad = run_kodeverk("agreement", path, "--missing", "pairwise")
    assert bad.returncode != 0 and "pairwise" in bad.stderr


def test_default_coders_leave_out_a_lead_who_never_coded(three_coders: Project) -> None:
    with three_coders.transaction():
        three_coders.coder_id("leder")  # e.g. a lead who only settled disagreements
    report = agreement_report(three_coders)
    assert report.coders == ["anne", "bjorn", "ola"]
    assert report.coverage.counted == SHARED
