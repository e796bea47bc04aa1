"""Opening a long transcript (issue 13): the first frame the app sends already shows the text at
the remembered segment, the panel beside it and the footer's keys, in one layout, and what the
view wraps equals a full wrap of the text; keys pressed at once are handled and committed."""

from __future__ import annotations

import sqlite3
import time
from bisect import bisect_right
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from textual.app import App
from textual.screen import Screen
from textual.widgets._footer import FooterKey

from coding import operations as ops
from coding.codes import add_code
from coding.documents import add_document
from coding.store import Project
from coding.views import load_segment_window, load_segments
from tests.app_project import CODER, TURNS, transcript
from tui.app import KodeverkApp
from tui.screens.coding import FINISH_READ, TEXT, CodingScreen
from tui.widgets.code_tree import CodeTree
from tui.widgets.document_view import (
    FINISH_WRAP,
    GUTTER,
    DocumentView,
    wrap_offsets,
    wrap_paragraphs,
)

SIZE = (80, 24)
DEEP = 150  # a remembered segment several screens down
LAYOUTS = 1
LONG = 400  # turns: about 100 000 characters, more than the first frame wraps


def long_project(path: Path, turns: int = 60, documents: int = 1) -> Path:
    with Project.create(path, name="lang") as project:
        add_code(project, "Brukermedvirkning", shortcut="1", colour="#1f77b4")
        add_code(project, "Bolig", shortcut="2", colour="#2ca02c")
        text, segments = transcript(TURNS * turns)
        for n in range(documents):
            add_document(project, f"lang{n}.txt", text + "\n" * n, "interview", segments)
        ops.remember(project, CODER, f"segment:{1}", str(DEEP))
    return path


def screen_text(app: App) -> list[str]:
    """The screen as the compositor last drew it, one string per row."""
    return ["".join(s.text for s in line) for line in app.screen._compositor.render_strips()]


def spy_frames(monkeypatch) -> list[list[str]]:
    """Each frame the app sends to the terminal while the coding screen shows, as text."""
    frames: list[list[str]] = []
    display = App._display

    def spied(self: App, screen: Screen, renderable) -> None:  # type: ignore[no-untyped-def]
        display(self, screen, renderable)
        if isinstance(screen, CodingScreen):
            frames.append(screen_text(self))

    monkeypatch.setattr(App, "_display", spied)
    return frames


def spy_layouts(monkeypatch) -> list[Screen]:
    """The screens laid out (a reflow of every widget on them), once per layout."""
    layouts: list[Screen] = []
    refresh_layout = Screen._refresh_layout

    def spied(self: Screen, size=None, scroll: bool = False) -> None:  # type: ignore[no-untyped-def]
        if not scroll:
            layouts.append(self)
        refresh_layout(self, size, scroll)

    monkeypatch.setattr(Screen, "_refresh_layout", spied)
    return layouts


async def test_first_frame_shows_the_text_the_panel_and_the_keys(tmp_path: Path, monkeypatch):
    """Before: the first frame had an empty text (wrapped only on the view's resize event),
    an empty panel (filled after the first refresh) and no keys in the footer (composed when
    the screen published its bindings); each came with another layout and frame."""
    path = long_project(tmp_path / "lang.kodeverk")
    frames = spy_frames(monkeypatch)
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen) and screen.current_segment == DEEP
        view = screen.query_one(DocumentView)
        start, end = screen.selection
        selected = " ".join(screen.text[start:end].split()[:3])
        settled = screen_text(app)
        first = frames[0]
        assert any(selected in row for row in first)  # the selected segment, scrolled to
        panel = TEXT["segment"].format(at=DEEP + 1, of=len(screen.segments))
        assert any(panel in row for row in first)
        keys = [key for key in screen.query(FooterKey) if key.display]
        assert keys and all(key.description in first[-1] for key in keys[:3])
        # the text, the panel and the footer were as they are now (the tree's cursor aside)
        x, y, width, height = view.region
        assert [r[x : x + width] for r in first[y : y + height]] == [
            r[x : x + width] for r in settled[y : y + height]
        ]
        assert first[-1] == settled[-1]
        tree = screen.query_one(CodeTree)  # the codebook, with its counts
        x, y, width, height = tree.region
        assert any("Brukermedvirkning 0/0" in row[x : x + width] for row in first[y : y + height])


async def test_opening_lays_the_screen_out_once(tmp_path: Path, monkeypatch) -> None:
    """Before: four layouts of the coding screen (two of them for resize events of the size it
    already had, one for the wrap, one for the footer's keys)."""
    path = long_project(tmp_path / "lang.kodeverk")
    layouts = spy_layouts(monkeypatch)
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        coding = [s for s in layouts if isinstance(s, CodingScreen)]
        assert len(coding) == LAYOUTS, len(coding)


async def wrapped_later(pilot, view: DocumentView) -> None:
    """Wait past the deferred wrap; on a loaded machine (tests in parallel) its timer may come
    late, so wait for it up to 10 s: what is tested is the wrap, not the machine's speed."""
    await pilot.pause(FINISH_WRAP + 0.2)
    for _ in range(100):
        if view.wrapped:
            return
        await pilot.pause(0.1)


def full_wrap_of(view: DocumentView) -> list[tuple[int, int]]:
    return wrap_offsets(view.text, view.scrollable_content_region.width - GUTTER)


async def test_the_rest_of_the_text_is_wrapped_after_the_first_frame(tmp_path: Path) -> None:
    """A long text is wrapped as far as the first frame needs, the rest shortly after: then
    the view's lines and its scrollbar's length are a full wrap's (also after a resize)."""
    path = long_project(tmp_path / "lang.kodeverk", turns=LONG)
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        view = app.screen.query_one(DocumentView)
        first = len(view._lines)
        assert 0 < first < len(full_wrap_of(view))  # not all of it before the first frame
        await wrapped_later(pilot, view)
        assert view.wrapped and view._lines == full_wrap_of(view)
        assert view.virtual_size.height == len(view._lines)
        await pilot.resize_terminal(120, 30)
        await wrapped_later(pilot, view)
        assert view.wrapped and view._lines == full_wrap_of(view)
        assert view.virtual_size.height == len(view._lines)
        start, _ = app.screen.selection
        top = int(view.scroll_offset.y)
        assert top <= view.line_of(start) < top + view.scrollable_content_region.height


async def test_line_positions_before_the_wrap_is_finished(tmp_path: Path) -> None:
    """Whatever asks for a line before the rest is wrapped gets a full wrap's answer."""
    path = long_project(tmp_path / "lang.kodeverk", turns=LONG)
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE):
        view = app.screen.query_one(DocumentView)
        full = full_wrap_of(view)
        starts = [start for start, _ in full]
        assert not view.wrapped
        offsets = range(0, len(view.text) + 1, len(view.text) // 37)
        for offset in offsets:
            assert view.line_of(offset) == max(bisect_right(starts, offset) - 1, 0)
        assert view.line_start(len(full) // 2) == starts[len(full) // 2]
        assert view.line_count == len(full) and view._lines == full and view.wrapped


@pytest.mark.parametrize("keys", [["G"], ["end"], ["pagedown", "pagedown"], ["G", "k", "1"]])
async def test_keys_before_the_wrap_is_finished(tmp_path: Path, keys: list[str]) -> None:
    """Keys far into the text at once: the selection is shown where a full wrap has it, and
    a coding is committed."""
    path = long_project(tmp_path / "lang.kodeverk", turns=LONG)
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*keys)
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        view = screen.query_one(DocumentView)
        full = full_wrap_of(view)
        start, end = screen.selection
        line = max(bisect_right([s for s, _ in full], start) - 1, 0)
        assert view.line_of(start) == line
        top = int(view.scroll_offset.y)
        assert top <= line < top + view.scrollable_content_region.height
        await pilot.pause()
        assert screen.current_segment > DEEP
    if "1" in keys:
        conn = sqlite3.connect(path)
        try:
            rows = conn.execute('SELECT start, "end" FROM codings').fetchall()
        finally:
            conn.close()
        assert rows == [(start, end)]


async def test_another_document_is_wrapped_the_same_way(tmp_path: Path) -> None:
    """``]`` shows the next long document: its selection where a full wrap has it, and all
    of it wrapped shortly after."""
    path = long_project(tmp_path / "lang.kodeverk", turns=LONG, documents=2)
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("right_square_bracket")
        screen = app.screen
        assert isinstance(screen, CodingScreen) and screen.document_id == 2
        view = screen.query_one(DocumentView)
        full = full_wrap_of(view)
        start, _ = screen.selection
        line = max(bisect_right([s for s, _ in full], start) - 1, 0)
        assert view.line_of(start) == line and view._lines == full[: len(view._lines)]
        await wrapped_later(pilot, view)
        assert view.wrapped and view._lines == full
        assert view.virtual_size.height == len(full)


@given(
    st.text(alphabet="ab æ\n", max_size=400),
    st.integers(min_value=1, max_value=30),
    st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=30),
)
def test_wrapping_in_steps_equals_a_full_wrap(text: str, width: int, steps: list[int]) -> None:
    lines: list[tuple[int, int]] = []
    pos, i = 0, 0
    while pos <= len(text):
        more, pos = wrap_paragraphs(text, width, pos, pos + steps[i % len(steps)])
        assert more
        lines += more
        i += 1
    assert lines == wrap_offsets(text, width)


async def test_keys_pressed_at_once_are_committed(tmp_path: Path) -> None:
    """Keys sent as soon as the app is up (no pause): the move and the coding land on the
    remembered segment's neighbour, in the file."""
    path = long_project(tmp_path / "lang.kodeverk")
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "1")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        segment = screen.segments[DEEP + 1]
        assert screen.current_segment == DEEP + 1
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute('SELECT code_id, start, "end" FROM codings').fetchall()
    finally:
        conn.close()
    assert rows == [(1, segment.start, segment.end)]


async def test_the_collector_rests_while_the_screen_opens_and_runs_again_after(
    tmp_path: Path, monkeypatch
) -> None:
    """The cycle collector is off until a while after the first frame (half a second in use;
    3 s here, so that a loaded machine cannot make the test late: a full pass then was 40–50 ms
    of the first paint), then what the app holds is frozen and it runs again; an app closed
    sooner turns it back on too."""
    import gc

    import tui.app

    monkeypatch.setattr(tui.app, "FREEZE_AFTER", 3.0)
    path = long_project(tmp_path / "p.kodeverk")
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not gc.isenabled()
        for _ in range(100):  # up to 10 s after the 3
            await pilot.pause(0.1 if _ else 3.0)
            if gc.isenabled():
                break
        assert gc.isenabled() and gc.get_freeze_count() > frozen
    quick = KodeverkApp(path, CODER, document_id=1)
    async with quick.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert not gc.isenabled()
    assert gc.isenabled()


async def test_the_collector_waits_for_a_pause_in_the_typing(tmp_path: Path, monkeypatch) -> None:
    """Its one full pass (a key's worth of time) is put off while keys keep coming, then runs
    once the coder pauses."""
    import gc

    import tui.app

    monkeypatch.setattr(tui.app, "FREEZE_AFTER", 0.6)
    monkeypatch.setattr(tui.app, "QUIET_FOR", 1.0)
    monkeypatch.setattr(tui.app, "FREEZE_LATEST", 60.0)
    path = long_project(tmp_path / "p.kodeverk")
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        started = time.monotonic()
        while time.monotonic() - started < 1.5:  # keys past FREEZE_AFTER, none 1 s apart
            await pilot.press("j")
        assert not gc.isenabled()
        for _ in range(100):
            await pilot.pause(0.1)
            if gc.isenabled():
                break
        assert gc.isenabled() and app._froze


READ_ALL = (
    'SELECT start, "end", speaker, block FROM segments WHERE document_id = 1 ORDER BY ordinal'
)


async def test_all_segments_are_read_after_the_first_frame(tmp_path: Path, monkeypatch) -> None:
    """Before: the screen read all of the document's segments before its first frame (15–20 ms
    of 20 000). Now the first frame reads those around the remembered segment, and all of them
    FINISH_READ after it; then the screen has them all, as ``load_segments`` reads them."""
    path = long_project(tmp_path / "lang.kodeverk", turns=LONG)
    frames = spy_frames(monkeypatch)
    project = Project.open(path)
    statements: list[str] = []
    project.conn.set_trace_callback(statements.append)
    read_at_first_frame: list[bool] = []
    display = App._display

    def spied(self: App, screen: Screen, renderable) -> None:  # type: ignore[no-untyped-def]
        display(self, screen, renderable)
        if isinstance(screen, CodingScreen) and len(read_at_first_frame) == 0:
            read_at_first_frame.append(any(" ".join(s.split()) == READ_ALL for s in statements))

    monkeypatch.setattr(App, "_display", spied)
    try:
        app = KodeverkApp(project, CODER, document_id=1)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, CodingScreen) and frames
            assert read_at_first_frame == [False]
            await pilot.pause(FINISH_READ + 0.2)
            assert any(" ".join(s.split()) == READ_ALL for s in statements)
            project.conn.set_trace_callback(None)
            assert screen._segments == load_segments(project, 1)
            assert screen.current_segment == DEEP
    finally:
        project.close()


@pytest.mark.parametrize(
    "keys",
    [["J", "J", "J", "J"], ["K", "K", "K", "K"], ["k", "K", "K", "K"], ["G"], ["g", "j"], ["n"]],
)
async def test_keys_before_all_segments_are_read(tmp_path: Path, keys: list[str]) -> None:
    """Keys at once (before all segments are read) select and say what they do once all are:
    J/K stop at a speaker's turn, G goes to the last segment, the panel names the segment."""
    path = long_project(tmp_path / "lang.kodeverk")
    seen = []
    for wait in (False, True):
        app = KodeverkApp(path, CODER, document_id=1, resume=False)
        async with app.run_test(size=SIZE) as pilot:
            screen = app.screen
            assert isinstance(screen, CodingScreen)
            if wait:
                await pilot.pause(FINISH_READ + 0.2)
                assert screen._segments is not None
            else:
                assert screen._segments is None
            await pilot.press(*keys)
            await pilot.pause()
            panel = screen.query_one("#on-selection").render()
            seen.append((screen.selection, screen.current_segment, str(panel)))
        with Project.open(path) as project:  # where the first run left off
            ops.remember(project, CODER, "segment:1", str(DEEP))
    assert seen[0] == seen[1]


@pytest.fixture(scope="module")
def six_turns(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("window") / "w.kodeverk"
    with Project.create(path) as project:
        text, segments = transcript(TURNS * 6)
        add_document(project, "d.txt", text, "interview", segments)
    return path


@given(index=st.integers(min_value=0, max_value=80), reach=st.integers(min_value=0, max_value=6))
def test_a_window_of_segments_answers_as_all_of_them(six_turns: Path, index: int, reach: int):
    """What a window holds and where it says an offset lies equal all segments' answers."""
    with Project.open(six_turns) as project:
        text = project.conn.execute("SELECT text FROM documents").fetchone()[0]
        every = load_segments(project, 1)
        window = load_segment_window(project, 1, index, reach)
        assert window is not None and window.count == len(every) and window.has_speakers
        assert window.get(min(index, len(every) - 1)) is not None
        for i in range(-1, len(every) + 1):
            assert window.get(i) in (None, every[i] if 0 <= i < len(every) else "x")
        starts = [s.start for s in every]
        for offset in range(0, len(text) + 1, 3):
            found = window.index_at(offset)
            assert found in (None, max(bisect_right(starts, offset) - 1, 0))


async def test_a_document_without_segments_opens_as_one(tmp_path: Path) -> None:
    """No segments to read a window of: the whole text is the one segment, as before."""
    path = tmp_path / "tom.kodeverk"
    with Project.create(path) as project:
        add_document(project, "notat.txt", "Et notat uten segmenter.\n", "text", [])
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        assert screen.segment_count == 1 and screen.selection == (0, len(screen.text))
        panel = str(screen.query_one("#on-selection").render())
        assert TEXT["segment"].format(at=1, of=1) in panel
