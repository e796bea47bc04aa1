"""A footer that keeps its key widgets and only shows or hides them when the keys change.

Textual's ``Footer`` composes all its keys anew whenever the screen publishes its bindings,
which it does on every move of the focus (a list and its filter): on the overview and the
answer grid that was most of what ``/``, ``enter`` or ``escape`` cost (a dozen widgets removed,
a dozen mounted and styled). This footer composes the keys of every state it has shown, in one
order, and hides those not in force: going back and forth between the list and its filter
only hides and shows them. It composes again only for a key it has not shown yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import ComposeResult
from textual.geometry import Size
from textual.screen import Screen
from textual.widgets._footer import FooterKey

from tui.widgets.footer import Footer

# one key as the footer draws it: key, key display, description, action, enabled, tooltip,
# and whether it is the command palette's (docked at the right)
Entry = tuple[str, str, str, str, bool, str, bool]


def shown_keys(screen: Screen) -> tuple:
    """What the footer draws from the screen's bindings (a binding shown, or the palette's)."""
    palette = screen.app.COMMAND_PALETTE_BINDING
    return tuple(
        (key, binding.key, binding.action, binding.description, enabled, tooltip)
        for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
        if binding.show or key == palette
    )


def footer_entries(screen: Screen, with_palette: bool) -> list[Entry] | None:
    """The keys ``Footer.compose`` would draw, in its order (one per action, the palette's
    last); None when a binding group would draw them grouped (left to ``Footer``)."""
    app = screen.app
    active = screen.active_bindings
    entries: dict[str, Entry] = {}
    for _, binding, enabled, tooltip in active.values():
        if not binding.show:
            continue
        if binding.group is not None:
            return None
        if binding.action not in entries:
            display = app.get_key_display(binding)
            entries[binding.action] = (
                binding.key,
                display,
                binding.description,
                binding.action,
                enabled,
                tooltip,
                False,
            )
    found = list(entries.values())
    if with_palette and app.COMMAND_PALETTE_BINDING in active:
        _, binding, enabled, _ = active[app.COMMAND_PALETTE_BINDING]
        tip = binding.tooltip or binding.description
        found.append(
            (binding.key, app.get_key_display(binding), binding.description, binding.action,
             enabled, tip, True)
        )  # fmt: skip
    return found


def merged(new: list[Entry], known: Iterable[Entry]) -> list[Entry]:
    """``new`` in its order, with the other ``known`` entries each after the entry it
    followed (so that either list stays a subsequence of the result)."""
    result = list(new)
    placed = set(new)
    after: Entry | None = None
    for entry in known:
        if entry not in placed:
            at = result.index(after) + 1 if after is not None else 0
            result.insert(at, entry)
            placed.add(entry)
        after = entry
    return result


def is_subsequence(wanted: list[Entry], order: list[Entry]) -> bool:
    it = iter(order)
    return all(any(entry == have for have in it) for entry in wanted)


class SteadyFooterKey(FooterKey):
    """A key of the footer whose first layout is its only one (see ``SteadyFooter``)."""

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)


class SteadyFooter(Footer):
    """``Footer`` whose keys stay mounted: a change of focus shows and hides them.

    The layout that places the keys shown gives the footer (and a key shown for the first
    time) a new virtual size: Textual then laid the screen out a second time, a frame later.
    Neither scrolls (the footer's scroll bars are of size 0), so the new size is only noted.
    """

    _shown: tuple | None = None
    _order: list[Entry]  # the entries composed, in their order
    _wanted: list[Entry] | None = None  # those in force (None: Footer's own compose)

    def __init__(self, *, keys_at_compose: bool = False, **kwargs: Any) -> None:
        """``keys_at_compose``: compose the screen's keys with the footer, as they are before
        any widget has the focus (a screen whose focused widget adds no shown keys): they are
        in the first frame, and no second compose and layout follows (issue 13). Otherwise
        Textual's way: an empty footer until the screen publishes its bindings."""
        super().__init__(**kwargs)
        self._keys_at_compose = keys_at_compose

    def bindings_changed(self, screen: Screen) -> None:
        will_compose = screen.app.app_focus and self.is_attached and screen is self.screen
        if will_compose:
            shown = shown_keys(screen)
            if shown == self._shown and self._bindings_ready:
                return
            self._shown = shown
            wanted = footer_entries(screen, self._with_palette())
            order = getattr(self, "_order", [])
            if (
                self._bindings_ready
                and wanted is not None
                and self._wanted is not None
                and is_subsequence(wanted, order)
            ):
                self._wanted = wanted
                self._show(set(wanted))
                return
            self._wanted = wanted
            self._order = merged(wanted, order) if wanted is not None else []
        super().bindings_changed(screen)

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        return super()._size_updated(size, virtual_size, container_size, layout=False)

    def _with_palette(self) -> bool:
        return self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE

    def _show(self, wanted: set[Entry]) -> None:
        """Hide the keys not in force (an inline ``display: none``, marked ``-off``) and give
        the others back their display from the CSS (the palette's hint stays as app.tcss has
        it). No class that CSS matches changes: restyling each key cost more than the rest."""
        for key in self.query_children(FooterKey):
            off = getattr(key, "entry", None) not in wanted
            key.set_class(off, "-off", update=False)
            # the rule alone: ``styles.display`` asks each key for a layout of its own, and
            # those asked after the footer's were a second layout, a frame later
            if off:
                key.styles.set_rule("display", "none")
            else:
                key.styles.clear_rule("display")
        self._clear_arrangement_cache()  # what a key's own layout would have cleared
        self.refresh(layout=True)

    def _take_keys(self, screen: Screen) -> None:
        """What ``bindings_changed`` notes, from the screen's bindings now."""
        self._shown = shown_keys(screen)
        self._wanted = footer_entries(screen, self._with_palette())
        self._order = list(self._wanted or [])
        self.set_reactive(Footer._bindings_ready, True)

    def compose(self) -> ComposeResult:
        if self._keys_at_compose and not self._bindings_ready and self.is_attached:
            self._take_keys(self.screen)
        if not self._bindings_ready or self._wanted is None:
            yield from super().compose()
            return
        wanted = set(self._wanted)
        for entry in self._order:
            key, display, description, action, enabled, tooltip, palette = entry
            widget = SteadyFooterKey(
                key,
                display,
                description,
                action,
                disabled=not enabled,
                tooltip=tooltip,
                # the palette's key is compact (FooterKey's default, not bound to the
                # footer): born with the class, its watcher at mount restyles nothing
                classes="-command-palette -compact" if palette else "",
            )
            if not palette:
                # born with the footer's value: binding then changes nothing (no restyle of
                # every key at mount, ~18 ms of the first paint)
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.data_bind(compact=Footer.compact)
            widget.entry = entry  # type: ignore[attr-defined]
            if entry not in wanted:
                widget.set_class(True, "-off", update=False)
                widget.styles.display = "none"
            yield widget
