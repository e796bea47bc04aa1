"""Import case (municipality) attributes from a table: ``kommune, innbyggere, landsdel, ...``.

One row per case; every column but the case column becomes an attribute. When the table has no
``size_class``, it is derived from a population column with configurable thresholds. The default
thresholds (5 000, 20 000, 50 000) follow the population classes of SINTEF A26099 (Table 2.1:
under 2 000 ... 20 000–50 000, over 50 000) and the usual Norwegian split of small (< 5 000),
medium (5 000–19 999) and large municipalities: liten < 5 000 <= mellomstor < 20 000 <= stor
< 50 000 <= storby. Reports that keep «storby» for the four largest cities can pass
``5000,20000,100000``.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from coding import journal
from coding.errors import InputError, KodeverkError
from coding.store import Project, inserted_id, new_guid, now
from corpus.attribution import SIZE_CLASSES, parse_attribution
from corpus.tables import Table, read_table

DEFAULT_SIZE_THRESHOLDS: tuple[int, int, int] = (5_000, 20_000, 50_000)
CASE_COLUMNS = ("kommune", "case", "sak", "municipality", "bydel", "case_name")
POPULATION_COLUMNS = ("innbyggere", "folketall", "population", "befolkning", "innbyggertall")
REGION_COLUMNS = ("landsdel", "region")


@dataclass
class CasesSummary:
    source: str
    case_column: str
    cases_created: int = 0
    cases_updated: int = 0
    attributes_changed: int = 0
    size_classes_derived: int = 0
    attributes: list[str] = field(default_factory=list)


def parse_thresholds(text: str) -> tuple[int, int, int]:
    """``"5000,20000,50000"`` -> three increasing population limits."""
    try:
        values = tuple(parse_population(part) for part in text.split(","))
    except ValueError:
        values = ()
    if len(values) != 3 or not values[0] < values[1] < values[2]:
        raise InputError(
            f"size thresholds {text!r}: give three increasing numbers, e.g. 5000,20000,50000"
        )
    return values[0], values[1], values[2]


def parse_population(text: str) -> int:
    """«12 345», «12345», «12.345», «12,345» or «12345.0» -> 12345; ValueError otherwise."""
    cleaned = re.sub(r"[\s\u00a0\u202f']", "", text)
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", cleaned):
        return int(re.sub(r"[.,]", "", cleaned))
    match = re.fullmatch(r"(\d+)(?:[.,]0+)?", cleaned)
    if not match:
        raise ValueError(text)
    return int(match.group(1))


def size_class_for(population: int, thresholds: Sequence[int] = DEFAULT_SIZE_THRESHOLDS) -> str:
    for limit, label in zip(thresholds, SIZE_CLASSES, strict=False):
        if population < limit:
            return label
    return SIZE_CLASSES[-1]


def import_cases(
    project: Project,
    path: Path,
    *,
    case_column: str | None = None,
    population_column: str | None = None,
    thresholds: Sequence[int] = DEFAULT_SIZE_THRESHOLDS,
) -> CasesSummary:
    """Create or update one case per row and set its attributes, in one transaction."""
    table = read_table(Path(path))
    case_col = table.column(case_column) if case_column else _guess(table, CASE_COLUMNS)
    case_col = case_col or table.columns[0]
    pop_col = (
        table.column(population_column) if population_column else _guess(table, POPULATION_COLUMNS)
    )
    summary = CasesSummary(str(path), case_col)
    wanted = _rows_to_attributes(table, case_col, pop_col, thresholds, summary)
    summary.attributes = sorted({name for attrs in wanted.values() for name in attrs})
    with project.transaction() as conn:
        changes: list[dict[str, Any]] = []
        for name, attributes in wanted.items():
            case_id, created = _ensure_case(conn, name)
            summary.cases_created += created
            summary.cases_updated += not created
            changes += _attribute_changes(conn, case_id, attributes)
        journal.apply_changes(conn, changes)
        summary.attributes_changed = len(changes)
        journal.record(
            conn,
            None,
            "cases.import",
            f"case attributes from {Path(path).name}: {len(wanted)} cases",
            changes,
            undoable=False,
        )
    return summary


def _guess(table: Table, names: Sequence[str]) -> str | None:
    folded = {column.casefold(): column for column in table.columns}
    return next((folded[n] for n in names if n in folded), None)


def _rows_to_attributes(
    table: Table,
    case_col: str,
    pop_col: str | None,
    thresholds: Sequence[int],
    summary: CasesSummary,
) -> dict[str, dict[str, str]]:
    """Case name -> attributes, with size class and region filled in where derivable."""
    size_col = _guess(table, ("size_class", "størrelse", "storleik", "size"))
    region_col = _guess(table, REGION_COLUMNS)
    wanted: dict[str, dict[str, str]] = {}
    first_row: dict[str, int] = {}
    for index, row in enumerate(table.rows):
        name = row[case_col].strip()
        if not name:
            raise InputError(f"{table.where(index)}: empty {case_col!r}")
        if name in first_row:
            raise InputError(
                f"{table.where(index)}: case {name!r} appears twice "
                f"(also {table.where(first_row[name])})"
            )
        first_row[name] = index
        attributes = {col: value.strip() for col, value in row.items() if col != case_col}
        attributes = {col: value for col, value in attributes.items() if value}
        _fill_size_class(table, index, attributes, size_col, pop_col, thresholds, summary)
        if region_col and region_col != "region" and "region" not in attributes:
            region = parse_attribution(attributes.get(region_col, "")).get("region")
            if region:
                attributes["region"] = region
        wanted[name] = attributes
    return wanted


def _fill_size_class(
    table: Table,
    index: int,
    attributes: dict[str, str],
    size_col: str | None,
    pop_col: str | None,
    thresholds: Sequence[int],
    summary: CasesSummary,
) -> None:
    given = attributes.pop(size_col, "") if size_col else ""
    if given:
        attributes["size_class"] = parse_attribution(given).get("size_class", given)
    raw = attributes.get(pop_col, "") if pop_col else ""
    if not raw:
        return
    try:
        population = parse_population(raw)
    except ValueError:
        raise InputError(
            f"{table.where(index)}: {pop_col!r} is {raw!r}, not a number of inhabitants"
        ) from None
    assert pop_col is not None  # raw came from it
    attributes[pop_col] = str(population)  # «12 345» and «12.345» stored alike, as digits
    if not given:
        attributes["size_class"] = size_class_for(population, thresholds)
        summary.size_classes_derived += 1


def _ensure_case(conn: sqlite3.Connection, name: str) -> tuple[int, bool]:
    row = conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
    if row:
        return row[0], False
    cur = conn.execute(
        "INSERT INTO cases(guid, name, created_at) VALUES (?, ?, ?)", (new_guid(), name, now())
    )
    return inserted_id(cur), True


def _attribute_changes(
    conn: sqlite3.Connection, case_id: int, attributes: dict[str, str]
) -> list[dict[str, Any]]:  # journal.change's
    changes = []
    for name, value in attributes.items():
        before = journal.fetch_row(conn, "case_attributes", {"case_id": case_id, "name": name})
        after = {"case_id": case_id, "name": name, "value": value}
        if before != after:
            changes.append(journal.change("case_attributes", before, after))
    return changes


def link_documents(
    project: Project, links: Sequence[tuple[str, str]], *, where: Sequence[str] = ()
) -> int:
    """Attach documents (name or id) to cases (created when new), in one transaction; the
    codings follow (trigger). ``where`` names each link's origin («FILE row 3») for errors.
    Returns the number of documents whose case changed."""
    from coding.documents import resolve_document

    resolved = []
    for number, (document, case) in enumerate(links):
        origin = where[number] if number < len(where) else f"link {number + 1}"
        if not str(document).strip() or not case.strip():
            raise InputError(f"{origin}: both a document and a case are needed")
        try:
            resolved.append((resolve_document(project, str(document).strip()), case.strip()))
        except KodeverkError as exc:
            raise InputError(f"{origin}: {exc}") from None
    changed = []
    with project.transaction() as conn:
        for document_id, case in resolved:
            case_id, _ = _ensure_case(conn, case)
            name, before = conn.execute(
                "SELECT name, case_id FROM documents WHERE id = ?", (document_id,)
            ).fetchone()
            if before != case_id:
                conn.execute(
                    "UPDATE documents SET case_id = ? WHERE id = ?", (case_id, document_id)
                )
                changed.append(f"{name} -> {case}")
        if changed:
            summary = f"linked {len(changed)} documents to cases: " + "; ".join(changed[:20])
            journal.record(conn, None, "cases.link", summary, [], undoable=False)
    return len(changed)


class TableLinks(NamedTuple):
    """``links_from_table``'s answer: (document, case) pairs and where each came from."""

    links: list[tuple[str, str]]
    where: list[str]  # «FILE row N» of each link, for messages


def links_from_table(
    path: Path, document_column: str | None, case_column: str | None
) -> TableLinks:
    """(document, case) pairs and their row names from a table with a document and a case
    column (guessed: ``document``/``dokument``/``fil``, ``case``/``kommune``/``sak``)."""
    table = read_table(path)
    document_column = (
        table.column(document_column)
        if document_column
        else _guess(table, ("document", "dokument", "fil", "file"))
    )
    case_column = (
        table.column(case_column) if case_column else _guess(table, ("case", "kommune", "sak"))
    )
    if not document_column or not case_column:
        raise InputError(
            f"{path}: needs a document and a case column (--document-column, --case-column); "
            f"columns are: {', '.join(table.columns)}"
        )
    links = [(row[document_column], row[case_column]) for row in table.rows]
    return TableLinks(links, [table.where(i) for i in range(len(table.rows))])
