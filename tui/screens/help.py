"""Help: the keys in force on the screen it was opened from (after the user's keymap),
generated from that screen's bindings, in the app's language."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from tui.i18n import CATALOGUE, Localized, language, t, translate_map
from tui.keymap import screen_bindings
from tui.widgets.footer import Footer

GENERAL = [
    ("ctrl+p", "help.palette"),
    ("?  f1", "help.this"),
    ("escape", "help.back"),
    ("ctrl+q", "help.quit"),
]


def bindings_in_force(screen: Screen) -> list[tuple[str, str]]:
    """(key, description) of the screen's bindings, with the app's keymap applied."""
    keymap: dict[str, str]
    if isinstance(screen, type):  # a screen class: its declared bindings, no keymap
        declared_map = screen._merged_bindings
        if declared_map is None:
            return []
        bindings = declared_map.copy()
        translate_map(bindings)
        keymap = {}
    else:
        bindings = screen._bindings.copy()
        keymap = getattr(screen.app, "_keymap", {}) if screen.is_attached else {}
    if keymap:
        bindings.apply_keymap(keymap)
    merged = screen._merged_bindings
    declared = merged.key_to_bindings.values() if merged else []
    order = {b.id or b.action: n for n, b in enumerate(b for bs in declared for b in bs)}
    pairs = [
        (order.get(b.id or b.action, len(order)), key, b.description)
        for key, bs in bindings.key_to_bindings.items()
        for b in bs
        if b.description and b.id
    ]
    return [(key, description) for _, key, description in sorted(pairs, key=lambda p: p[0])]


def key_table(screen: Screen) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1))
    table.add_column(style="bold")
    table.add_column()
    keys_of: dict[str, list[str]] = {}  # description -> keys, in binding order
    for key, description in bindings_in_force(screen):
        keys_of.setdefault(description, []).append(key)
    for description, keys in keys_of.items():
        table.add_row(_key_names(keys), description)
    for key, text in GENERAL:
        table.add_row(key, t(text))
    return table


KEY_SIGNS = {"right_square_bracket": "]", "left_square_bracket": "[", "slash": "/"}


def _key_names(keys: list[str]) -> str:
    if len(keys) > 2 and all(k.isdigit() for k in keys):
        return f"{min(keys)}–{max(keys)}"
    return " ".join(KEY_SIGNS.get(k, k) for k in keys)


def screen_title(screen: Screen) -> str:
    """A screen's name for people: its HELP_TITLE (a catalogue key or a text), else the class
    name without "Screen"."""
    name = getattr(screen, "HELP_TITLE", "") or type(screen).__name__.removesuffix("Screen")
    return CATALOGUE[language()].get(name, name) or type(screen).__name__


def screen_doc(screen: Screen) -> str:
    """A screen's description: its HELP_DOC catalogue key, else its docstring."""
    key = getattr(screen, "HELP_DOC", "")
    if key:
        return t(key)
    return (screen.__doc__ or "").strip() if language() == "en" else ""


class HelpScreen(Localized, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("help")

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.source = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(t("help.keys", screen=screen_title(self.source)), classes="dialog-title")
            yield Static(key_table(self.source))
            doc = screen_doc(self.source)
            if doc:
                yield Static(doc, classes="dim")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
