"""The review screen on the generated study (issues 13 and 14): opening it and its keys, through
the Pilot of the real app, beside a bare Textual app measured in the same run.

Study: ``benchmarks.study`` (three coders with about 20 000 codings each; the review compares
the default pair). Measured:

1. Opening the review: the screen pushed onto the app until painted (``pilot.pause(0)``: its
   messages handled, then the screen drawn; a bare ``pilot.pause()`` would also wait for the
   process to be idle, i.e. for the review's read in its worker thread), beside a screen with one
   ``Static`` pushed the same way; and until its table of codes is filled.
2. Keys, p95 of ``await pilot.press(key)`` (wall and CPU) against the same presses on a bare
   Textual app: moving through the codes (down/up), opening a code's disagreements (enter),
   moving through the disagreements (down/up), settling one (a/b/o/x, each committed before
   the press returns: counted on disk afterwards) and switching the compared pair (c, then
   down and enter in the pair picker, a box over the review screen, not a screen of its own;
   the enter press is the switch: from the key until the review shows the new pair, the box
   closed, in the frame it draws). Target: ≤ 50 ms over the
   bare app's p95 (and CPU p95 ≤ 50 ms). A Pilot press returns when the process is idle, so the
   switch's wall and process CPU include the new pair's read in its worker thread, if any (a
   pair the review prepared in the background, after its first read or while the picker was
   open, and nothing it comes from written since, is shown at once); the CPU of the app's own
   (event loop) thread is given beside, and when the new tables were filled.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.common import (
    bare_presses,
    key_rows,
    percentile,
    result,
    static_screen,
    timed_presses,
)
from benchmarks.study import build_study

SIZE = (100, 30)
LEAD = "anna"


async def _until(pilot, ready, limit: float = 120.0) -> None:
    """Pause the Pilot until ``ready()`` (or ``limit`` seconds)."""
    end = time.perf_counter() + limit
    while not ready() and time.perf_counter() < end:
        await pilot.pause(0.005)


def _codes_filled(screen) -> bool:
    """The screen's read is done and shown (it reads in a worker thread; a screen without a
    ``loaded`` flag read before painting)."""
    return getattr(screen, "loaded", True) and screen.query_one("#codes").row_count > 0


async def _open(path: Path, make) -> tuple[float, float, float]:
    """Wall seconds to first paint and until the codes are filled, and CPU seconds until
    filled, for the screen ``make(project)`` pushed onto the app's overview."""
    from tui.app import KodeverkApp

    app = KodeverkApp(path, LEAD, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = make(app.project)
        t0, c0 = time.perf_counter(), time.process_time()
        await app.push_screen(screen)
        await pilot.pause(0)
        painted = time.perf_counter() - t0
        if make is not _static:
            await _until(pilot, lambda: _codes_filled(screen))
        return painted, time.perf_counter() - t0, time.process_time() - c0


def _review(project):
    from tui.screens.review import ReviewScreen

    return ReviewScreen(project, LEAD)


def _static(project):
    return static_screen()


async def _keys(path: Path, presses: int, switches: int) -> dict[str, tuple[list, list]]:
    from tui.app import KodeverkApp

    found: dict[str, tuple[list, list]] = {}
    app = KodeverkApp(path, LEAD, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        app.action_review()
        await pilot.pause()
        screen = app.screen
        await _until(pilot, lambda: _codes_filled(screen))
        codes = screen.query_one("#codes")
        found["codes down/up"] = await timed_presses(pilot, ["down", "down", "up"] * (presses // 3))
        wall, cpu = [], []
        for _ in range(max(presses // 10, 3)):  # enter on a code, then back to the codes
            w, c = await timed_presses(pilot, ["enter"])
            wall += w
            cpu += c
            await pilot.press("escape", "down")
        found["open a code's disagreements (enter)"] = (wall, cpu)
        await _open_busiest(pilot, screen, codes)
        found["disagreements down/up"] = await timed_presses(
            pilot, ["down", "down", "up"] * (presses // 3)
        )
        await pilot.press("home")
        found["settle (a/b/o/x, committed)"] = await timed_presses(
            pilot, ["a", "b", "o", "x"] * (presses // 4)
        )
        wall, cpu, filled, ui = [], [], [], []
        for _ in range(switches):
            await pilot.press("c", "down")
            t0, u0 = time.perf_counter(), time.thread_time()
            w, c = await timed_presses(pilot, ["enter"])
            ui.append(time.thread_time() - u0)
            wall += w
            cpu += c
            await _until(pilot, lambda: _codes_filled(screen))
            filled.append(time.perf_counter() - t0)
        found["switch the compared pair (enter in the picker)"] = (wall, cpu)
        found["switch: until the new pair's tables are filled"] = (filled, ui)
    return found


async def _open_busiest(pilot, screen, codes) -> None:
    """Enter on the code with the most open disagreements."""
    rows = [codes.get_row_at(i) for i in range(codes.row_count)]
    busiest = max(range(len(rows)), key=lambda i: int(rows[i][2]))
    codes.move_cursor(row=busiest)
    await pilot.press("enter")
    await pilot.pause()


def _settled_on_disk(path: Path) -> int:
    from coding.store import Project

    with Project.open(path) as project:
        return project.conn.execute(
            "SELECT count(*) FROM events WHERE action = 'consensus.settle'"
        ).fetchone()[0]


def run(quick: bool) -> list[dict]:
    scale, presses, switches, repeat = (0.1, 30, 4, 2) if quick else (1.0, 120, 12, 3)
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "study.kodeverk"
        t0 = time.perf_counter()
        build_study(path, scale)
        built = time.perf_counter() - t0
        opens = [asyncio.run(_open(path, _review)) for _ in range(repeat)]
        statics = [asyncio.run(_open(path, _static)) for _ in range(repeat)]
        painted, filled, cpu = min(opens)
        base = min(statics)[0]
        label = f"study at scale {scale:g}" if scale != 1 else "study"
        rows.append(
            result(
                f"review: screen opened, first paint, {label}",
                painted,
                "s",
                base,
                baseline_name="a screen with one Static, pushed the same way",
                target="≤ 50 ms over the Static screen",
                passed=painted - base <= 0.05,
                note=f"codes table filled after {filled:.3f} s (CPU {cpu:.3f} s); best of "
                f"{repeat}; study built in {built:.0f} s",
            )
        )
        before = _settled_on_disk(path)
        found = asyncio.run(_keys(path, presses, switches))
        committed = _settled_on_disk(path) - before
        every = [k for wall, _ in found.values() for k in wall]
        bare = asyncio.run(bare_presses(["j", "k"] * (len(every) // 2), SIZE))
        filled, ui = found.pop("switch: until the new pair's tables are filled")
        for what, (wall, cpu_times) in found.items():
            key = key_rows(f"review key: {what}, {label}", wall, cpu_times, bare)
            if what.startswith("switch"):
                key[0]["note"] += (
                    f"; of which the app's own thread p95 {percentile(ui, 95) * 1000:.0f} ms "
                    "(the rest: the read in its worker thread)"
                )
                key[1]["note"] += (
                    f"; the new pair's tables filled (read in a worker thread) after "
                    f"{min(filled):.2f}–{max(filled):.2f} s"
                )
            if what.startswith("settle"):
                key[1]["note"] += f"; {committed} of {len(wall)} settlings found on disk after"
            rows += key
    return rows
