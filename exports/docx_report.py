"""The quote report as a Word document with real styles, so it drops into a report template:
Title, Heading 1 per goal, Heading 2 per code, Heading 3 per group (``--by``), each quote in the
«Quote» style followed by its attribution, prevalence tables in a built-in table style."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from coding.output import atomic_output
from exports.quotes import CodeSection, GoalSection, Quote, QuoteReport, prevalence_grid

QUOTE_STYLE = "Quote"
TABLE_STYLE = "Light Grid Accent 1"

Progress = Callable[[int], None] | None


def write_docx(report: QuoteReport, path: str | Path, progress: Progress = None) -> None:
    from docx import Document  # local: python-docx takes a while to import

    document = Document()
    document.core_properties.title = report.title
    document.core_properties.author = "kodeverk"  # not python-docx; never a coder's name
    document.core_properties.language = report.lang
    document.add_heading(report.title, level=0)
    quote_style = document.styles[QUOTE_STYLE].style_id
    for goal in report.goals:
        document.add_heading(goal.title, level=1)
        _prevalence_table(document, report, goal)
        for section in goal.codes:
            _code_section(document, report, section, quote_style, progress)
    with atomic_output(path) as temp:
        document.save(str(temp))


def _code_section(
    document, report: QuoteReport, section: CodeSection, style: str, progress: Progress
) -> None:
    """A code's heading, description and quotes (``style``: the «Quote» style's id)."""
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
            _quote(document, quote, report.attribution, style)
            if progress:
                progress(1)


def _quote(document, quote: Quote, template: str | None, style_id: str) -> None:
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
    paragraph.append(_run(f"«{quote.text}» {quote.attribution(template)}"))
    body = document.element.body
    if body.sectPr is not None:
        body.sectPr.addprevious(paragraph)
    else:
        body.append(paragraph)


def _run(text: str):
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


def _prevalence_table(document, report: QuoteReport, goal: GoalSection) -> None:
    header, rows = prevalence_grid(report, goal)
    if not rows:
        return
    table = document.add_table(rows=1, cols=len(header), style=TABLE_STYLE)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    by = " × ".join(report.prevalence.by) if report.prevalence else ""
    document.add_paragraph(report.words["caption"].format(by=by), style="Caption")
