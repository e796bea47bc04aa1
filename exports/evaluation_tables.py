"""The evaluation's own tables in Word and Excel: the framework matrix (rows × themes, each cell
its count of coded passages and the researchers' summary) and the goal attainment table
(«Måloppnåelse»: rating, assessment and the evidence counted beside each goal, then the quotes
behind it). Word tables repeat their header row on every page (``w:tblHeader``) and carry a
caption; every writer goes through ``atomic_output``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coding.goals import GoalRow
from coding.matrix import CASE, Matrix
from coding.output import atomic_output
from coding.store import Project
from exports.quotes import Quote, collect_quotes
from exports.tables import write_xlsx

if TYPE_CHECKING:  # python-docx is imported where a document is written: it takes a while
    from docx.document import Document as WordDocument

TABLE_STYLE = "Light Grid Accent 1"
WORDS: dict[str, dict[str, str]] = {
    "nb": {
        "matrix_title": "Rammematrise",
        "matrix_caption": "Tabell: Kodede utsagn og sammendrag etter {rows} og {columns}.",
        "case": "Sak",
        "goal": "mål",
        "code": "kode",
        "passages": "utsagn",
        "counts_sheet": "Antall",
        "summaries_sheet": "Sammendrag",
        "cases": "Saker",
        "summary": "Sammendrag",
        "goals_title": "Måloppnåelse",
        "goals_caption": "Tabell: Måloppnåelse per hovedmål, med kodede utsagn og saker som "
        "tar opp målet.",
        "goal_column": "Mål",
        "rating": "Vurdering",
        "assessment": "Måloppnåelse",
        "passages_column": "Kodede utsagn",
        "cases_column": "Saker som tar opp målet",
        "evidence": "Belegg: {label}",
        "no_quotes": "Ingen kodede utsagn.",
        "quote": "Sitat",
        "attribution": "Kilde",
        "evidence_sheet": "Belegg",
    },
    "en": {
        "matrix_title": "Framework matrix",
        "matrix_caption": "Table: Coded passages and summaries by {rows} and {columns}.",
        "case": "Case",
        "goal": "goal",
        "code": "code",
        "passages": "passages",
        "counts_sheet": "Counts",
        "summaries_sheet": "Summaries",
        "cases": "Cases",
        "summary": "Summary",
        "goals_title": "Goal attainment",
        "goals_caption": "Table: Goal attainment per main goal, with coded passages and cases "
        "raising the goal.",
        "goal_column": "Goal",
        "rating": "Rating",
        "assessment": "Assessment",
        "passages_column": "Coded passages",
        "cases_column": "Cases raising the goal",
        "evidence": "Evidence: {label}",
        "no_quotes": "No coded passages.",
        "quote": "Quote",
        "attribution": "Source",
        "evidence_sheet": "Evidence",
    },
}

GoalQuotes = dict[int, list[Quote]]
Evidence = dict[int, list[tuple[str, str]]]  # per goal: (quote, attribution)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # Word refuses these


def _xml_text(text: str) -> str:
    """Text Word can hold: control characters (from a pasted summary, an odd case table) go."""
    return NOT_XML.sub("", text)


# -- the matrix -----------------------------------------------------------------------------------
def _row_header(matrix: Matrix, words: dict[str, str]) -> str:
    return words["case"] if matrix.rows == CASE else matrix.rows


def matrix_grid(matrix: Matrix, lang: str = "nb") -> tuple[list[str], list[list[str]]]:
    """Header and rows of the Word table: each cell «N utsagn» and the summary below it."""
    words = WORDS[lang]
    header = [_row_header(matrix, words), *matrix.column_labels]
    rows = []
    for key, label in zip(matrix.row_keys, matrix.row_labels, strict=True):
        cells = []
        for column in matrix.column_keys:
            text = f"{matrix.count(key, column)} {words['passages']}"
            summary = matrix.summary(key, column)
            cells.append(f"{text}\n{summary}" if summary else text)
        rows.append([f"{label} (n={len(matrix.row_cases[key])})", *cells])
    return header, rows


def write_matrix_docx(matrix: Matrix, path: str | Path, lang: str = "nb") -> None:
    words = WORDS[lang]
    document = _document(words["matrix_title"], lang)
    document.add_heading(words["matrix_title"], level=1)
    header, rows = matrix_grid(matrix, lang)
    _table(document, header, rows)
    rows_name = words["case"].lower() if matrix.rows == CASE else matrix.rows
    caption = words["matrix_caption"].format(rows=rows_name, columns=words[matrix.columns])
    document.add_paragraph(caption, style="Caption")
    _save(document, path)


def write_matrix_xlsx(matrix: Matrix, path: str | Path, lang: str = "nb") -> None:
    """Two sheets: the counts as a grid, and every cell long with its summary."""
    words = WORDS[lang]
    row_header = _row_header(matrix, words)
    counts = [
        [label, len(matrix.row_cases[key]), *(matrix.count(key, c) for c in matrix.column_keys)]
        for key, label in zip(matrix.row_keys, matrix.row_labels, strict=True)
    ]
    long = [
        [label, column_label, matrix.count(key, column), matrix.summary(key, column)]
        for key, label in zip(matrix.row_keys, matrix.row_labels, strict=True)
        for column, column_label in zip(matrix.column_keys, matrix.column_labels, strict=True)
    ]
    column_name = words["goal_column"] if matrix.columns == "goal" else words["code"].title()
    sheets = [
        (words["counts_sheet"], ([row_header, words["cases"], *matrix.column_labels], counts)),
        (
            words["summaries_sheet"],
            ([row_header, column_name, words["passages"].title(), words["summary"]], long),
        ),
    ]
    write_xlsx(path, sheets)


# -- goal attainment ------------------------------------------------------------------------------
def goal_quotes(
    project: Project, rows: Sequence[GoalRow], *, coder: str = "any", limit: int = 3
) -> GoalQuotes:
    """The first ``limit`` quotes (one per passage, document order) behind each goal."""
    return {
        row.goal: collect_quotes(
            project, code_ids=sorted(row.code_ids), coder=coder, per_passage=True
        )[:limit]
        if row.code_ids
        else []
        for row in rows
    }


def goals_grid(rows: Sequence[GoalRow], lang: str = "nb") -> tuple[list[str], list[list[str]]]:
    words = WORDS[lang]
    header = [
        words["goal_column"],
        words["rating"],
        words["assessment"],
        words["passages_column"],
        words["cases_column"],
    ]
    body = [
        [
            row.label,
            row.rating_label(lang),
            row.assessment,
            str(row.passages),
            f"{row.cases_with} / {row.cases}",
        ]
        for row in rows
    ]
    return header, body


def write_goals(
    rows: Sequence[GoalRow],
    quotes: GoalQuotes,
    path: str | Path,
    fmt: str | None,
    *,
    attribution: str | None = None,
    lang: str = "nb",
) -> None:
    """The goal table with the quotes behind each goal, Word for ``fmt`` docx, else Excel."""
    evidence = {
        goal: [(quote.text, quote.attribution(attribution)) for quote in shown]
        for goal, shown in quotes.items()
    }
    write = _goals_docx if fmt == "docx" else _goals_xlsx
    write(rows, evidence, path, lang)


def _goals_docx(rows: Sequence[GoalRow], evidence: Evidence, path: str | Path, lang: str) -> None:
    """The table, then for each goal the quotes behind it with their attribution."""
    words = WORDS[lang]
    document = _document(words["goals_title"], lang)
    document.add_heading(words["goals_title"], level=1)
    _table(document, *goals_grid(rows, lang))
    document.add_paragraph(words["goals_caption"], style="Caption")
    for row in rows:
        document.add_heading(words["evidence"].format(label=row.label), level=2)
        shown = evidence.get(row.goal, [])
        if not shown:
            document.add_paragraph(words["no_quotes"])
        for text, cite in shown:
            document.add_paragraph(_xml_text(f"«{text}» {cite}"), "Quote")
    _save(document, path)


def _goals_xlsx(rows: Sequence[GoalRow], evidence: Evidence, path: str | Path, lang: str) -> None:
    """Two sheets: the table, and every quote behind a goal with its attribution."""
    words = WORDS[lang]
    header = [words["goal_column"], words["rating"], words["assessment"]]
    header += [words["passages_column"], words["cases_column"], words["cases"]]
    table: list[list[object]] = [
        [r.label, r.rating_label(lang), r.assessment, r.passages, r.cases_with, r.cases]
        for r in rows
    ]
    quoted: list[list[object]] = [
        [row.label, text, cite] for row in rows for text, cite in evidence.get(row.goal, [])
    ]
    sheets = [
        (words["goals_title"], (header, table)),
        (
            words["evidence_sheet"],
            ([words["goal_column"], words["quote"], words["attribution"]], quoted),
        ),
    ]
    write_xlsx(path, sheets)


# -- Word helpers ---------------------------------------------------------------------------------
def _document(title: str, lang: str) -> WordDocument:
    from docx import Document  # local: python-docx takes a while to import

    document = Document()
    document.core_properties.title = title
    document.core_properties.author = "kodeverk"  # never a coder's name
    document.core_properties.language = lang
    return document


def _table(document: WordDocument, header: list[str], rows: list[list[str]]) -> None:
    """A table whose first row is marked as a header row, repeated on every page."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = document.add_table(rows=1, cols=len(header), style=TABLE_STYLE)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = _xml_text(text)
    properties = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    properties.append(repeat)
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = _xml_text(text)


def _save(document: WordDocument, path: str | Path) -> None:
    with atomic_output(path) as temp:
        document.save(str(temp))
