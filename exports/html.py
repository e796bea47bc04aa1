"""The quote report as one self-contained HTML page: ``<h1>`` per goal, ``<h2>`` per code,
each quote a ``<blockquote>`` with its attribution in ``<cite>``; prevalence as ``<table>``."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path

from coding.output import atomic_output
from exports.quotes import QuoteReport, prevalence_grid

Progress = Callable[[int], None] | None

STYLE = """
body { font-family: Georgia, serif; max-width: 46em; margin: 2em auto; line-height: 1.5; }
blockquote { border-left: 3px solid #888; margin: 1em 0; padding: 0 1em; font-style: italic; }
blockquote cite { font-style: normal; color: #444; }
table { border-collapse: collapse; margin: 1em 0; } td, th { border: 1px solid #aaa; padding: 4px; }
p.description { color: #444; font-style: italic; }
"""


def render_html(report: QuoteReport, progress: Progress = None) -> str:
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{report.lang}"><head><meta charset="utf-8">',
        f"<title>{escape(report.title)}</title><style>{STYLE}</style></head><body>",
        f'<header><p class="title">{escape(report.title)}</p></header>',
    ]
    for goal in report.goals:
        parts.append(f'<section class="goal"><h1>{escape(goal.title)}</h1>')
        parts += _table(*prevalence_grid(report, goal))
        for section in goal.codes:
            parts.append(f'<section class="code"><h2>{escape(section.label)}</h2>')
            if section.code.description:
                parts.append(f'<p class="description">{escape(section.code.description)}</p>')
            groups = section.grouped(report.by) if report.by else [("", section.quotes)]
            for name, quotes in groups:
                if name:
                    parts.append(f"<h3>{escape(name[:1].upper() + name[1:])}</h3>")
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


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return [
        f'<table class="prevalence"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    ]


def write_html(report: QuoteReport, path: str | Path, progress: Progress = None) -> None:
    text = render_html(report, progress)
    with atomic_output(path) as temp:
        temp.write_text(text, encoding="utf-8")
