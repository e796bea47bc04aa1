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


def _sections() -> dict[str, str]:
    doc = SCHEMA_DOC.read_text(encoding="utf-8")
    return {s.split("`")[1]: s for s in re.split(r"^### ", doc, flags=re.M)[1:]}


def test_every_view_and_column_is_documented(project_path: Path) -> None:
    Project.create(project_path).close()
    conn = sqlite3.connect(project_path)
    views = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'view'")]
    sections = _sections()
    undocumented = []
    for view in views:
        section = sections.get(view, "")
        columns = [row[1] for row in conn.execute(f"PRAGMA table_info('{view}')")]
        undocumented += [f"{view}.{c}" for c in columns if f"`{c}`" not in section]
        undocumented += [] if "(view)" in section else [view]
    conn.close()
    assert sorted(views) == ["case_attributes_wide", "quote_attributes", "quotes"]
    assert undocumented == []


def test_every_meta_key_written_is_documented(project_path: Path) -> None:
    from codebooks.bundled import bundled_codebook
    from codebooks.install import install_codebook

    with Project.create(project_path) as project:
        install_codebook(project, bundled_codebook())
        keys = [r[0] for r in project.conn.execute("SELECT key FROM meta")]
    section = _sections()["meta"]
    assert "codebook_name" in keys
    assert [k for k in keys if f"`{k}`" not in section] == []


def test_codings_guid_is_documented_as_the_export_writes_it(small_project, tmp_path) -> None:
    import zipfile

    from lxml import etree

    from codebooks.refi_common import PROJECT_NS, derived_guid
    from coding.operations import apply_coding
    from exports.qdpx_write import export_qdpx

    doc = small_project.conn.execute("SELECT id FROM documents").fetchone()[0]
    code = small_project.conn.execute("SELECT id FROM codes").fetchone()[0]
    stored = apply_coding(small_project, doc, code, "ola", 0, 10).guid
    export_qdpx(small_project, tmp_path / "p.qdpx")
    root = etree.fromstring(zipfile.ZipFile(tmp_path / "p.qdpx").read("project.qde"))
    (selection,) = root.iter(f"{{{PROJECT_NS}}}PlainTextSelection")
    assert selection.find(f"{{{PROJECT_NS}}}Coding").get("guid") == stored
    assert selection.get("guid") == derived_guid(stored, "selection")
    row = next(line for line in _sections()["codings"].splitlines() if line.startswith("| `guid`"))
    assert "`Coding` GUID" in row and "derived" in row
