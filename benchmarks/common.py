"""Helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of ``repeat`` runs, in seconds (the least disturbed by other work)."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def percentile(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(p) - 1]


def result(
    name: str,
    value: float,
    unit: str,
    baseline: float | None,
    *,
    baseline_name: str = "",
    target: str = "",
    passed: bool | None = None,
    note: str = "",
    higher_is_better: bool = False,
) -> dict:
    """One result row; ``ratio`` is value / baseline."""
    ratio = value / baseline if baseline else None
    row = {"name": name, "value": value, "unit": unit, "baseline": baseline, "ratio": ratio}
    for key, val in (("baseline_name", baseline_name), ("target", target), ("note", note)):
        if val:
            row[key] = val
    if passed is not None:
        row["passed"] = passed
    return row
