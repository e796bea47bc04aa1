"""No widget outlives a visit (issue 13): going to a screen and back, again and again, leaves no
footer entry of an earlier visit alive. Textual's Footer recomposes when the bindings change
(every push and pop over the overview) and each new FooterKey's data binding to the footer's
``compact`` was kept in the footer's watchers until ``compact`` changed: about 70 detached
FooterKeys, with their styles caches, per round of the memory benchmark."""

from __future__ import annotations

import gc
import sys
import weakref
from pathlib import Path

import pytest
from textual._styles_cache import StylesCache
from textual.app import App
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from tests.app_project import CODER, build_app_project
from tui.app import KodeverkApp

SIZE = (100, 30)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "memory.kodeverk")


def earlier_widgets() -> weakref.WeakSet[Widget]:
    """The widgets alive before a test's app: an earlier test's (another app in this process,
    under xdist; one whose traceback pytest keeps) are not the app's under test."""
    return weakref.WeakSet(o for o in gc.get_objects() if isinstance(o, Widget))


def detached_footer_keys(earlier: weakref.WeakSet[Widget]) -> int:
    gc.collect()
    return sum(
        1
        for o in gc.get_objects()
        if isinstance(o, FooterKey) and not o.is_attached and o not in earlier
    )


async def visit_every_screen(app: KodeverkApp, pilot, rounds: int) -> None:
    visits = [
        lambda: app.open_document(1),
        app.action_codebook,
        app.action_review,
        app.action_prevalence,
        app.action_help,
    ]
    for _ in range(rounds):
        for visit in visits:
            visit()
            await pilot.pause()
            await pilot.pause()
            await app.pop_screen()
            await pilot.pause()
            await app.workers.wait_for_complete()
        await pilot.pause()


async def test_no_footer_entry_outlives_its_visit(app_path: Path) -> None:
    earlier = earlier_widgets()
    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await visit_every_screen(app, pilot, 1)
        first = detached_footer_keys(earlier)
        await visit_every_screen(app, pilot, 3)
        assert detached_footer_keys(earlier) <= first
        assert detached_footer_keys(earlier) == 0
        footer_watchers = getattr(app.screen.query_one("Footer"), "__watchers", {})
        assert all(node.is_attached for node, _ in footer_watchers.get("compact", []))


def detached_widgets(earlier: weakref.WeakSet[Widget]) -> dict[str, int]:
    gc.collect()
    alive: dict[str, int] = {}
    for o in gc.get_objects():
        detached = isinstance(o, Widget) and not isinstance(o, App) and not o.is_attached
        if detached and o not in earlier:
            alive[type(o).__name__] = alive.get(type(o).__name__, 0) + 1
    return alive


def styles_caches_of_removed_widgets() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, StylesCache)) - sum(
        1 for o in gc.get_objects() if isinstance(o, Widget) and o.is_attached
    )


async def test_no_widget_nor_its_rendered_lines_outlive_a_visit(app_path: Path) -> None:
    """The Headers of the coding and codebook screens (watching the app's title) and the styles
    caches Textual keeps by widget in an lru_cache go with their screen."""
    earlier = earlier_widgets()
    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await visit_every_screen(app, pilot, 1)
        first = styles_caches_of_removed_widgets()
        await visit_every_screen(app, pilot, 3)
        assert detached_widgets(earlier) == {}
        assert styles_caches_of_removed_widgets() <= first


# -- what a visit's worker leaves behind (issue 13: the resident size's step after round 1) -----
# The memory benchmark's blocks were flat, but its resident size grew by ~20 MB a round until the
# third: the allocator's arena of the worker threads grew while its memory in use did not. Two
# things of ours made it: the review's read connection filled a page cache of up to 64 MiB (56 MB
# on the study) only to free it when the worker closed it, and the prevalence worker imported
# scipy (~20 MB of modules for life) in that same arena, into the holes the review's pages left.

STUDY_SCALE = 0.3  # a 20 MB project file: more than a bounded page cache holds


@pytest.fixture(scope="module")
def study_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from benchmarks.study import build_study

    path = tmp_path_factory.mktemp("study") / "study.kodeverk"
    build_study(path, STUDY_SCALE)
    return path


def sqlite_memory() -> tuple[object, object]:
    """SQLite's own counters of the memory it has allocated (all connections of the process),
    from the library the sqlite3 module runs on."""
    import _sqlite3
    import ctypes

    try:
        library = ctypes.CDLL(_sqlite3.__file__)
        used, highwater = library.sqlite3_memory_used, library.sqlite3_memory_highwater
    except (OSError, AttributeError):
        pytest.skip("SQLite's memory counters are not reachable from here")
    used.restype = highwater.restype = ctypes.c_int64
    highwater.argtypes = [ctypes.c_int]
    return used, highwater


async def test_the_reviews_worker_reads_without_a_file_sized_page_cache(study_path: Path) -> None:
    """The review reads every coding of the study once, on a connection of its own that is closed
    after the read: a page cache the size of the file was 17 MB allocated and freed per visit
    (56 MB on the benchmark's study) in the workers' arena. What it allocates now is bounded, and
    nothing of it outlives a visit: what stays after the first is the app connection's counters
    of its writes (temporary triggers and tables the review's kept pairs are keyed on), once."""
    used, highwater = sqlite_memory()
    app = KodeverkApp(study_path, "anna", resume=False)

    async def visit(pilot) -> int:
        app.action_review()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.loaded  # the read was done
        peak = highwater(0)
        await app.pop_screen()
        await pilot.pause()
        return peak

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        before = used()
        highwater(1)  # reset the high-water mark to what is in use now
        peak = await visit(pilot) - before
        after_first = used()
        await visit(pilot)
        after_second = used()
    assert study_path.stat().st_size > 16 * 2**20
    assert peak < 6 * 2**20, f"{peak / 2**20:.1f} MB of SQLite memory while reading the review"
    assert after_first - before < 2 * 2**20
    assert after_second - after_first < 2**18


def test_prevalence_imports_no_scipy(study_path: Path) -> None:
    """Scipy's statistics were ~20 MB of memory (and 0.9 s) imported by the prevalence screen's
    worker for one p-value per theme; Fisher's exact test and the chi-square tail are a few
    lines of their own (tests/test_prevalence.py checks them against scipy). In a fresh
    interpreter: this one may have imported scipy for other tests."""
    import subprocess
    import sys

    code = f"""
import asyncio, sys
from pathlib import Path
from tui.app import KodeverkApp

async def main():
    app = KodeverkApp(Path({str(study_path)!r}), "anna", resume=False)
    async with app.run_test(size={SIZE!r}) as pilot:
        await pilot.pause()
        app.action_prevalence()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        tests = len(app.screen.result.tests)
        print(tests, "scipy" in sys.modules)

asyncio.run(main())
"""
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    tests, scipy = done.stdout.split()[-2:]
    assert int(tests) > 0  # the difference tests were computed
    assert scipy == "False"


HEAP_AFTER_LARGE_BLOCKS = """
import asyncio, ctypes, sys
from pathlib import Path


class MallInfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                 "uordblks", "fordblks", "keepcost")]


if sys.argv[1] == "app":  # the app sets the allocator up as it starts
    from tui.app import KodeverkApp

    async def start() -> None:
        async with KodeverkApp(Path(sys.argv[2]), "anna", resume=False).run_test() as pilot:
            await pilot.pause()

    asyncio.run(start())
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = MallInfo2
big = bytearray(16 * 2**20)
del big  # glibc raises its mmap threshold to 16 MB here, unless it was fixed
before = libc.mallinfo2().arena
blocks = [bytearray(2**20) for _ in range(24)]
grown = libc.mallinfo2().arena - before
del blocks
print(grown // 2**20)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's allocator")
def test_large_blocks_get_their_own_mappings_after_a_large_one_was_freed(study_path: Path) -> None:
    """After a large block is freed glibc serves blocks up to its size from the heap, where they
    stay held when freed (the resident size stepped up after the first round over every screen,
    with the memory in use flat). The app fixes the threshold: 1 MB blocks still get their own
    mappings. In fresh interpreters: a plain one first, to show the step it prevents."""
    import subprocess

    def heap_mb(*args: str) -> int:
        found = subprocess.run(
            [sys.executable, "-c", HEAP_AFTER_LARGE_BLOCKS, *args],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parent.parent,
        )
        return int(found.stdout.split()[-1])

    assert heap_mb("plain") >= 20  # the heap grew by the 24 blocks of 1 MB
    assert heap_mb("app", str(study_path)) < 4


async def test_a_screen_visited_before_the_collector_runs_is_not_kept(app_path: Path) -> None:
    """What the app holds half a second after it opened is frozen (kept out of the collector's
    full passes) only when its screens are still the ones it opened with: a screen visited in
    that half second, frozen, was never collected after it closed (its footer keys stayed)."""
    from tui.app import FREEZE_AFTER

    earlier = earlier_widgets()
    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        frozen = gc.get_freeze_count()
        app.action_codebook()  # visited while the collector rests
        await pilot.pause(FREEZE_AFTER + 0.2)
        for _ in range(100):  # a loaded machine (tests in parallel) may run the timer late
            if gc.isenabled():
                break
            await pilot.pause(0.1)
        await app.pop_screen()
        await pilot.pause()
        # nothing frozen (an earlier test's frozen objects may have been freed meanwhile)
        assert gc.isenabled() and gc.get_freeze_count() <= frozen
        assert detached_footer_keys(earlier) == 0


async def test_what_an_app_froze_is_let_go_when_it_closes(app_path: Path) -> None:
    """An app frozen half a second after it opened unfreezes when it closes, so what it held can
    be collected in a process that goes on (tests, another app): its widgets do not outlive it."""
    from tui.app import FREEZE_AFTER

    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause(FREEZE_AFTER + 0.2)
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


ARENAS_OF_A_REVIEW_READ = """
import os, sys, tempfile
from pathlib import Path

from coding.consensus import default_pair
from coding.review_tables import ReviewTables
from coding.store import Project


def arenas_highwater() -> int:
    # CPython's allocator statistics go to the C stderr: read them from a file
    with tempfile.TemporaryFile() as out:
        saved = os.dup(2)
        os.dup2(out.fileno(), 2)
        try:
            sys._debugmallocstats()
        finally:
            os.dup2(saved, 2)
            os.close(saved)
        out.seek(0)
        for line in out.read().decode().splitlines():
            if line.startswith("# arenas highwater mark"):
                return int(line.rpartition("=")[2].replace(",", ""))
    raise SystemExit("no arena statistics")


with Project.open(Path(sys.argv[1])) as project:
    coders = default_pair(project)
    before = arenas_highwater()
    with project.reading() as reader, reader.read_snapshot():
        tables = ReviewTables.refreshed(None, reader, None)
        report, read = tables.compare(reader, coders)
    print(len(report.codes), before, arenas_highwater())
"""


@pytest.mark.skipif(sys.implementation.name != "cpython", reason="CPython's allocator")
def test_the_reviews_read_takes_no_python_object_per_row(study_path: Path) -> None:
    """The review reads every segment and coding of the pair into arrays. Fetched as lists of
    tuples of Python ints first (``fetchall``), the study's rows took ~200 bytes each of
    Python's small-object arenas for a moment (16 MB on the benchmark's study): arenas that
    whatever the app allocated meanwhile (its next screen's lines) kept afterwards, so the
    resident size stepped up after each visit of the review. Now the rows go from the cursor
    into the arrays one at a time (``coding.units.int_rows``): the arenas' high-water mark
    hardly moves. In a fresh interpreter: the mark is the process's."""
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", ARENAS_OF_A_REVIEW_READ, str(study_path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    codes, before, after = map(int, done.stdout.split()[-3:])
    assert codes > 0  # the pair's report was computed
    assert after - before <= 2, f"{after - before} more arenas of 1 MiB at the peak of the read"


async def test_going_back_to_the_overview_keeps_the_rows_that_did_not_change(
    app_path: Path,
) -> None:
    """The overview reads every document's progress again each time the coder comes back to
    it; the rows of documents unchanged since are the ones it had (on the study, 6 400 rows of
    small objects were made anew on every return and the resident size crept up), and a
    document changed meanwhile (done, here by the same coder in another window) shows anew."""
    from coding import operations as ops
    from coding.store import Project
    from tui.screens.overview import OverviewScreen

    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        overview = app.screen
        assert isinstance(overview, OverviewScreen) and len(overview.rows) > 1
        rows, cells = list(overview.rows), list(overview._cells)
        app.action_codebook()
        await pilot.pause()
        with Project.open(app_path) as other:
            ops.set_document_done(other, rows[0].id, CODER)
        await app.pop_screen()
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert overview.rows[0].done and not rows[0].done
        assert overview._cells[0] != cells[0]
        assert all(new is old for new, old in zip(overview.rows[1:], rows[1:], strict=True))
        assert all(new is old for new, old in zip(overview._cells[1:], cells[1:], strict=True))


def test_a_library_imported_while_the_app_runs_keeps_no_hold_on_it(tmp_path: Path) -> None:
    """charset-normalizer (scikit-learn's import chain brings it in, in the learner's worker)
    keeps a logging handler on the stderr of that moment: inside a running app that is the
    app's print capture, which then held the whole app (its screens, the project) after it
    closed. In a fresh interpreter, where nothing imported it before."""
    code = (
        "import asyncio, gc, sys\n"
        "from pathlib import Path\n"
        "from tests.app_project import CODER, build_app_project\n"
        "from tui.app import KodeverkApp\n"
        "assert 'charset_normalizer' not in sys.modules\n"
        "path = build_app_project(Path(sys.argv[1]) / 'a.kodeverk')\n"
        "async def main():\n"
        "    app = KodeverkApp(path, CODER, document_id=1)\n"
        "    async with app.run_test() as pilot:\n"
        "        await pilot.pause()\n"
        "        import charset_normalizer  # noqa: F401\n"
        "asyncio.run(main())\n"
        "gc.collect()\n"
        "assert not [o for o in gc.get_objects() if isinstance(o, KodeverkApp)]\n"
    )
    import subprocess

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
