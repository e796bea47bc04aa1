"""The review reads in a worker thread and updates in place (issues 13/14): a settling shows in
its row and in the status line (no toast) and is the consensus coder's coding on disk; switching
the pair shows the new pair's disagreements as a fresh computation gives them."""

from __future__ import annotations

from textual.widgets import Static

from coding.codes import resolve_code
from coding.consensus import disagreements
from coding.documents import segments_of
from coding.operations import apply_coding
from coding.store import Project
from tests.test_review_screen import LeadApp, ReviewApp, consensus_rows, prepare, three_coders
from tui.screens.review import ReviewScreen
from tui.widgets.row_list import RowList


async def until_loaded(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert pilot.app.screen.loaded


def _shown(screen: ReviewScreen) -> list[list[str]]:
    table = screen.query_one("#disagreements", RowList)
    return [table.get_row_at(i) for i in range(table.row_count)]


async def test_settling_shows_in_the_row_and_status_line_not_a_toast(
    small_project: Project,
) -> None:
    bolig = prepare(small_project)
    segs = segments_of(small_project, 1)
    app = ReviewApp(small_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        assert str(screen.query_one("#status", Static).render()).strip() == ""
        await pilot.press("enter")
        await pilot.pause()
        toasts = len(app._notifications)
        await pilot.press("b")  # B on segment 3
        await pilot.pause()
        assert _shown(screen)[0][4] == "b" and _shown(screen)[1][4] == ""
        status = str(screen.query_one("#status", Static).render())
        assert "Settled: B" in status and f"{segs[3].start}–{segs[3].end}" in status
        assert len(app._notifications) == toasts  # no toast for a plain confirmation
        codes = screen.query_one("#codes", RowList)
        assert codes.get_row(str(bolig))[2:4] == ["1", "1"]
    assert consensus_rows(small_project.path) == [(bolig, segs[3].start, segs[3].end)]
    fresh = disagreements(small_project, ["ane", "bo"], bolig)
    assert [d.settled for d in fresh] == ["b", None]


async def test_a_refused_settling_is_still_a_toast(small_project: Project) -> None:
    prepare(small_project)
    app = ReviewApp(small_project)
    async with app.run_test(size=(80, 24)) as pilot:
        await until_loaded(pilot)
        await pilot.press("a")  # no code opened yet
        await pilot.pause()
        assert [n.message for n in app._notifications][-1:] == [
            "Pick a code with enter, then a disagreement."
        ]
    assert consensus_rows(small_project.path) == []


async def test_switching_the_pair_shows_the_new_pairs_disagreements(
    small_project: Project,
) -> None:
    bolig = three_coders(small_project)
    app = LeadApp(small_project, ["anne", "root"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        codes = screen.query_one("#codes", RowList)
        codes.move_cursor(row=codes.get_row_index(str(bolig)))
        await pilot.press("enter")
        await pilot.pause()
        before = _shown(screen)
        root = disagreements(small_project, ["anne", "root"], bolig)
        assert [row[1] for row in before] == [f"{d.start}–{d.end}" for d in root]
        screen.tables = None  # nothing kept: each switch reads (a prepared pair is shown at once)
        screen.compare("bjorn", "root")  # a read under way is overtaken by the next one
        screen.compare("anne", "bjorn")
        assert not screen.loaded
        assert "Reading" in str(screen.query_one("#status", Static).render())
        await until_loaded(pilot)
        assert screen.coders == ("anne", "bjorn")
        assert screen.query_one("#disagreements", RowList).row_count == 0  # pick a code again
        codes.move_cursor(row=codes.get_row_index(str(bolig)))
        await pilot.press("enter")
        await pilot.pause()
        bjorn = disagreements(small_project, ["anne", "bjorn"], bolig)
        expected = [
            [
                d.document,
                f"{d.start}–{d.end}",
                "✓" if d.spans_a else "",
                "✓" if d.spans_b else "",
                "",
            ]
            for d in bjorn
        ]
        assert _shown(screen) == expected and expected != before
        assert codes.get_row(str(bolig))[2] == str(len(bjorn))


async def test_a_coder_name_with_brackets_is_shown_as_it_is(small_project: Project) -> None:
    """The panes' titles name the coders as they are written, not as markup."""
    bolig = resolve_code(small_project, "Bolig")
    segs = segments_of(small_project, 1)
    apply_coding(small_project, 1, bolig, "[b]ane", segs[4].start, segs[5].end)
    apply_coding(small_project, 1, bolig, "bo", segs[3].start, segs[3].end)
    app = ReviewApp(small_project, ["[b]ane", "bo"])
    async with app.run_test(size=(80, 24)) as pilot:
        await until_loaded(pilot)
        await pilot.press("enter")
        await pilot.pause()
        strips = app.screen._compositor.render_strips()
        text = "\n".join("".join(seg.text for seg in line) for line in strips)
        assert "A: [b]ane" in text
