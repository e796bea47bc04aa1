"""The coding app when the disk is hostile: the project file removed or replaced while it runs,
a read-only project, another process holding the write lock. Notifications, never a crash,
never «coded» for what is not on disk."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from coding import operations as ops
from coding import store
from coding.store import Project
from tests.app_project import CODER, build_app_project
from tests.conftest import ROOT, table_dump
from tests.hostile_disk import (
    fill,
    mounted_small_disk,
    require_permission_bits,
    run_without_override,
)
from tui.app import KodeverkApp
from tui.screens.coding import PLACE_RETRY_SECONDS, POLL_SECONDS
from tui.screens.overview import OverviewScreen

SIZE = (80, 24)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    yield from mounted_small_disk(tmp_path)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "app.kodeverk")


def messages(app: KodeverkApp) -> list[str]:
    return [n.message for n in app._notifications]


def codings_in(path: Path) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    finally:
        conn.close()


async def test_project_removed_mid_session(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        os.remove(app_path)  # a sync tool, a colleague, `mv`
        await pilot.press("1", "0", "down", "2")  # code, move (saves the place), code
        await pilot.pause()
        said = messages(app)
        assert not any(m.startswith("coded") for m in said), said
        assert any("removed or moved" in m and "nothing more is saved" in m for m in said)
        assert app.write_problem and "NOT SAVING" in app.sub_title
        await pilot.press("escape")  # back to the overview: no crash, no new file
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
    assert not app_path.exists()


async def test_project_replaced_is_noticed_by_the_poll(app_path: Path, tmp_path: Path) -> None:
    other = build_app_project(tmp_path / "other.kodeverk")
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        os.replace(other, app_path)  # an atomic replace, as sync tools do
        before = table_dump(app_path)
        await pilot.pause(POLL_SECONDS + 0.5)  # no key pressed: the poll notices
        assert any("replaced" in m for m in messages(app)), messages(app)
        await pilot.press("1", "0")
        await pilot.pause()
        assert not any(m.startswith("coded") for m in messages(app))
    assert table_dump(app_path) == before


def test_open_command_exits_non_zero_when_the_file_went_away(app_path: Path) -> None:
    """The session's end says the work after the removal was not saved (not exit 0)."""
    script = (
        "import asyncio, os, sys\n"
        "from tui.app import KodeverkApp\n"
        "from tui.commands import open as cmd\n"
        "async def run_test_instead(self):\n"
        "    async with self.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.pause(); os.remove(sys.argv[1]); await pilot.press('1', '0', 'q')\n"
        "KodeverkApp.run = lambda self: asyncio.run(run_test_instead(self))\n"
        "from tui.cli import main\n"
        "main(['open', sys.argv[1], '--coder', 'anne', '--document', '1'])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(app_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "removed or moved" in result.stderr and "Traceback" not in result.stderr
    assert not app_path.exists()


async def test_write_lock_held_by_another_process(app_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 300)  # wait 0.3 s, not 5, before giving up
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            f"c = sqlite3.connect({str(app_path)!r}, isolation_level=None)\n"
            "c.execute('BEGIN IMMEDIATE'); print('held', flush=True); sys.stdin.readline()\n"
            "c.execute('ROLLBACK')\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    app = KodeverkApp(app_path, CODER, document_id=1, resume=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert holder.stdout.readline().strip() == "held"
            await pilot.press("down", "down", "1", "0")  # moves save the place; 1 codes
            await pilot.pause()
            said = messages(app)
            assert any("busy" in m for m in said), said
            assert not any(m.startswith("coded") for m in said)
            holder.stdin.write("\n")
            holder.stdin.flush()
            holder.wait(10)
            await pilot.pause(PLACE_RETRY_SECONDS + 0.5)  # the place is saved on a retry
            await pilot.press("1", "0")  # and coding works again
            await pilot.pause()
            assert app.screen.status.startswith("coded")  # said in the status line
    finally:
        holder.kill()
    with Project.open(app_path) as project:
        assert ops.recall(project, CODER, "segment:1") == "2"
    assert codings_in(app_path) == 1


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_project_opens_and_refuses_writes(
    app_path: Path, tmp_path: Path, what: str
) -> None:
    require_permission_bits(tmp_path)
    before = table_dump(app_path)
    target, expected = (app_path, "r--r--r--") if what == "file" else (app_path.parent, "folder")
    target.chmod(0o444 if what == "file" else 0o555)
    try:
        result = run_without_override(
            "-m", "tests.workers.readonly_app", app_path, "ny koder", "1", "down", "d", "escape"
        )
    finally:
        target.chmod(0o644 if what == "file" else 0o755)
    assert result.returncode == 0, result.stderr[-3000:]
    shown = json.loads(result.stdout.strip().splitlines()[-1])
    said = shown["messages"]
    assert any("read-only" in m and expected in m for m in said), said
    assert not any(m.startswith("coded") or m.startswith("document marked") for m in said)
    assert "read-only" in shown["sub_title"] and shown["screen"] == "OverviewScreen"
    assert table_dump(app_path) == before


async def test_new_coder_codes_after_a_first_action_on_a_full_disk(
    app_path: Path, small_disk: Path
) -> None:
    """The first action of a new coder fails (disk full); once there is space again the same
    coder codes without a restart, and sees the coding as their own."""
    path = small_disk / app_path.name
    shutil.copy(app_path, path)
    app = KodeverkApp(path, "ny koder", document_id=1, resume=False)
    filler: Path | None = None
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        filler = fill(small_disk, leave=0)
        await pilot.press("down", "1", "0", "down")
        await pilot.pause()
        said = messages(app)
        assert any("disk is full" in m for m in said), said
        assert not any(m.startswith("coded") for m in said)
        filler.unlink()
        await pilot.press("1", "0")
        await pilot.pause()
        assert app.screen.status.startswith("coded"), messages(app)  # the status line
        screen = app.screen
        assert [c.coder_id for c in screen.codings] == [screen.coder_id]
    with Project.open(path) as project:
        assert codings_in(path) == 1
        assert project.coder_id("ny koder", create=False) == screen.coder_id
