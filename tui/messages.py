"""Messages the screens post to the app (they bubble up from the screen): what a screen asks of
the app, typed, instead of calling the app's methods."""

from __future__ import annotations

from textual.message import Message

from coding.errors import ProjectGone


class OpenDocument(Message):
    """Open the coding screen on a document (at the coder's remembered place when 0)."""

    def __init__(self, document_id: int, segment: int = 0) -> None:
        super().__init__()
        self.document_id = document_id
        self.segment = segment


class OpenScreen(Message):
    """Open one of the app's screens by name: codebook, review, prevalence, matrix, goals."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


class LeaveCoding(Message):
    """The coder leaves the coding screen (back to the overview)."""


class FileGone(Message):
    """The project file was removed or replaced on disk: the app says so once and shows that
    nothing more is saved."""

    def __init__(self, error: ProjectGone) -> None:
        super().__init__()
        self.error = error
