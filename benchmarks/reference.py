"""The implementations issue 13 replaced, kept as baselines for the benchmarks and as the
reference the tests compare the faster paths with (same rows, same journal, same undo)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from coding.cases import set_attributes
from coding.errors import InputError
from coding.operations import apply_coding
from coding.store import Project
from corpus import codings_csv, importer
from corpus.codings_csv import CodingsImportSummary, _code_id, _codes_after, _last_code_id
from corpus.importer import ImportOptions, ImportSummary
from corpus.tables import read_table
from exports.docx_report import QUOTE_STYLE
from exports.quotes import CodeSection, Quote, QuoteReport

Progress = Callable[[int], None] | None


def import_codings_one_by_one(
    project: Project, path: Path, *, create_codes: bool = False
) -> CodingsImportSummary:
    """The codings import before issue 13: ``apply_coding`` per row, then the per-coding events
    folded into one event per coder (340 rows/s on the study)."""
    table = read_table(Path(path))
    for required in ("document", "code", "coder"):
        table.column(required)
    reader = codings_csv._Reader(project, table)
    rows = [reader.row(i) for i in range(len(table.rows))]
    code_ids: dict[str, int] = {}
    with project.transaction():
        last_event = project.conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        last_code = _last_code_id(project)
        for row in rows:
            if row.code_ref not in code_ids:
                code_ids[row.code_ref] = _code_id(
                    project, row.code_ref, table.where(row.row_index), create_codes
                )
            apply_coding(
                project, row.document_id, code_ids[row.code_ref], row.coder, row.start, row.end
            )
        created = _codes_after(project, last_code)
        applied = _fold_events(project, last_event, Path(path).name, created)
    coders = sorted({row.coder for row in rows})
    return CodingsImportSummary(str(path), len(rows), len(created), coders, len(rows) - applied)


def _fold_events(project: Project, after_id: int, source: str, codes: list[dict]) -> int:
    import json

    from coding import journal

    conn = project.conn
    by_coder: dict[int, list[dict]] = {}
    counts: dict[int, int] = {}
    for coder_id, changes in conn.execute(
        "SELECT coder_id, changes FROM events WHERE id > ? AND action = 'coding.apply' ORDER BY id",
        (after_id,),
    ):
        by_coder.setdefault(coder_id, []).extend(json.loads(changes))
        counts[coder_id] = counts.get(coder_id, 0) + 1
    conn.execute("DELETE FROM events WHERE id > ? AND action = 'coding.apply'", (after_id,))
    code_changes = [journal.change("codes", None, code) for code in codes]
    if code_changes and len(by_coder) != 1:
        summary = f"create {len(codes)} codes for codings from {source}"
        journal.record(conn, None, "codes.create", summary, code_changes, undoable=False)
    for coder_id, changes in by_coder.items():
        summary = f"import {counts[coder_id]} codings from {source}"
        if code_changes and len(by_coder) == 1:
            changes = code_changes + changes
            summary += f" (and {len(codes)} new codes)"
        journal.record(conn, coder_id, "codings.import", summary, changes)
    return sum(counts.values())


# -- the Word export before issue 13: python-docx looks up body.sectPr for every quote -------
def write_docx_before(report: QuoteReport, path: str | Path, progress: Progress = None) -> None:
    """Today's report (page, language, method note, prevalence tables from
    ``exports.docx_report``), with every code section built paragraph by paragraph through
    python-docx as before issue 13."""
    from exports.docx_report import _prevalence_table, new_report_document

    document = new_report_document(report)
    quote_style = document.styles[QUOTE_STYLE].style_id
    for goal in report.goals:
        document.add_heading(goal.title, level=1)
        _prevalence_table(document, report, goal)
        for section in goal.codes:
            _old_code_section(document, report, section, quote_style, progress)
    try:
        document.save(str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror})") from None


def _old_code_section(
    document, report: QuoteReport, section: CodeSection, style: str, progress: Progress
) -> None:
    """A code's heading, description and quotes (``style``: the «Quote» style's id)."""
    if section.label:
        document.add_heading(section.label, level=2)
    if section.code.description:
        document.add_paragraph().add_run(section.code.description).italic = True
    if section.total_quotes > len(section.quotes):
        shown = report.words["shown"].format(shown=len(section.quotes), total=section.total_quotes)
        document.add_paragraph(shown)
    groups = section.grouped(report.by) if report.by else [("", section.quotes)]
    for name, quotes in groups:
        if name:
            document.add_heading(name[:1].upper() + name[1:], level=3)
        for quote in quotes:
            _old_quote(document, quote, report.attribution, style)
            if progress:
                progress(1)


def _old_quote(document, quote: Quote, template: str | None, style_id: str) -> None:
    """Append the quote paragraph as XML before the section properties. python-docx's
    ``add_paragraph``/``add_run`` search the body's children for every call, which makes long
    reports quadratic; lxml's ``addprevious`` is constant time."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = OxmlElement("w:p")
    properties = OxmlElement("w:pPr")
    style = OxmlElement("w:pStyle")
    style.set(qn("w:val"), style_id)
    properties.append(style)
    paragraph.append(properties)
    paragraph.append(_old_run(f"«{quote.text}» {quote.attribution(template)}"))
    body = document.element.body
    if body.sectPr is not None:
        body.sectPr.addprevious(paragraph)
    else:
        body.append(paragraph)


def _old_run(text: str):
    """A ``w:r`` holding ``text``; line breaks and tabs become ``w:br``/``w:tab`` as Word
    expects (what python-docx's ``add_run`` does)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = OxmlElement("w:r")
    for line_number, line in enumerate(text.split("\n")):
        if line_number:
            run.append(OxmlElement("w:br"))
        for part_number, part in enumerate(line.split("\t")):
            if part_number:
                run.append(OxmlElement("w:tab"))
            if part:
                element = OxmlElement("w:t")
                element.set(qn("xml:space"), "preserve")
                element.text = part
                run.append(element)
    return run


def import_files_before(
    project: Project, paths: Sequence[Path], options: ImportOptions | None = None
) -> ImportSummary:
    """``import_files`` before issue 13's import speed-up: every segment row by ``executemany``
    (one statement, and its statement journal, per row), words counted by a regex."""
    options = options or ImportOptions()
    started = time.perf_counter()
    files = importer._read_all(project, [Path(p) for p in paths], options, None)
    importer._segment_all(files, None)
    summary = ImportSummary(files=len(files))
    with project.transaction() as conn:
        cases_before = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        case_ids: dict[str, int] = {}
        segment_rows: list[tuple] = []
        for f in files:
            import_id = importer._record_import(conn, f, options)
            for case, attributes in f.case_attributes.items():
                set_attributes(project, importer._case_id(conn, case_ids, case), attributes)
            for document in f.documents:
                case_id = (
                    importer._case_id(conn, case_ids, document.case) if document.case else None
                )
                document_id = importer._insert_document(conn, document, case_id, import_id)
                segment_rows.extend(
                    (document_id, i, *row) for i, row in enumerate(document.segments)
                )
                summary.documents += 1
                summary.segments += len(document.segments)
                summary.words += _WORD.subn("", document.text)[1]
            summary.skipped_empty_answers += f.skipped_empty
        conn.executemany(
            'INSERT INTO segments(document_id, ordinal, start, "end", kind, block, speaker) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            segment_rows,
        )
        summary.cases_created = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        summary.cases_created -= cases_before
        importer._journal(conn, files, summary)
    summary.seconds = time.perf_counter() - started
    return summary


_WORD = re.compile(r"\S+")
