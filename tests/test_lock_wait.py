"""A write that must wait for another writer says so after a second instead of looking frozen
(issue 13), then goes ahead when the lock is free."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from coding import store
from coding.operations import set_document_done
from coding.store import Project, connect
from tests.conftest import ROOT


def test_command_line_says_it_waits_for_the_write_lock(small_project: Project, tmp_path: Path):
    table = tmp_path / "k.csv"
    table.write_text("document,code,coder\nintervju-oslo,Bolig,ane\n", encoding="utf-8")
    writer = connect(small_project.path)
    writer.execute("BEGIN IMMEDIATE")
    try:
        command = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "codings", "import", small_project.path, table],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(2.5)
        assert command.poll() is None  # still waiting
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    stdout, stderr = command.communicate(timeout=60)
    assert command.returncode == 0, stderr
    assert stderr.count("waiting for the write lock") == 1
    assert "1 codings applied" in stdout


def test_no_notice_when_the_lock_is_free(small_project: Project) -> None:
    heard: list[float] = []
    store.on_lock_wait(heard.append)
    try:
        set_document_done(small_project, 1, "ane")
    finally:
        store.on_lock_wait(None)
    assert heard == []


def test_notice_comes_once_after_a_second(small_project: Project) -> None:
    heard: list[float] = []
    # released from a timer thread: a plain connection that may be used there
    writer = sqlite3.connect(small_project.path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    store.on_lock_wait(heard.append)
    try:
        import threading

        threading.Timer(1.6, lambda: writer.execute("ROLLBACK")).start()
        set_document_done(small_project, 1, "ane")
    finally:
        store.on_lock_wait(None)
    writer.close()
    assert len(heard) == 1 and store.WAIT_NOTICE_AFTER <= heard[0] < 1.6
