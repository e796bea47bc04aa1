"""The steps of issue 13 on the generated study (benchmarks/study.py: 6 400 answers, 40
interviews of 15 000 words, 3 coders × ~20 000 codings, 82 000 events), each beside a baseline
measured in the same run; the implementations they replaced are in benchmarks/reference.py.
The codings import (step 1) is measured as a whole process in bench_codings_import.py.

2. ``kodeverk copy`` of the study at 1.25× (≥ 100 000 events; target ≤ 2 s); baseline: SQLite's
   backup of the same file, the part of a copy no change can save.
3. Word export of ~64 000 quotes (study at 2×; target ≤ 3 s for 60 000); baseline: the old
   writer (python-docx paragraph by paragraph) on a report of 200 quotes per code.
4. Settling one disagreement in the review screen, key to committed and shown in the tables
   (target p95 ≤ 50 ms); baseline: what the screen recomputed per key before (agreement
   report, open counts, disagreements).
5. Word export (collect + write) while six coders write, one coding every 50 ms each, against
   the same export alone (target ≤ 1.5×).
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import percentile, result
from benchmarks.study import build_study

ROOT = Path(__file__).resolve().parent.parent


def run(quick: bool) -> list[dict]:
    scale = 0.1 if quick else 1.0
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root)
        study = folder / "study.kodeverk"
        build_study(study, scale)
        rows = [
            _copy(folder, 1.25 * scale),
            _word_export(folder, 2 * scale),
            _settle(study),
            _export_while_writing(study, folder),
        ]
    return rows


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


# -- 2. coder copy ------------------------------------------------------------------------------
def _copy(folder: Path, scale: float) -> dict:
    from coding.backup import backup_to
    from coding.copy import make_copy
    from coding.store import Project

    study = folder / "copy-study.kodeverk"
    build_study(study, scale)
    with Project.open(study) as project:
        events = project.conn.execute("SELECT count(*) FROM events").fetchone()[0]
        started = time.process_time()
        seconds = min(
            _timed(lambda n=n: make_copy(project, folder / f"copy-{n}.kodeverk", "anna"))
            for n in range(2)
        )
        cpu = (time.process_time() - started) / 2
        backup = min(
            _timed(lambda n=n: backup_to(project, folder / f"backup-{n}.kodeverk"))
            for n in range(2)
        )
    return result(
        f"study: kodeverk copy, {events} audit events",
        seconds,
        "s",
        backup,
        baseline_name="SQLite backup of the same file",
        target="≤ 2 s at 100 000 events (was 516 s at 73 904)",
        passed=seconds <= 2.0,
        note=f"{cpu:.2f} CPU seconds per copy",
    )


# -- 3. Word export -----------------------------------------------------------------------------
def _word_export(folder: Path, scale: float) -> dict:
    from benchmarks.reference import write_docx_before
    from coding.store import Project
    from exports.docx_report import write_docx
    from exports.quotes import quote_report

    study = folder / "export-study.kodeverk"
    build_study(study, scale)
    with Project.open(study) as project:
        report = quote_report(project)
        small = quote_report(project, max_per_code=200)
    seconds = min(_timed(lambda: write_docx(report, folder / "report.docx")) for _ in range(2))
    old = _timed(lambda: write_docx_before(small, folder / "before.docx"))
    return result(
        f"study: Word export, {report.quote_count} quotes",
        seconds,
        "s",
        old,
        baseline_name=f"the writer before, on {small.quote_count} quotes (200 per code)",
        target="≤ 3 s for 60 000 quotes; linear",
        passed=seconds <= 3.0 * max(1.0, report.quote_count / 60_000),
    )


# -- 4. settling in the review screen -----------------------------------------------------------
def _settle(study: Path) -> dict:
    from coding.consensus import disagreements, open_counts
    from coding.reliability import agreement_report
    from coding.store import Project

    work = study.with_name("settle.kodeverk")
    shutil.copy(study, work)
    with Project.open(work) as project:
        pair = ["anna", "bjørn"]
        report = agreement_report(project, pair)
        codes = [r.code_id for r in report.codes]
        counts = open_counts(project, pair, codes)
        code = max(codes, key=lambda c: counts[c][0])

        def recompute() -> None:
            agreement_report(project, pair)
            open_counts(project, pair, codes)
            disagreements(project, pair, code)

        before = _timed(recompute)
        times = asyncio.run(_settle_keys(project, pair, code, 40))
    p95 = percentile(times, 95)
    return result(
        "study: settle one disagreement in review, per key (p95)",
        p95 * 1000,
        "ms",
        before * 1000,
        baseline_name="recomputing agreement and disagreements per key (the screen before)",
        target="≤ 50 ms p95",
        passed=p95 <= 0.05,
        note=f"40 keys, median {statistics.median(times) * 1000:.1f} ms; "
        f"{counts[code][0]} disagreements listed for the code",
    )


async def _settle_keys(project, pair: list[str], code: int, keys: int) -> list[float]:
    """Seconds from the key reaching the app to the settle being done: committed, and the
    screen's rows and counts updated (as bench_app measures key to committed coding; Pilot's
    own waiting and the paint after are not counted)."""
    from textual import events
    from textual.app import App

    from tui.screens.review import ReviewScreen
    from tui.widgets.row_list import RowList

    class ReviewApp(App):
        def on_mount(self) -> None:
            self.push_screen(ReviewScreen(project, "leder", pair))

    app = ReviewApp()
    times = []
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()  # the review reads in a worker
        await pilot.pause()
        screen = app.screen
        assert screen.loaded
        screen.code_id = code
        screen._load_disagreements(code)
        table = screen.query_one("#disagreements", RowList)
        await pilot.pause()
        for n in range(keys):
            row = table.cursor_row
            before = screen.items[row]
            key = events.Key("ab"[n % 2], "ab"[n % 2])
            key.set_sender(app)
            started = time.perf_counter()
            app._driver.send_message(key)
            while screen.items[row] is before:  # replaced once settled and shown
                await asyncio.sleep(0)
            times.append(time.perf_counter() - started)
            await pilot.pause()
    return times


# -- 5. reading while others write --------------------------------------------------------------
def _export_while_writing(study: Path, folder: Path) -> dict:
    from coding.store import Project

    work = folder / "busy.kodeverk"
    shutil.copy(study, work)
    with Project.open(work) as project:
        document = project.conn.execute(
            "SELECT id FROM documents WHERE kind = 'interview' ORDER BY id LIMIT 1"
        ).fetchone()[0]
        code = project.conn.execute("SELECT min(id) FROM codes WHERE parent_id IS NOT NULL")
        code = code.fetchone()[0]
    alone = min(_export(work, folder) for _ in range(2))
    stop = folder / "stop"
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.writer",
                str(work),
                str(document),
                str(code),
                f"skriver{n}",
                "0.05",
                str(stop),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(6)
    ]
    time.sleep(1.0)
    try:
        busy = min(_export(work, folder) for _ in range(2))
    finally:
        stop.touch()
        written = []
        for writer in writers:
            out, err = writer.communicate(timeout=60)
            if writer.returncode != 0:
                raise RuntimeError(f"writer failed: {err.strip()}")
            written.append(int(out.strip()))
    return result(
        "study: Word export while six coders write",
        busy,
        "s",
        alone,
        baseline_name="the same export alone",
        target="≤ 1.5× alone (readers never wait on writers)",
        passed=busy <= 1.5 * alone,
        note=f"6 writers, a coding each every 50 ms: {sum(written)} codings committed meanwhile",
    )


def _export(path: Path, folder: Path) -> float:
    from coding.store import Project
    from exports.docx_report import write_docx
    from exports.quotes import quote_report

    with Project.open(path) as project:
        started = time.perf_counter()
        with project.read_snapshot():
            report = quote_report(project)
        write_docx(report, folder / "busy.docx")
        return time.perf_counter() - started
