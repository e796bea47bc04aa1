"""Start-up of the CLI as whole processes (issue 13): `kodeverk info PROJECT` on the generated
study and `kodeverk --help`, beside `python -c pass` (the interpreter and the virtualenv's
site). Target: each ≤ 150 ms. Each command runs N times; the figure is the median wall time,
and the note gives the median CPU time of the process (user + system), which the waits of a
machine shared with other work do not inflate."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import result
from benchmarks.study import build_study

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 0.150


def _run_once(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one process running ``args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=_env(), stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), COLUMNS="100")
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    # An installed kodeverk has its bytecode compiled; without it every run compiles our
    # modules from source (~30 ms), which is not what a user waits for.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def measure(args: list[str], runs: int) -> tuple[float, float]:
    """Median wall and median CPU seconds over ``runs`` (after one untimed run: the files in
    the OS cache, the bytecode written)."""
    _run_once(args)
    times = [_run_once(args) for _ in range(runs)]
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


def run(quick: bool) -> list[dict]:
    runs = 5 if quick else 21
    python = sys.executable
    with tempfile.TemporaryDirectory() as root:
        study = Path(root) / "study.kodeverk"
        build_study(study, 0.1 if quick else 1.0)
        bare_wall, bare_cpu = measure([python, "-c", "pass"], runs)
        commands = {
            "kodeverk info (the study)": ["info", str(study)],
            "kodeverk --help": ["--help"],
        }
        rows = []
        for name, args in commands.items():
            wall, cpu = measure([python, "-m", "tui.cli", *args], runs)
            rows.append(
                result(
                    f"startup: {name}, whole process",
                    wall * 1000,
                    "ms",
                    bare_wall * 1000,
                    baseline_name="python -c pass",
                    target=f"≤ {TARGET_S * 1000:.0f} ms",
                    passed=wall <= TARGET_S,
                    note=f"median of {runs} runs; CPU time {cpu * 1000:.0f} ms "
                    f"(python -c pass {bare_cpu * 1000:.0f} ms)",
                )
            )
    return rows
