"""The coding app driven by Pilot: keys in, rows in the SQLite file out."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from coding import operations as ops
from coding.store import Project
from tests.app_project import CODER, build_app_project
from tui.app import KodeverkApp
from tui.screens.coding import CodingScreen
from tui.screens.overview import OverviewScreen

SIZE = (80, 24)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "app.kodeverk")


def codings(path: Path) -> list[tuple[str, str, int, int]]:
    """(coder, code, start, end) read straight from the file with sqlite3."""
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            'SELECT r.name, c.name, k.start, k."end" FROM codings k '
            "JOIN coders r ON r.id = k.coder_id JOIN codes c ON c.id = k.code_id "
            "ORDER BY k.document_id, k.start, c.name"
        ).fetchall()
    finally:
        conn.close()


def quote(path: Path, start: int, end: int, document_id: int = 1) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT text FROM documents WHERE id = ?", (document_id,)).fetchone()[
            0
        ][start:end]
    finally:
        conn.close()


async def settle(app: KodeverkApp, pilot) -> None:
    """Let the overview's worker read the rows and show them."""
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def open_app(path: Path, **kwargs) -> KodeverkApp:
    return KodeverkApp(path, kwargs.pop("coder", CODER), **kwargs)


async def test_code_several_segments_by_keys_only(app_path: Path) -> None:
    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("j", "1", "0")  # segment 2: user council
        await pilot.press("j", "j", "2")  # segment 4: housing question
        await pilot.press("j", "J", "2")  # segments 5 and 6: housing answer
        await pilot.press("n", "3")  # next uncoded: the early-intervention question
    rows = codings(app_path)
    assert [(coder, code, quote(app_path, s, e)) for coder, code, s, e in rows] == [
        ("anne", "Brukermedvirkning", "Vi har et brukerråd."),
        ("anne", "Bolig", "Hva med bolig?"),
        ("anne", "Bolig", "Det mangler boliger for folk med rusproblemer. Ventetiden er lang."),
        ("anne", "Brukerråd", "Og tidlig innsats?"),
    ]


async def test_widen_and_narrow_by_word(app_path: Path) -> None:
    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "W", "W", "w", "1", "0")  # narrow twice, widen once
        await pilot.press("j", "b", "w", "2")  # next segment, one word more on each side
    texts = [quote(app_path, s, e) for _, _, s, e in codings(app_path)]
    # w at the end of the informant's turn stops there: never onto «Intervjuer:»
    assert texts == ["Vi har et", "brukerråd. Det møtes fire ganger i året."]


async def test_undo_redo_survive_a_restart(app_path: Path) -> None:
    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "0", "j", "2")
        assert len(codings(app_path)) == 2
        await pilot.press("u")
        assert [code for _, code, _, _ in codings(app_path)] == ["Brukermedvirkning"]
        await pilot.press("ctrl+r")
        assert len(codings(app_path)) == 2
    again = open_app(app_path, document_id=1)
    async with again.run_test(size=SIZE) as pilot:
        await pilot.press("u", "u")
        assert codings(app_path) == []
        await pilot.press("ctrl+r")
        assert [code for _, code, _, _ in codings(app_path)] == ["Brukermedvirkning"]


async def test_picker_matches_names_and_keywords(app_path: Path) -> None:
    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c", *"bolig", "enter")
        await pilot.press("j", "c", *"lavterskel", "enter")
        await pilot.press("j", "c", *"bolgi", "escape")  # cancelled: nothing written
    assert [code for _, code, _, _ in codings(app_path)] == ["Bolig", "Tidlig innsats"]


async def test_remove_code_from_selection(app_path: Path) -> None:
    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "0", "x")
        assert codings(app_path) == []
        await pilot.press("1", "0", "2", "x", *"bolig", "enter")  # two codes: x asks which
    assert [code for _, code, _, _ in codings(app_path)] == ["Brukermedvirkning"]


async def test_memo_on_coding_and_document(app_path: Path) -> None:
    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "m", *"uklart", "ctrl+s")  # no coding here: document memo
        await pilot.press("1", "0", "m", *"viktig", "ctrl+s")  # on the coding
    with Project.open(app_path) as project:
        coding_id = ops.codings_of(project, 1)[0].id
        assert ops.get_memo(project, CODER, "document", 1) == "uklart"
        assert ops.get_memo(project, CODER, "coding", coding_id) == "viktig"


async def test_done_toggles_and_shows_in_overview(app_path: Path) -> None:
    app = open_app(app_path, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        overview = app.screen
        assert isinstance(overview, OverviewScreen)
        await settle(app, pilot)
        await pilot.press("down", "enter")  # the second row: Vadsø's interview
        assert isinstance(app.screen, CodingScreen) and app.screen.document_id == 1
        await pilot.press("1", "0", "d", "escape", "escape")  # no to moving on; back
        assert app.screen is overview
        await settle(app, pilot)
        row = next(r for r in overview.rows if r.id == 1)
        assert row.done and row.coded_segments == 1
    with Project.open(app_path) as project:
        assert ops.is_document_done(project, 1, CODER)


async def test_search_jumps_to_hit_in_another_document(app_path: Path) -> None:
    app = open_app(app_path, document_id=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("slash", *"sykehus", "enter")
        await pilot.pause()
        await pilot.press("enter")
        screen = app.screen
        assert isinstance(screen, CodingScreen) and screen.document_id == 1
        start, end = screen.selection
        assert quote(app_path, start, end).casefold().startswith("sykehus")
        await pilot.press("1", "0")
    assert codings(app_path)[0][1] == "Brukermedvirkning"


async def test_suggestions_accept_and_reject(app_path: Path) -> None:
    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("s")
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        suggested = list(screen.suggestions)
        assert suggested, "the keywords brukerråd, bolig, tidlig must match"
        await pilot.press("a", "r")
        assert len(screen.suggestions) == len(suggested) - 2
    first = suggested[0]
    assert codings(app_path) == [(CODER, first.code_name, first.start, first.end)]


async def test_blind_mode_hides_other_coders(app_path: Path) -> None:
    with Project.open(app_path) as project:
        ops.apply_coding(project, 1, 3, "bjorn", 0, 5)
    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert screen.codings == []
        await pilot.press("v")
        assert len(screen.codings) == 1
        await pilot.press("v")
        assert screen.codings == []


async def test_reopen_returns_to_where_the_coder_left_off(app_path: Path) -> None:
    app = open_app(app_path, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter", "j", "j", "j")
        assert app.screen.current_segment == 3
    again = open_app(app_path)
    async with again.run_test(size=SIZE):
        screen = again.screen
        assert isinstance(screen, CodingScreen)
        assert (screen.document_id, screen.current_segment) == (1, 3)


async def test_two_apps_on_one_project_both_write(app_path: Path) -> None:
    first = open_app(app_path, document_id=1, coder="anne")
    second = open_app(app_path, document_id=1, coder="bjorn")
    async with first.run_test(size=SIZE) as one, second.run_test(size=SIZE) as two:
        for _ in range(4):
            await one.press("1", "0", "j")
            await two.press("2", "j")
        await one.press("u")
    rows = codings(app_path)
    assert sum(1 for coder, *_ in rows if coder == "anne") == 3
    assert sum(1 for coder, *_ in rows if coder == "bjorn") == 4


async def test_overview_filter_and_cycle(app_path: Path) -> None:
    app = open_app(app_path, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await settle(app, pilot)
        await pilot.press("slash", *"nord", "enter")
        from tui.widgets.document_table import DocumentTable

        assert screen.query_one(DocumentTable).row_count == 1
        await pilot.press("escape", "s")
        assert screen.query_one("#filter").value == "liten"
        await pilot.press("s", "s")
        assert screen.query_one(DocumentTable).row_count == 2


async def test_screen_codings_match_the_file_after_merges(app_path: Path) -> None:
    """The screen mirrors apply_coding's merges without re-reading: it must equal the file."""
    from coding.views import load_codings

    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "0", "j", "j", "1", "0", "k", "J", "1", "0", "2", "w", "2")
        screen = app.screen
        with Project.open(app_path) as project:
            assert screen.codings == load_codings(project, 1, screen.coder_id)
    names = sorted(code for _, code, _, _ in codings(app_path))
    assert names == ["Bolig", "Brukermedvirkning", "Brukermedvirkning"]  # seg 2-3 merged


async def test_refused_undo_is_a_notification_and_changes_nothing(app_path: Path) -> None:
    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("1", "0")
        with Project.open(app_path) as other:  # a lead merges the code meanwhile
            from coding.codes import merge_codes

            merge_codes(other, 1, 3, "lead")
        before = codings(app_path)
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)  # no crash
        messages = [n.message for n in app._notifications]
        assert any(m.startswith("cannot undo or redo") for m in messages)
        assert any(n.severity == "error" for n in app._notifications)
    assert codings(app_path) == before


async def test_all_coders_view_shows_other_coders_new_codings(app_path: Path) -> None:
    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press("v")  # all coders
        with Project.open(app_path) as other:
            ops.apply_coding(other, 1, 3, "bjorn", 0, 5)
        screen._show_others_changes()  # what the timer does every POLL_SECONDS
        assert [(c.start, c.end) for c in screen.codings] == [(0, 5)]
        assert screen.document_counts.get(3) == 1


async def test_mark_the_selection_anonymised(app_path: Path) -> None:
    app = open_app(app_path, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("j", "A", "2")  # segment 2 as [kommune]
        await pilot.press("j", "A", "c", *"[rådet]", "enter")  # segment 3, own replacement
        await pilot.press("j", "A", "escape")  # cancelled: nothing written
    conn = sqlite3.connect(app_path)
    try:
        rows = conn.execute(
            'SELECT a.start, a."end", a.replacement, c.name FROM anonymisations a '
            "JOIN coders c ON c.id = a.coder_id ORDER BY a.start"
        ).fetchall()
    finally:
        conn.close()
    assert [(quote(app_path, s, e), r, who) for s, e, r, who in rows] == [
        ("Vi har et brukerråd.", "[kommune]", "anne"),
        ("Det møtes fire ganger i året.", "[rådet]", "anne"),
    ]
