"""Rich's table, character for character, without importing rich (issue 13: importing rich and
laying out its table cost `kodeverk info` ~60 ms of its 150 ms).

``render`` gives the lines rich prints for ``print_table``'s tables (box HEAVY_HEAD, padding 1,
title wrapped at words and left-justified, italic title and bold header on a terminal) when
the table is one rich lays out without judgement: it fits the console, every cell is one line
of characters one column wide with no markup or emoji codes, there is a row, and the console
is an ordinary one. Otherwise it returns None and the caller asks rich
(tests/test_cli_startup.py compares the two on generated tables).
"""

from __future__ import annotations

import itertools
import os
import re
import sys
from collections.abc import Sequence
from typing import NamedTuple, TextIO


class TableText(NamedTuple):
    """A table as plain strings: its title, column headers, rows, and which columns are
    right-aligned (numbers)."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[str]]
    right: Sequence[bool]


ITALIC, BOLD, RESET = "\x1b[3m", "\x1b[1m", "\x1b[0m"
# Settings under which rich decides differently (forced colour, notebooks, odd terminals).
_RICH_ENVIRON = ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "JUPYTER_COLUMNS")
_WORD = re.compile(r"\s*\S+\s*")


def plain_text(text: str) -> bool:
    """One line of characters one column wide that rich prints as they are (no markup
    ``[``, no emoji codes ``:name:``, nothing beyond Latin letters)."""
    return (
        text.isprintable()
        and "[" not in text
        and ":" not in text
        and max(text, default="a") < "\u0300"
    )


def console_width(stream: TextIO) -> int | None:
    """The width rich's Console would use, or None where rich would decide otherwise."""
    if any(name in os.environ for name in _RICH_ENVIRON):
        return None
    if not (getattr(stream, "encoding", None) or "").lower().startswith("utf"):
        return None  # rich draws an ASCII box there
    if _isatty(stream) and os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
        return None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns)
    for fd in (0, 1, 2):  # rich asks stdin, stdout, stderr in turn
        try:
            width = os.get_terminal_size(fd).columns
        except (AttributeError, ValueError, OSError):
            continue
        return width or 80
    return 80


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def render(table: TableText, stream: TextIO | None = None) -> str | None:
    """The table as rich prints it to ``stream`` (sys.stdout), or None (see the module)."""
    title, columns, rows, right = table
    stream = sys.stdout if stream is None else stream
    width = console_width(stream)
    cells = [list(columns), *(list(row) for row in rows)]
    if (
        width is None
        or not rows
        or not columns
        or not plain_text(title)
        or title != " ".join(title.split())
        or not all(plain_text(cell) for row in cells for cell in row)
    ):
        return None
    widths = [max(len(row[i]) for row in cells) for i in range(len(columns))]
    table_width = sum(widths) + 3 * len(widths) + 1
    if table_width > width:
        return None
    styled = _isatty(stream)

    def line(left: str, middle: str, end: str, fill: str) -> str:
        return left + middle.join(fill * (w + 2) for w in widths) + end

    def row_line(row: list[str], edge: str, bold: bool) -> str:
        parts = []
        for text, w, to_right in zip(row, widths, right, strict=True):
            text = text.rjust(w) if to_right else text.ljust(w)
            parts.append(
                f"{BOLD} {RESET}{BOLD}{text}{RESET}{BOLD} {RESET}" if bold else f" {text} "
            )
        return edge + edge.join(parts) + edge

    out = [
        f"{ITALIC}{part}{RESET}" if styled else part
        for part in (p.ljust(table_width) for p in wrap(title, table_width))
    ]
    out.append(line("┏", "┳", "┓", "━"))
    out.append(row_line(cells[0], "┃", styled))
    out.append(line("┡", "╇", "┩", "━"))
    out.extend(row_line(row, "│", False) for row in cells[1:])
    out.append(line("└", "┴", "┘", "─"))
    return "\n".join(out) + "\n"


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width``, broken between words and long words folded,
    as rich's ``divide_line`` breaks a title (every character one column wide)."""
    breaks: list[int] = []
    offset = 0
    for match in _WORD.finditer(text):
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width:  # fold the word over lines of ``width``
            pieces = [word[i : i + width] for i in range(0, len(word), width)]
            for number, piece in enumerate(pieces):
                if start:
                    breaks.append(start)
                if number == len(pieces) - 1:
                    offset = len(piece)
                else:
                    start += len(piece)
        elif offset and start:
            breaks.append(start)
            offset = len(word)
    bounds = [0, *breaks, len(text)]
    return [_fit(text[a:b], width) for a, b in itertools.pairwise(bounds)] or [""]


def _fit(line: str, width: int) -> str:
    """A wrapped line without the spaces past ``width`` (rich's ``rstrip_end``)."""
    return line[:width] if len(line) > width and not line[width:].strip() else line
