"""Import a file or folder from inside the app: a path, then a progress bar while it is read.

The import runs in a worker thread on its own connection (``corpus.importer.import_files``: all
files are read first and written in one transaction, so a bad file leaves the project as it was).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, ProgressBar

from coding.errors import KodeverkError
from coding.store import Project
from tui.i18n import Localized, Section
from tui.keymap import screen_bindings
from tui.widgets.footer import Footer

TEXT = Section("import")
STAGES = ("reading", "segmenting", "writing")


class ImportScreen(Localized, ModalScreen[int | None]):
    """Dismisses with the number of documents imported, or None (escape)."""

    BINDINGS: ClassVar[list[BindingType]] = screen_bindings("import_dialog")

    def __init__(self, project: Project) -> None:
        super().__init__()
        self.project = project
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(TEXT["title"], classes="dialog-title")
            yield Label(TEXT["hint"], classes="dim")
            yield Input(placeholder=TEXT["placeholder"], id="import-path")
            yield ProgressBar(id="import-progress", show_eta=False)
            yield Label("", id="import-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.running:
            return
        path = Path(event.value.strip()).expanduser()
        if not event.value.strip() or not path.exists():
            self._status(TEXT["missing"].format(path=event.value.strip() or "''"))
            return
        self.running = True
        self.query_one(Input).disabled = True
        self._import(path)

    @work(thread=True, exclusive=True, group="import")
    def _import(self, path: Path) -> None:
        from corpus.importer import expand_folders, import_files  # spaCy: only when importing

        try:
            files = list(expand_folders((path,)))
            with Project.open(self.project.path) as project:
                summary = import_files(project, files, progress=self._progress)
        except (KodeverkError, OSError) as exc:  # said in the dialog; nothing was written
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._finished, summary.documents, summary.segments)

    def _progress(self, stage: str, done: int, total: int) -> None:
        def show() -> None:
            self.query_one(ProgressBar).update(total=max(total, 1), progress=done)
            self._status(f"{TEXT['stage.' + stage] if stage in STAGES else stage} {done}/{total}")

        self.app.call_from_thread(show)

    def _status(self, text: str) -> None:
        self.query_one("#import-status", Label).update(text)

    def _failed(self, message: str) -> None:
        self.running = False
        self.query_one(Input).disabled = False
        self.query_one(Input).focus()
        self._status(message)

    def _finished(self, documents: int, segments: int) -> None:
        self.notify(TEXT["done"].format(documents=documents, segments=segments), timeout=4)
        self.dismiss(documents)

    def action_cancel(self) -> None:
        if not self.running:  # an import under way finishes: it is one transaction
            self.dismiss(None)
