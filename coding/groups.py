"""Code groups: named sets of codes across the tree (REFI-QDA ``Set``; ATLAS.ti code groups).

They are kept as read and written back on export; the app does not edit them (yet).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from coding.store import Project, new_guid, now


@dataclass
class CodeGroup:
    """A named group of codes (REFI-QDA ``Set``); ``codes`` are the members' GUIDs."""

    name: str
    guid: str | None = None
    description: str = ""
    codes: list[str] = field(default_factory=list)


def list_groups(project: Project) -> list[CodeGroup]:
    """Every group with its member codes' GUIDs (in code order), by name."""
    groups = []
    for group_id, guid, name, description in project.conn.execute(
        "SELECT id, guid, name, description FROM code_groups ORDER BY name, id"
    ):
        codes = [
            r[0]
            for r in project.conn.execute(
                "SELECT c.guid FROM code_group_members m JOIN codes c ON c.id = m.code_id "
                "WHERE m.group_id = ? ORDER BY c.id",
                (group_id,),
            )
        ]
        groups.append(CodeGroup(name, guid, description, codes))
    return groups


def merge_groups(
    project: Project,
    groups: Sequence[CodeGroup],
    code_ids: Mapping[str, int],
    warnings: list[str],
    where: str,
) -> int:
    """Add groups (matched by GUID, then name) and their members (``code_ids``: the file's code
    GUID -> project code id), inside the caller's transaction. Returns the groups added."""
    added = 0
    with project.transaction() as conn:
        for group in groups:
            row = conn.execute(
                "SELECT id FROM code_groups WHERE guid = ? OR name = ? ORDER BY guid = ? DESC",
                (group.guid or "", group.name, group.guid or ""),
            ).fetchone()
            if row is None:
                taken = conn.execute(
                    "SELECT 1 FROM code_groups WHERE guid = ?", (group.guid,)
                ).fetchone()
                cur = conn.execute(
                    "INSERT INTO code_groups(guid, name, description, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (
                        group.guid if group.guid and not taken else new_guid(),
                        group.name,
                        group.description,
                        now(),
                    ),
                )
                row, added = (cur.lastrowid,), added + 1
            for code in group.codes:
                if code not in code_ids:
                    warnings.append(
                        f"{where}: code group {group.name!r}: member {code} is not a code read; "
                        "left out"
                    )
                    continue
                conn.execute(
                    "INSERT OR IGNORE INTO code_group_members(group_id, code_id) VALUES (?, ?)",
                    (row[0], code_ids[code]),
                )
    return added
