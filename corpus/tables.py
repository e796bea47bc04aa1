"""Reading tables (survey answers, case lists, codings) from ``.csv`` and ``.xlsx`` files.

CSV files from Norwegian Excel are often ``;``-separated and cp1252-encoded; both are detected.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from coding.errors import MALFORMED_INPUT, InputError, describe
from corpus.encoding import decode_bytes

if TYPE_CHECKING:  # openpyxl is imported lazily (and ships no types)
    from openpyxl import Workbook
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

DELIMITERS = ",;\t"
TABLE_SUFFIXES = (".csv", ".xlsx")
MAX_COLUMNS = 1_000
MAX_ROWS = 200_000  # a row costs ~600 bytes read; a million one-letter rows took 600 MB


@dataclass
class Table:
    """A table with one header row. ``row_numbers[i]`` is the line (CSV) or row (xlsx) number of
    ``rows[i]`` in the file, for messages."""

    source: str
    columns: list[str]
    rows: list[dict[str, str]]
    row_numbers: list[int] = field(default_factory=list)

    def column(self, name: str) -> str:
        """The header matching ``name`` (case-insensitive, spaces stripped)."""
        wanted = name.strip().casefold()
        for column in self.columns:
            if column.casefold() == wanted:
                return column
        shown = ", ".join(" ".join(c.split()) for c in self.columns)  # one line, always
        raise InputError(f"{self.source}: no column {name.strip()!r}; columns are: {shown}")

    def where(self, index: int) -> str:
        """``FILE row N`` for the row at ``index``, for messages."""
        return f"{self.source} row {self.row_numbers[index]}"


def read_table(path: Path, *, sheet: str | None = None) -> Table:
    """Read a ``.csv`` or ``.xlsx`` table whose first non-empty row is the header."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix == ".xlsx":
        return _read_xlsx(path, sheet)
    raise InputError(f"{path}: not a table (expected .csv or .xlsx)")


# -- CSV -----------------------------------------------------------------------------------------
def _read_csv(path: Path) -> Table:
    text = decode_bytes(path.read_bytes(), str(path))
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, list[str]]] = []
    first_line = 1  # a quoted cell may span lines: a record is named by its first line
    try:
        for cells in reader:
            records.append((first_line, cells))
            first_line = reader.line_num + 1
            if len(records) > MAX_ROWS:
                _check_rows(len(records), str(path))
    except csv.Error as exc:
        raise InputError(f"{path} line {reader.line_num}: {exc}") from None
    return _build_table(str(path), records)


def sniff_delimiter(text: str) -> str:
    """``,``, ``;`` or tab. Headers rarely hold punctuation, so a delimiter that is the only one
    in the header line wins; a header with none means one column. Otherwise csv.Sniffer decides
    over the first lines, and failing that the most frequent delimiter in the header."""
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    header = lines[0] if lines else ""
    present = [d for d in DELIMITERS if d in header]
    if len(present) == 1:
        return present[0]
    sample = "\n".join(lines)
    if not present:  # one column: split on something the answers do not contain
        return min(DELIMITERS, key=sample.count)
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return max(DELIMITERS, key=header.count)


# -- Excel ---------------------------------------------------------------------------------------
def _read_xlsx(path: Path, sheet: str | None) -> Table:
    """The sheet's rows, streamed by openpyxl's read-only mode after the archive was checked
    (``codebooks.safe_zip``: sizes, ratio, no DTD). Rows are as long as their last cell, not
    as the sheet's declared dimensions, and at most ``MAX_COLUMNS`` wide."""
    import openpyxl

    # openpyxl parses a workbook's XML with defusedxml (the reason it is a dependency): no
    # entities, no external references. ``OPENPYXL_DEFUSEDXML=False`` would turn that off.
    if not openpyxl.DEFUSEDXML:
        raise InputError(
            f"{path}: .xlsx files are read only with defusedxml (see OPENPYXL_DEFUSEDXML)"
        )
    from codebooks.safe_zip import XLSX_LIMITS, check_office_file

    check_office_file(path, XLSX_LIMITS, "Excel .xlsx file")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except MALFORMED_INPUT as exc:
        raise InputError(f"{path}: not a readable Excel .xlsx file ({describe(exc)})") from None
    try:
        worksheet = _worksheet(path, book, sheet)
        where = f"{path} [{worksheet.title}]" if sheet else str(path)
        records = list(_xlsx_records(worksheet, where))
    except MALFORMED_INPUT as exc:
        raise InputError(f"{path}: not a readable Excel .xlsx file ({describe(exc)})") from None
    finally:
        book.close()
    return _build_table(where, records)


def _worksheet(path: Path, book: Workbook, sheet: str | None) -> ReadOnlyWorksheet:
    if not book.worksheets:
        raise InputError(f"{path}: the workbook has no sheets")
    if sheet is None:
        return book.worksheets[0]
    if sheet in book.sheetnames:
        return book[sheet]
    raise InputError(f"{path}: no sheet {sheet!r}; sheets are: {', '.join(book.sheetnames)}")


def _xlsx_records(worksheet: ReadOnlyWorksheet, where: str) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` of the non-empty rows."""
    worksheet.reset_dimensions()  # a declared A1:XFD1048576 would pad every row
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if not values or all(value is None for value in values):
            continue
        if len(values) > MAX_COLUMNS:
            raise InputError(f"{where} row {number}: cells beyond column {MAX_COLUMNS}; refused")
        yield number, [_cell_text(value) for value in values]
        _check_rows(number, where)


def _check_rows(count: int, where: str) -> None:
    if count > MAX_ROWS:
        raise InputError(f"{where}: more than {MAX_ROWS:,} rows; refused (split the table)")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# -- shared --------------------------------------------------------------------------------------
def _build_table(source: str, records: list[tuple[int, list[str]]]) -> Table:
    stripped = ((n, list(map(str.strip, cells))) for n, cells in records)
    records = [(n, cells) for n, cells in stripped if any(cells)]
    if not records:
        raise InputError(f"{source}: table is empty")
    header_line, header = records[0]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise InputError(f"{source} line {header_line}: no header row")
    _check_header(source, header_line, header)
    if len(records) == 1:
        raise InputError(f"{source}: only a header row, no rows below it")
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    width = len(header)
    for number, cells in records[1:]:
        if len(cells) > width and any(cells[width:]):
            raise InputError(
                f"{source} line {number}: {len(cells)} cells but the header has {width}"
            )
        if len(cells) < width:
            cells = cells + [""] * (width - len(cells))
        rows.append(dict(zip(header, cells, strict=False)))
        numbers.append(number)
    return Table(source, header, rows, numbers)


def _check_header(source: str, line: int, header: list[str]) -> None:
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            raise InputError(f"{source} line {line}: column {position} has no header")
        if name.casefold() in seen:
            raise InputError(f"{source} line {line}: column {name!r} appears twice")
        seen.add(name.casefold())
