"""docs/schema.md documents every table and column of a new project file."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from coding.store import Project

SCHEMA_DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"


def test_every_table_and_column_is_documented(project_path: Path) -> None:
    Project.create(project_path).close()
    conn = sqlite3.connect(project_path)
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    doc = SCHEMA_DOC.read_text(encoding="utf-8")
    sections = {s.split("`")[1]: s for s in re.split(r"^### ", doc, flags=re.M)[1:]}
    undocumented = []
    for table in tables:
        if table.startswith("documents_fts"):  # FTS5 and its shadow tables: described in prose
            continue
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info('{table}')")]
        section = sections.get(table, "")
        undocumented += [f"{table}.{c}" for c in columns if f"`{c}`" not in section]
    conn.close()
    assert "`documents_fts`" in doc
    assert undocumented == []
