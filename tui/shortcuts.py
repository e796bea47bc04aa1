"""Keys for the whole codebook, the same on the coding screen and the answer grid.

- A code with a shortcut digit ``D`` and no children: ``D`` applies it (one key).
- A code with a shortcut ``D`` and children: ``D`` waits for a second key (shown as «D…»);
  ``D`` then ``1``–``9`` applies its first nine children in order, ``D`` then ``0`` (or
  ``enter``) applies the code itself.
- ``.`` repeats the last code used; ``alt+1``…``alt+5`` apply the «recent codes» (last five).
Kept free of Textual so the scheme can be tested on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

RECENT = 5
SELF = "0"  # after a prefix: the code itself


class CodeLike(Protocol):
    id: int
    parent_id: int | None
    shortcut: str | None
    ordinal: int


@dataclass
class KeyMap:
    """Key sequences ("1", "12") to code ids, and the sequences that wait for a second key."""

    codes: dict[str, int] = field(default_factory=dict)
    prefixes: set[str] = field(default_factory=set)
    keys_of: dict[int, str] = field(default_factory=dict)


def build_keymap(codes: Sequence[CodeLike]) -> KeyMap:
    keymap = KeyMap()
    children: dict[int, list[CodeLike]] = {}
    for code in codes:
        if code.parent_id is not None:
            children.setdefault(code.parent_id, []).append(code)
    for code in codes:
        key = code.shortcut
        if not key or key in keymap.codes:
            continue
        keymap.codes[key] = code.id
        keymap.keys_of[code.id] = key  # its own digit: one key beats two
        kids = sorted(children.get(code.id, []), key=lambda c: c.ordinal)[:9]
        if kids:
            keymap.prefixes.add(key)
            for number, kid in enumerate(kids, start=1):
                keymap.codes[f"{key}{number}"] = kid.id
                keymap.keys_of.setdefault(kid.id, f"{key}{number}")
    return keymap


@dataclass
class KeyState:
    """The pending first key of a two-key shortcut and the recent codes (newest first)."""

    keymap: KeyMap
    pending: str = ""
    recent: list[int] = field(default_factory=list)

    def press(self, digit: str) -> int | str | None:
        """A digit: a code id to apply, the pending prefix (a str) to show, or None."""
        sequence = self.pending + digit
        if self.pending and digit == SELF:
            sequence = self.pending
        elif not self.pending and sequence in self.keymap.prefixes:
            self.pending = sequence
            return sequence
        self.pending = ""
        return self.keymap.codes.get(sequence)

    def confirm(self) -> int | None:
        """``enter`` while a prefix waits: the prefix's own code."""
        sequence, self.pending = self.pending, ""
        return self.keymap.codes.get(sequence) if sequence else None

    def cancel(self) -> None:
        self.pending = ""

    def used(self, code_id: int) -> None:
        self.recent[:] = [code_id, *[c for c in self.recent if c != code_id]][:RECENT]

    def recent_code(self, index: int) -> int | None:
        return self.recent[index] if 0 <= index < len(self.recent) else None
