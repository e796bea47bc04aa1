"""Errors a user sees as one line. Every domain package raises these, the CLI prints them."""


class KodeverkError(Exception):
    """A problem the user can act on: the message says what and where, in one line."""


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


def damaged_file(exc: BaseException) -> bool:
    """SQLite met a damaged page while reading (opening reads only the first ones)."""
    import sqlite3

    message = str(exc)
    return isinstance(exc, sqlite3.DatabaseError) and (
        "malformed" in message or "not a database" in message
    )
