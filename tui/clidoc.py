"""Generate docs/cli.md and the README's command list from ``--help``: ``make docs``.

``python -m tui.clidoc`` rewrites both files; ``python -m tui.clidoc --check`` only compares
(exit 1 when either is stale). Help is rendered at a fixed width so the result does not depend
on the terminal.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
CLI_DOC = ROOT / "docs" / "cli.md"
README = ROOT / "README.md"
WIDTH = 80
START, END = "<!-- cli:start -->", "<!-- cli:end -->"

RULES = """\
## The grammar every command follows

- `PROJECT`, the project file a command works on, is always the first argument (also when the
  command creates it: `init`, `demo`).
- Every other file a command writes is `-o/--output PATH`. Older spellings still work and print
  a one-line notice on stderr: `agreement --csv F` and `prevalence --csv F` / `--xlsx F` (now
  `-o F`, the format from the suffix or `--format`), and the positional output of `copy`
  (`OUT`), `backup` (`DEST`), `codings export` and `codebook export` (`FILE`).
- `--json` is on every command that prints a result, and then stdout is one JSON document.
  (`open`, `serve` and `browse` run until stopped and print no result.)
- `--coder NAME` always means who you are (default `$KODEVERK_CODER`, then your login name):
  `open`, `copy`, `merge`. Whose codings a command counts is `--codings-of NAME|any|consensus`
  (`export`, `prevalence`, `matrix`, `goals`, `codebook show`); whose changes `log` lists is
  `--changes-by NAME`. On those commands the old `--coder` still works, with a notice.
- Exit status: 0 done; 1 the input or the project is wrong (`kodeverk: error: …`, one line
  naming what and where); 2 the command line is wrong (options that exclude each other, a bad
  value, a missing argument: `kodeverk: usage: …`, one line); 70 an internal error; 130
  interrupted.
"""


def walk(
    command: click.Command, ctx: click.Context
) -> Iterator[tuple[click.Command, click.Context]]:
    """Every command below ``command`` (itself first), sorted by name, with its context."""
    yield command, ctx
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is not None and not sub.hidden:
                yield from walk(sub, context(sub, name, ctx))


def context(command: click.Command, name: str, parent: click.Context | None) -> click.Context:
    settings = {**command.context_settings, "terminal_width": WIDTH, "max_content_width": WIDTH}
    return click.Context(command, info_name=name, parent=parent, **settings)


def root_context() -> tuple[click.Command, click.Context]:
    from tui.cli import cli

    return cli, context(cli, "kodeverk", None)


def cli_markdown() -> str:
    cli, ctx = root_context()
    parts = [
        "# The `kodeverk` command line\n",
        "Generated from `--help` by `make docs` (`python -m tui.clidoc`); do not edit by\n"
        "hand: change the command's docstring or options and run `make docs`.\n",
        RULES,
    ]
    for command, sub_ctx in walk(cli, ctx):
        parts.append(f"## `{sub_ctx.command_path}`\n\n```text\n{command.get_help(sub_ctx)}\n```\n")
    return "\n".join(parts)


def readme_list() -> str:
    """One line per command: its name and summary (the first sentence of its docstring)."""
    cli, ctx = root_context()
    lines = []
    for command, sub_ctx in walk(cli, ctx):
        if sub_ctx.parent is None:
            continue
        lines.append(f"- `{sub_ctx.command_path}`: {command.get_short_help_str(limit=200)}")
    return "\n".join(lines)


def readme_text(current: str) -> str:
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.S)
    if not pattern.search(current):
        raise SystemExit(f"{README}: no {START} … {END} block")
    block = f"{START}\n{readme_list()}\n{END}"
    return pattern.sub(lambda _: block, current, count=1)


def main(argv: list[str]) -> int:
    wanted = {CLI_DOC: cli_markdown(), README: readme_text(README.read_text(encoding="utf-8"))}
    stale = [p for p, text in wanted.items() if not p.exists() or p.read_text("utf-8") != text]
    if "--check" in argv:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run `make docs`", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.write_text(wanted[path], encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
