"""A Footer that rebuilds its keys only when the keys it shows change. Textual's Footer
recomposes (unmounts and mounts every key, restyling each) on every bindings update, which
includes each focus change: on the review screen that was most of what enter and escape cost,
though the keys shown stayed the same."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[tuple[str, str, str, bool], ...] | None = None

    def bindings_changed(self, screen: Screen) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            shown = _shown(screen)
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)


def _shown(screen: Screen) -> tuple[tuple[str, str, str, bool], ...]:
    """What the footer shows of the screen's active bindings: key, action, description, and
    whether enabled (the command palette's key included)."""
    return tuple(
        (binding.key, binding.action, binding.description, enabled)
        for _node, binding, enabled, _tooltip in screen.active_bindings.values()
        if binding.show or binding.key == screen.app.COMMAND_PALETTE_BINDING
    )
