"""A footer that composes its keys again only when the keys it shows change.

Textual's ``Footer`` composes all its keys anew whenever the screen publishes its bindings,
which it does on every move of the focus (a list and its filter): on the overview and the
answer grid that was most of what ``/``, ``enter`` or ``escape`` cost.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


def shown_keys(screen: Screen) -> tuple:
    """What the footer draws from the screen's bindings (a binding shown, or the palette's)."""
    palette = screen.app.COMMAND_PALETTE_BINDING
    return tuple(
        (key, binding.key, binding.action, binding.description, enabled, tooltip)
        for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
        if binding.show or key == palette
    )


class SteadyFooter(Footer):
    """``Footer`` that skips composing when the keys it would show are those it shows."""

    _shown: tuple | None = None

    def bindings_changed(self, screen: Screen) -> None:
        will_compose = screen.app.app_focus and self.is_attached and screen is self.screen
        if will_compose:
            shown = shown_keys(screen)
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
        super().bindings_changed(screen)
