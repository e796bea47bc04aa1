"""A click group that imports a command's module only when that command is needed.

Keeps ``kodeverk COMMAND`` fast (spaCy and Textual load only when a command needs them) and lets
each command live in a module of its own. Each entry is ``name: "module:attribute"``. A
command's help summary is written once, as the first sentence of its docstring; ``kodeverk
--help`` reads it from the module's source (without importing it, so help stays fast) the way
click would (tests/test_cli_grammar.py checks both give the same).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from typing import Any

import click


class LazyGroup(click.Group):
    def __init__(
        self, *args: Any, lazy_commands: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        # args and kwargs: click.Group's own, passed on as they are
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            return self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [(name, self.summary(ctx, name, limit)) for name in names]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def summary(self, ctx: click.Context, cmd_name: str, limit: int = 45) -> str:
        """The command's summary from its docstring in the source, or from the loaded command."""
        if cmd_name in self.lazy_commands:
            doc = _source_docstring(*self._target(cmd_name))
            if doc is not None:
                return click.Command(cmd_name, help=doc).get_short_help_str(limit)
        command = self.get_command(ctx, cmd_name)
        return command.get_short_help_str(limit) if command else ""

    def _target(self, cmd_name: str) -> tuple[str, str]:
        target = self.lazy_commands[cmd_name]
        if isinstance(target, tuple):  # the old ("module:attr", "summary") form: summary unused
            target = target[0]
        module_name, attr = target.split(":")
        return module_name, attr

    def _load(self, cmd_name: str) -> click.Command:
        module_name, attr = self._target(cmd_name)
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}:{attr} is not a click command")
        return command


def _source_docstring(module_name: str, function: str) -> str | None:
    """The docstring of the top-level function ``function`` (a decorated command) in the
    module's source; None when it cannot be found that way (then the command is loaded)."""
    spec = importlib.util.find_spec(module_name)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return None
    with open(spec.origin, encoding="utf-8") as handle:
        tree = _function_tree(handle.read(), function)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            if any(_sets_help(d) for d in node.decorator_list):
                return None
            return ast.get_docstring(node, clean=False)
    return None


def _function_tree(source: str, function: str) -> ast.Module:
    """The top-level function ``function`` with its decorators, parsed alone (parsing every
    command module whole made `kodeverk --help` spend ~50 ms in the parser); the whole
    module when that piece is not found or does not parse."""
    found = re.search(rf"^def {re.escape(function)}\(", source, re.MULTILINE)
    if found is not None:
        blank = source.rfind("\n\n", 0, found.start())  # the blank line above
        start = blank + 2 if blank >= 0 else 0
        end = _TOP_LEVEL.search(source, found.end())  # the next top-level line
        try:
            return ast.parse(source[start : end.start() if end else len(source)])
        except SyntaxError:
            pass
    return ast.parse(source)


_TOP_LEVEL = re.compile(r"^[^\s)#]", re.MULTILINE)  # not a signature's closing line


def _sets_help(decorator: ast.expr) -> bool:
    """A ``command``/``group`` decorator that passes ``help=`` or ``short_help=`` itself (then
    load the command). An option's ``help=`` is the option's: it does not count."""
    if not isinstance(decorator, ast.Call):
        return False
    func = decorator.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("command", "group") and any(
        k.arg in ("help", "short_help") for k in decorator.keywords
    )
