"""The user's keymap file: binding ids to keys, as Posting does.

``$KODEVERK_KEYMAP``, else ``$XDG_CONFIG_HOME/kodeverk/keymap.toml`` (``~/.config/...``)::

    [keymap]
    "coding.undo" = "ctrl+z"

Applied with Textual's ``App.set_keymap``. A bad file is reported (file and line), not fatal.
"""

from __future__ import annotations

import functools
import importlib
import os
import tomllib
from collections.abc import Sequence
from pathlib import Path

from textual.binding import BindingType

from tui.i18n import Section, bind

DEFAULTS = Path(__file__).with_name("keys.toml")  # package data: the default bindings

SCREEN_MODULES = (
    "tui.app",
    "tui.screens.overview",
    "tui.screens.coding",
    "tui.screens.answers",
    "tui.screens.codebook_editor",
    "tui.screens.review",
    "tui.screens.prevalence",
    "tui.screens.matrix",
    "tui.screens.goals",
    "tui.screens.picker",
    "tui.screens.search",
    "tui.screens.memo",
    "tui.screens.confirm",
    "tui.screens.anonymise",
    "tui.screens.coder_pairs",
    "tui.screens.help",
    "tui.screens.import_dialog",
    "tui.widgets.document_table",
)


@functools.cache
def _defaults() -> dict[str, dict[str, dict]]:
    return tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))


def screen_bindings(screen: str) -> list[BindingType]:
    """The default bindings of ``screen`` (a table of tui/keys.toml), in the file's order."""
    return [
        bind(
            binding_id,
            entry["keys"],
            entry["action"],
            entry.get("text"),
            show=entry.get("show", True),
            priority=entry.get("priority", False),
        )
        for binding_id, entry in _defaults()[screen].items()
    ]


def palette_actions(screen: str) -> tuple[str, ...]:
    """The actions ``screen`` offers in the command palette (the table [palette] of keys.toml)."""
    return tuple(_defaults()["palette"][screen])


def palette_entries(
    screen: object, text: Section, actions: Sequence[str]
) -> list[tuple[str, str, object]]:
    """Command palette entries: each action's title and help (``cmd.<action>`` and
    ``cmd.<action>.help`` of the screen's catalogue ``text``) and its method on ``screen``."""
    return [
        (text[f"cmd.{name}"], text[f"cmd.{name}.help"], getattr(screen, f"action_{name}"))
        for name in actions
    ]


def keymap_path() -> Path:
    if os.environ.get("KODEVERK_KEYMAP"):
        return Path(os.environ["KODEVERK_KEYMAP"])
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "kodeverk" / "keymap.toml"


def binding_ids() -> set[str]:
    """Every binding id of the app's screens and widgets."""
    ids: set[str] = set()
    for name in SCREEN_MODULES:
        module = importlib.import_module(name)
        for value in vars(module).values():
            for binding in getattr(value, "BINDINGS", None) or []:
                if getattr(binding, "id", None) and getattr(value, "__module__", "") == name:
                    ids.add(binding.id)
    return ids


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], list[str]]:
    """The keymap in ``path`` (default :func:`keymap_path`) and its problems, one line each
    naming the file and line. A missing file is an empty keymap."""
    path = path or keymap_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"{path}: {exc}"]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {}, [f"{path}: {exc}"]
    table = data.get("keymap", {})
    if not isinstance(table, dict):
        return {}, [f"{path}:{_line_of(text, 'keymap')}: [keymap] must be a table"]
    known = binding_ids()
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding_id, keys in table.items():
        where = f"{path}:{_line_of(text, binding_id)}"
        if binding_id not in known:
            problems.append(f"{where}: unknown binding id {binding_id!r}")
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(f'{where}: keys for {binding_id!r} must be a string like "ctrl+z"')
        else:
            keymap[binding_id] = keys.replace(" ", "")
    return keymap, problems


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1
