"""`kodeverk codings import` of one coder's codings CSV (~20 000 rows on the generated study),
as a whole process: start-up, reading the CSV, resolving documents and codes, checking spans
and quotes, the insert and the journal (one undoable event for the coder), commit. Target
≥ 20 000 rows/s wall time. Baseline, measured in the same run: the same CSV read with the csv
module and inserted with one ``executemany`` into a bare table, also as a whole process
(benchmarks/bare_insert.py), so the ratio is what kodeverk adds to reading and storing rows."""

from __future__ import annotations

import csv
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import result
from benchmarks.study import build_study, codings_table

ROOT = Path(__file__).resolve().parent.parent
TARGET = 20_000  # rows/s, wall time


def run(quick: bool) -> list[dict]:
    runs = 2 if quick else 5
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root)
        study = folder / "study.kodeverk"
        build_study(study, 0.1 if quick else 1.0)
        table = folder / "dina.csv"
        count = _table(study, table)
        ours, bare = [], []
        shutil.copy(study, folder / "warm.kodeverk")  # one untimed run: bytecode, OS cache
        _process(["-m", "tui.cli", "codings", "import", str(folder / "warm.kodeverk"), str(table)])
        for n in range(runs):
            target = folder / f"import-{n}.kodeverk"
            shutil.copy(study, target)
            ours.append(_process(["-m", "tui.cli", "codings", "import", str(target), str(table)]))
            bare.append(
                _process(["-m", "benchmarks.bare_insert", str(table), str(folder / f"bare-{n}.db")])
            )
    wall, cpu = statistics.median(t[0] for t in ours), statistics.median(t[1] for t in ours)
    bare_wall = statistics.median(t[0] for t in bare)
    rate = count / wall
    return [
        result(
            f"study: codings import, {count} rows of one coder",
            rate,
            "rows/s",
            count / bare_wall,
            baseline_name="csv module + executemany into a bare table, whole process",
            target="≥ 20 000 rows/s wall, one undoable event per coder",
            passed=rate >= TARGET,
            note=f"`kodeverk codings import` as a whole process, median of {runs}: "
            f"{wall:.2f} s wall, {cpu:.2f} s CPU ({count / cpu:,.0f} rows per CPU second); "
            f"baseline {bare_wall:.2f} s",
            higher_is_better=True,
        )
    ]


def _table(study: Path, path: Path) -> int:
    """cato's codings as a new coder's (dina) CSV: every row new work for the project."""
    from coding.store import Project

    with Project.open(study) as project:
        codings_table(project, path, coders=("cato",))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        row[3] = "dina"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return len(rows) - 1


def _process(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one Python process running ``args`` (output not to a terminal,
    as in a script: no progress bar)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode written, as an installed kodeverk has
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=True,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
