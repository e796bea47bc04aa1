"""At 80×24 every footer entry of every main screen is on screen, in bokmål and English
(issue 12): the last entry, and «q»/quit where the footer shows it, are not cut at the edge nor
hidden under a hint docked at the right."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.geometry import Region
from textual.widgets import Footer

from tests.app_project import CODER, build_app_project
from tests.test_i18n import SCREENS, settle
from tui.app import KodeverkApp

SIZE = (80, 24)


@pytest.fixture(scope="module")
def app_path(tmp_path_factory) -> Path:
    return build_app_project(tmp_path_factory.mktemp("footer") / "app.kodeverk")


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("screen", list(SCREENS))
async def test_every_footer_entry_fits_at_80_columns(app_path: Path, screen: str, lang: str):
    app = KodeverkApp(app_path, CODER, resume=False, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in SCREENS[screen]:
            await pilot.press(key)
            await settle(pilot)
        footer = app.screen.query_one(Footer)
        keys = [w for w in footer.query("*") if type(w).__name__ == "FooterKey" and w.display]
        palette = [k for k in keys if k.has_class("-command-palette")]
        keys = [k for k in keys if k not in palette]
        assert keys, screen
        visible = footer.region  # less the palette hint docked at the right, where it shows
        if palette:
            visible = Region(visible.x, visible.y, palette[0].region.x - visible.x, visible.height)
        cut = [
            f"{k.key_display or k.key} {k.description} at {k.region}"
            for k in keys
            if not k.region or not visible.contains_region(k.region)
        ]
        assert cut == [], f"{screen} ({lang}): footer {visible} cuts {cut}"
        last = keys[-1]
        assert visible.contains_region(last.region), last.description
        for quit_key in (k for k in keys if k.key == "q" or k.action == "app.quit"):
            assert visible.contains_region(quit_key.region), quit_key.description
