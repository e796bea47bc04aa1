"""Cases (municipalities or other units) and their attributes."""

from __future__ import annotations

from collections.abc import Mapping

from coding.store import Project, inserted_id, new_guid, now, refresh_views


def ensure_case(project: Project, name: str) -> int:
    """The id of case ``name``, created if new."""
    name = name.strip()
    with project.transaction() as conn:
        row = conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
        if row:
            return row[0]
        cur = conn.execute(
            "INSERT INTO cases(guid, name, created_at) VALUES (?, ?, ?)", (new_guid(), name, now())
        )
        return inserted_id(cur)


def set_attributes(project: Project, case_id: int, attributes: Mapping[str, str | None]) -> None:
    """Set (or, with None or an empty value, clear) attributes of one case."""
    with project.transaction() as conn:
        for name, value in attributes.items():
            value = None if value is None else str(value).strip()
            if value:
                conn.execute(
                    "INSERT INTO case_attributes(case_id, name, value) VALUES (?, ?, ?) "
                    "ON CONFLICT(case_id, name) DO UPDATE SET value = excluded.value",
                    (case_id, name.strip(), value),
                )
            else:
                conn.execute(
                    "DELETE FROM case_attributes WHERE case_id = ? AND name = ?",
                    (case_id, name.strip()),
                )
        refresh_views(conn)


def attributes_of(project: Project, case_id: int) -> dict[str, str]:
    rows = project.conn.execute(
        "SELECT name, value FROM case_attributes WHERE case_id = ? ORDER BY name", (case_id,)
    )
    return dict(rows.fetchall())


def attribute_counts(project: Project) -> dict[str, dict[str, int]]:
    """For each attribute, the number of cases per value: ``{name: {value: count}}``."""
    counts: dict[str, dict[str, int]] = {}
    for name, value, n in project.conn.execute(
        "SELECT name, value, count(*) FROM case_attributes GROUP BY name, value "
        "ORDER BY name, value"
    ):
        counts.setdefault(name, {})[value] = n
    return counts


def case_table(project: Project) -> list[tuple[int, str, dict[str, str]]]:
    """Every case with its attributes, by name."""
    attrs: dict[int, dict[str, str]] = {}
    for case_id, name, value in project.conn.execute(
        "SELECT case_id, name, value FROM case_attributes"
    ):
        attrs.setdefault(case_id, {})[name] = value
    return [
        (cid, name, attrs.get(cid, {}))
        for cid, name in project.conn.execute("SELECT id, name FROM cases ORDER BY name")
    ]
