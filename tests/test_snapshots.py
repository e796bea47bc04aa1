"""Snapshots (pytest-textual-snapshot) of the main screens at 80×24.

Deterministic: a fixed coder, a project named in its metadata (no paths or dates on screen).
In bokmål, the app's default language; the answer grid in English too.
Regenerate after a deliberate change with ``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.app_project import CODER, build_app_project
from tui.app import KodeverkApp

SIZE = (80, 24)


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "snap.kodeverk")


async def rows_loaded(pilot) -> None:
    """The overview reads its rows in a worker: wait for it before the snapshot."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_overview(app_path: Path, snap_compare) -> None:
    app = KodeverkApp(app_path, CODER, resume=False, lang="nb")
    assert snap_compare(app, terminal_size=SIZE, run_before=rows_loaded)


def test_coding_screen(app_path: Path, snap_compare) -> None:
    app = KodeverkApp(app_path, CODER, document_id=1, lang="nb")
    # code two segments, then select two more: highlights, selection and counts show
    assert snap_compare(app, press=["j", "1", "0", "j", "j", "2", "j", "J"], terminal_size=SIZE)


def test_codebook_editor(app_path: Path, snap_compare) -> None:
    app = KodeverkApp(app_path, CODER, resume=False, lang="nb")
    assert snap_compare(app, press=["e", "down"], terminal_size=SIZE)


def test_coding_screen_stripes_and_memo(app_path: Path, snap_compare) -> None:
    """Two codes on one segment (two stripes in their colours), one on the next, a memo mark."""
    app = KodeverkApp(app_path, CODER, document_id=1, lang="nb")

    async def code_and_clear(pilot) -> None:
        await pilot.press("j", "1", "0", "2", "m", *"viktig", "ctrl+s", "j", "3")
        pilot.app.clear_notifications()  # toasts expire by the clock: not in the picture
        await pilot.pause()

    assert snap_compare(app, run_before=code_and_clear, terminal_size=SIZE)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_answer_grid(tmp_path: Path, snap_compare, lang: str) -> None:
    from tests.answers_project import build_answers_project

    path = build_answers_project(tmp_path / "svar.kodeverk")
    app = KodeverkApp(path, CODER, answers=True, lang=lang)
    # one code by one key; a held row with three codes and a done mark; then a waiting digit
    press = ["2", "space", "1", "2", "3", "d", "space", "1"]
    assert snap_compare(app, press=press, terminal_size=SIZE)
