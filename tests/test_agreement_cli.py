"""`kodeverk agreement` run as a real command on a real project file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from coding.codes import resolve_code
from coding.documents import segments_of
from coding.operations import apply_coding
from coding.store import Project
from tests.conftest import SMALL_TEXT, run_kodeverk, table_dump


@pytest.fixture
def coded_path(small_project: Project) -> Path:
    bolig = resolve_code(small_project, "Bolig")
    segs = segments_of(small_project, 1)
    apply_coding(small_project, 1, bolig, "ane", segs[4].start, segs[5].end)
    apply_coding(small_project, 1, bolig, "bo", segs[4].start, segs[4].end)
    apply_coding(small_project, 1, bolig, "consensus", segs[4].start, segs[4].end)
    small_project.close()
    return small_project.path


def test_json_report(coded_path: Path) -> None:
    done = run_kodeverk("agreement", coded_path, "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["coders"] == ["ane", "bo"] and report["unit"] == "segment"
    first = report["codes"][0]
    assert first["code"] == "Bolig" and first["units"] == 6
    assert first["percent_agreement"] == pytest.approx(5 / 6)
    assert first["kappa"] == pytest.approx(4 / 7)
    assert {"alpha", "undefined"} <= set(first)
    never_used = next(c for c in report["codes"] if c["code"] == "Mål 1 Brukermedvirkning")
    assert never_used["alpha"] is None and "no variation" in never_used["undefined"]
    # a binary code has two categories whether used or not: AC1 of all-absent is 1, everywhere
    assert never_used["ac1"] == 1.0
    assert report["pooled"]["units"] == 18


def test_csv_characters_and_chosen_codes(coded_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "agreement.csv"
    done = run_kodeverk(
        "agreement", coded_path, "--unit", "character", "--codes", "Bolig", "-o", out
    )
    assert done.returncode == 0, done.stderr
    assert "Bolig" in done.stdout
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["code"] for r in rows] == ["Bolig", "(all codes)"]
    assert int(rows[0]["units"]) == len(SMALL_TEXT)  # every character is a unit
    assert -1 <= float(rows[0]["u_alpha"]) < 1 and "uα" in done.stdout


def test_bad_input_is_one_line_and_changes_nothing(coded_path: Path) -> None:
    before = table_dump(coded_path)
    for args, message in [
        (["--coders", "ane,nobody"], "no coder named 'nobody'"),
        (["--coders", "ane"], "between 2"),
        (["--codes", "Finnes ikke"], "Finnes ikke"),
        (["-o", coded_path.parent / "no-such-folder" / "a.csv"], "cannot write"),
    ]:
        done = run_kodeverk("agreement", coded_path, *args)
        assert done.returncode == 1
        assert done.stderr.startswith("kodeverk: error:") and message in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert table_dump(coded_path) == before
