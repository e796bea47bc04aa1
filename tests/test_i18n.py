"""One language per screen (issue 14 item 5) and keys users can change (issue 12 item 4).

The app speaks bokmål by default and English by setting; every screen's chrome (footer, table
headers, placeholders, titles, labels) comes from one catalogue. A keymap file remaps binding
ids; the help screen shows the keys in force.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from textual.widgets import DataTable, Footer, Input, Static

from tests.app_project import CODER, build_app_project
from tui import i18n
from tui.app import KodeverkApp
from tui.i18n_catalogue import CATALOGUE
from tui.keymap import binding_ids
from tui.screens.help import HelpScreen, key_table

SIZE = (80, 24)

# words only the other language uses (whole words, case-sensitive): chrome, not project data
ENGLISH_ONLY = [
    "Next", "Back", "Undo", "Redo", "Remove", "Search", "Help", "Quit", "Size", "Progress",
    "Document", "documents", "segments", "coded", "answers", "uncoded", "done", "Done",
    "Rating", "Quotes", "Summary", "Review", "Prevalence", "Codebook", "Cancel", "Close",
    "Attribute", "Theme", "Total", "Goal", "coders", "recent",
    "Sort", "Rows", "Coder", "Coders", "Keys", "this", "Add", "Rename", "Move", "Merge", "codes",
]  # fmt: skip
BOKMAL_ONLY = [
    "Tilbake", "Angre", "Kod", "Ferdig", "ferdig", "Fjern", "Søk", "Hjelp", "Avslutt",
    "Framdrift", "Dokument", "svar", "ukodet", "Sitater", "Sammendrag", "Kodebok", "Forekomst",
    "Samsvar", "Avbryt", "Lukk", "Egenskap", "Tema", "Totalt", "kodere", "dokumenter",
    "segmenter", "Rader", "Taster", "Vurdering", "Ny", "Flytt", "Sorter", "Holdt", "sist",
]  # fmt: skip


@pytest.fixture
def app_path(tmp_path: Path) -> Path:
    return build_app_project(tmp_path / "app.kodeverk")


# -- the catalogue ---------------------------------------------------------------------------
def test_both_languages_have_the_same_keys_and_fields() -> None:
    assert set(CATALOGUE["nb"]) == set(CATALOGUE["en"])
    for key, nb in CATALOGUE["nb"].items():
        assert i18n.fields_of(nb) == i18n.fields_of(CATALOGUE["en"][key]), key
        assert nb.strip() and CATALOGUE["en"][key].strip(), key


def test_every_binding_has_an_id_and_its_description_in_the_catalogue() -> None:
    import importlib

    from tui.keymap import SCREEN_MODULES

    seen = 0
    for name in SCREEN_MODULES:
        for value in vars(importlib.import_module(name)).values():
            if getattr(value, "__module__", "") != name:
                continue
            for binding in getattr(value, "BINDINGS", None) or []:
                seen += 1
                assert binding.id, (name, binding)
                if not binding.description.startswith("["):  # anonymise: «[navn]» is data
                    assert binding.description in CATALOGUE["nb"], binding
    assert seen > 100 and len(binding_ids()) == seen


def test_language_from_argument_then_environment_then_bokmal(monkeypatch) -> None:
    monkeypatch.delenv("KODEVERK_LANG")
    assert i18n.resolve_language(None) == "nb"
    monkeypatch.setenv("KODEVERK_LANG", "en")
    assert i18n.resolve_language(None) == "en"
    assert i18n.resolve_language("nb") == "nb"
    with pytest.raises(ValueError, match="unknown language 'de'"):
        i18n.resolve_language("de")


def test_open_takes_lang_and_kodeverk_lang(monkeypatch) -> None:
    import click

    from tui.commands.open import open_command

    def parsed(*args: str) -> str:
        return open_command.make_context("open", ["p.kodeverk", *args]).params["lang"]

    monkeypatch.delenv("KODEVERK_LANG")
    assert parsed() == "nb"
    assert parsed("--lang", "en") == "en"
    monkeypatch.setenv("KODEVERK_LANG", "en")
    assert parsed() == "en"
    assert parsed("--lang", "nb") == "nb"
    with pytest.raises(click.BadParameter):
        parsed("--lang", "de")


async def test_app_default_is_bokmal(app_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("KODEVERK_LANG")
    app = KodeverkApp(app_path, CODER, resume=False)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.lang == "nb"
        assert app.sub_title == f"koder {CODER}"
        assert "Avslutt" in screen_words(app)


# -- every screen in one language ------------------------------------------------------------
async def settle(pilot) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_words(app) -> str:
    """The chrome of the current screen: footer, headers, placeholders, labels, titles."""
    screen = app.screen
    texts = [str(app.sub_title)]
    for widget in screen.query("*"):
        if type(widget).__name__ == "FooterKey":
            texts.append(str(widget.description))
        elif isinstance(widget, DataTable):
            texts.extend(str(c.label) for c in widget.columns.values())
        elif isinstance(widget, Input):
            texts.append(str(widget.placeholder))
        elif isinstance(widget, Static) and not widget.has_class("code-text"):
            texts.append(str(widget.render()))
    if isinstance(screen, HelpScreen):
        texts.extend(str(c) for col in key_table(screen.source).columns for c in col.cells)
    assert screen.query(Footer), type(screen).__name__
    return "\n".join(texts)


def foreign(text: str, words: list[str]) -> list[str]:
    return [w for w in words if re.search(rf"(?<![\wæøå]){re.escape(w)}(?![\wæøå])", text)]


# keys from the overview (or ctrl+e) to each screen, then its help screen
SCREENS = {
    "overview": [],
    "coding": ["enter"],
    "answers": ["a"],
    "codebook": ["e"],
    "review": ["r"],
    "prevalence": ["p"],
    "matrix": ["t"],
    "goals": ["g"],
}


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("screen", list(SCREENS))
async def test_each_screen_speaks_one_language(app_path: Path, screen: str, lang: str) -> None:
    others = ENGLISH_ONLY if lang == "nb" else BOKMAL_ONLY
    app = KodeverkApp(app_path, CODER, resume=False, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in SCREENS[screen]:
            await pilot.press(key)
            await settle(pilot)
        words = screen_words(app)
        assert foreign(words, others) == [], words
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        words = screen_words(app)
        assert foreign(words, others) == [], words


@pytest.mark.parametrize(("lang", "title"), [("nb", "Måloppnåelse"), ("en", "Goal attainment")])
async def test_palette_in_the_language(app_path: Path, lang: str, title: str) -> None:
    app = KodeverkApp(app_path, CODER, resume=False, lang=lang)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [t for t, _help, _run in app.palette_commands()]
        assert title in titles
        assert not foreign(" ".join(titles), ENGLISH_ONLY if lang == "nb" else BOKMAL_ONLY)


# -- keymap ----------------------------------------------------------------------------------
def codings(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT count(*) FROM codings").fetchone()[0]
    finally:
        conn.close()


async def test_keymap_file_remaps_undo_and_help_shows_it(
    app_path: Path, tmp_path: Path, monkeypatch
) -> None:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('[keymap]\n"coding.undo" = "ctrl+z"\n', encoding="utf-8")
    monkeypatch.setenv("KODEVERK_KEYMAP", str(keymap))
    app = KodeverkApp(app_path, CODER, document_id=1, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "1", "0")
        await settle(pilot)
        assert codings(app_path) == 1
        await pilot.press("u")  # no longer undo
        await settle(pilot)
        assert codings(app_path) == 1
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert codings(app_path) == 0
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        table = key_table(app.screen.source)
        rows = dict(zip(table.columns[1].cells, table.columns[0].cells, strict=True))
        assert rows["Undo"] == "ctrl+z"


def test_keymap_in_the_config_folder(tmp_path: Path, monkeypatch) -> None:
    from tui.keymap import keymap_path, load_keymap

    monkeypatch.delenv("KODEVERK_KEYMAP")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert keymap_path() == tmp_path / "kodeverk" / "keymap.toml"
    keymap_path().parent.mkdir()
    keymap_path().write_text('[keymap]\n"grid.hold" = "h"\n', encoding="utf-8")
    assert load_keymap() == ({"grid.hold": "h"}, [])


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('[keymap]\n"coding.undo" = "ctrl+z"\n"coding.fly" = "f"\n', "keymap.toml:3: unknown"),
        ('[keymap]\n"coding.undo" = ctrl+z\n', "keymap.toml: Invalid value (at line 2"),
        ('[keymap]\n"coding.undo" = 3\n', "keymap.toml:2: keys for 'coding.undo'"),
    ],
)
async def test_bad_keymap_file_warns_and_the_app_runs(
    app_path: Path, tmp_path: Path, monkeypatch, text: str, said: str
) -> None:
    keymap = tmp_path / "keymap.toml"
    keymap.write_text(text, encoding="utf-8")
    monkeypatch.setenv("KODEVERK_KEYMAP", str(keymap))
    app = KodeverkApp(app_path, CODER, document_id=1, lang="en")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any(said in w and "\n" not in w for w in warnings), warnings
        await pilot.press("j", "1", "0")  # the app works
        await settle(pilot)
        assert codings(app_path) == 1
