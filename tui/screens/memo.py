"""Write or edit a memo (on a coding or a document) in a modal text area."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.widgets import Label, TextArea

from tui.i18n import Section
from tui.keymap import screen_bindings
from tui.screens.base import DialogScreen


class MemoScreen(DialogScreen[str | None]):
    """Dismisses with the text (ctrl+s; empty text deletes the memo) or None (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("memo")

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__(title)
        self.text = text

    def body(self) -> ComposeResult:
        yield TextArea(self.text, id="memo-text", soft_wrap=True)
        yield Label(Section("memo")["keys"], classes="dim")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
