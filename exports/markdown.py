"""The quote report as Markdown: ``#`` per goal, ``##`` per code, each quote a block quote
followed by its attribution; prevalence tables as pipe tables."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from coding.output import atomic_output
from exports.quotes import QuoteReport, prevalence_grid

Progress = Callable[[int], None] | None


def render_markdown(report: QuoteReport, progress: Progress = None) -> str:
    lines = [f"# {report.title}", ""]
    for goal in report.goals:
        lines += [f"## {goal.title}", ""]
        lines += _table(*prevalence_grid(report, goal))
        for section in goal.codes:
            lines += [f"### {section.label}", ""]
            if section.code.description:
                lines += [f"*{_escape(section.code.description)}*", ""]
            groups = section.grouped(report.by) if report.by else [("", section.quotes)]
            for name, quotes in groups:
                if name:
                    lines += [f"#### {name[:1].upper() + name[1:]}", ""]
                for quote in quotes:
                    body = "\n> ".join(_escape(line) for line in quote.text.splitlines())
                    lines += [f"> «{body}» {quote.attribution(report.attribution)}", ""]
                    if progress:
                        progress(1)
    return "\n".join(lines).rstrip() + "\n"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    if not rows:
        return []
    cell = lambda text: _escape(text).replace("|", "\\|")  # noqa: E731
    out = ["| " + " | ".join(cell(h) for h in header) + " |"]
    out.append("|" + "---|" * len(header))
    out += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return [*out, ""]


def _escape(text: str) -> str:
    """Keep quote text literal: no accidental emphasis, headings or HTML."""
    for char in "\\*_`<>[]":
        text = text.replace(char, "\\" + char)
    return text


def write_markdown(report: QuoteReport, path: str | Path, progress: Progress = None) -> None:
    text = render_markdown(report, progress)
    with atomic_output(path) as temp:
        temp.write_text(text, encoding="utf-8")
