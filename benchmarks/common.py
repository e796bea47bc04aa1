"""Helpers shared by the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import ClassVar


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


# -- the Pilot: key presses timed against a bare Textual app ------------------------------------
async def timed_presses(pilot, keys: list[str]) -> tuple[list[float], list[float]]:
    """Wall and CPU (process) seconds of each ``await pilot.press(key)``: the key sent, handled
    and the screen refreshed."""
    wall, cpu = [], []
    for key in keys:
        t0, c0 = time.perf_counter(), time.process_time()
        await pilot.press(key)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def bare_key_app(keys: str = "jk"):
    """The baseline of key timings: a Textual app with one ``Static`` whose keys update it."""
    from textual.app import App
    from textual.widgets import Static

    class BareApp(App):
        BINDINGS: ClassVar = [(k, "tick", "") for k in keys]

        def __init__(self) -> None:
            super().__init__()
            self.ticks = 0

        def compose(self):
            yield Static("kodeverk")

        def action_tick(self) -> None:
            self.ticks += 1
            self.query_one(Static).update(str(self.ticks))

    return BareApp()


async def bare_presses(keys: list[str], size: tuple[int, int]) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``keys`` pressed on ``bare_key_app``."""
    app = bare_key_app("".join(sorted(set(keys))))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        return await timed_presses(pilot, keys)


def static_screen():
    """The baseline of a screen's first paint: a screen with one ``Static``."""
    from textual.screen import Screen
    from textual.widgets import Static

    class StaticScreen(Screen):
        def compose(self):
            yield Static("kodeverk")

    return StaticScreen()


def key_rows(
    what: str, wall: list[float], cpu: list[float], bare: tuple[list[float], list[float]]
) -> list[dict]:
    """Two result rows for a key: CPU p95 (target ≤ 50 ms) and wall p95 (≤ 50 ms over the bare
    app's p95), each beside the bare app's same figure."""
    bare_wall, bare_cpu = (percentile(b, 95) * 1000 for b in bare)
    p95, cpu_p95 = percentile(wall, 95) * 1000, percentile(cpu, 95) * 1000
    return [
        result(
            f"{what} CPU p95",
            cpu_p95,
            "ms",
            bare_cpu,
            baseline_name="the same Pilot press on a bare Textual app, CPU p95",
            target="≤ 50 ms",
            passed=cpu_p95 <= 50,
            note="process time of each press: what the key costs, without the waits of a "
            "machine shared with other work",
        ),
        result(
            f"{what} p95",
            p95,
            "ms",
            bare_wall,
            baseline_name="Pilot press on a bare Textual app, p95",
            target="≤ 50 ms over the bare app's p95",
            passed=p95 - bare_wall <= 50,
            note=f"{len(wall)} presses, median {percentile(wall, 50) * 1000:.1f} ms "
            f"(bare app {percentile(bare[0], 50) * 1000:.1f} ms), max {max(wall) * 1000:.0f} ms",
        ),
    ]
