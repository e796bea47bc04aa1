"""A real browser (the system's headless Chromium, driven by Playwright) signs in to
`kodeverk serve`, codes a segment by keys, and the coding is in SQLite under its name."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from coding import operations as ops
from coding.accounts import add_user
from coding.store import Project
from tests.app_project import build_app_project
from tests.serve_helpers import Served, codings_by

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "korrekt-hest-batteri"

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="no /usr/bin/chromium: install it (apt-get install chromium; .ci/run does)",
    ),
]


def test_a_browser_signs_in_and_codes_a_segment(tmp_path: Path) -> None:
    sync_api = pytest.importorskip(
        "playwright.sync_api",
        reason="Playwright for Python is not installed (pip install -e '.[test]')",
    )
    path = build_app_project(tmp_path / "team.kodeverk")
    with Project.open(path) as project:
        add_user(project, "anna", PASSWORD, "coder")
        ops.remember(project, "anna", "last_document", "1")  # the app opens on a document
    served = Served(path)
    try:
        with sync_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.set_default_timeout(30_000)
                page.goto(f"{served.url}/")
                assert page.url.endswith("/login")  # no session: the sign-in page
                page.fill("#name", "anna")
                page.fill("#password", PASSWORD)
                page.click("#sign-in")
                page.wait_for_url(f"{served.url}/")
                cookie = next(c for c in page.context.cookies() if c["name"] == "kodeverk_session")
                assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
                page.wait_for_selector("body.-first-byte", state="attached")
                page.locator("#terminal").click()
                _press_until_coded(page, path)
            finally:
                browser.close()
    finally:
        served.stop()
    assert codings_by(path, "anna") == 1


def _press_until_coded(page, path: Path) -> None:
    """Key 1 applies the code with shortcut 1 to the selected segment; pressed again on the
    same span it changes nothing, so press until the app is ready and the row is there."""
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        page.keyboard.press("1")
        page.wait_for_timeout(500)
        if codings_by(path, "anna"):
            return
    raise AssertionError("no coding by anna in the project within 45 s")
