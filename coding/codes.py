"""Codes in the project file: the codebook as stored. (Extended by the codebook work.)"""

from __future__ import annotations

import json
from collections.abc import Sequence

from coding.errors import CodebookError
from coding.store import Project, new_guid, now


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
