"""Start and stop a real `kodeverk serve` on a free local port, for the server tests, the
browser test and the load benchmark."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A running server; ``stop()`` ends it and every app process it started."""

    def __init__(self, project: Path, *args: str, log: Path | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log or project.with_suffix(".serve.log")
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tui.cli",
                "serve",
                str(project),
                "--port",
                str(self.port),
                *args,
            ],
            cwd=ROOT,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the app subprocesses go with it
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"kodeverk serve exited: {self.log()}")
            try:
                urllib.request.urlopen(f"{self.url}/login", timeout=1).close()
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"kodeverk serve did not answer within {timeout} s: {self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)  # app subprocesses left in the group
        self._log.close()


def codings_by(path: Path, coder: str) -> int:
    import sqlite3

    conn = sqlite3.connect(path, timeout=10)
    try:
        row = conn.execute(
            "SELECT COUNT(*) FROM codings JOIN coders ON coders.id = codings.coder_id "
            "WHERE coders.name = ?",
            (coder,),
        ).fetchone()
    finally:
        conn.close()
    return row[0]
