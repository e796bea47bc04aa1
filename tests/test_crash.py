"""A writer killed with SIGKILL at random moments loses nothing it reported as committed."""

from __future__ import annotations

import random
import signal
import sqlite3
import time

from coding.store import Project
from tests.workers.projects import make_long_project, start_worker

ROUNDS = 12


def test_killed_writer_loses_nothing_it_reported(tmp_path):
    path = tmp_path / "crash.kodeverk"
    document, code = make_long_project(path)
    reported_total = _kill_rounds(path, document, code, ROUNDS)
    assert reported_total > ROUNDS  # the kills landed mid-work, not before or after it


async def test_app_opens_a_file_after_kills(tmp_path):
    from tui.app import KodeverkApp

    path = tmp_path / "crash.kodeverk"
    document, code = make_long_project(path)
    _kill_rounds(path, document, code, 2)
    app = KodeverkApp(path, "coder0", document_id=document, resume=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert type(app.screen).__name__ == "CodingScreen"
    with Project.open(path) as project:
        assert project.conn.execute("SELECT count(*) FROM codings").fetchone()[0] > 0


def _kill_rounds(path, document: int, code: int, rounds: int) -> int:
    """Start a writer, SIGKILL it at a random moment, check the file; returns the number of
    codings the writers reported as committed."""
    rng = random.Random(7)
    reported_total = 0
    for round_ in range(rounds):
        worker = start_worker(path, document, code, f"coder{round_}", 2000, "--print")
        first = worker.stdout.readline()  # the worker is up and has committed once
        time.sleep(rng.uniform(0.0, 0.25))
        worker.send_signal(signal.SIGKILL)
        rest, _ = worker.communicate(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        lines = (first + rest).split("\n")[:-1]  # a last line without "\n" was cut mid-write
        reported = [line.split() for line in lines]
        reported_total += len(reported)
        _assert_all_there(path, [(g, int(s), int(e)) for g, s, e in reported])
    return reported_total


def _assert_all_there(path, reported: list[tuple[str, int, int]]) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = dict(
            (guid, (start, end))
            for guid, start, end in conn.execute('SELECT guid, start, "end" FROM codings')
        )
    finally:
        conn.close()
    missing = [r for r in reported if stored.get(r[0]) != (r[1], r[2])]
    assert missing == []
    with Project.open(path) as project:  # the app's way in still works
        assert project.conn.execute("SELECT count(*) FROM codings").fetchone()[0] >= len(reported)
