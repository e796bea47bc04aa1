"""Codes in the project file: the codebook as stored, looked up and edited.

The tree is stored flat (``codes.parent_id``); ``list_codes`` reads it once and walks it in
memory, which is fast for codebooks of hundreds of codes. A code's *path* is its names from the
top joined by ``/``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from coding.errors import CodebookError, InputError
from coding.store import Project, new_guid, now

PATH_SEPARATOR = "/"
GUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


@dataclass
class CodeRow:
    id: int
    guid: str
    name: str
    parent_id: int | None
    goal: int | None  # the code's own goal (None: inherits)
    effective_goal: int | None  # own goal, else the nearest ancestor's
    description: str
    include_note: str
    exclude_note: str
    colour: str
    shortcut: str | None
    keywords: list[str] = field(default_factory=list)
    ordinal: int = 0
    path: str = ""
    depth: int = 0


def add_code(
    project: Project,
    name: str,
    *,
    parent_id: int | None = None,
    goal: int | None = None,
    description: str = "",
    include_note: str = "",
    exclude_note: str = "",
    colour: str = "#888888",
    shortcut: str | None = None,
    keywords: Sequence[str] = (),
    guid: str | None = None,
) -> int:
    """Add one code under ``parent_id`` (None: top level). Names are unique under a parent."""
    name = name.strip()
    with project.transaction() as conn:
        clash = conn.execute(
            "SELECT 1 FROM codes WHERE coalesce(parent_id, 0) = ? AND name = ?",
            (parent_id or 0, name),
        ).fetchone()
        if clash:
            raise CodebookError(f"a code named {name!r} exists already under that parent")
        ordinal = conn.execute(
            "SELECT coalesce(max(ordinal), -1) + 1 FROM codes WHERE coalesce(parent_id, 0) = ?",
            (parent_id or 0,),
        ).fetchone()[0]
        cur = conn.execute(
            "INSERT INTO codes(guid, parent_id, name, goal, description, include_note, "
            "exclude_note, colour, shortcut, keywords, ordinal, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guid or new_guid(),
                parent_id,
                name,
                goal,
                description,
                include_note,
                exclude_note,
                colour,
                shortcut,
                json.dumps(list(keywords), ensure_ascii=False),
                ordinal,
                now(),
            ),
        )
        return int(cur.lastrowid)


# -- reading the tree ---------------------------------------------------------------------------
_CODE_COLUMNS = (
    "id, guid, name, parent_id, goal, description, include_note, exclude_note, colour, "
    "shortcut, keywords, ordinal"
)


def list_codes(project: Project) -> list[CodeRow]:
    """All codes in tree order: depth first, siblings by ordinal (then name)."""
    rows = project.conn.execute(
        f"SELECT {_CODE_COLUMNS} FROM codes ORDER BY ordinal, name, id"
    ).fetchall()
    by_parent: dict[int | None, list[tuple]] = {}
    for row in rows:
        by_parent.setdefault(row[3], []).append(row)
    ordered: list[CodeRow] = []

    def walk(parent_id: int | None, prefix: str, depth: int, inherited: int | None) -> None:
        for row in by_parent.get(parent_id, []):
            code = _code_row(row, prefix, depth, inherited)
            ordered.append(code)
            walk(code.id, code.path + PATH_SEPARATOR, depth + 1, code.effective_goal)

    walk(None, "", 0, None)
    return ordered


def _code_row(row: tuple, prefix: str, depth: int, inherited: int | None) -> CodeRow:
    (code_id, guid, name, parent_id, goal, description, include, exclude, colour, shortcut) = row[
        :10
    ]
    return CodeRow(
        id=code_id,
        guid=guid,
        name=name,
        parent_id=parent_id,
        goal=goal,
        effective_goal=goal if goal is not None else inherited,
        description=description,
        include_note=include,
        exclude_note=exclude,
        colour=colour,
        shortcut=shortcut,
        keywords=list(json.loads(row[10] or "[]")),
        ordinal=row[11],
        path=prefix + name,
        depth=depth,
    )


def get_code(project: Project, code_id: int) -> CodeRow:
    for code in list_codes(project):
        if code.id == code_id:
            return code
    raise CodebookError(f"no code with id {code_id}")


def code_paths(project: Project) -> dict[int, str]:
    """Code id -> path such as ``Mål 4 Aktiv og meningsfull tilværelse/Bolig``."""
    return {code.id: code.path for code in list_codes(project)}


def code_path(project: Project, code_id: int) -> str:
    path = code_paths(project).get(code_id)
    if path is None:
        raise CodebookError(f"no code with id {code_id}")
    return path


def children_of(project: Project, code_id: int | None) -> list[int]:
    """Ids of the direct children of a code (None: the top-level codes), in order."""
    rows = project.conn.execute(
        "SELECT id FROM codes WHERE parent_id IS ? ORDER BY ordinal, name, id", (code_id,)
    ).fetchall()
    return [r[0] for r in rows]


def descendants(project: Project, code_id: int) -> set[int]:
    """The code and everything below it."""
    rows = project.conn.execute(
        "WITH RECURSIVE below(id) AS (SELECT id FROM codes WHERE id = ? "
        "UNION SELECT c.id FROM codes c JOIN below b ON c.parent_id = b.id) SELECT id FROM below",
        (code_id,),
    ).fetchall()
    if not rows:
        raise CodebookError(f"no code with id {code_id}")
    return {r[0] for r in rows}


# -- finding a code from what a user typed ------------------------------------------------------
def resolve_code(project: Project, ref: str | int) -> int:
    """The id of the code ``ref`` names: an id, a GUID, a full path, a shortened path whose last
    parts match one code (each part by exact name, else by prefix; case-insensitive), or a bare
    name. Unknown or ambiguous references raise ``InputError`` with close matches."""
    codes = list_codes(project)
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        code_id = int(ref)
        if any(c.id == code_id for c in codes):
            return code_id
        if isinstance(ref, int):
            raise InputError(f"no code with id {code_id}")
    text = str(ref).strip()
    if not text:
        raise InputError("empty code reference")
    if GUID_PATTERN.match(text):
        for code in codes:
            if code.guid.lower() == text.lower():
                return code.id
    for code in codes:  # whole path first: names may contain the separator
        if code.path == text:
            return code.id
    return _match_parts(codes, text)


def _match_parts(codes: list[CodeRow], text: str) -> int:
    parts = [p.strip().casefold() for p in text.split(PATH_SEPARATOR) if p.strip()]
    by_id = {c.id: c for c in codes}
    scored: list[tuple[int, CodeRow]] = []
    for code in codes:
        exact = _suffix_score(code, parts, by_id)
        if exact is not None:
            scored.append((exact, code))
    if not scored:
        raise InputError(f"no code {text!r}{_close_matches(codes, text)}")
    best = max(score for score, _ in scored)
    winners = [code for score, code in scored if score == best]
    if len(winners) > 1:
        names = "; ".join(c.path for c in winners[:5])
        raise InputError(f"code {text!r} is ambiguous: it matches {names}")
    return winners[0].id


def _suffix_score(code: CodeRow, parts: list[str], by_id: dict[int, CodeRow]) -> int | None:
    """How many of ``parts`` match the code's last names exactly, or None if one part fails
    (neither the exact name nor a prefix of it)."""
    exact = 0
    node: CodeRow | None = code
    for part in reversed(parts):
        if node is None:
            return None
        name = node.name.casefold()
        if name == part:
            exact += 1
        elif not name.startswith(part):
            return None
        node = by_id.get(node.parent_id) if node.parent_id is not None else None
    return exact


def _close_matches(codes: list[CodeRow], text: str) -> str:
    from rapidfuzz import fuzz, process

    choices = {c.id: c.path for c in codes}
    found = process.extract(text, choices, scorer=fuzz.WRatio, limit=5, score_cutoff=50)
    if not found:
        return ""
    return "; close matches: " + "; ".join(match for match, _, _ in found)


def ensure_code_path(project: Project, path: str) -> int:
    """The code at the full ``path`` (names matched exactly, ignoring case), creating the
    missing parts as new codes. Used when importing codings with ``--create-codes``."""
    parts = [p.strip() for p in path.split(PATH_SEPARATOR) if p.strip()]
    if not parts:
        raise InputError(f"empty code path {path!r}")
    with project.transaction() as conn:
        parent_id: int | None = None
        for part in parts:
            siblings = conn.execute(
                "SELECT id, name FROM codes WHERE parent_id IS ?", (parent_id,)
            ).fetchall()
            found = [i for i, name in siblings if name == part] or [
                i for i, name in siblings if name.casefold() == part.casefold()
            ]
            parent_id = found[0] if found else add_code(project, part, parent_id=parent_id)
    assert parent_id is not None
    return parent_id
