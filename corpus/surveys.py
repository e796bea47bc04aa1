"""Survey tables: one row per respondent, one column per open question.

Each non-empty answer becomes a document of kind ``survey`` named ``<file> · <case> · <question>``.
The case comes from a column (``case_column``), a fixed name, or the row itself. Other columns
can become case attributes, and an anonymised attribution column («Liten kommune i Nord-Norge»)
is parsed into ``size_class`` and ``region``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coding.documents import Segment, normalise_text
from coding.errors import InputError
from corpus.tables import Table, read_table
from corpus.transcripts import trim

MAX_ANSWERS = 50_000  # each answer is a document: ~4 KB while importing


@dataclass
class SurveyOptions:
    text_columns: Sequence[str]
    case_column: str | None = None
    case: str | None = None
    attribute_columns: Sequence[str] = ()
    attribution_column: str | None = None
    sheet: str | None = None


@dataclass
class Answer:
    """One answer, ready to store: the document text with one ``answer`` block."""

    name: str
    case: str
    text: str
    blocks: list[Segment]
    source_meta: dict[str, Any]


@dataclass
class Survey:
    answers: list[Answer] = field(default_factory=list)
    case_attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    skipped_empty: int = 0
    rows: int = 0


def read_survey(path: Path, options: SurveyOptions) -> Survey:
    table = read_table(path, sheet=options.sheet)
    if not options.text_columns:
        raise InputError(
            f"{table.source}: name the answer columns with --text-column; "
            f"columns are: {', '.join(table.columns)}"
        )
    questions = [table.column(name) for name in options.text_columns]
    case_column = table.column(options.case_column) if options.case_column else None
    attribute_columns = [table.column(name) for name in options.attribute_columns]
    attribution_column = (
        table.column(options.attribution_column) if options.attribution_column else None
    )
    survey = Survey(rows=len(table.rows))
    names: set[str] = set()
    for index, row in enumerate(table.rows):
        case = _case_of(table, index, case_column, options.case, path)
        attributes = {name: row[name] for name in attribute_columns if row[name]}
        if attribution_column and row[attribution_column]:
            attributes.update(_parse_attribution(row[attribution_column]))
        _merge_attributes(survey.case_attributes, case, attributes, table.where(index))
        for question in questions:
            answer = _answer(path, table, index, case, question)
            if answer is None:
                survey.skipped_empty += 1
                continue
            if answer.name in names:  # several respondents for one case: tell them apart
                answer.name += f" · row {table.row_numbers[index]}"
            names.add(answer.name)
            survey.answers.append(answer)
            if len(survey.answers) > MAX_ANSWERS:
                raise InputError(
                    f"{table.where(index)}: more than {MAX_ANSWERS:,} answers in one file; "
                    "refused (split the table)"
                )
    return survey


def _case_of(table: Table, index: int, column: str | None, fixed: str | None, path: Path) -> str:
    if column is None:
        return fixed or f"{path.stem} row {table.row_numbers[index]}"
    name = " ".join(table.rows[index][column].split())
    if not name:
        raise InputError(f"{table.where(index)}: no case name in column {column!r}")
    return name


def _answer(path: Path, table: Table, index: int, case: str, question: str) -> Answer | None:
    text = normalise_text(table.rows[index][question])
    span = trim(text, 0, len(text))
    if span is None:
        return None
    text = text[span[0] : span[1]]
    meta = {"file": path.name, "row": table.row_numbers[index], "question": question}
    name = f"{path.name} · {case} · {question}"
    return Answer(name, case, text, [Segment(0, len(text), "answer", 0, None)], meta)


def _merge_attributes(
    known: dict[str, dict[str, str]], case: str, attributes: dict[str, str], where: str
) -> None:
    """Several rows may belong to one case; their case attributes must agree."""
    current = known.setdefault(case, {})
    for name, value in attributes.items():
        if current.setdefault(name, value) != value:
            raise InputError(
                f"{where}: case {case!r} has {name} {value!r} here but {current[name]!r} "
                "on an earlier row"
            )


def _parse_attribution(text: str) -> dict[str, str]:
    from corpus.attribution import parse_attribution

    return parse_attribution(text)
