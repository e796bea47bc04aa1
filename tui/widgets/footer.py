"""Textual's Footer, less a leak: every recompose (each time the screen's bindings change, so
at every push and pop over the screen) makes new FooterKeys bound to the footer's ``compact``,
and the old keys stay in the footer's watchers until ``compact`` next changes, which it never
does here. Each visit to a screen left the keys of the screen underneath alive with their
styles caches (issue 13)."""

from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    """The footer of every kodeverk screen: recomposes, then forgets the keys it removed."""

    async def recompose(self) -> None:
        await super().recompose()
        self._forget_removed_keys()
        # the arrangements of the keys removed (cleared by a key's own layout, which showing
        # and hiding keys no longer asks for: SteadyFooter._show)
        self._clear_arrangement_cache()

    def _forget_removed_keys(self) -> None:
        # Textual keeps reactive watchers in the watched object's "__watchers" and drops a
        # watcher whose node is closing only when the watched value changes.
        for watchers in getattr(self, "__watchers", {}).values():
            watchers[:] = [(node, callback) for node, callback in watchers if node.is_attached]
