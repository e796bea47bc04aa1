"""The quote report as a Word document with real styles, so it drops into a report template:
Title, Heading 1 per goal, Heading 2 per code, Heading 3 per group (``--by``), each quote in the
«Quote» style followed by its attribution, prevalence tables in a built-in table style.
A4 with page numbers, bokmål as the language of every style, tables that print well (header row
repeated, rows never split, widths that fit, captions in words). Quote paragraphs are built as
XML and placed before the section properties (linear for long reports)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from coding.output import atomic_output
from exports.quotes import (
    CodeSection,
    GoalSection,
    Quote,
    QuoteReport,
    method_note,
    prevalence_caption,
    prevalence_grid,
    split_label,
)

QUOTE_STYLE = "Quote"
TABLE_STYLE = "Light Grid Accent 1"

Progress = Callable[[int], None] | None


# Page and language as Norwegian reports set them: A4, 2.5 cm margins, page number centred in the
# footer; bokmål on every style so Word spell-checks the report as Norwegian.
A4_TWIPS = (11906, 16838)
MARGIN_CM = 2.5
LANGUAGES = {"nb": "nb-NO", "en": "en-GB"}


def write_docx(report: QuoteReport, path: str | Path, progress: Progress = None) -> None:
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
    quote_style = document.styles[QUOTE_STYLE].style_id
    for goal in report.goals:
        document.add_heading(goal.title, level=1).paragraph_format.keep_with_next = True
        _prevalence_table(document, report, goal)
        for section in goal.codes:
            _code_section(document, report, section, quote_style, progress)
    with atomic_output(path) as temp:
        document.save(str(temp))


def _set_language(document, language: str) -> None:
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


def _page_setup(document) -> None:
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
    field.append(_run("1"))
    footer._p.append(field)


def _code_section(
    document, report: QuoteReport, section: CodeSection, style: str, progress: Progress
) -> None:
    """A code's heading, description and quotes (``style``: the «Quote» style's id)."""
    if section.label:  # quotes coded with the goal itself sit under the goal's heading
        _keep(document.add_heading(section.label, level=2))
    if section.code.description:
        description = document.add_paragraph()
        description.add_run(section.code.description).italic = True
        _keep(description)
    if section.total_quotes > len(section.quotes):
        shown = report.words["shown"].format(shown=len(section.quotes), total=section.total_quotes)
        _keep(document.add_paragraph(shown))
    groups = section.grouped(report.by) if report.by else [("", section.quotes)]
    for name, quotes in groups:
        if name:
            _keep(document.add_heading(name[:1].upper() + name[1:], level=3))
        for quote in quotes:
            _quote(document, quote, report.attribution, style)
            if progress:
                progress(1)


def _keep(paragraph) -> None:
    """Keep a heading (or the lines under it) on the page of the first quote."""
    paragraph.paragraph_format.keep_with_next = True


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


def _mark_row(row, header: bool) -> None:
    """``w:cantSplit`` on every row, ``w:tblHeader`` on the header row."""
    from docx.oxml import OxmlElement

    properties = row._tr.get_or_add_trPr()
    properties.append(OxmlElement("w:cantSplit"))
    if header:
        properties.append(OxmlElement("w:tblHeader"))


def _column_widths(header: list[str], rows: list[list[str]]):
    """The first column takes what the longest code name needs (within reason); the others
    share the rest of the text width of an A4 page equally."""
    from docx.shared import Cm

    text_width = 21.0 - 2 * MARGIN_CM
    longest = max([len(header[0])] + [len(w) for r in rows for w in r[0].split()], default=10)
    first = min(max(3.5, 0.22 * longest + 0.6), text_width / 2)
    rest = (text_width - first) / max(len(header) - 1, 1)
    return [Cm(first)] + [Cm(rest)] * (len(header) - 1)
