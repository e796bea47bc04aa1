"""The codebook editor: add, rename, move, recolour, set shortcuts, merge and delete codes.

Changes go through ``coding.codes`` (journalled, one transaction each); merging moves the codings
to the target, deleting asks first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.widgets import Header, Static

from coding.codes import (
    CodeRow,
    code_counts,
    delete_code,
    list_codes,
    merge_codes,
    move_code,
    rename_code,
    set_code_colour,
    set_code_shortcut,
)
from coding.store import Project
from tui.i18n import Section
from tui.keymap import screen_bindings
from tui.screens.base import ProjectScreen, Refused
from tui.screens.confirm import ConfirmScreen, PromptScreen
from tui.screens.picker import PickerScreen
from tui.widgets.code_tree import CodeTree
from tui.widgets.footer import Footer

TEXT = Section("cb")


def top_level() -> CodeRow:
    """The picker's entry for «no parent»."""
    return CodeRow(0, "", TEXT["top_level"], None, None, None, "", "", "", "default", None)


class CodebookEditorScreen(ProjectScreen):
    """Edit the codebook. Codings are never lost: merge moves them, delete asks first."""

    HELP_TITLE = "screen.codebook"
    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("codebook_editor")

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__(project, coder)
        self.codes: list[CodeRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield CodeTree(id="editor-tree")
            yield Static(id="code-details")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = TEXT["sub_title"].format(coder=self.coder)
        self.query_one(CodeTree).per_document = False
        self.reload()
        self.query_one(CodeTree).focus()

    def reload(self, select: int | None = None) -> None:
        tree = self.query_one(CodeTree)
        current = select if select is not None else tree.highlighted_code
        self.codes = list_codes(self.project)
        tree.show_codes(self.codes)
        tree.set_counts({}, code_counts(self.project))
        current = current or (self.codes[0].id if self.codes else None)
        if current:
            self.call_after_refresh(self._select, current)
        self._show_details()

    def _select(self, code_id: int) -> None:
        self.query_one(CodeTree).select_code(code_id)
        self._show_details()

    @property
    def code(self) -> CodeRow | None:
        code_id = self.query_one(CodeTree).highlighted_code
        return next((c for c in self.codes if c.id == code_id), None)

    def on_tree_node_highlighted(self) -> None:
        self._show_details()

    def _show_details(self) -> None:
        code = self.code
        details = self.query_one("#code-details", Static)
        if code is None:
            details.update(TEXT["empty"])
            return
        text = Text(code.name, style="bold")
        text.append(f"\n{code.path}\n", style="dim")
        text.append(TEXT["colour_key"].format(colour=code.colour, key=code.shortcut or "–") + "\n")
        text.append(TEXT["keywords"].format(words=", ".join(code.keywords) or "–") + "\n\n")
        text.append(code.description or TEXT["no_description"])
        details.update(text)

    # -- editing --------------------------------------------------------------------------------
    def _run(self, operation: Callable[..., Any], *args: Any, select: int | None = None) -> bool:
        """Call a ``coding.codes`` editing function (each takes the project, its arguments and
        ``coder=``), then redraw."""
        if isinstance(self.call_domain(operation, self.project, *args, coder=self.coder), Refused):
            return False
        self.reload(select)
        return True

    def _ask(self, question: str, value: str, then: Callable[[str], object]) -> None:
        def answered(answer: str | None) -> None:
            if answer is not None:
                then(answer.strip())

        self.app.push_screen(PromptScreen(question, value), answered)

    def action_add(self, as_child: bool) -> None:
        code = self.code
        parent = code.id if (as_child and code) else (code.parent_id if code else None)

        def add(name: str) -> None:
            from coding.codes import create_code

            if not name:
                return
            new_id = self.call_domain(
                create_code, self.project, name, parent_id=parent, coder=self.coder
            )
            if isinstance(new_id, Refused):
                return
            self.reload(new_id)

        self._ask(TEXT["ask_name"], "", add)

    def action_rename(self) -> None:
        if code := self._need_code():
            rename = lambda name: self._run(rename_code, code.id, name)  # noqa: E731
            self._ask(TEXT["ask_rename"], code.name, rename)

    def action_colour(self) -> None:
        if code := self._need_code():
            self._ask(
                TEXT["ask_colour"],
                code.colour,
                lambda colour: self._run(set_code_colour, code.id, colour),
            )

    def action_shortcut(self) -> None:
        if code := self._need_code():
            self._ask(
                TEXT["ask_key"],
                code.shortcut or "",
                lambda key: self._run(set_code_shortcut, code.id, key or None),
            )

    def action_move(self) -> None:
        if code := self._need_code():
            choices = [top_level(), *[c for c in self.codes if c.id != code.id]]

            def move(parent: int | None) -> None:
                if parent is not None:
                    self._run(move_code, code.id, parent or None, select=code.id)

            self.app.push_screen(
                PickerScreen(choices, TEXT["move_under"].format(name=code.name)), move
            )

    def action_merge(self) -> None:
        if code := self._need_code():
            choices = [c for c in self.codes if c.id != code.id]

            def merge(target: int | None) -> None:
                if target is not None:
                    self._run(merge_codes, code.id, target, select=target)

            self.app.push_screen(
                PickerScreen(choices, TEXT["merge_into"].format(name=code.name)), merge
            )

    def action_delete(self) -> None:
        if code := self._need_code():
            from coding.codes import delete_impact

            codes, codings = delete_impact(self.project, code.id)

            def delete(yes: bool | None) -> None:
                if yes:
                    self._run(delete_code, code.id)

            question = TEXT["delete"].format(name=code.name, codes=codes, codings=codings)
            self.app.push_screen(ConfirmScreen(question), delete)

    def _need_code(self) -> CodeRow | None:
        code = self.code
        if code is None:
            self.notify(TEXT["no_code"])
        return code

    def action_back(self) -> None:
        self.dismiss()
