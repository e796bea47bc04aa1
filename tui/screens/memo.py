"""Write or edit a memo (on a coding or a document) in a modal text area."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Label, TextArea

from tui.i18n import Localized, Section
from tui.keymap import screen_bindings


class MemoScreen(Localized, ModalScreen[str | None]):
    """Dismisses with the text (ctrl+s; empty text deletes the memo) or None (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("memo")

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield TextArea(self.text, id="memo-text", soft_wrap=True)
            yield Label(Section("memo")["keys"], classes="dim")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
