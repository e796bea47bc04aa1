"""The one error handler of every screen: a domain call that raises ``KodeverkError`` becomes a
notification (a project file gone from disk goes to the app, which says it once)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Final, TypeVar

from textual.screen import Screen

from coding.errors import KodeverkError, ProjectGone
from tui.messages import FileGone

T = TypeVar("T")


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
