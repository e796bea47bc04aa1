"""The review screen driven by Pilot: settle disagreements, check the consensus in SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import partial

from textual import messages
from textual.app import App
from textual.widgets import Static

from coding.codes import resolve_code
from coding.consensus import coder_pairs, disagreements, settle
from coding.documents import segments_of
from coding.operations import apply_coding
from coding.store import Project
from tui.i18n import set_language
from tui.screens.coder_pairs import CoderPairPicker
from tui.screens.review import ReviewScreen
from tui.widgets.row_list import RowList
from tui.widgets.text_pane import TextPane


class ReviewApp(App):
    """The review screen alone, opened by the lead on the coders given."""

    def __init__(self, project: Project, coders: Sequence[str] = ("ane", "bo")) -> None:
        super().__init__()
        self.project = project
        self.coders = list(coders)

    def on_mount(self) -> None:
        self.push_screen(ReviewScreen(self.project, "leder", self.coders))


def prepare(project: Project) -> int:
    bolig = resolve_code(project, "Bolig")
    segs = segments_of(project, 1)
    apply_coding(project, 1, bolig, "ane", segs[4].start, segs[5].end)  # A: segments 4 and 5
    apply_coding(project, 1, bolig, "bo", segs[4].start, segs[4].end)  # B: segment 4 only
    apply_coding(project, 1, bolig, "bo", segs[3].start, segs[3].end)  # B: segment 3 too
    return bolig


def consensus_rows(path) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            'SELECT g.code_id, g.start, g."end" FROM codings g JOIN coders c ON c.id = g.coder_id '
            "WHERE c.name = 'consensus' ORDER BY g.start"
        ).fetchall()
    finally:
        conn.close()


async def until_loaded(pilot) -> None:
    """Wait for the review's read (a worker thread) and its tables to be filled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert pilot.app.screen.loaded


async def test_settle_a_disagreement_in_the_review_screen(small_project: Project) -> None:
    bolig = prepare(small_project)
    segs = segments_of(small_project, 1)
    app = ReviewApp(small_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        codes = screen.query_one("#codes", RowList)
        assert codes.get_row_at(0)[0] == "Bolig"  # worst first
        assert codes.get_row_at(0)[2] == "2"  # two open disagreements
        await pilot.press("enter")
        await pilot.pause()
        table = screen.query_one("#disagreements", RowList)
        assert table.row_count == 2 and table.has_focus
        pane = screen.query_one("#side-a", TextPane)
        side_a = pane.text.plain
        shown = " ".join(pane.render_line(y).text.strip() for y in range(pane.size.height))
        assert "Og bolig?" in shown  # drawn in the pane, not only held
        pane.scroll_end(animate=False, immediate=True)  # the rest is there to scroll to
        shown = " ".join(pane.render_line(y).text.strip() for y in range(pane.size.height))
        assert "not coded here" in shown
        assert "Og bolig?" in side_a and "not coded here" in side_a
        await pilot.press("b")  # accept B on segment 3 («Og bolig?»)
        await pilot.pause()
        assert consensus_rows(small_project.path) == [(bolig, segs[3].start, segs[3].end)]
        assert table.get_row_at(0)[4] == "b"
        assert codes.get_row_at(0)[2] == "1" and codes.get_row_at(0)[3] == "1"
        assert table.cursor_row == 1  # moved on to the next open one
        palette = {title: run for title, _help, run in screen.palette_commands()}
        assert {"Accept A", "Accept B", "Accept both"} <= set(palette)
        palette["Accept neither"]()  # the palette runs the same action as x: segment 5 stays out
        await pilot.pause()
        assert consensus_rows(small_project.path) == [(bolig, segs[3].start, segs[3].end)]
        assert codes.get_row_at(0)[2] == "0"
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, ReviewScreen)
    conn = sqlite3.connect(small_project.path)
    summaries = [
        r[0]
        for r in conn.execute("SELECT summary FROM events WHERE action = ?", ("consensus.settle",))
    ]
    conn.close()
    assert len(summaries) == 2 and all(s.endswith("settled by leder") for s in summaries)


def test_settle_both_takes_the_coders_own_spans_and_is_one_transaction(
    small_project: Project,
) -> None:
    bolig = prepare(small_project)
    segs = segments_of(small_project, 1)
    found = disagreements(small_project, ["ane", "bo"], bolig)
    assert [(d.start, d.spans_a != (), d.spans_b != ()) for d in found] == [
        (segs[3].start, False, True),
        (segs[5].start, True, False),
    ]
    settle(small_project, found[1], "both", "leder")
    # A's own coding (segments 4 and 5, one turn), not the segment alone
    assert consensus_rows(small_project.path) == [(bolig, segs[4].start, segs[5].end)]
    again = disagreements(small_project, ["ane", "bo"], bolig)
    assert [d.settled for d in again] == [None, "both"]


def three_coders(project: Project) -> int:
    """anne and bjorn disagree on segments 3 and 5; root (the lead's login, who tried the app)
    has the most codings but shares only document 1 with them, like anne and bjorn do."""
    bolig = resolve_code(project, "Bolig")
    segs = segments_of(project, 1)
    apply_coding(project, 1, bolig, "anne", segs[4].start, segs[5].end)  # segments 4 and 5
    apply_coding(project, 1, bolig, "bjorn", segs[3].start, segs[4].end)  # segments 3 and 4
    for seg in segs[:4]:
        apply_coding(project, 1, bolig, "root", seg.start, seg.end)
    return bolig


class LeadApp(App):
    def __init__(self, project: Project, coders: list[str] | None = None) -> None:
        super().__init__()
        self.project = project
        self.coders = coders

    def on_mount(self) -> None:
        self.push_screen(ReviewScreen(self.project, "root", self.coders))


def test_default_pair_is_the_human_coders_not_root_or_consensus(small_project: Project) -> None:
    three_coders(small_project)
    apply_coding(small_project, 1, resolve_code(small_project, "Bolig"), "consensus", 0, 5)
    assert ReviewScreen(small_project, "root").coders == ("anne", "bjorn")


async def test_lead_switches_to_anne_vs_bjorn_and_settles(small_project: Project) -> None:
    bolig = three_coders(small_project)
    segs = segments_of(small_project, 1)
    app = LeadApp(small_project, ["anne", "root"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        assert "anne (A) vs root (B)" in str(screen.query_one("#title", Static).render())
        await pilot.press("c")
        await pilot.pause()
        await choose_pair(pilot, "anne", "bjorn")
        await until_loaded(pilot)
        assert app.screen is screen and screen.coders == ("anne", "bjorn")
        assert "anne (A) vs bjorn (B)" in str(screen.query_one("#title", Static).render())
        assert screen.query_one("#side-b", TextPane).border_title == "B: bjorn"
        codes = screen.query_one("#codes", RowList)
        codes.move_cursor(row=codes.get_row_index(str(bolig)))
        await pilot.press("enter")
        await pilot.pause()
        table = screen.query_one("#disagreements", RowList)
        listed = [(item.start, item.end, item.coders) for item in screen.items]
        assert listed == [
            (segs[3].start, segs[3].end, ("anne", "bjorn")),
            (segs[5].start, segs[5].end, ("anne", "bjorn")),
        ]
        assert [table.get_row_at(i)[2:4] for i in range(2)] == [["", "✓"], ["✓", ""]]
        table.move_cursor(row=1)
        await pilot.press("a")  # accept anne's own coding (segments 4-5, one turn)
        await pilot.pause()
        assert consensus_rows(small_project.path) == [(bolig, segs[4].start, segs[5].end)]
        palette = {title: run for title, _help, run in screen.palette_commands()}
        assert {"Choose coders", "Compare anne vs bjorn", "Compare anne vs root"} <= set(palette)
        palette["Compare anne vs root"]()
        await until_loaded(pilot)
        assert screen.coders == ("anne", "root") and screen.items == []
    conn = sqlite3.connect(small_project.path)
    summary = conn.execute(
        "SELECT summary FROM events WHERE action = 'consensus.settle'"
    ).fetchone()
    conn.close()
    assert "(anne vs bjorn), settled by root" in summary[0]


def picker_labels(screen: ReviewScreen) -> list[str]:
    options = screen.query_one(CoderPairPicker).options
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def choose_pair(pilot, a: str, b: str) -> None:
    """In the open pair picker: arrows to «a vs b», then enter."""
    picker = pilot.app.screen.query_one(CoderPairPicker)
    target = next(i for i, p in enumerate(picker.pairs) if (p.a, p.b) == (a, b))
    while picker.options.highlighted != target:
        await pilot.press("down" if picker.options.highlighted < target else "up")
    await pilot.press("enter")


async def test_the_pair_picker_is_a_box_over_the_review_and_keeps_its_keys(
    small_project: Project,
) -> None:
    """c opens the picker over the review (no screen pushed: no repaint of the review beneath,
    issue 14) with every pair, most shared documents first, the pair shown highlighted; the
    review's keys rest while it is open; escape leaves the pair and the focus as they were;
    arrows and enter switch, and the tables show the new pair's disagreements."""
    bolig = three_coders(small_project)
    app = LeadApp(small_project, ["anne", "root"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        codes = screen.query_one("#codes", RowList)
        codes.move_cursor(row=codes.get_row_index(str(bolig)))
        await pilot.press("enter")
        await pilot.pause()
        table = screen.query_one("#disagreements", RowList)
        shown = [item.start for item in screen.items]
        assert table.has_focus and shown
        await pilot.press("c")
        await pilot.pause()
        assert app.screen is screen and len(app.screen_stack) == 2  # the default screen, ours
        picker = screen.query_one(CoderPairPicker)
        pairs = coder_pairs(small_project)
        assert picker.display and picker_labels(screen) == [
            f"{p.a} vs {p.b} · {p.shared} shared documents" for p in pairs
        ]
        assert pairs[picker.options.highlighted].label == "anne vs root"
        region = picker.region
        assert (region.x, region.width) == (5, 70) and region.bottom < 24  # in the middle
        keys = {b.binding.key: b.binding.description for b in screen.active_bindings.values()}
        assert keys.get("escape") == "Cancel" and "a" not in keys and "c" not in keys
        assert screen.palette_commands() == []  # as under a modal dialog
        await pilot.press("a", "x")  # the review's keys rest: nothing settled
        await pilot.pause()
        assert consensus_rows(small_project.path) == [] and picker.display
        await pilot.press("down", "escape")
        await pilot.pause()
        assert not picker.display and screen.coders == ("anne", "root")
        assert table.has_focus and [item.start for item in screen.items] == shown
        keys = {b.binding.key: b.binding.description for b in screen.active_bindings.values()}
        assert keys.get("escape") == "Back" and "a" in keys
        await pilot.press("c")
        await pilot.pause()
        assert pairs[picker.options.highlighted].label == "anne vs root"  # as it is, again
        await choose_pair(pilot, "anne", "bjorn")
        await until_loaded(pilot)
        assert not picker.display and app.screen is screen
        assert screen.coders == ("anne", "bjorn") and codes.has_focus
        expected = disagreements(small_project, ["anne", "bjorn"], bolig)
        assert codes.get_row(str(bolig))[2] == str(len(expected))
        codes.move_cursor(row=codes.get_row_index(str(bolig)))
        await pilot.press("enter")
        await pilot.pause()
        assert screen.items == expected
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == [
            f"{d.start}–{d.end}" for d in expected
        ]


async def test_choosing_a_pair_lays_out_once_and_redraws_no_scrollbar(
    small_project: Project,
) -> None:
    """Closing the picker lays the screen out once (the footer's keys shown again ask for no
    layout of their own) and leaves the scroll views whose sizes did not change alone
    (Textual's took every layout for a resize and redrew its scrollbars a frame later: one
    frame more per switch, issue 14); a real resize still updates them and wraps anew."""
    bolig = three_coders(small_project)
    laid_out: list[str] = []  # who asked for a layout

    def hook(message) -> None:
        if isinstance(message, messages.Layout):
            laid_out.append(type(message.widget).__name__)

    app = LeadApp(small_project, ["anne", "root"])
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        codes = screen.query_one("#codes", RowList)
        redrawn: list[str] = []  # no code open: the sides say so before and after
        for view in (codes, *screen.query(TextPane)):
            bar, refresh = view.vertical_scrollbar, view.vertical_scrollbar.refresh
            bar.refresh = partial(_counted, refresh, redrawn, str(view.id))  # type: ignore[method-assign]
        await pilot.press("c", "escape")  # the footer composes the picker's keys, shows ours
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        laid_out.clear()
        await choose_pair(pilot, "anne", "bjorn")
        await until_loaded(pilot)
        assert screen.coders == ("anne", "bjorn") and redrawn == []
        assert sorted(laid_out) == ["CoderPairPicker", "SteadyFooter"]  # hidden, keys shown
        codes.move_cursor(row=codes.get_row_index(str(bolig)))
        await pilot.press("enter")
        await pilot.pause()
        pane = screen.query_one("#side-a", TextPane)
        narrow = pane.scrollable_content_region.width
        await pilot.resize_terminal(120, 24)
        await pilot.pause()
        lines = [pane.render_line(y).text.rstrip() for y in range(pane.size.height)]
        assert pane.scrollable_content_region.width > narrow
        assert max(len(line) for line in lines) > narrow and "side-a" in redrawn


def _counted(refresh, redrawn: list[str], name: str, *args, **kwargs):
    redrawn.append(name)
    return refresh(*args, **kwargs)


async def test_a_move_of_the_focus_draws_what_a_full_repaint_draws(small_project: Project) -> None:
    """The review draws only the widgets a move of the focus restyles (not the whole screen,
    issue 14): the screen then is what styling and drawing every widget again gives."""
    bolig = three_coders(small_project)
    app = LeadApp(small_project, ["anne", "root"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        codes = screen.query_one("#codes", RowList)
        codes.move_cursor(row=codes.get_row_index(str(bolig)))
        for key in ("enter", "escape", "c", "down", "enter"):  # focus: list, codes, codes
            await pilot.press(key)
            await until_loaded(pilot)
            shown = app.export_screenshot()
            every = list(screen.walk_children(with_self=True))
            app.stylesheet.update_nodes(every, animate=False)  # restyled from scratch
            for widget in every:
                widget.refresh()
            await pilot.pause()
            assert app.export_screenshot() == shown, key


async def test_the_pair_picker_speaks_bokmal(small_project: Project) -> None:
    three_coders(small_project)
    set_language("nb")
    app = LeadApp(small_project, ["anne", "root"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_loaded(pilot)
        await pilot.press("c")
        await pilot.pause()
        screen = app.screen
        title = screen.query_one(CoderPairPicker).query_one(".dialog-title", Static)
        assert str(title.render()) == "Sammenlign hvilke kodere? (A mot B)"
        assert picker_labels(screen)[0].endswith("felles dokumenter")
        keys = {b.binding.key: b.binding.description for b in screen.active_bindings.values()}
        assert keys.get("escape") == "Avbryt"


async def test_review_screen_on_a_damaged_project_says_so(small_project: Project) -> None:
    """A coding outside its document (written by another tool) is named in a notification;
    the screen stays up."""
    prepare(small_project)
    small_project.conn.executescript(
        "PRAGMA ignore_check_constraints = ON; "
        'UPDATE codings SET "end" = 1000000 WHERE id = (SELECT max(id) FROM codings); '
        "PRAGMA ignore_check_constraints = OFF;"
    )
    app = ReviewApp(small_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
        messages = [n.message for n in app._notifications]
        assert any("1000000" in m and "kodeverk check" in m for m in messages), messages
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
