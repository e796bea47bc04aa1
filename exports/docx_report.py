"""The quote report as a Word document with real styles, so it drops into a report template:
Title, Heading 1 per goal, Heading 2 per code, Heading 3 per group (``--by``), each quote in the
«Quote» style followed by its attribution, prevalence tables in a built-in table style.
A4 with page numbers, bokmål as the language of every style, tables that print well (header row
repeated, rows never split, widths that fit, captions in words). Quote paragraphs are built as
XML and placed before the section properties (linear for long reports)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from coding.output import atomic_output
from exports.quotes import (
    CodeSection,
    GoalSection,
    Progress,
    QuoteReport,
    method_note,
    prevalence_caption,
    prevalence_grid,
    split_label,
)

if TYPE_CHECKING:  # python-docx is imported where a report is written: it takes a while
    from docx.document import Document as WordDocument
    from docx.shared import Cm
    from docx.table import _Row
    from docx.text.paragraph import Paragraph

QUOTE_STYLE = "Quote"
TABLE_STYLE = "Light Grid Accent 1"


# Page and language as Norwegian reports set them: A4, 2.5 cm margins, page number centred in the
# footer; bokmål on every style so Word spell-checks the report as Norwegian.
A4_TWIPS = (11906, 16838)
MARGIN_CM = 2.5
LANGUAGES = {"nb": "nb-NO", "en": "en-GB"}


def write_docx(report: QuoteReport, path: str | Path, progress: Progress = None) -> None:
    document = new_report_document(report)
    quote_style = document.styles[QUOTE_STYLE].style_id
    for goal in report.goals:
        document.add_heading(goal.title, level=1).paragraph_format.keep_with_next = True
        _prevalence_table(document, report, goal)
        for section in goal.codes:
            _code_section(document, report, section, quote_style, progress)
    with atomic_output(path) as temp:
        document.save(str(temp))


def new_report_document(report: QuoteReport) -> WordDocument:
    """A Word document set up as the report's: properties, language, A4 page, title and the
    method note (also used by the benchmark's paragraph-by-paragraph reference writer)."""
    from docx import Document  # local: python-docx takes a while to import

    document = Document()
    language = LANGUAGES.get(report.lang, "nb-NO")
    document.core_properties.title = report.title
    document.core_properties.author = "kodeverk"  # not python-docx; never a coder's name
    document.core_properties.language = language
    _set_language(document, language)
    _page_setup(document)
    document.add_heading(report.title, level=0)
    if note := method_note(report):
        document.add_paragraph(note)
    return document


def _set_language(document: WordDocument, language: str) -> None:
    """``w:lang`` on the document defaults and on every style that names a language, and the
    theme font language in the settings."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None and rpr.find(qn("w:lang")) is None:
            rpr.append(OxmlElement("w:lang"))
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), language)
        lang.set(qn("w:eastAsia"), language)
    for lang in document.settings.element.iter(qn("w:themeFontLang")):
        lang.set(qn("w:val"), language)


def _page_setup(document: WordDocument) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Twips

    section = document.sections[0]
    section.page_width, section.page_height = (Twips(t) for t in A4_TWIPS)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)


def _code_section(
    document: WordDocument,
    report: QuoteReport,
    section: CodeSection,
    style: str,
    progress: Progress,
) -> None:
    """A code's heading, description and quotes (``style``: the «Quote» style's id), written
    as one XML string parsed by lxml at once and placed before the section properties.
    Headings and the lines under them keep with the next paragraph (the first quote).

    python-docx's ``add_paragraph`` finds ``body.sectPr`` by walking all of the body's
    children, for every paragraph: quadratic (60 000 quotes took 102 s)."""
    headings = {level: document.styles[f"Heading {level}"].style_id for level in (2, 3)}
    xml = []
    if section.label:  # quotes coded with the goal itself sit under the goal's heading
        xml.append(_paragraph(section.label, headings[2], keep=True))
    if section.code.description:
        xml.append(_paragraph(section.code.description, italic=True, keep=True))
    if section.total_quotes > len(section.quotes):
        shown = report.words["shown"].format(shown=len(section.quotes), total=section.total_quotes)
        xml.append(_paragraph(shown, keep=True))
    groups = section.grouped(report.by) if report.by else [("", section.quotes)]
    done = 0
    for name, quotes in groups:
        if name:
            xml.append(_paragraph(name[:1].upper() + name[1:], headings[3], keep=True))
        for quote in quotes:
            text = f"«{quote.text}» {quote.attribution(report.attribution)}"
            xml.append(_paragraph(text, style, preserve=True))
            done += 1
            if progress and done % 500 == 0:
                progress(500)
    _append_before_section_properties(document, xml)
    if progress and done % 500:
        progress(done % 500)


def _keep(paragraph: Paragraph) -> None:
    """Keep a heading (or the lines under it) on the page of what follows."""
    paragraph.paragraph_format.keep_with_next = True


def _append_before_section_properties(document: WordDocument, paragraphs: list[str]) -> None:
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
    text: str,
    style_id: str | None = None,
    *,
    italic: bool = False,
    preserve: bool = False,
    keep: bool = False,
) -> str:
    """A ``w:p`` as XML text: optional paragraph style, one run; line breaks and tabs become
    ``w:br``/``w:tab`` as Word expects (what python-docx's ``add_run`` does). ``preserve``
    keeps spaces at the ends of each piece of text; python-docx sets it only where needed.
    ``keep``: keep with the next paragraph (a heading stays on the page of its first quote)."""
    style = f'<w:pStyle w:val="{escape(style_id, ESCAPES)}"/>' if style_id else ""
    keep_next = "<w:keepNext/>" if keep else ""
    properties = f"<w:pPr>{style}{keep_next}</w:pPr>" if style or keep_next else ""
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


def _prevalence_table(document: WordDocument, report: QuoteReport, goal: GoalSection) -> None:
    """The goal's prevalence table: caption in words above it, header row repeated on every
    page, rows never split, the first column wide enough for a code's name, numbers right."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    header, rows = prevalence_grid(report, goal)
    if not rows:
        return
    caption = document.add_paragraph(prevalence_caption(report), style="Caption")
    _keep(caption)
    table = document.add_table(rows=1, cols=len(header), style=TABLE_STYLE)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = _column_widths(header, rows)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    _mark_row(table.rows[0], header=True)
    for row in rows:
        cells = table.add_row().cells
        name, context = split_label(row[0])
        cells[0].text = name
        if context:
            small = cells[0].add_paragraph().add_run(context)
            small.font.size = Pt(8)
        for cell, text in zip(cells[1:], row[1:], strict=True):
            cell.text = text
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _mark_row(table.rows[-1], header=False)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    for index, width in enumerate(widths):
        table.columns[index].width = width


def _mark_row(row: _Row, header: bool) -> None:
    """``w:cantSplit`` on every row, ``w:tblHeader`` on the header row."""
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _column_widths(header: list[str], rows: list[list[str]]) -> list[Cm]:
    """The first column takes what the longest code name needs (within reason); the others
    share the rest of the text width of an A4 page equally."""
    from docx.shared import Cm

    text_width = 21.0 - 2 * MARGIN_CM
    longest = max([len(header[0])] + [len(w) for r in rows for w in r[0].split()], default=10)
    first = min(max(3.5, 0.22 * longest + 0.6), text_width / 2)
    rest = (text_width - first) / max(len(header) - 1, 1)
    return [Cm(first)] + [Cm(rest)] * (len(header) - 1)
