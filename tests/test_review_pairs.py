"""Switching the compared pair in review (issue 14): the review reads what every pair needs once
and keeps each pair's figures while nothing they depend on was written. What a switch shows
must be what a fresh computation gives: the agreement figures `kodeverk agreement --json`
prints for the pair, and every code's disagreements as ``coding.consensus.disagreements``
lists them, also after settling, after a write on another connection, and after a coding and
its undo on the app's own connection. On the small generated study."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from coding.consensus import ReviewRead, disagreements
from coding.operations import apply_coding, undo
from coding.reliability import agreement_report
from coding.store import Project
from tests.conftest import run_kodeverk
from tests.small_study import open_small_study
from tests.test_review_screen import ReviewApp
from tui.screens.review import ReviewScreen, _code_rows
from tui.widgets.row_list import RowList

PAIRS = [("anna", "bjørn"), ("anna", "cato"), ("bjørn", "cato")]


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Project]:
    yield from open_small_study(tmp_path)


async def until_loaded(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert pilot.app.screen.loaded


async def switch(pilot, a: str, b: str) -> ReviewScreen:
    screen = pilot.app.screen
    screen.compare(a, b)
    await until_loaded(pilot)
    assert screen.coders == (a, b)
    return screen


def _code_ids(project: Project) -> list[int]:
    return [r[0] for r in project.conn.execute("SELECT id FROM codes ORDER BY id")]


def _table(screen: ReviewScreen) -> list[list[str]]:
    codes = screen.query_one("#codes", RowList)
    return [codes.get_row_at(i) for i in range(codes.row_count)]


def assert_fresh(screen: ReviewScreen, project: Project) -> None:
    """What the screen shows for its pair is what the domain computes now, on another
    connection (the codes table's cells, and every code's disagreements)."""
    pair = screen.coders
    with Project.open(project.path) as fresh:
        report = agreement_report(fresh, list(pair))
        read = ReviewRead(fresh, pair, [r.code_id for r in report.codes])
        assert _table(screen) == [list(row) for row in _code_rows(report, read)]
        assert screen.report is not None and screen.report.as_dict() == report.as_dict()
        assert screen.read is not None
        for code_id in _code_ids(fresh):
            assert screen.read.disagreements(code_id) == disagreements(fresh, pair, code_id)
            assert screen.read.counts(code_id) == read.counts(code_id)


async def test_every_pair_shows_the_figures_of_the_command_and_the_domain(study: Project) -> None:
    app = ReviewApp(study, PAIRS[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_loaded(pilot)
        for a, b in [*PAIRS[1:], PAIRS[0], PAIRS[2]]:  # the last two: back to pairs seen
            screen = await switch(pilot, a, b)
            assert_fresh(screen, study)
            done = run_kodeverk("agreement", study.path, "--json", "--coders", f"{a},{b}")
            assert done.returncode == 0, done.stderr
            assert json.loads(done.stdout) == json.loads(json.dumps(screen.report.as_dict()))


async def test_documents_a_coder_left_are_left_out_as_the_command_leaves_them_out(
    study: Project,
) -> None:
    """cato neither finished nor coded every other document: those count for anna and bjørn
    only."""
    with study.transaction() as conn:
        for table in ("document_status", "codings"):
            conn.execute(
                f"DELETE FROM {table} WHERE document_id % 2 = 0 "
                "AND coder_id = (SELECT id FROM coders WHERE name = 'cato')"
            )
    app = ReviewApp(study, PAIRS[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_loaded(pilot)
        for a, b in [*PAIRS[1:], PAIRS[0]]:
            screen = await switch(pilot, a, b)
            assert_fresh(screen, study)
            assert screen.report is not None and screen.report.coverage is not None
            assert screen.report.coverage.left_out == (0 if "cato" not in (a, b) else 32)


async def test_the_pair_keys_switch_to_the_next_pair(study: Project) -> None:
    """c, down, enter: the picker's next pair, with its figures."""
    app = ReviewApp(study, PAIRS[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_loaded(pilot)
        before = _table(app.screen)
        await pilot.press("c", "down", "enter")
        await until_loaded(pilot)
        assert app.screen.coders == PAIRS[1]
        assert _table(app.screen) != before
        assert_fresh(app.screen, study)


async def _busiest_code(pilot, screen: ReviewScreen) -> int:
    """Open the code with the most open disagreements; its id."""
    codes = screen.query_one("#codes", RowList)
    rows = _table(screen)
    busiest = max(range(len(rows)), key=lambda i: int(rows[i][2]))
    codes.move_cursor(row=busiest)
    codes.focus()
    await pilot.press("enter")
    await pilot.pause()
    assert screen.code_id is not None
    return screen.code_id


async def test_settling_then_switching_away_and_back_shows_current_figures(
    study: Project,
) -> None:
    """Settling writes the consensus coder's codings and the audit trail: a pair seen before
    shows the settled choices and counts, and a pair with the consensus coder its codings."""
    app = ReviewApp(study, PAIRS[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        code_id = await _busiest_code(pilot, screen)
        await pilot.press("a", "b")  # the consensus coder exists from here on
        await pilot.pause()
        await switch(pilot, "anna", "consensus")
        consensus_before = _table(screen)
        await switch(pilot, *PAIRS[1])
        await switch(pilot, *PAIRS[0])  # seen before the settlings below
        assert_fresh(screen, study)
        screen.code_id = code_id
        screen._load_disagreements(code_id, cursor=2)
        await pilot.press("o", "x")
        await pilot.pause()
        settled = [d.settled for d in screen.items]
        assert "neither" in settled
        for pair in (PAIRS[1], PAIRS[0], ("anna", "consensus")):
            await switch(pilot, *pair)
            assert_fresh(screen, study)
        assert _table(screen) != consensus_before
        await switch(pilot, *PAIRS[0])
        assert [d.settled for d in screen.read.disagreements(code_id)] == settled


async def test_a_write_on_another_connection_shows_after_a_switch(study: Project) -> None:
    app = ReviewApp(study, PAIRS[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        code_id = await _busiest_code(pilot, screen)
        before = _table(screen)
        await switch(pilot, *PAIRS[1])
        with Project.open(study.path) as other:  # B codes what only A had coded
            for item in disagreements(other, PAIRS[0], code_id):
                start, end = item.spans_a[0] if item.spans_a else item.spans_b[0]
                apply_coding(other, item.document_id, code_id, "bjørn", start, end)
        await switch(pilot, *PAIRS[0])
        assert_fresh(screen, study)
        assert _table(screen) != before


async def test_a_coding_and_its_undo_on_the_apps_connection_show_after_a_switch(
    study: Project,
) -> None:
    app = ReviewApp(study, PAIRS[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        code_id = await _busiest_code(pilot, screen)
        before = _table(screen)
        await switch(pilot, *PAIRS[1])
        item = next(d for d in screen.read.disagreements(code_id) if d.spans_b)
        # the lead codes as anna on the app's own connection: anna now agrees there
        apply_coding(study, item.document_id, code_id, "anna", *item.spans_b[0])
        await switch(pilot, *PAIRS[0])
        assert_fresh(screen, study)
        assert _table(screen) != before
        await switch(pilot, *PAIRS[1])
        undo(study, "anna")
        await switch(pilot, *PAIRS[0])
        assert_fresh(screen, study)
        assert _table(screen) == before


def test_the_keys_change_with_each_write_that_can_change_a_part(study: Project) -> None:
    """A coding changes its coder's key only; a rolled back write changes none; another
    connection's commit changes every key; inside a transaction nothing may be reused."""
    anna, bjorn = (study.coder_id(name, create=False) for name in ("anna", "bjørn"))
    code_id = _code_ids(study)[0]
    before = study.review_writes()
    assert before is not None
    apply_coding(study, 1, code_id, "anna", 0, 3)
    after = study.review_writes()
    assert after is not None and after.coder(anna) != before.coder(anna)
    assert after.coder(bjorn) == before.coder(bjorn)
    assert after.table("documents", "codes", "document_status") == before.table(
        "documents", "codes", "document_status"
    )
    with pytest.raises(RuntimeError), study.transaction():
        apply_coding(study, 1, code_id, "bjørn", 0, 3)
        assert study.review_writes() is None
        raise RuntimeError("rolled back")
    assert study.review_writes() == after
    with Project.open(study.path) as other:
        apply_coding(other, 1, code_id, "cato", 0, 3)
    again = study.review_writes()
    assert again is not None and again.coder(bjorn) != after.coder(bjorn)
    assert again.table("codes") != after.table("codes")
