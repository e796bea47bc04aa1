"""Help: the keys of the screen it was opened from, generated from that screen's bindings."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

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
    seen: set[str] = set()
    for binding in screen.BINDINGS:
        if not isinstance(binding, Binding) or not binding.description:
            continue
        if binding.description in seen:
            continue
        seen.add(binding.description)
        table.add_row(binding.key.replace(",", " "), binding.description)
    for key, text in GENERAL:
        table.add_row(key, text)
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark,f1", "close", "Close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.source = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog"):
            yield Label(
                f"Keys: {self.source.title or type(self.source).__name__}", classes="dialog-title"
            )
            yield Static(key_table(self.source))
            if self.source.__doc__:
                yield Static(self.source.__doc__.strip(), classes="dim")

    def action_close(self) -> None:
        self.dismiss(None)
