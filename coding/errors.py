"""Errors a user sees as one line. Every domain package raises these, the CLI prints them."""

import re
import struct
import zipfile
import zlib

# Line breaks of any kind (str.splitlines' set): a message stays one line even when it quotes a
# file name or a library's message that holds one.
_LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line, shortened to ``limit`` characters."""
    text = _LINE_BREAKS.sub(" ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class KodeverkError(Exception):
    """A problem the user can act on: the message says what and where, in one line."""

    def __init__(self, *args: object) -> None:
        if len(args) == 1 and isinstance(args[0], str):
            args = (_LINE_BREAKS.sub(" ", args[0]),)
        super().__init__(*args)


class ProjectError(KodeverkError):
    """The project file cannot be opened or is not a kodeverk project."""


class CodingError(KodeverkError):
    """A coding operation was refused (bad span, unknown code or document, ...)."""


class InputError(KodeverkError):
    """An input file (transcript, table, codebook, exchange file) cannot be read; nothing
    was written."""


class CodebookError(KodeverkError):
    """A codebook is malformed or a codebook change was refused."""


class ProjectReadOnly(ProjectError):
    """The project cannot be written (read-only file, folder, side file or disk); reading works."""


class ProjectGone(ProjectError):
    """The project file was removed, moved or replaced on disk since it was opened: nothing more
    may be written through the old connection (SQLite would keep writing to the lost file)."""


class ProjectBusy(ProjectError):
    """Another process held the write lock for longer than the busy timeout; try again."""


class DiskError(ProjectError):
    """The disk refused a write (full, file size limit, I/O error); the action was not saved."""


# What third-party readers (zipfile, zlib, lxml, python-docx, openpyxl) raise on damaged input.
# Catch these only around the call into such a reader, never around our own code.
MALFORMED_INPUT: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,  # openpyxl: "File contains no valid workbook part"
    SyntaxError,  # lxml's XMLSyntaxError, xml.etree's ParseError
    LookupError,  # KeyError, IndexError
    TypeError,
    AttributeError,
    ValueError,  # UnicodeError too
    ArithmeticError,
    struct.error,
    NotImplementedError,
)


def describe(exc: BaseException) -> str:
    """A short one-line account of a library's exception, for an ``InputError`` message."""
    text = one_line(str(exc), 160)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def damaged_file(exc: BaseException) -> bool:
    """SQLite met a damaged page while reading (opening reads only the first ones)."""
    import sqlite3

    message = str(exc)
    return isinstance(exc, sqlite3.DatabaseError) and (
        "malformed" in message or "not a database" in message
    )
