"""Tables of codings and prevalence figures as CSV and Excel.

One row per coding: document, case, every case attribute, goal, code path, coder, start, end,
quote, memo. Anonymised unless the attribution template asks for names: documents and cases
appear by number, and an attribute that spells a case's name is left out.
"""

from __future__ import annotations

import csv
import errno
import gc
import os
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coding.codes import list_codes
from coding.output import atomic_output, is_formula_like, safe_row
from coding.prevalence import Cell, PrevalenceResult
from coding.store import Project
from exports.attribution import (
    ATTRIBUTION_ATTRIBUTES,
    IDENTIFYING_FIELDS,
    names_requested,
    template_fields,
)
from exports.quotes import Progress, Quote, check_template

if TYPE_CHECKING:  # openpyxl is imported where a workbook is written: it takes a while
    from openpyxl.cell.cell import Cell as SheetCell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

Table = tuple[list[str], list[list[object]]]


def coding_table(
    project: Project,
    quotes: Sequence[Quote],
    attribution: str | None = None,
    attributes: Sequence[str] = (),
) -> Table:
    """The codings table; names only when ``attribution`` asks for ``{case}``/``{document}``.
    Case attributes: the attribution's own (size class, region, the template's fields) and
    those asked for by name in ``attributes``; others (population, county …) could identify a
    municipality and stay out."""
    check_template(project, attribution)
    named = names_requested(attribution)
    codes = {c.id: c for c in list_codes(project)}
    columns = _attribute_columns(quotes, named, attribution, attributes)
    header = ["coding", "document", "case", *columns, "attribution", "goal", "code"]
    header += ["coder", "start", "end", "quote", "memo"]
    rows = []
    for q in quotes:
        code = codes[q.code_id]
        rows.append(
            [
                q.coding_id,
                q.document_name if named else q.document_id,
                (q.case_name if named else q.case_id) or "",
                *(_number(q.attributes.get(a, "")) for a in columns),
                q.attribution(attribution),
                code.effective_goal or "",
                code.path,
                q.coder,
                q.start,
                q.end,
                q.text,
                q.memo,
            ]
        )
    return header, rows


def _number(value: str) -> object:
    """An attribute that is a whole number («6000», «6 000») as an int, so spreadsheets sum it."""
    digits = value.replace(" ", "").replace("\u00a0", "")
    # a leading zero (kommunenummer «0301») is a code, not a number: it stays text
    return int(digits) if re.fullmatch(r"-?(?:0|[1-9]\d{0,14})", digits) else value


def _attribute_columns(
    quotes: Sequence[Quote], named: bool, template: str | None, asked: Sequence[str]
) -> list[str]:
    """The attribute columns in the order seen sorted; without names, attributes that spell a
    case name go even when asked for."""
    wanted = set(asked) | set(ATTRIBUTION_ATTRIBUTES)
    if template:
        wanted |= set(template_fields(template)) - set(IDENTIFYING_FIELDS)
    names = sorted({a for q in quotes for a in q.attributes} & wanted)
    if named:
        return names
    case_names = {q.case_name.casefold() for q in quotes if q.case_name}
    spelling = {
        a for q in quotes for a, v in q.attributes.items() if v.strip().casefold() in case_names
    }
    return [a for a in names if a not in spelling]


def prevalence_table(result: PrevalenceResult) -> Table:
    """One row per theme and group (then its total row), as in ``kodeverk prevalence --csv``."""
    header = [result.level, *result.by, "cases", "cases_with", "share", "excerpts", "documents"]
    header += ["quantifier", "weighted_share", "weighted_cases", "test", "p_value", "test_note"]
    rows: list[list[object]] = []
    for theme in result.themes:
        for cell in [c for c in result.rows if c.theme == theme.label]:
            group = list(cell.group.values())  # type: ignore[union-attr]
            rows.append([*_prevalence_row(theme.label, group, cell), "", "", ""])
        total = result.cell(theme.label, None)
        test = result.tests[theme.label]
        p_value = "" if test.p_value is None else test.p_value
        row = _prevalence_row(theme.label, ["Totalt"] * len(result.by), total)
        rows.append([*row, test.test, p_value, test.note])
    return header, rows


def _prevalence_row(label: str, group: list[str], cell: Cell) -> list[object]:
    optional = [cell.share, cell.weighted_share, cell.weighted_cases]
    share, weighted, weighted_cases = ("" if v is None else round(v, 6) for v in optional)
    return [
        label,
        *group,
        cell.cases,
        cell.cases_with,
        share,
        cell.excerpts,
        cell.documents,
        cell.quantifier,
        weighted,
        weighted_cases,
    ]


def write_csv(path: str | Path, table: Table) -> None:
    """UTF-8 with a BOM so Excel reads the Norwegian letters right."""
    header, rows = table
    with atomic_output(path) as temp, temp.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(safe_row(header))
        writer.writerows(safe_row(row) for row in rows)


def write_xlsx(
    path: str | Path, sheets: Sequence[tuple[str, Table]], progress: Progress = None
) -> None:
    """One sheet per table: bold header row, autofilter, frozen header, sensible widths;
    shares as percentages, long text wrapped, printed landscape and fit to the page width with
    the header row on every page."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for title, (header, rows) in sheets:
        sheet = book.create_sheet(_sheet_title(title))
        sheet.append(header)
        _keep_text(sheet[1])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
            _keep_text(sheet[sheet.max_row])
            if progress:
                progress(1)
        sheet.freeze_panes = "A2"
        if header:
            sheet.auto_filter.ref = sheet.dimensions
        _set_widths(sheet, header, rows)
        _format_columns(sheet, header)
        _print_setup(sheet)
    with atomic_output(path) as temp:
        _save(book, temp)


def _save(book: Workbook, path: Path) -> None:
    """``book.save`` with a full disk raising ``OSError``: openpyxl's XML writer (lxml) raises
    ``SerialisationError('IO_EFBIG')`` instead, and leaves a generator whose finaliser would
    print a traceback after our one-line error; it is collected here, quietly."""
    failure = None
    try:
        book.save(path)
    except Exception as exc:
        if type(exc).__name__ != "SerialisationError":
            raise
        failure = str(exc)
        hook, sys.unraisablehook = sys.unraisablehook, lambda _: None
        try:
            exc.__traceback__ = None
            del exc
            gc.collect()
        finally:
            sys.unraisablehook = hook
    if failure is not None:
        code = getattr(errno, failure.removeprefix("IO_"), errno.EIO)
        raise OSError(code, os.strerror(code))


def _sheet_title(title: str) -> str:
    for bad in "[]:*?/\\":
        title = title.replace(bad, "-")
    return title[:31]


def _keep_text(cells: Iterable[SheetCell]) -> None:
    """Text that would start a formula («=», «+», «-», «@» …) stays text, exactly as written:
    a string cell with Excel's quote prefix (OWASP: CSV injection)."""
    for cell in cells:
        if cell.data_type == "f":
            cell.data_type = "s"
        if cell.data_type == "s" and is_formula_like(cell.value):
            cell.quotePrefix = True


PERCENT_COLUMNS = ("share", "weighted_share")
WRAPPED_COLUMNS = ("quote", "memo", "attribution", "test_note")


def _format_columns(sheet: Worksheet, header: list[str]) -> None:
    from openpyxl.styles import Alignment

    wrap = Alignment(wrap_text=True, vertical="top")
    for index, name in enumerate(header, start=1):
        if name not in PERCENT_COLUMNS + WRAPPED_COLUMNS:
            continue
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if name in PERCENT_COLUMNS:
                cell.number_format = "0.0%"
            else:
                cell.alignment = wrap


def _print_setup(sheet: Worksheet) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = "1:1"


def _set_widths(sheet: Worksheet, header: list[str], rows: list[list[object]]) -> None:
    from openpyxl.utils import get_column_letter

    sample = rows[:200]
    for index, name in enumerate(header, start=1):
        longest = max([len(str(name))] + [len(str(r[index - 1])) for r in sample], default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest + 2, 8), 60)
