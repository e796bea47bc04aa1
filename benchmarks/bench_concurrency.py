"""Several coders writing to one project at once: throughput of 4 writer processes against 1.

Each writer is a separate process applying codings one transaction at a time (as the app and
the command line do). Throughput is all codings over the wall time from the first writer's start
to the last one's end. SQLite serialises writers, so 4 writers cannot beat 1 by much; the goal
is that they lose little to waiting and that nobody waits long.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from benchmarks.common import result
from coding.codes import add_code
from coding.copy import make_copy
from coding.merge import merge_copy
from coding.operations import apply_coding
from coding.store import Project
from tests.workers.projects import make_long_project, start_worker, summary_of

MERGE_CODES = 20


def run(quick: bool) -> list[dict]:
    each = 300 if quick else 2000
    # Best of two runs each: the machine is shared, the least disturbed run is the fairest.
    single = max((_measure(1, each * 2) for _ in range(2)), key=lambda m: m["rate"])
    four = max((_measure(4, each) for _ in range(2)), key=lambda m: m["rate"])
    return [
        result(
            "concurrency: 1 writer",
            single["rate"],
            "codings/s",
            None,
            note=f"{each * 2} codings, p95 {single['p95'] * 1000:.1f} ms per coding",
            higher_is_better=True,
        ),
        result(
            "concurrency: 4 writers",
            four["rate"],
            "codings/s",
            single["rate"],
            baseline_name="1 writer",
            target=">= 0.5× one writer, no wait over 1 s",
            passed=four["rate"] >= 0.5 * single["rate"] and four["max"] < 1.0,
            note=f"4 × {each} codings, p95 {four['p95'] * 1000:.1f} ms, "
            f"max {four['max'] * 1000:.0f} ms per coding",
            higher_is_better=True,
        ),
        _merge_row(1000 if quick else 10_000),
    ]


def _merge_row(count: int) -> dict:
    """Merging a coder copy with ``count`` new codings, against the coder making them (each
    ``apply_coding`` in one transaction, as a CSV import does)."""
    with tempfile.TemporaryDirectory() as folder:
        path, copy = Path(folder) / "main.kodeverk", Path(folder) / "copy.kodeverk"
        document, first = make_long_project(path, length=count + 10)
        with Project.open(path) as project:
            codes = [first] + [add_code(project, f"Tema {n}") for n in range(MERGE_CODES - 1)]
            make_copy(project, copy, "kari")
        with Project.open(copy) as coder_copy, coder_copy.transaction():
            started = time.perf_counter()
            for i in range(count):
                code = codes[i % MERGE_CODES]
                apply_coding(coder_copy, document, code, "kari", i, i + 1)
            coding_seconds = time.perf_counter() - started
        with Project.open(path) as project:
            started = time.perf_counter()
            report = merge_copy(project, copy, "lead")
            merge_seconds = time.perf_counter() - started
        assert report.added["codings"] == count
    return result(
        "merge: codings from a coder copy",
        count / merge_seconds,
        "codings/s",
        count / coding_seconds,
        baseline_name="the coder applying them in the copy",
        note=f"{count} codings over {MERGE_CODES} codes, merged in {merge_seconds:.2f} s",
        higher_is_better=True,
    )


def _measure(writers: int, each: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.kodeverk"
        document, code = make_long_project(path, length=2 * each + 10)
        processes = [start_worker(path, document, code, f"coder{n}", each) for n in range(writers)]
        summaries = []
        for process in processes:
            stdout, stderr = process.communicate(timeout=600)
            if process.returncode != 0:
                raise RuntimeError(f"writer failed: {stderr.strip()}")
            summaries.append(summary_of(stdout))
    span = max(s["finished"] for s in summaries) - min(s["started"] for s in summaries)
    slow = sorted(t for s in summaries for t in s["latencies"])
    return {
        "rate": sum(s["count"] for s in summaries) / span,
        "p95": slow[0] if slow else 0.0,  # the fastest of the slowest 5 %: the 95th percentile
        "max": max(s["max_latency"] for s in summaries),
    }
