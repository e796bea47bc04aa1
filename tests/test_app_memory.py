"""No widget outlives a visit (issue 13): going to a screen and back, again and again, leaves no
footer entry of an earlier visit alive. Textual's Footer recomposes when the bindings change
(every push and pop over the overview) and each new FooterKey's data binding to the footer's
``compact`` was kept in the footer's watchers until ``compact`` changed: about 70 detached
FooterKeys, with their styles caches, per round of the memory benchmark."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from textual._styles_cache import StylesCache
from textual.app import App
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from tests.app_project import CODER, build_app_project
from tui.app import KodeverkApp

SIZE = (100, 30)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "memory.kodeverk")


def detached_footer_keys() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, FooterKey) and not o.is_attached)


async def visit_every_screen(app: KodeverkApp, pilot, rounds: int) -> None:
    visits = [
        lambda: app.open_document(1),
        app.action_codebook,
        app.action_review,
        app.action_prevalence,
        app.action_help,
    ]
    for _ in range(rounds):
        for visit in visits:
            visit()
            await pilot.pause()
            await pilot.pause()
            await app.pop_screen()
            await pilot.pause()
            await app.workers.wait_for_complete()
        await pilot.pause()


async def test_no_footer_entry_outlives_its_visit(app_path: Path) -> None:
    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await visit_every_screen(app, pilot, 1)
        first = detached_footer_keys()
        await visit_every_screen(app, pilot, 3)
        assert detached_footer_keys() <= first
        assert detached_footer_keys() == 0
        footer_watchers = getattr(app.screen.query_one("Footer"), "__watchers", {})
        assert all(node.is_attached for node, _ in footer_watchers.get("compact", []))


def detached_widgets() -> dict[str, int]:
    gc.collect()
    alive: dict[str, int] = {}
    for o in gc.get_objects():
        if isinstance(o, Widget) and not isinstance(o, App) and not o.is_attached:
            alive[type(o).__name__] = alive.get(type(o).__name__, 0) + 1
    return alive


def styles_caches_of_removed_widgets() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, StylesCache)) - sum(
        1 for o in gc.get_objects() if isinstance(o, Widget) and o.is_attached
    )


async def test_no_widget_nor_its_rendered_lines_outlive_a_visit(app_path: Path) -> None:
    """The Headers of the coding and codebook screens (watching the app's title) and the styles
    caches Textual keeps by widget in an lru_cache go with their screen."""
    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await visit_every_screen(app, pilot, 1)
        first = styles_caches_of_removed_widgets()
        await visit_every_screen(app, pilot, 3)
        assert detached_widgets() == {}
        assert styles_caches_of_removed_widgets() <= first
