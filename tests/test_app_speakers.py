"""The coding screen keeps selections on what was said: no speaker labels, J/K stop at the
edge of a speaker's turn, suggestions only on informants' turns with the code named on screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from tests.app_project import CODER, build_app_project
from tui.app import KodeverkApp
from tui.screens.coding import CodingScreen

SIZE = (80, 24)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "app.kodeverk")


def open_app(path: Path) -> KodeverkApp:
    return KodeverkApp(path, CODER, document_id=1)


def selected(screen: CodingScreen) -> str:
    start, end = screen.selection
    return screen.text[start:end]


def panel(screen: CodingScreen) -> str:
    return str(screen.query_one("#on-selection", Static).render())


async def test_selections_never_take_in_a_speaker_label(app_path: Path) -> None:
    app = open_app(app_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("j")  # the informant's first sentence
        first = screen.segments[1]
        assert screen.selection == (first.start, first.end)
        await pilot.press("b", "b")  # widen at the start: the label is not taken in
        assert screen.selection == (first.start, first.end)
        assert selected(screen) == "Vi har et brukerråd."
        label = screen.text.index("Informant: Vi har")
        screen.set_selection(label, label + len("Informant: Vi"))  # e.g. a search hit
        assert selected(screen) == "Vi"
        screen.set_selection(label, label + len("Informant:"))  # on the label only
        assert screen.selection == (first.start, first.end)
        for start, end in [screen.selection]:
            assert "Informant" not in screen.text[start:end]


async def test_extend_stops_at_the_end_of_the_turn_unless_pressed_again(app_path: Path) -> None:
    app = open_app(app_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        segs = screen.segments
        await pilot.press("j", "J")  # both sentences of the informant's answer
        assert screen.selection == (segs[1].start, segs[2].end)
        await pilot.press("J")  # the end of the informant's turn: stays
        assert screen.selection == (segs[1].start, segs[2].end)
        assert selected(screen) == "Vi har et brukerråd. Det møtes fire ganger i året."
        await pilot.press("K")  # upwards, the start of the turn: stays
        assert screen.selection == (segs[1].start, segs[2].end)
        await pilot.press("J", "J")  # a second press (asked for): into the interviewer's turn
        assert screen.selection == (segs[1].start, segs[3].end)
        assert segs[3].speaker == "Intervjuer"
        await pilot.press("K", "K")  # the same upwards
        assert screen.selection == (segs[0].start, segs[3].end)


async def test_suggestions_skip_interviewer_turns(app_path: Path) -> None:
    app = open_app(app_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("s")
        suggested = list(screen.suggestions)
        speakers = {screen.segments[screen.segment_at(s.start)].speaker for s in suggested}
        assert speakers == {"Informant"}
        assert [s.code_name for s in suggested] == ["Brukermedvirkning", "Bolig", "Tidlig innsats"]


async def test_the_suggested_code_stays_named_until_accepted_or_rejected(app_path: Path) -> None:
    app = open_app(app_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        await pilot.press("s")
        first = screen.suggestions[0].code_name
        assert f"suggested: {first}" in panel(screen)
        await pilot.pause(4)  # longer than any notification: the name is still there
        assert f"suggested: {first}" in panel(screen)
        await pilot.press("j", "j")  # moving on does not lose it
        assert f"suggested: {first}" in panel(screen)
        names = [s.code_name for s in screen.suggestions]
        for index, key in enumerate("a" + "r" * (len(names) - 1)):
            assert f"suggested: {names[index]}" in panel(screen)
            await pilot.press(key)
        assert "suggested" not in panel(screen)
