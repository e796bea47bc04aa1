"""Keys for the whole codebook: two-digit sub-codes, the code itself, recent codes; on the
coding screen as on the answer grid."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from coding.codes import CodeRow
from tests.answers_project import build_answers_project
from tests.app_project import CODER
from tui.app import KodeverkApp
from tui.screens.coding import CodingScreen
from tui.shortcuts import KeyState, build_keymap
from tui.widgets.code_tree import CodeTree


def code(id: int, parent: int | None, shortcut: str | None, ordinal: int) -> CodeRow:
    return CodeRow(
        id, f"g{id}", f"c{id}", parent, None, None, "", "", "", "#888888", shortcut, [], ordinal
    )


CODES = [
    code(1, None, "1", 0),
    code(2, 1, None, 1),  # second child by ordinal
    code(3, 1, "5", 0),  # first child, with a digit of its own
    code(4, None, "2", 1),
    code(5, None, None, 2),
    code(6, 5, None, 0),  # under a code without a digit: no key
]


def test_keymap_gives_sub_codes_two_digits_and_keeps_own_digits() -> None:
    keymap = build_keymap(CODES)
    assert keymap.codes == {"1": 1, "11": 3, "12": 2, "5": 3, "2": 4}
    assert keymap.prefixes == {"1"}
    assert keymap.keys_of == {1: "1", 2: "12", 3: "5", 4: "2"}


def test_key_state_waits_after_a_parent_digit() -> None:
    state = KeyState(build_keymap(CODES))
    assert state.press("2") == 4  # no sub-codes: at once
    assert state.press("1") == "1" and state.pending == "1"
    assert state.press("2") == 2 and state.pending == ""
    assert state.press("1") == "1"
    assert state.press("0") == 1  # the code itself
    state.press("1")
    assert state.confirm() == 1
    state.press("1")
    state.cancel()
    assert state.press("9") is None


def test_recent_codes_newest_first_without_repeats() -> None:
    state = KeyState(build_keymap(CODES))
    for code_id in (1, 2, 1, 3, 4, 5, 6):
        state.used(code_id)
    assert state.recent == [6, 5, 4, 3, 1]
    assert state.recent_code(0) == 6 and state.recent_code(7) is None


async def test_coding_screen_sub_code_keys_recent_codes_and_the_panel(tmp_path: Path) -> None:
    path = build_answers_project(tmp_path / "p.kodeverk")
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, CodingScreen)
        tree = screen.query_one(CodeTree)
        labels = [str(tree._label(c)) for c in screen.codes]
        assert any(label.startswith("■ 12 Pårørende") for label in labels)
        await pilot.press("j", "1")
        panel = str(screen.query_one("#on-selection").render())
        assert "1… 0 Brukermedvirkning" in panel and "2 Pårørende" in panel
        await pilot.press("2")  # segment 2: Pårørende
        await pilot.press("j", "full_stop")  # segment 3: the same again
        await pilot.press("j", "2", "j", "alt+2")  # 4: Bolig; 5: the second most recent
        await pilot.press("j", "1", "escape", "3")  # a waiting digit cancelled; 6: Brukerråd
        panel = str(screen.query_one("#on-selection").render())
        assert "recent" in panel and "Brukerråd" in panel
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT c.name FROM codings k JOIN codes c ON c.id = k.code_id "
        "WHERE k.document_id = 1 ORDER BY k.start"
    ).fetchall()
    conn.close()
    assert [r[0] for r in rows] == ["Pårørende", "Pårørende", "Bolig", "Pårørende", "Brukerråd"]


async def test_coding_screen_picker_says_no_match_and_creates_under_the_tree_code(
    tmp_path: Path,
) -> None:
    from textual.widgets import OptionList

    path = build_answers_project(tmp_path / "p.kodeverk")
    app = KodeverkApp(path, CODER, document_id=1)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        screen.query_one(CodeTree).select_code(3)  # Bolig highlighted in the code panel
        await pilot.press("j", "c", *"klimaendring")
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels == ["no match", "create «klimaendring» under Bolig"]
        await pilot.press("enter")
        assert app.screen is screen
        new = next(c for c in screen.codes if c.name == "klimaendring")
        # its stripe in the margin, in its own colour (not an unranked, unstyled one)
        from tui.screens.coding import stripe_style
        from tui.widgets.document_view import DocumentView

        view = screen.query_one(DocumentView)
        rank = screen.code_rank[new.id]
        assert rank in view.stripes_of(*screen.selection)
        assert view._stripe_styles[rank] == stripe_style(new.colour)
        ranks = sorted({screen.code_rank[c.code_id] for c in screen.codings})
        assert view.stripes_of(0, len(screen.text)) == ranks  # the others re-ranked too
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT c.name, p.name FROM codings k JOIN codes c ON c.id = k.code_id "
        "JOIN codes p ON p.id = c.parent_id WHERE k.document_id = 1"
    ).fetchall()
    conn.close()
    assert rows == [("klimaendring", "Bolig")]
