"""The app's one message catalogue: Norwegian bokmål by default, English by setting.

The language is chosen once per app (``KodeverkApp(lang=...)``, ``kodeverk open --lang``,
then ``$KODEVERK_LANG``, default ``nb``) and every screen, footer, help text and notification
looks its strings up here with :func:`t`. Binding descriptions in ``BINDINGS`` are catalogue
keys; :class:`Localized` translates them per instance, so a language set at runtime holds.
Reports (exports) have their own ``--lang`` and do not use this module.
"""

from __future__ import annotations

import dataclasses
import os
import string
from typing import Any, Protocol, TypedDict, Unpack

from textual.binding import Binding, BindingsMap

from tui.i18n_catalogue import CATALOGUE

__all__ = ["CATALOGUE", "Localized", "bind", "language", "set_language", "t"]

LANGUAGES = ("nb", "en")
DEFAULT = "nb"
_active: str | None = None


def resolve_language(lang: str | None = None) -> str:
    """``lang`` if given, else ``$KODEVERK_LANG``, else Norwegian bokmål."""
    chosen = (lang or os.environ.get("KODEVERK_LANG") or DEFAULT).strip().lower()
    if chosen not in LANGUAGES:
        raise ValueError(f"unknown language {chosen!r}: use one of {', '.join(LANGUAGES)}")
    return chosen


def set_language(lang: str | None) -> str:
    global _active
    _active = resolve_language(lang)
    return _active


def language() -> str:
    return _active or resolve_language(None)


def t(key: str, **fields: object) -> str:
    """The text of ``key`` in the active language, with ``{fields}`` filled in."""
    text = CATALOGUE[language()][key]
    return text.format(**fields) if fields else text


def fields_of(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


class HasBindings(Protocol):
    """A Textual node (app, screen, widget): what ``translate_bindings`` needs of it."""

    _bindings: BindingsMap


def translate_bindings(node: HasBindings) -> None:
    """Replace catalogue keys in a node's binding descriptions by their text."""
    translate_map(node._bindings)


def translate_map(bindings: BindingsMap) -> None:
    """Replace catalogue keys in a ``BindingsMap``'s descriptions by their text."""
    table = CATALOGUE[language()]
    by_key = bindings.key_to_bindings
    for key, entries in by_key.items():
        by_key[key] = [
            dataclasses.replace(b, description=table[b.description])
            if b.description in table
            else b
            for b in entries
        ]


class Localized:
    """Mixin for a screen or widget whose ``BINDINGS`` descriptions are catalogue keys."""

    _bindings: BindingsMap  # the screen's or widget's own

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # args and kwargs: the Screen's or Widget's own, passed on as they are
        super().__init__(*args, **kwargs)
        translate_bindings(self)


class BindingOptions(TypedDict, total=False):
    """The optional fields of a ``Binding`` that ``bind`` passes on."""

    show: bool
    key_display: str | None
    priority: bool
    tooltip: str
    system: bool


def bind(
    binding_id: str,
    keys: str,
    action: str,
    text: str | None = None,
    **kwargs: Unpack[BindingOptions],
) -> Binding:
    """A Binding with an id (for the keymap file) whose description is a catalogue key
    (``text``, else the id), translated by :class:`Localized` when the node is made."""
    return Binding(keys, action, text or binding_id, id=binding_id, **kwargs)


class Section:
    """A screen's block of the catalogue: ``TEXT["coded"]`` is ``t("grid.coded")`` (looked up
    when used, so the active language holds)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __getitem__(self, key: str) -> str:
        return CATALOGUE[language()][f"{self.prefix}.{key}"]
