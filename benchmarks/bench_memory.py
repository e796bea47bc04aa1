"""App memory on the generated study (issue 13): the resident size of the app after visiting
every screen (coding an interview, codebook editor, review, prevalence, help) and going back,
five rounds, in a fresh interpreter that runs only the app, as `kodeverk open` does (not the one
`make bench` ran the other benchmarks in; the study is built by another process).
Target: ≤ 300 MB, and flat after the first round (the last within 5 % of the first, resident
size and Python blocks alike).

Each visit ends when the popped screen is removed (``await app.pop_screen()``) and the app's
workers are done: without that, a busy machine left screens and their work in flight at the
moment of measuring, and the figure said more about the load than about the app (720 MB on a
load of 10). Beside the resident size, the Python memory blocks alive
(``sys.getallocatedblocks``) per round: flat blocks with a growing resident size is memory the
allocator keeps after the review's large reads (freed objects in arenas still in use), not
objects outliving a visit.

Until issue 13 the blocks grew by ~48k a round (+16 % by the third): Textual kept widgets of
removed screens alive (the footer's recomposed keys, Headers watching the app's title, and the
styles caches of every rendered widget in an lru_cache); tui/leaks.py and tui/widgets/footer.py
let them go, and tests/test_app_memory.py checks no widget outlives its visit.

The resident size then still stepped up after the first round and the second (189, 208, 213
MB; 221, 240, 264 in a full run) with the blocks flat: the malloc arena the worker threads share
(glibc gives threads their own) grew by ~30 MB in round 2 with its memory in use flat. Two
things of ours made it: the review's read connection filled a 64 MiB page cache (56 MB of
pages on the study) and freed it when the worker closed it, and the prevalence worker imported
scipy's statistics (~20 MB kept for life) into that same arena, into the holes the review's
pages left, so the next round's pages needed fresh memory. Worker connections now keep
SQLite's default 2 MB cache (coding/store.py ``READER_CACHE_KIB``) and the prevalence's tests
of difference are our own (coding/stats.py); tests/test_app_memory.py checks both. The note
lists, per round, what would show a growth of ours that the blocks do not count: SQLite's
memory in use (all connections), the process's threads, and malloc's bytes in use beside the
bytes it holds (glibc's ``mallinfo2``, all arenas).

Until the end of issue 13 the measuring interpreter also built the study before opening the
app: 165 MB before the app, malloc holding ~95 MB of the build's freed memory, and the app's
rounds (180, 192, 187, 189, 189 MB) stepping inside that held memory (×1.054). The study is now
built by another process, so the figure is the app's own (about 25 MB of interpreter, then the
app).

The rounds then still crept up by about a MB a round (89, 91, 94, 93, 94 MB; ×1.04–1.09 over
runs) with the blocks, malloc and SQLite flat: Python's own arenas (1 MiB each, mapped apart
from malloc's) grew from 41 to 45 while the objects in them did not. Two things of ours made
it. The review's read fetched every segment and coding as a list of tuples of Python ints
before making its arrays (~16 MB of small objects for a moment, 13 more arenas at the peak),
and what the app allocated meanwhile kept some of those arenas once the tuples were freed;
the rows now go from the cursor into the arrays one at a time (``coding.units.int_rows``).
And the overview, read again on every return to it, made its 6 400 rows, cells and filter
texts anew each time, so what lives on kept moving into other arenas; it now keeps those of
unchanged documents. tests/test_app_memory.py checks both."""

from __future__ import annotations

import _sqlite3
import asyncio
import ctypes
import gc
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import result

ROOT = Path(__file__).resolve().parent.parent

ROUNDS = 5


def rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 2**20


class _MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena",  # bytes held from the system by the heap and the thread arenas
            "ordblks",
            "smblks",
            "hblks",
            "hblkhd",  # bytes in malloc's own mmaps
            "usmblks",
            "fsmblks",
            "uordblks",  # bytes in use in the arenas
            "fordblks",
            "keepcost",
        )
    ]


def beyond_blocks() -> dict[str, float | None]:
    """What ``sys.getallocatedblocks`` does not count (figures in MB; None where this platform
    does not tell): SQLite's memory in use, the process's threads, malloc's bytes in use and the
    bytes it holds from the system (heap and thread arenas plus its own mmaps)."""
    found: dict[str, float | None] = {"sqlite": None, "malloc_used": None, "malloc_held": None}
    found["threads"] = float(len(os.listdir("/proc/self/task")))
    try:
        sqlite = ctypes.CDLL(_sqlite3.__file__)
        sqlite.sqlite3_memory_used.restype = ctypes.c_int64
        found["sqlite"] = sqlite.sqlite3_memory_used() / 2**20
    except (OSError, AttributeError):
        pass
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallinfo2.restype = _MallInfo2
        info = libc.mallinfo2()
        found["malloc_used"] = (info.uordblks + info.hblkhd) / 2**20
        found["malloc_held"] = (info.arena + info.hblkhd) / 2**20
    except (OSError, AttributeError):
        pass
    return found


async def _rounds(path: Path, document: int) -> tuple[list[float], list[int], list[dict]]:
    """Resident size (MB) and Python's allocated memory blocks (``sys.getallocatedblocks``:
    objects alive, not memory the allocator keeps) after each round, and ``beyond_blocks``."""
    from tui.app import KodeverkApp

    app = KodeverkApp(path, "anna", resume=False)
    sizes, blocks, beyond = [], [], []
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        visits = [
            lambda: app.open_document(document),
            app.action_codebook,
            app.action_review,
            app.action_prevalence,
            app.action_help,
        ]
        for _ in range(ROUNDS):
            for visit in visits:
                visit()
                await pilot.pause()
                await pilot.pause()
                await app.pop_screen()  # until the screen is removed, not just hidden
                await pilot.pause()
                await app.workers.wait_for_complete()  # a busy machine leaves work in flight
            await pilot.pause()
            gc.collect()
            sizes.append(rss_mb())
            blocks.append(sys.getallocatedblocks())
            beyond.append(beyond_blocks())
    return sizes, blocks, beyond


_BUILD = (
    "from pathlib import Path; from benchmarks.study import build_study; "
    "build_study(Path({path!r}), {scale})"
)


def measure(quick: bool) -> tuple[float, list[float], list[int], list[dict]]:
    """The process's resident size before the app, and the rounds' sizes, blocks and
    ``beyond_blocks``."""
    from coding.store import Project

    with tempfile.TemporaryDirectory() as root:
        study = Path(root) / "study.kodeverk"
        # built by another process: this one is the app's alone, as `kodeverk open` would be
        # (the build's own memory held by the allocator is not the app's)
        subprocess.run(
            [sys.executable, "-c", _BUILD.format(path=str(study), scale=0.1 if quick else 1.0)],
            cwd=ROOT,
            check=True,
        )
        work = Path(root) / "app.kodeverk"
        shutil.copy(study, work)
        with Project.open(work) as project:
            document = project.conn.execute(
                "SELECT id FROM documents WHERE kind = 'interview' ORDER BY id LIMIT 1"
            ).fetchone()[0]
        start = rss_mb()
        sizes, blocks, beyond = asyncio.run(_rounds(work, document))
    return start, sizes, blocks, beyond


def _per_round(beyond: list[dict], key: str, form: str) -> str:
    if any(row[key] is None for row in beyond):
        return "not known here"
    return ", ".join(form.format(row[key]) for row in beyond)


def run(quick: bool) -> list[dict]:
    # In a fresh interpreter: in `make bench` this process has run every benchmark before this
    # one (a 2 M-word import, the grid's apps), and their leftovers are not the app's memory.
    code = (
        "import json; from benchmarks.bench_memory import measure; "
        f"print(json.dumps(measure({quick})))"
    )
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    start, sizes, blocks, beyond = json.loads(found.stdout.strip().splitlines()[-1])
    return [
        result(
            f"study: app memory after every screen, round {ROUNDS}",
            sizes[-1],
            "MB",
            sizes[0],
            baseline_name="after the first round",
            target="≤ 300 MB; within 5 % of the first round",
            passed=sizes[-1] <= 300 and sizes[-1] <= 1.05 * sizes[0],
            note="resident size per round: "
            + ", ".join(f"{s:.0f}" for s in sizes)
            + f" MB (benchmark process before the app: {start:.0f} MB); per round, SQLite's"
            + f" memory in use: {_per_round(beyond, 'sqlite', '{:.1f}')} MB; threads:"
            + f" {_per_round(beyond, 'threads', '{:.0f}')}; malloc in use / held:"
            + " "
            + _per_round(beyond, "malloc_used", "{:.0f}")
            + " / "
            + _per_round(beyond, "malloc_held", "{:.0f}")
            + " MB",
        ),
        result(
            f"study: Python objects alive after every screen, round {ROUNDS}",
            blocks[-1] / 1000,
            "k blocks",
            blocks[0] / 1000,
            baseline_name="after the first round",
            target="within 5 % of the first round",
            passed=blocks[-1] <= 1.05 * blocks[0],
            note="memory blocks Python has allocated (sys.getallocatedblocks) per round: "
            + ", ".join(f"{b / 1000:.0f}k" for b in blocks)
            + "; flat while the resident size grows means no object outlives a visit and the "
            "growth is memory the allocator keeps (freed blocks in arenas still in use)",
        ),
    ]
