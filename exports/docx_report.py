"""The quote report as a Word document with real styles, so it drops into a report template:
Title, Heading 1 per goal, Heading 2 per code, Heading 3 per group (``--by``), each quote in the
«Quote» style followed by its attribution, prevalence tables in a built-in table style."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

from coding.output import atomic_output
from exports.quotes import CodeSection, GoalSection, QuoteReport, prevalence_grid

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
    """A code's heading, description and quotes (``style``: the «Quote» style's id), written
    as one XML string parsed by lxml at once and placed before the section properties.

    python-docx's ``add_paragraph`` finds ``body.sectPr`` by walking all of the body's
    children, for every paragraph: quadratic (60 000 quotes took 102 s)."""
    headings = {level: document.styles[f"Heading {level}"].style_id for level in (2, 3)}
    xml = [_paragraph(section.label, headings[2])]
    if section.code.description:
        xml.append(_paragraph(section.code.description, italic=True))
    if section.total_quotes > len(section.quotes):
        shown = report.words["shown"].format(shown=len(section.quotes), total=section.total_quotes)
        xml.append(_paragraph(shown))
    groups = section.grouped(report.by) if report.by else [("", section.quotes)]
    done = 0
    for name, quotes in groups:
        if name:
            xml.append(_paragraph(name[:1].upper() + name[1:], headings[3]))
        for quote in quotes:
            text = f"«{quote.text}» {quote.attribution(report.attribution)}"
            xml.append(_paragraph(text, style, preserve=True))
            done += 1
            if progress and done % 500 == 0:
                progress(500)
    _append_before_section_properties(document, xml)
    if progress and done % 500:
        progress(done % 500)


def _append_before_section_properties(document, paragraphs: list[str]) -> None:
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn

    parsed = parse_xml(f"<w:body {nsdecls('w')}>{''.join(paragraphs)}</w:body>")
    body = document.element.body
    # The section properties end the body: look at its last child only (``body.sectPr``
    # walks all children).
    last = next(body.iterchildren(reversed=True), None)
    anchor = last if last is not None and last.tag == qn("w:sectPr") else None
    for element in list(parsed):
        if anchor is not None:
            anchor.addprevious(element)
        else:
            body.append(element)


def _paragraph(
    text: str, style_id: str | None = None, *, italic: bool = False, preserve: bool = False
) -> str:
    """A ``w:p`` as XML text: optional paragraph style, one run; line breaks and tabs become
    ``w:br``/``w:tab`` as Word expects (what python-docx's ``add_run`` does). ``preserve``
    keeps spaces at the ends of each piece of text; python-docx sets it only where needed."""
    properties = (
        f'<w:pPr><w:pStyle w:val="{escape(style_id, ESCAPES)}"/></w:pPr>' if style_id else ""
    )
    run = ["<w:r>", "<w:rPr><w:i/></w:rPr>" if italic else ""]
    for line_number, line in enumerate(text.split("\n")):
        if line_number:
            run.append("<w:br/>")
        for part_number, part in enumerate(line.split("\t")):
            if part_number:
                run.append("<w:tab/>")
            if part:
                space = preserve or part[0].isspace() or part[-1].isspace()
                run.append(f"<w:t{SPACE if space else ''}>{_text(part)}</w:t>")
    run.append("</w:r>")
    return f"<w:p>{properties}{''.join(run)}</w:p>"


SPACE = ' xml:space="preserve"'
ESCAPES = {'"': "&quot;"}
# Characters XML 1.0 cannot hold (python-docx refuses them with ValueError; so do we).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(text: str) -> str:
    if _NOT_XML.search(text):
        raise ValueError(
            "All strings must be XML compatible: Unicode or ASCII, "
            "no NULL bytes or control characters"
        )
    return escape(text)


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
