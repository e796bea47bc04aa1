"""Review lists one row per disagreement (issue 13): a survey answer one coder coded whole and
the other not is one disagreement, not one per sentence; settling updates the screen in place
to what a fresh computation gives. On the small study."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from coding.consensus import all_disagreements, count_open, disagreements, open_counts, settle
from coding.store import Project
from tests.small_study import open_small_study
from tests.test_review_screen import ReviewApp
from tui.widgets.row_list import RowList

PAIR = ("anna", "bjørn")


@pytest.fixture
def study(tmp_path: Path) -> Iterator[Project]:
    yield from open_small_study(tmp_path)


def _code_ids(project: Project) -> list[int]:
    return [r[0] for r in project.conn.execute("SELECT id FROM codes ORDER BY id")]


def _whole_answers(project: Project) -> dict[int, int]:
    """Survey answers of more than one sentence: document id -> length."""
    return dict(
        project.conn.execute(
            "SELECT d.id, d.length FROM documents d JOIN segments s ON s.document_id = d.id "
            "WHERE d.kind = 'survey' GROUP BY d.id HAVING count(*) > 1"
        ).fetchall()
    )


def test_a_whole_answer_disagreement_is_listed_once(study: Project) -> None:
    answers = _whole_answers(study)
    seen = 0
    for code_id in _code_ids(study):
        found = disagreements(study, PAIR, code_id)
        keys = [(d.document_id, d.start, d.end) for d in found]
        assert len(keys) == len(set(keys))
        on_answers = [d for d in found if d.document_id in answers]
        per_answer = [d.document_id for d in on_answers]
        assert len(per_answer) == len(set(per_answer)), "an answer listed more than once"
        for d in on_answers:
            assert (d.start, d.end) == (0, answers[d.document_id])
            assert (d.spans_a, d.spans_b).count(()) == 1
        seen += len(on_answers)
    assert seen > 5


def test_counts_follow_the_listed_disagreements_and_settling(study: Project) -> None:
    codes = _code_ids(study)
    counts = open_counts(study, PAIR, codes)
    for code_id in codes:
        assert counts[code_id] == (len(disagreements(study, PAIR, code_id)), 0)
    code_id = max(codes, key=lambda c: counts[c][0])
    first = disagreements(study, PAIR, code_id)[0]
    settle(study, first, "a", "leder")
    assert open_counts(study, PAIR, [code_id])[code_id] == (counts[code_id][0] - 1, 1)
    again = disagreements(study, PAIR, code_id)
    assert [d.settled for d in again][:1] == ["a"] and len(again) == counts[code_id][0]


def test_the_read_model_of_every_code_is_what_each_code_lists(study: Project) -> None:
    """``all_disagreements`` (one pass for the review) gives per code what ``disagreements``
    and ``open_counts`` give, before and after settling."""
    codes = _code_ids(study)
    found = all_disagreements(study, PAIR, codes)
    assert found == {code_id: disagreements(study, PAIR, code_id) for code_id in codes}
    code_id = max(codes, key=lambda c: len(found[c]))
    settle(study, found[code_id][0], "b", "leder")
    again = all_disagreements(study, PAIR, codes)
    assert again[code_id][0].settled == "b"
    assert {c: count_open(again[c]) for c in codes} == open_counts(study, PAIR, codes)


async def until_loaded(pilot) -> None:
    """Wait for the review's read (a worker thread) and its tables to be filled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    assert pilot.app.screen.loaded


async def test_settling_on_screen_shows_what_a_fresh_review_computes(study: Project) -> None:
    app = ReviewApp(study, PAIR)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        codes = screen.query_one("#codes", RowList)
        await pilot.press("enter")
        await pilot.pause()
        code_id = screen.code_id
        table = screen.query_one("#disagreements", RowList)
        assert table.row_count == len(disagreements(study, PAIR, code_id))
        for key in ("a", "x", "o"):
            await pilot.press(key)
        await pilot.pause()
        fresh = disagreements(study, PAIR, code_id)
        shown = [table.get_row_at(i)[4] or None for i in range(table.row_count)]
        assert shown == [d.settled for d in fresh]
        assert sum(s is not None for s in shown) == min(3, len(fresh))
        pending, done = open_counts(study, PAIR, [code_id])[code_id]
        row = codes.get_row(str(code_id))
        assert (row[2], row[3]) == (str(pending), str(done))
        await pilot.press("r")  # recomputing everything shows the same
        await until_loaded(pilot)
        assert [table.get_row_at(i)[4] or None for i in range(table.row_count)] == shown
        assert tuple(codes.get_row(str(code_id))[2:4]) == (str(pending), str(done))


async def test_reopening_a_code_shows_its_settlings_as_on_disk(study: Project) -> None:
    """Opening a code is a look-up in what the review read (no second read): settlings made on
    screen show when the code is opened again, as the project file has them, and a settling
    written elsewhere shows after r."""
    app = ReviewApp(study, PAIR)
    async with app.run_test(size=(100, 30)) as pilot:
        await until_loaded(pilot)
        screen = app.screen
        codes = screen.query_one("#codes", RowList)
        table = screen.query_one("#disagreements", RowList)
        await pilot.press("enter", "a", "b")
        first = screen.code_id
        await pilot.press("escape", "down", "enter", "escape", "up", "enter")
        await pilot.pause()
        assert screen.code_id == first
        on_disk = disagreements(study, PAIR, first)
        shown = [table.get_row_at(i)[4] or None for i in range(table.row_count)]
        assert shown == [d.settled for d in on_disk]
        assert shown[:2] == ["a", "b"]
        settle(study, on_disk[2], "neither", "annen")  # another lead, outside the screen
        await pilot.press("r")
        await until_loaded(pilot)
        assert table.get_row_at(2)[4] == "neither"
        row = codes.get_row(str(first))
        assert (row[2], row[3]) == tuple(map(str, open_counts(study, PAIR, [first])[first]))
