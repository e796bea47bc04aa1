"""Read-only look-ups the app screens need (codes, counts, progress); writes go through
``coding.operations`` and ``coding.codes``."""

from __future__ import annotations

from dataclasses import dataclass

from coding.codes import list_codes
from coding.store import Project


@dataclass(frozen=True)
class CodeInfo:
    id: int
    name: str
    parent_id: int | None
    colour: str
    shortcut: str | None
    description: str
    keywords: tuple[str, ...]
    ordinal: int
    path: str = ""

    @property
    def search_text(self) -> str:
        """What the fuzzy picker matches against: name, description, keywords."""
        return " ".join([self.name, self.description, *self.keywords])


@dataclass(frozen=True)
class DocumentRow:
    id: int
    name: str
    kind: str
    case: str
    attributes: dict[str, str]
    segments: int
    coded_segments: int
    done: bool


def load_codes(project: Project) -> list[CodeInfo]:
    """All codes in tree order (parents before children, siblings by ordinal)."""
    return [
        CodeInfo(
            c.id,
            c.name,
            c.parent_id,
            c.colour,
            c.shortcut,
            c.description,
            tuple(c.keywords),
            c.ordinal,
            c.path,
        )
        for c in list_codes(project)
    ]


def document_rows(project: Project, coder_id: int | None) -> list[DocumentRow]:
    """Documents grouped by case, with the coder's progress (segments touched by one of their
    codings) and done mark."""
    attrs: dict[int, dict[str, str]] = {}
    for case_id, name, value in project.conn.execute(
        "SELECT case_id, name, value FROM case_attributes"
    ):
        attrs.setdefault(case_id, {})[name] = value
    rows = project.conn.execute(
        "SELECT d.id, d.name, d.kind, d.case_id, coalesce(c.name, ''), "
        "(SELECT count(*) FROM segments s WHERE s.document_id = d.id), "
        "(SELECT count(*) FROM segments s WHERE s.document_id = d.id AND EXISTS ("
        "  SELECT 1 FROM codings k WHERE k.document_id = d.id AND k.coder_id = ?1 "
        '  AND k.start < s."end" AND k."end" > s.start)), '
        "coalesce((SELECT done FROM document_status t WHERE t.document_id = d.id "
        "  AND t.coder_id = ?1), 0) "
        "FROM documents d LEFT JOIN cases c ON c.id = d.case_id "
        "ORDER BY coalesce(c.name, '~'), d.name, d.id",
        (coder_id if coder_id is not None else -1,),
    ).fetchall()
    return [
        DocumentRow(r[0], r[1], r[2], r[4], attrs.get(r[3], {}), r[5], r[6], bool(r[7]))
        for r in rows
    ]


def coder_id_or_none(project: Project, coder: str) -> int | None:
    row = project.conn.execute("SELECT id FROM coders WHERE name = ?", (coder,)).fetchone()
    return row[0] if row else None
