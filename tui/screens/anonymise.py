"""Mark the selection «anonymiser»: exports print a replacement instead of it."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label

from tui.i18n import Localized, Section
from tui.keymap import screen_bindings
from tui.widgets.footer import Footer

TEXT = Section("anon")
CHOICES = {"1": "[navn]", "2": "[kommune]", "3": "[sted]"}


class AnonymiseScreen(Localized, ModalScreen[str | None]):
    """Dismisses with the replacement, or None (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("anonymise")

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text if len(text) <= 60 else text[:57] + "…"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(TEXT["title"].format(text=self.text), classes="dialog-title")
            # disabled until «c», so that 1, 2, 3 choose instead of typing into it
            yield Input(placeholder=TEXT["placeholder"], id="anonymise-replacement", disabled=True)
            yield Label(TEXT["keys"], classes="dim")
        yield Footer()

    def action_choose(self, key: str) -> None:
        self.dismiss(CHOICES[key])

    def action_custom(self) -> None:
        field = self.query_one(Input)
        field.disabled = False
        field.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        self.dismiss(value or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
