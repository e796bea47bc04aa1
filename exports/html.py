"""The quote report as one self-contained HTML page: ``<h1>`` per goal, ``<h2>`` per code,
each quote a ``<blockquote>`` with its attribution in ``<cite>``; prevalence as ``<table>``."""

from __future__ import annotations

from html import escape
from pathlib import Path

from coding.output import atomic_output
from exports import quotes as model
from exports.quotes import Progress, QuoteReport

STYLE = """
body { font-family: Georgia, serif; max-width: 46em; margin: 2em auto; line-height: 1.5; }
blockquote { border-left: 3px solid #888; margin: 1em 0; padding: 0 1em; font-style: italic; }
blockquote cite { font-style: normal; color: #444; }
table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #aaa; padding: 4px; }
p.description { color: #444; font-style: italic; }
caption { caption-side: top; text-align: left; font-style: italic; padding: 4px 0; }
td.number { text-align: right; } th[scope=row] { text-align: left; font-weight: normal; }
@page { size: A4; margin: 2.5cm; }
"""


def render_html(report: QuoteReport, progress: Progress = None) -> str:
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{report.lang}"><head><meta charset="utf-8">',
        f"<title>{escape(report.title)}</title><style>{STYLE}</style></head><body>",
        f'<header><h1 class="title">{escape(report.title)}</h1></header>',
    ]
    if note := model.method_note(report):
        parts.append(f'<p class="method">{escape(note)}</p>')
    for goal in report.goals:
        parts.append(f'<section class="goal"><h2>{escape(goal.title)}</h2>')
        parts += _table(report, *model.prevalence_grid(report, goal))
        for section in goal.codes:
            parts.append('<section class="code">')
            if section.label:  # quotes coded with the goal itself sit under the goal's heading
                parts.append(f"<h3>{escape(section.label)}</h3>")
            if section.code.description:
                parts.append(f'<p class="description">{escape(section.code.description)}</p>')
            groups = section.grouped(report.by) if report.by else [("", section.quotes)]
            for name, quotes in groups:
                if name:
                    parts.append(f"<h4>{escape(name[:1].upper() + name[1:])}</h4>")
                for quote in quotes:
                    text = escape(quote.text).replace("\n", "<br>")
                    cite = escape(quote.attribution(report.attribution))
                    parts.append(
                        f'<blockquote lang="nb"><p>«{text}»</p><cite>{cite}</cite></blockquote>'
                    )
                    if progress:
                        progress(1)
            parts.append("</section>")
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _table(report: QuoteReport, header: list[str], rows: list[list[str]]) -> list[str]:
    """The prevalence table with its caption in words; numbers right-aligned."""
    if not rows:
        return []
    caption = f"<caption>{escape(model.prevalence_caption(report))}</caption>"
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + _first_cell(row[0]) + _numbers(row[1:]) + "</tr>" for row in rows)
    return [
        f'<table class="prevalence">{caption}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    ]


def _first_cell(cell: str) -> str:
    name, context = model.split_label(cell)
    small = f"<br><small>{escape(context)}</small>" if context else ""
    return f'<th scope="row">{escape(name)}{small}</th>'


def _numbers(cells: list[str]) -> str:
    return "".join(f'<td class="number">{escape(c)}</td>' for c in cells)


def write_html(report: QuoteReport, path: str | Path, progress: Progress = None) -> None:
    text = render_html(report, progress)
    with atomic_output(path) as temp:
        temp.write_text(text, encoding="utf-8")
