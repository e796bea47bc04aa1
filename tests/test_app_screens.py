"""Getting around the app: command palette, help, back to the overview, other screens."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_project import CODER, build_app_project
from tui.app import KodeverkApp
from tui.screens.codebook_editor import CodebookEditorScreen
from tui.screens.coding import CodingScreen
from tui.screens.help import HelpScreen
from tui.screens.overview import OverviewScreen

SIZE = (80, 24)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "app.kodeverk")


async def test_command_palette_opens_the_codebook_editor(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"codebook editor")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodebookEditorScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CodingScreen)


async def test_help_lists_the_screen_keys(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, CodingScreen)


async def test_escape_from_a_document_opened_directly_goes_to_the_overview(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, document_id=2)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("tab", "escape")  # first escape: focus back to the text
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, OverviewScreen)


async def test_the_overview_from_a_screen_over_a_document_opened_directly(app_path: Path):
    """The document the app opened on is its first screen (Textual's default screen, issue
    13): the overview, asked for from a screen above it, takes its place, and a document
    opened from there goes back to it."""
    app = KodeverkApp(app_path, CODER, document_id=2)
    async with app.run_test(size=SIZE) as pilot:
        assert app.screen_stack == [app.screen] and isinstance(app.screen, CodingScreen)
        app.action_codebook()  # the codebook editor, over the document
        await pilot.pause()
        assert len(app.screen_stack) == 2
        app.action_overview()
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen) and app.screen_stack == [app.screen]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen) and len(app.screen_stack) == 2
        await pilot.press("escape")
        assert isinstance(app.screen, OverviewScreen)


@pytest.mark.parametrize("key", ["r", "p"])
async def test_review_and_prevalence_open_from_the_overview(app_path: Path, key: str) -> None:
    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        overview = app.screen
        await pilot.press(key)
        await pilot.pause()
        assert app.screen is not overview
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is overview


async def test_codebook_tree_filter_and_apply_from_the_tree(app_path: Path) -> None:
    from tui.widgets.code_tree import CodeTree

    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f", *"bolig", "enter")  # filter, then on to the tree
        tree = app.screen.query_one(CodeTree)
        assert app.screen.focused is tree
        assert [node.data for node in tree.root.children] == [3]  # Bolig only
        await pilot.press("enter")  # apply the highlighted code
        assert tree.document_counts.get(3) == 1 and tree.project_counts.get(3) == 1
        await pilot.press("escape", "escape")  # back to the text, then to the overview
        assert isinstance(app.screen, OverviewScreen)


@pytest.mark.parametrize(
    ("command", "screen_name"),
    [("agreement review", "ReviewScreen"), ("prevalence", "PrevalenceScreen")],
)
async def test_review_and_prevalence_open_from_the_palette(
    app_path: Path, command: str, screen_name: str
) -> None:
    app = KodeverkApp(app_path, CODER, document_id=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*command)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == screen_name
        await pilot.press("escape")
        assert isinstance(app.screen, CodingScreen)


async def test_every_screen_has_a_key_footer_and_help(app_path: Path) -> None:
    """Overview, coding screen, its dialogs and the codebook editor: a footer with keys, and
    ? opens help titled after the screen (not inside text fields, where ? is typed)."""
    from textual.widgets import Footer

    app = KodeverkApp(app_path, CODER, resume=False)
    seen: list[str] = []

    def check() -> None:
        screen = app.screen
        seen.append(type(screen).__name__)
        assert screen.query(Footer), type(screen).__name__

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        for keys in [(), ("enter",), ("e",)]:
            await pilot.press(*keys)
            await pilot.pause()
            check()
            name = type(app.screen).__name__
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            check()
            title = str(app.screen.query_one(".dialog-title").render())
            assert "Screen" not in title and title.startswith("Keys: ")
            await pilot.press("escape")
            assert type(app.screen).__name__ == name
            if keys == ("enter",):
                for dialog in ["c", "m", "slash"]:
                    await pilot.press(dialog)
                    await pilot.pause()
                    check()
                    await pilot.press("escape")
                    await pilot.pause()
                await pilot.press("escape")
    assert {"PickerScreen", "MemoScreen", "SearchScreen", "CodebookEditorScreen"} <= set(seen)


def test_help_shows_the_shortcut_digits_as_a_range() -> None:
    from tui.screens.help import key_table

    table = key_table(CodingScreen)
    keys = list(table.columns[0].cells)
    assert "1–9" in keys and "j down" in keys


@pytest.mark.parametrize("keys", [(), ("enter",), ("e",), ("r",), ("p",)])
async def test_a_resized_terminal_lays_every_screen_out_again(app_path: Path, keys) -> None:
    """Overview, coding screen, codebook editor, review and prevalence: after the terminal
    changes size, the screen and its widgets have the new width (a guard against layouts at the
    size a screen already has must not skip a real resize)."""
    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.press(*keys)
        await pilot.pause()
        await app.workers.wait_for_complete()
        screen = app.screen
        for width, height in [(70, 22), (100, 30)]:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            assert app.screen is screen
            widest = max(w.region.width for w in screen.children if w.display)
            assert screen.region.size == (width, height), type(screen)
            assert widest == width, [(w, w.region) for w in screen.children]
