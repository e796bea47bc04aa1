"""Small modal questions: yes/no, and one line of text."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

from tui.i18n import Localized, Section
from tui.keymap import screen_bindings
from tui.widgets.footer import Footer


class ConfirmScreen(Localized, ModalScreen[bool]):
    """Ask a yes/no question: ``y`` or enter on Yes confirms, ``n`` or escape declines."""

    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("confirm")

    def __init__(self, question: str, *, yes_first: bool = False) -> None:
        super().__init__()
        self.question = question
        self.yes_first = yes_first  # enter answers Yes (a harmless step such as moving on)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            with Horizontal(classes="buttons"):
                yield Button(Section("confirm")["yes"], id="yes", variant="error")
                yield Button(Section("confirm")["no"], id="no", variant="primary")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#yes" if self.yes_first else "#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class PromptScreen(Localized, ModalScreen[str | None]):
    """Ask for one line of text; enter submits, escape cancels (None)."""

    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("prompt")

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question = question
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.question, classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
