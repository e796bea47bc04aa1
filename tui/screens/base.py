"""The one error handler of every screen: a domain call that raises ``KodeverkError`` becomes a
notification (a project file gone from disk goes to the app, which says it once). Also what the
screens share: ``ProjectScreen`` (a project and a coder), ``DialogScreen`` (a modal with a title)
and ``step_back`` (escape on the coding screens)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Label

from coding.errors import KodeverkError, ProjectGone
from coding.store import Project
from tui.i18n import Localized
from tui.messages import FileGone
from tui.shortcuts import KeyState
from tui.widgets.footer import Footer

T = TypeVar("T")
D = TypeVar("D")  # what a dialog dismisses with


class Refused:
    """What ``call_domain`` returns when the domain refused: ``if result is REFUSED: return``."""

    def __repr__(self) -> str:
        return "REFUSED"


REFUSED: Final = Refused()


if TYPE_CHECKING:
    _ScreenBase = Screen
else:  # a mixin: the screen class itself derives from Screen or ModalScreen
    _ScreenBase = object


class DomainActions(_ScreenBase):
    """Mixed into a screen: ``call_domain(function, *args)`` calls the domain and turns its
    errors into a notification; ``refused`` is the one place that happens."""

    def call_domain(self, operation: Callable[..., T], *args: Any, **kwargs: Any) -> T | Refused:
        try:
            return operation(*args, **kwargs)
        except KodeverkError as exc:
            self.refused(exc)
            return REFUSED

    def refused(self, exc: KodeverkError, **notify: Any) -> None:
        if isinstance(exc, ProjectGone):
            self.post_message(FileGone(exc))
        else:
            self.notify(str(exc), severity="error", **notify)


class ProjectScreen(Localized, DomainActions, Screen):
    """A full screen of one project, for one coder: the overview and what opens from it."""

    def __init__(self, project: Project, coder: str) -> None:
        super().__init__()
        self.project = project
        self.coder = coder

    _resumed = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Before Textual's: the first time, the screen's widgets were styled as they mounted
        just now; Textual styles all of them again (issue 13). Later resumes restyle (the
        theme may have changed meanwhile)."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def _screen_resized(self, size: Size) -> None:
        """Textual lays the whole screen out again on every resize event, also one of the size
        it has (two arrive as the app starts: a second and third layout and full frame of a
        screen opened on start, issue 13). Only a new size needs one; other changes ask for
        their own layout. The compositor's size is the one last laid out (the screen's own
        size already has the new one when the event arrives)."""
        if size != self._compositor.size:
            super()._screen_resized(size)


def step_back(screen: Screen, keys: KeyState, main: Widget, show: Callable[[], None]) -> bool:
    """escape's first steps on a coding screen: drop a half-typed code (then ``show``), else
    bring the focus back to ``main``. False when neither was needed."""
    if keys.pending:
        keys.cancel()
        show()
        return True
    if screen.focused is not main:
        main.focus()
        return True
    return False


class DialogScreen(Localized, ModalScreen[D]):
    """A modal dialog: its title over its ``body``, the footer under it."""

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield from self.body()
        yield Footer()

    def body(self) -> ComposeResult:
        raise NotImplementedError
