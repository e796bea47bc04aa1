"""The progress bar of long commands (exports, imports, copies, merges)."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Advance(Protocol):
    def __call__(self, done: int, total: int | None = None) -> None: ...


@contextmanager
def progress_bar(total: int, label: str) -> Iterator[Advance]:
    """A rich progress bar on a terminal for long exports; silent otherwise (and then rich is
    not even imported: it costs a script ~50 ms of start-up)."""
    if not _stderr_may_be_terminal():
        yield _silent
        return
    from rich.console import Console
    from rich.progress import Progress

    console = Console(stderr=True)
    with Progress(console=console, transient=True, disable=not console.is_terminal) as bar:
        task = bar.add_task(label, total=total or None)

        def advance(done: int, total: int | None = None) -> None:
            """Advance by ``done``; with ``total``, ``done`` is the count so far."""
            if total is None:
                bar.advance(task, done)
            else:
                bar.update(task, completed=done, total=total)

        yield advance


def _silent(done: int, total: int | None = None) -> None:
    pass


def _stderr_may_be_terminal() -> bool:
    """False when rich would surely find stderr is no terminal (it honours these settings)."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE"):
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False
