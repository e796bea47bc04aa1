"""Help: the keys of the screen it was opened from, generated from that screen's bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, Static

GENERAL = [
    ("ctrl+p", "command palette: every command by name"),
    ("?  f1", "this help"),
    ("escape", "back / close"),
    ("ctrl+q", "quit (everything is already saved)"),
]


def key_table(screen: Screen) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1))
    table.add_column(style="bold")
    table.add_column()
    keys_of: dict[str, list[str]] = {}  # description -> keys, in binding order
    for binding in screen.BINDINGS:
        if isinstance(binding, Binding) and binding.description:
            keys_of.setdefault(binding.description, []).extend(binding.key.split(","))
    for description, keys in keys_of.items():
        table.add_row(_key_names(keys), description)
    for key, text in GENERAL:
        table.add_row(key, text)
    return table


KEY_SIGNS = {"right_square_bracket": "]", "left_square_bracket": "[", "slash": "/"}


def _key_names(keys: list[str]) -> str:
    if len(keys) > 2 and all(k.isdigit() for k in keys):
        return f"{keys[0]}–{keys[-1]}"
    return " ".join(KEY_SIGNS.get(k, k) for k in keys)


def screen_title(screen: Screen) -> str:
    """A screen's name for people: its HELP_TITLE, else the class name without "Screen"."""
    name = getattr(screen, "HELP_TITLE", "") or type(screen).__name__.removesuffix("Screen")
    return name or type(screen).__name__


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.source = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(f"Keys: {screen_title(self.source)}", classes="dialog-title")
            yield Static(key_table(self.source))
            if self.source.__doc__:
                yield Static(self.source.__doc__.strip(), classes="dim")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
