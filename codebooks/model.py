"""A codebook as plain data: a tree of code specifications, checked before it reaches a project.

Errors name the place: the file and line when the codebook came from YAML, else the code's path
in the tree, e.g. ``koder.yaml: line 14: code 'Mål 1/Brukerråd': goal 6 is not 1–5``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from coding.errors import CodebookError
from coding.groups import CodeGroup

COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
GOALS = range(1, 6)
DEFAULT_COLOUR = "#888888"


@dataclass
class CodeSpec:
    name: str
    goal: int | None = None
    description: str = ""
    include: str = ""
    exclude: str = ""
    colour: str = DEFAULT_COLOUR
    shortcut: str | None = None
    keywords: list[str] = field(default_factory=list)
    children: list[CodeSpec] = field(default_factory=list)
    guid: str | None = None
    line: int | None = field(default=None, compare=False)  # where it was read, for errors


@dataclass
class Codebook:
    name: str
    version: str = "1"
    codes: list[CodeSpec] = field(default_factory=list)
    source: str | None = field(default=None, compare=False)  # file it was read from
    groups: list[CodeGroup] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list, compare=False)  # what reading it found

    def walk(self) -> Iterator[tuple[str, CodeSpec]]:
        """Every code with its path, depth first."""
        yield from _walk(self.codes, "")

    def count(self) -> int:
        return sum(1 for _ in self.walk())


def _walk(codes: list[CodeSpec], prefix: str) -> Iterator[tuple[str, CodeSpec]]:
    for code in codes:
        path = prefix + code.name
        yield path, code
        yield from _walk(code.children, path + "/")


def where(codebook_source: str | None, line: int | None, path: str | None = None) -> str:
    """The location prefix of an error message."""
    parts = [codebook_source or "codebook"]
    if line is not None:
        parts.append(f"line {line}")
    if path:
        parts.append(f"code {path!r}")
    return ": ".join(parts)


def validate(codebook: Codebook) -> None:
    """Raise ``CodebookError`` at the first problem: empty or duplicate names under one parent,
    a goal outside 1–5, a bad colour, duplicate shortcuts or GUIDs."""
    if not codebook.codes:
        raise CodebookError(f"{where(codebook.source, None)}: the codebook has no codes")
    _check_siblings(codebook, codebook.codes, "")
    shortcuts: dict[str, str] = {}
    guids: dict[str, str] = {}
    for path, code in codebook.walk():
        _check_code(codebook, path, code)
        checks = ((shortcuts, code.shortcut, "shortcut"), (guids, code.guid, "GUID"))
        for seen, value, what in checks:
            if value is None:
                continue
            key = value.lower()
            if key in seen:
                raise CodebookError(
                    f"{where(codebook.source, code.line, path)}: {what} {value!r} is used "
                    f"already by {seen[key]!r}"
                )
            seen[key] = path


def _check_siblings(codebook: Codebook, codes: list[CodeSpec], prefix: str) -> None:
    names: set[str] = set()
    for code in codes:
        name = (code.name or "").strip()
        if not name:
            parent = repr(prefix.rstrip("/")) if prefix else "the top level"
            here = where(codebook.source, code.line)
            raise CodebookError(f"{here}: empty code name under {parent}")
        key = name.casefold()
        if key in names:
            parent = repr(prefix.rstrip("/")) if prefix else "the top level"
            raise CodebookError(
                f"{where(codebook.source, code.line, prefix + name)}: duplicate name "
                f"{name!r} under {parent}"
            )
        names.add(key)
        _check_siblings(codebook, code.children, prefix + name + "/")


def _check_code(codebook: Codebook, path: str, code: CodeSpec) -> None:
    here = where(codebook.source, code.line, path)
    if "/" in code.name:
        raise CodebookError(f"{here}: a code name cannot contain '/' (it separates path parts)")
    if code.goal is not None and (isinstance(code.goal, bool) or code.goal not in GOALS):
        raise CodebookError(f"{here}: goal {code.goal!r} is not one of 1–5 (or empty)")
    if not COLOUR_PATTERN.match(code.colour or ""):
        raise CodebookError(f"{here}: colour {code.colour!r} is not of the form #rrggbb")
    if code.shortcut is not None and (not code.shortcut or any(c.isspace() for c in code.shortcut)):
        raise CodebookError(f"{here}: shortcut {code.shortcut!r} must be a key without spaces")
    if not all(isinstance(k, str) and k.strip() for k in code.keywords):
        raise CodebookError(f"{here}: keywords must be non-empty words")


# -- the flat form: codes listed with id and parent -----------------------------------------------
MAX_LEVELS = 25  # code levels in the flat form (the nested form is held to the loader's depth)


def tree_from_flat(items: list[dict[str, Any]], source: str | None) -> list[CodeSpec]:
    """Build the tree from ``{id, parent, ...}`` records; unknown parents, duplicate ids and
    cycles are errors. ``items`` carry their spec under ``"spec"`` and line under ``"line"``."""
    by_id: dict[str, dict[str, Any]] = {}
    for item in items:
        key = str(item["id"])
        if key in by_id:
            raise CodebookError(f"{where(source, item.get('line'))}: duplicate id {key!r}")
        by_id[key] = item
    for item in items:
        parent = item.get("parent")
        if parent is not None and str(parent) not in by_id:
            raise CodebookError(
                f"{where(source, item.get('line'))}: code {item['spec'].name!r} has unknown "
                f"parent {parent!r}"
            )
    _refuse_cycles(by_id, source)
    roots: list[CodeSpec] = []
    for item in items:
        parent = item.get("parent")
        siblings = roots if parent is None else by_id[str(parent)]["spec"].children
        siblings.append(item["spec"])
    return roots


def _refuse_cycles(by_id: dict[str, dict[str, Any]], source: str | None) -> None:
    for start in by_id:
        seen = [start]
        node = by_id[start].get("parent")
        while node is not None:
            node = str(node)
            if node in seen:
                names = [by_id[k]["spec"].name for k in [*seen[seen.index(node) :], node]]
                raise CodebookError(
                    f"{where(source, by_id[node].get('line'))}: the parents form a cycle: "
                    + " -> ".join(names)
                )
            seen.append(node)
            if len(seen) > MAX_LEVELS:
                raise CodebookError(
                    f"{where(source, by_id[start].get('line'))}: code "
                    f"{by_id[start]['spec'].name!r} is nested more than {MAX_LEVELS} levels "
                    "deep; refused"
                )
            node = by_id[node].get("parent")
