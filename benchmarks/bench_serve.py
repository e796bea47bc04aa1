"""The team server under load: 8 simulated coders over websockets for 60 s against one project.

Each coder signs in, opens the app's websocket (textual-serve's protocol, as the browser does)
and repeats: press 2 (apply Bolig, the code with shortcut 2 and no sub-codes, to the selected
segment: 1 has sub-codes, so it waits for a second digit), wait until the
row is committed in SQLite, press u (undo), wait until it is gone. Four coders share the first
document, four the second. Measured: committed coding actions per second (applies and undos),
p95 time from the key message to the committed row (seen by polling the file), errors (must be
0: a refused sign-in, a websocket closed, a key with no row within 10 s), and the server's
memory (resident set of the server and its app processes, at the end). Loopback only.
``KODEVERK_BENCH_SERVE_SECONDS`` shortens the run (``--quick``: 15 s).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile
import time
from pathlib import Path

import aiohttp

from benchmarks.common import percentile, result
from coding import operations as ops
from coding.accounts import add_user
from coding.store import Project
from tests.app_project import build_app_project
from tests.serve_helpers import Served

CODERS = 8
PASSWORD = "korrekt-hest-batteri"
KEY_TIMEOUT = 10.0


def run(quick: bool) -> list[dict]:
    seconds = float(os.environ.get("KODEVERK_BENCH_SERVE_SECONDS", 15 if quick else 60))
    with tempfile.TemporaryDirectory() as tmp:
        path = build_app_project(Path(tmp) / "team.kodeverk")
        names = [f"koder{i}" for i in range(CODERS)]
        with Project.open(path) as project:
            for i, name in enumerate(names):
                add_user(project, name, PASSWORD, "coder")
                ops.remember(project, name, "last_document", str(1 + i % 2))
        served = Served(path)
        try:
            outcome = asyncio.run(_load(served, path, names, seconds))
            outcome["rss_mb"] = _group_rss_mb(served.process.pid)
        finally:
            served.stop()
    latencies = outcome["latencies"]
    p95 = percentile(latencies, 95) * 1000 if len(latencies) > 1 else float("nan")
    rate = len(latencies) / outcome["seconds"]
    median = percentile(latencies, 50) * 1000 if len(latencies) > 1 else float("nan")
    note = f"{CODERS} coders, {outcome['seconds']:.0f} s, {len(latencies)} committed actions"
    load = os.getloadavg()[0]
    return [
        result("serve: coding actions/s (8 coders)", rate, "actions/s", None, note=note),
        result(
            "serve: p95 key to committed row",
            p95,
            "ms",
            None,
            target="< 2000 ms (the lead sees others' work within 2 s)",
            passed=p95 < 2000,
            note=f"median {median:.0f} ms; machine load average {load:.1f}",
        ),
        result(
            "serve: errors",
            outcome["errors"],
            "errors",
            None,
            target="0",
            passed=outcome["errors"] == 0,
            note="; ".join(outcome["error_notes"][:3]),
        ),
        result("serve: memory (server + 8 apps)", outcome["rss_mb"], "MiB RSS", None),
    ]


async def _load(served: Served, path: Path, names: list[str], seconds: float) -> dict:
    state = {"latencies": [], "errors": 0, "error_notes": [], "go": asyncio.Event()}
    ready = asyncio.Barrier(len(names) + 1)
    tasks = [asyncio.create_task(_coder(served, path, n, ready, state)) for n in names]
    await asyncio.wait_for(ready.wait(), timeout=120)  # every app is up and has coded once
    state["latencies"].clear()
    started = time.perf_counter()
    state["stop_at"] = time.monotonic() + seconds
    state["go"].set()
    await asyncio.gather(*tasks)
    state["seconds"] = time.perf_counter() - started
    return state


async def _coder(served: Served, path: Path, name: str, ready: asyncio.Barrier, state) -> None:
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=10)
    jar = aiohttp.CookieJar(unsafe=True)  # keep cookies of an IP address (127.0.0.1)
    async with aiohttp.ClientSession(timeout=timeout, cookie_jar=jar) as http:
        async with http.post(
            f"{served.url}/login", data={"name": name, "password": PASSWORD}
        ) as response:
            if response.status != 200 or not http.cookie_jar.filter_cookies(served.url):
                _error(state, f"{name}: sign-in {response.status}")
                await ready.wait()
                return
        async with http.ws_connect(f"{served.url}/ws?width=120&height=40") as ws:
            drain = asyncio.create_task(_drain(ws))
            try:
                await _warm_up(ws, path, name)
                await ready.wait()
                await state["go"].wait()
                await _cycle(ws, path, name, state)
            except Exception as exc:  # counted, never hidden
                _error(state, f"{name}: {type(exc).__name__}: {exc}")
            finally:
                drain.cancel()


async def _drain(ws: aiohttp.ClientWebSocketResponse) -> None:
    async for _ in ws:  # the app's screen updates: read and dropped, as a browser would draw
        pass


async def _warm_up(ws, path: Path, name: str) -> None:
    """Press 2 until the app is up and the first coding is committed, then undo it."""
    deadline = time.monotonic() + 90
    while _count(path, name) == 0:
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not come up within 90 s")
        await ws.send_json(["stdin", "2"])
        await asyncio.sleep(0.5)
    await _press(ws, path, name, "u", 0)


async def _cycle(ws, path: Path, name: str, state) -> None:
    while time.monotonic() < state["stop_at"]:
        for key, expected in (("2", 1), ("u", 0)):
            started = time.perf_counter()
            if not await _press(ws, path, name, key, expected):
                _error(state, f"{name}: no committed row {KEY_TIMEOUT:.0f} s after {key!r}")
                return
            state["latencies"].append(time.perf_counter() - started)


async def _press(ws, path: Path, name: str, key: str, expected: int) -> bool:
    await ws.send_json(["stdin", key])
    deadline = time.monotonic() + KEY_TIMEOUT
    while time.monotonic() < deadline:
        if _count(path, name) == expected:
            return True
        await asyncio.sleep(0.005)
    return False


def _count(path: Path, name: str) -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return conn.execute(
            "SELECT COUNT(*) FROM codings JOIN coders ON coders.id = codings.coder_id "
            "WHERE coders.name = ?",
            (name,),
        ).fetchone()[0]
    finally:
        conn.close()


def _error(state: dict, note: str) -> None:
    state["errors"] += 1
    state["error_notes"].append(note)


def _group_rss_mb(pgid: int) -> float:
    """Resident memory of every process in the server's process group (server and apps)."""
    total_kb = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total_kb += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total_kb / 1024
