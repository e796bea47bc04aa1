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
