"""Counts that describe a project at a glance (``kodeverk info``)."""

from __future__ import annotations

from typing import Any

from coding.cases import attribute_counts
from coding.store import Project

COUNTED_TABLES = ("documents", "segments", "cases", "codes", "codings")


def project_summary(project: Project) -> dict[str, Any]:
    """``documents``, ``segments``, ``cases``, ``codes``, ``codings`` (counts), ``coders``
    (names) and ``attributes`` (``{name: {value: number of cases}}``)."""
    summary: dict[str, Any] = {
        table: project.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in COUNTED_TABLES
    }
    summary["coders"] = project.coder_names()
    summary["attributes"] = attribute_counts(project)
    return summary


def codings_by_coder(project: Project) -> dict[str, int]:
    """Number of codings per coder (coders without codings included, with 0)."""
    rows = project.conn.execute(
        "SELECT c.name, count(k.id) FROM coders c LEFT JOIN codings k ON k.coder_id = c.id "
        "GROUP BY c.id ORDER BY c.name"
    )
    return dict(rows.fetchall())
