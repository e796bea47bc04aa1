"""The overview's and the grid's footer: composed again only when the keys it shows change,
and then always (the filter takes the letter keys; escape gives them back)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from tests.answers_project import build_answers_project
from tests.app_project import CODER, build_app_project
from tui.app import KodeverkApp
from tui.widgets.steady_footer import SteadyFooter, shown_keys

SIZE = (100, 30)


def footer_keys(app: KodeverkApp) -> list[str]:
    """The actions of the keys the footer shows (it keeps the others hidden)."""
    keys = app.screen.query_one(SteadyFooter).query(FooterKey)
    return [key.action for key in keys if not key.has_class("-off")]


def expected_keys(app: KodeverkApp) -> list[str]:
    """What Textual's footer would show now: each action shown once, the palette's last."""
    palette = app.COMMAND_PALETTE_BINDING
    shown = shown_keys(app.screen)
    actions = [action for key, _, action, *_ in shown if key != palette]
    return list(dict.fromkeys(actions)) + [a for key, _, a, *_ in shown if key == palette]


async def test_the_overview_footer_follows_the_focus(tmp_path: Path) -> None:
    path = build_app_project(tmp_path / "p.kodeverk")
    app = KodeverkApp(path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        with_letters = footer_keys(app)
        assert "answers" in with_letters and with_letters == expected_keys(app)
        await pilot.press("slash", "x")  # the filter has the letters: not in the footer
        await pilot.pause()
        assert "answers" not in footer_keys(app) and footer_keys(app) == expected_keys(app)
        await pilot.press("escape")
        await pilot.pause()
        assert footer_keys(app) == with_letters


async def test_the_grid_footer_follows_the_focus(tmp_path: Path) -> None:
    path = build_answers_project(tmp_path / "svar.kodeverk")
    app = KodeverkApp(path, CODER, answers=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        with_letters = footer_keys(app)
        assert "pick" in with_letters and with_letters == expected_keys(app)
        await pilot.press("slash")
        await pilot.pause()
        assert "pick" not in footer_keys(app) and footer_keys(app) == expected_keys(app)
        await pilot.press("enter")
        await pilot.pause()
        assert footer_keys(app) == with_letters
