"""The answer grid driven by Pilot: keys in, codings on whole answers in the SQLite file out."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widgets import Static

from tests.answers_project import QUESTIONS, build_answers_project
from tests.app_project import CODER
from tests.conftest import ROOT, run_kodeverk, table_dump
from tui.app import KodeverkApp
from tui.screens.answers import AnswersScreen
from tui.screens.coding import CodingScreen
from tui.widgets.answer_grid import AnswerGrid

SIZE = (100, 30)


@pytest.fixture
def grid_path(tmp_path: Path) -> Path:
    return build_answers_project(tmp_path / "svar.kodeverk")


def sql(path: Path, query: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def answer_codings(path: Path) -> list[tuple[int, str, str, int, int, int]]:
    """(document, coder, code, start, end, document length) of every coding."""
    return sql(
        path,
        'SELECT k.document_id, r.name, c.name, k.start, k."end", d.length FROM codings k '
        "JOIN coders r ON r.id = k.coder_id JOIN codes c ON c.id = k.code_id "
        "JOIN documents d ON d.id = k.document_id ORDER BY k.document_id, c.name",
    )


def survey_ids(path: Path) -> list[int]:
    """Answers as the grid lists them at first: grouped by question, then in import order."""
    rows = sql(
        path,
        "SELECT id, json_extract(source_meta, '$.question') FROM documents "
        "WHERE kind = 'survey' ORDER BY id",
    )
    return [i for i, q in sorted(rows, key=lambda r: (QUESTIONS.index(r[1]), r[0]))]


def grid_text(app: KodeverkApp) -> str:
    grid = app.screen.query_one(AnswerGrid)
    height = grid.scrollable_content_region.height
    return "\n".join(grid.render_line(y).text for y in range(height))


def open_grid(path: Path, **kwargs) -> KodeverkApp:
    return KodeverkApp(path, kwargs.pop("coder", CODER), answers=kwargs.pop("answers", True))


async def test_a_digit_codes_the_whole_answer_and_moves_to_the_next_uncoded(
    grid_path: Path,
) -> None:
    ids = survey_ids(grid_path)
    app = open_grid(grid_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, AnswersScreen)
        assert screen.current.document_id == ids[0]
        await pilot.press("2")  # Bolig: one key
        assert screen.current.document_id == ids[1]
        await pilot.press("1", "2")  # the second sub-code of code 1
        await pilot.press("1", "0")  # code 1 itself
        await pilot.press("1", "1")  # its first sub-code
        assert screen.current.document_id == ids[4]
        assert "Bolig" in grid_text(app)  # the applied code as a tag
    rows = answer_codings(grid_path)
    assert [(d, coder, code) for d, coder, code, *_ in rows] == [
        (ids[0], CODER, "Bolig"),
        (ids[1], CODER, "Pårørende"),
        (ids[2], CODER, "Brukermedvirkning"),
        (ids[3], CODER, "Brukerråd"),
    ]
    assert all(start == 0 and end == length for *_, start, end, length in rows)


async def test_a_whole_answer_coding_equals_the_coding_screens(grid_path: Path) -> None:
    """The grid codes what the coding screen selects for the answer: the same span."""
    ids = survey_ids(grid_path)
    async with open_grid(grid_path).run_test(size=SIZE) as pilot:
        await pilot.press("2")
    app = KodeverkApp(grid_path, "bjørn", document_id=ids[0])
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("2")
    spans = {coder: (s, e) for d, coder, _, s, e, _ in answer_codings(grid_path) if d == ids[0]}
    assert spans[CODER] == spans["bjørn"]


async def test_hold_adds_several_codes_before_moving_on(grid_path: Path) -> None:
    ids = survey_ids(grid_path)
    app = open_grid(grid_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "2", "3", "1", "2")
        assert app.screen.current.document_id == ids[0]  # held: still the first answer
        await pilot.press("space")  # release: on to the next uncoded answer
        assert app.screen.current.document_id == ids[1]
        text = grid_text(app)
        assert "Bolig" in text and "Brukerråd" in text and "Pårørende" in text
    assert sorted(code for d, _, code, *_ in answer_codings(grid_path) if d == ids[0]) == [
        "Bolig",
        "Brukerråd",
        "Pårørende",
    ]


async def test_done_mark_remove_and_undo_across_a_restart(grid_path: Path) -> None:
    ids = survey_ids(grid_path)
    async with open_grid(grid_path).run_test(size=SIZE) as pilot:
        await pilot.press("space", "2", "3", "d")
        assert grid_text(pilot.app).splitlines()[0].startswith("▐✓")
        await pilot.press("x", *"bolig", "enter")  # two codes: x asks which
    assert sql(grid_path, "SELECT document_id, done FROM document_status") == [(ids[0], 1)]
    assert [code for *_, code, _, _, _ in answer_codings(grid_path)] == ["Brukerråd"]
    async with open_grid(grid_path).run_test(size=SIZE) as pilot:  # a new session
        await pilot.press("k", "k")  # back to the first answer (the grid opens at an uncoded)
        await pilot.press("u")  # the removal
        assert "Bolig" in grid_text(pilot.app)
        await pilot.press("u")  # the done mark
        await pilot.press("ctrl+r")
    assert sorted(c for *_, c, _, _, _ in answer_codings(grid_path)) == ["Bolig", "Brukerråd"]
    assert sql(grid_path, "SELECT done FROM document_status") == [(1,)]


async def test_the_grid_opens_at_the_coders_first_uncoded_answer(grid_path: Path) -> None:
    ids = survey_ids(grid_path)
    async with open_grid(grid_path).run_test(size=SIZE) as pilot:
        await pilot.press("2", "2", "2")
    async with open_grid(grid_path).run_test(size=SIZE) as pilot:
        assert pilot.app.screen.current.document_id == ids[3]
    async with open_grid(grid_path, coder="bjørn").run_test(size=SIZE) as pilot:
        assert pilot.app.screen.current.document_id == ids[0]  # another coder: blind


async def test_blind_shows_only_own_codings_until_v(grid_path: Path) -> None:
    async with open_grid(grid_path, coder="bjørn").run_test(size=SIZE) as pilot:
        await pilot.press("2")
    app = open_grid(grid_path)
    async with app.run_test(size=SIZE) as pilot:
        assert "Bolig" not in grid_text(app)
        await pilot.press("v")
        assert "Bolig" in grid_text(app)
        await pilot.press("v")
        assert "Bolig" not in grid_text(app)


async def test_filter_as_you_type_and_sort(grid_path: Path) -> None:
    app = open_grid(grid_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("2")  # the first answer (question 1, Vadsø) is Bolig
        await pilot.press("slash", *"q:2", "enter")
        assert {a.question for a in screen.shown} == {QUESTIONS[1]}
        assert len(screen.shown) == 4
        await pilot.press("slash", *"q:2 region:nord")
        assert [a.case for a in screen.shown] == ["Vadsø 0"]
        await pilot.press(*["backspace"] * 20, *"code:bolig")
        assert [(a.case, a.question) for a in screen.shown] == [("Vadsø 0", QUESTIONS[0])]
        await pilot.press(*["backspace"] * 20, *"uncoded size_class:liten", "enter")
        assert len(screen.shown) == 3  # Vadsø's second answer, Os's two
        await pilot.press(*["backspace"] * 30)
        await pilot.press("slash", *"ventetid", "enter")
        assert screen.shown and all("ventetid" in a.text for a in screen.shown)
        await pilot.press("slash", *["backspace"] * 10, "enter", "o")  # sort by length
        lengths = [len(a.text) for a in screen.shown]
        assert lengths == sorted(lengths) and len(lengths) == 8


async def test_enter_opens_the_answer_on_the_coding_screen(grid_path: Path) -> None:
    ids = survey_ids(grid_path)
    app = open_grid(grid_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("enter")
        assert isinstance(app.screen, CodingScreen) and app.screen.document_id == ids[0]
        await pilot.press("W", "2", "escape")  # a part of the answer
        assert isinstance(app.screen, AnswersScreen)
        assert "Bolig" in grid_text(app)  # re-read on coming back


async def test_the_picker_creates_a_code_under_the_waiting_parent(grid_path: Path) -> None:
    app = open_grid(grid_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "c", *"xylofon")
        from textual.widgets import OptionList

        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels == ["no match", "create «xylofon» under Brukermedvirkning"]
        await pilot.press("enter")
        assert isinstance(app.screen, AnswersScreen)
    rows = sql(
        grid_path,
        "SELECT c.name, p.name FROM codes c JOIN codes p ON p.id = c.parent_id "
        "WHERE c.name = 'xylofon'",
    )
    assert rows == [("xylofon", "Brukermedvirkning")]
    assert sql(grid_path, "SELECT action FROM events WHERE action = 'code.create'") == [
        ("code.create",)
    ]
    assert [code for *_, code, _, _, _ in answer_codings(grid_path)] == ["xylofon"]


async def test_coding_a_hundred_answers_takes_at_most_2_2_keys_each(tmp_path: Path) -> None:
    """100 single-code answers: sub-codes by two digits, codes without sub-codes by one,
    the same code again by «.» (repeat). Counts every key pressed."""
    path = build_answers_project(tmp_path / "hundre.kodeverk", respondents=50)
    plan = [("1", "2"), ("2",), ("."), ("1", "1"), ("3",), (".",), ("1", "0"), (".",)] * 13
    plan = [tuple(p) for p in plan][:100]
    app = open_grid(path)
    pressed = 0
    async with app.run_test(size=SIZE) as pilot:
        for keys in plan:
            await pilot.press(*("full_stop" if k == "." else k for k in keys))
            pressed += len(keys)
    rows = answer_codings(path)
    assert len(rows) == 100 and len({d for d, *_ in rows}) == 100
    assert all(start == 0 and end == length for *_, start, end, length in rows)
    assert pressed / 100 <= 2.2, pressed


async def test_overview_a_and_the_palette_open_the_grid(grid_path: Path) -> None:
    app = KodeverkApp(grid_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, AnswersScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, AnswersScreen)
        assert "Answer grid" in [title for title, _, _ in app.palette_commands()]


async def test_one_question_only(grid_path: Path) -> None:
    app = open_grid(grid_path, answers=QUESTIONS[1])
    async with app.run_test(size=SIZE):
        assert {a.question for a in app.screen.shown} == {QUESTIONS[1]}
        assert grid_text(app).splitlines()[0].split()[1] == "Q2"


def test_open_answers_from_the_command_line(grid_path: Path) -> None:
    script = (
        "import asyncio, sys\n"
        "from tui.app import KodeverkApp\n"
        "async def run_test_instead(self):\n"
        "    async with self.run_test(size=(80, 24)) as pilot:\n"
        "        await pilot.pause()\n"
        "        print(type(self.screen).__name__, len(self.screen.shown))\n"
        "KodeverkApp.run = lambda self: asyncio.run(run_test_instead(self))\n"
        "from tui.cli import main\n"
        "main(['open', sys.argv[1], '--coder', 'anne', '--answers', sys.argv[2]])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(grid_path), QUESTIONS[0]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["AnswersScreen", "4"], result.stderr


def test_open_answers_to_an_unknown_question_is_refused(grid_path: Path) -> None:
    before = table_dump(grid_path)
    result = run_kodeverk("open", grid_path, "--coder", "anne", "--answers", "Hva ellers?")
    assert result.returncode != 0
    assert "no survey answers to the question 'Hva ellers?'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert table_dump(grid_path) == before


def painted(app: KodeverkApp) -> list[str]:
    """The grid's lines as the screen has them: through the widget's render cache, so a line
    a key changed but did not mark for repainting still shows what it showed before."""
    grid = app.screen.query_one(AnswerGrid)
    return [s.text for s in grid.render_lines(Region(0, 0, grid.size.width, grid.size.height))]


def lines_of(app: KodeverkApp, row: int) -> list[int]:
    """The visible lines of a row."""
    grid = app.screen.query_one(AnswerGrid)
    top = int(grid.scroll_offset.y)
    return [y for y in range(grid.size.height) if grid.row_at_line(y + top) == row]


def cursor_lines_are_the_cursor_row(app: KodeverkApp) -> bool:
    """Exactly the visible lines of the cursor row carry the cursor's gutter mark."""
    marked = [y for y, text in enumerate(painted(app)) if text.startswith(("▌", "▐"))]
    return bool(marked) and marked == lines_of(app, app.screen.query_one(AnswerGrid).cursor)


def status(app: KodeverkApp) -> str:
    return str(app.screen.query_one("#answer-status", Static).render())


async def test_a_key_repaints_the_rows_it_changed_on_screen_and_in_the_file(
    grid_path: Path,
) -> None:
    """Only the rows a key changes are repainted: the old and the new cursor row, the coded
    row, the done mark; the status counts are kept per change and agree with the file."""
    ids = survey_ids(grid_path)
    uncoded_sql = (
        "SELECT count(*) FROM documents d WHERE d.kind = 'survey' AND NOT EXISTS (SELECT 1 FROM "
        "codings k JOIN coders r ON r.id = k.coder_id WHERE k.document_id = d.id AND r.name = ?)"
    )
    async with open_grid(grid_path).run_test(size=SIZE) as pilot:
        grid = pilot.app.screen.query_one(AnswerGrid)
        await pilot.pause()
        assert cursor_lines_are_the_cursor_row(pilot.app)
        await pilot.press("j", "j", "k")
        assert grid.cursor == 1 and cursor_lines_are_the_cursor_row(pilot.app)
        await pilot.press("k", "2")  # code the first answer: on to the next uncoded
        assert (ids[0], CODER, "Bolig") in [r[:3] for r in answer_codings(grid_path)]
        lines = painted(pilot.app)
        assert "Bolig" in lines[0] and not lines[0].startswith("▌")
        assert cursor_lines_are_the_cursor_row(pilot.app)
        (uncoded,) = sql(grid_path, uncoded_sql, (CODER,))[0]
        assert f"{uncoded} uncoded · 0 done" in status(pilot.app)
        await pilot.press("d")  # the done mark, on the cursor row
        assert sql(grid_path, "SELECT document_id, done FROM document_status") == [(ids[1], 1)]
        assert painted(pilot.app)[lines_of(pilot.app, 1)[0]].startswith("▌✓")
        assert f"{uncoded} uncoded · 1 done" in status(pilot.app)
        await pilot.press("space")  # held: the gutter says so
        assert all(painted(pilot.app)[y].startswith("▐") for y in lines_of(pilot.app, 1))


async def test_a_picked_or_created_code_shows_on_its_row_without_reading_every_answer(
    grid_path: Path,
) -> None:
    """Closing the picker does not read the whole grid again: the row of the answer coded from
    it (an existing code, a code created in it, a code removed through it) is re-read alone,
    and shows on the screen what the file holds."""
    ids = survey_ids(grid_path)
    async with open_grid(grid_path).run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, AnswersScreen)
        answers = screen.answers
        await pilot.press("space", "c", *"bolig", "enter")  # held: the row stays under the cursor
        await pilot.press("c", *"xylofon", "enter")  # a new code, applied at once
        await pilot.press("c", "escape")  # nothing picked
        assert screen.answers is answers  # not read again
        ours = [code for d, coder, code, *_ in answer_codings(grid_path) if d == ids[0]]
        assert sorted(ours) == ["Bolig", "xylofon"]
        first = " ".join(painted(pilot.app)[y] for y in lines_of(pilot.app, 0))
        assert "Bolig" in first and "xylofon" in first
        await pilot.press("x", *"xylofon", "enter")  # two codes: x asks which
        assert [code for d, _, code, *_ in answer_codings(grid_path) if d == ids[0]] == ["Bolig"]
        first = " ".join(painted(pilot.app)[y] for y in lines_of(pilot.app, 0))
        assert "Bolig" in first and "xylofon" not in first


async def test_typing_narrows_what_the_shorter_filter_kept_only_where_that_is_the_same(
    grid_path: Path,
) -> None:
    """Each letter typed narrows the answers the text before it kept, and a backspace finds
    them again, only where that gives what filtering every answer gives: ``code`` then
    ``coded`` (a word, then a keyword), ``q`` then ``q:2``; a coding in between counts."""
    ids = survey_ids(grid_path)
    coded_sql = (
        "SELECT DISTINCT k.document_id FROM codings k JOIN coders r ON r.id = k.coder_id "
        "JOIN documents d ON d.id = k.document_id WHERE r.name = ? AND d.kind = 'survey'"
    )
    question_sql = (
        "SELECT id FROM documents WHERE json_extract(source_meta, '$.question') = ? ORDER BY id"
    )
    async with open_grid(grid_path).run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, AnswersScreen)
        await pilot.press("2", "slash", *"code")  # a word no answer has, then the keyword
        assert screen.shown == [] and "0/0 answers" in status(pilot.app)
        await pilot.press("d")
        coded = {d for (d,) in sql(grid_path, coded_sql, (CODER,))}
        assert {a.document_id for a in screen.shown} == coded == {ids[0]}
        await pilot.press("enter", "slash", *["backspace"] * 5, "enter")
        await pilot.press("j", "2")  # one more coded answer
        await pilot.press("slash", *"coded")  # again: not the answers kept before
        coded = {d for (d,) in sql(grid_path, coded_sql, (CODER,))}
        assert {a.document_id for a in screen.shown} == coded and len(coded) == 2
        assert f"/{len(coded)} answers" in status(pilot.app)
        await pilot.press(*["backspace"] * 5, "q", ":", "2")  # «q» keeps nothing; «q:2» does
        second = [d for (d,) in sql(grid_path, question_sql, (QUESTIONS[1],))]
        assert [a.document_id for a in screen.shown] == second
        await pilot.press(*" ventetid")
        kept = [a.document_id for a in screen.shown]
        assert kept and kept == [
            d
            for d in second
            if "ventetid" in sql(grid_path, "SELECT text FROM documents WHERE id = ?", (d,))[0][0]
        ]
        await pilot.press(*["backspace"] * 9)  # back to «q:2»
        assert [a.document_id for a in screen.shown] == second


async def test_the_status_line_shows_the_counts_as_soon_as_the_grid_opens(grid_path: Path) -> None:
    """Before any key: «N/M answers · K uncoded …» (it stayed empty until the first key)."""
    app = open_grid(grid_path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        status = str(app.screen.query_one("#answer-status", Static).render())
        assert "answers" in status and "uncoded" in status
