"""The quote report as Markdown: ``#`` per goal, ``##`` per code, each quote a block quote
followed by its attribution; prevalence tables as pipe tables."""

from __future__ import annotations

from pathlib import Path

from coding.output import atomic_output
from exports import quotes as model
from exports.quotes import Progress, QuoteReport


def render_markdown(report: QuoteReport, progress: Progress = None) -> str:
    lines = [f"# {_heading(report.title)}", ""]
    if note := model.method_note(report):
        lines += [_escape(note), ""]
    for goal in report.goals:
        lines += [f"## {_heading(goal.title)}", ""]
        lines += _table(report, *model.prevalence_grid(report, goal))
        for section in goal.codes:
            if section.label:  # quotes coded with the goal itself sit under the goal's heading
                lines += [f"### {_heading(section.label)}", ""]
            if section.code.description:
                lines += [f"*{_escape(section.code.description)}*", ""]
            groups = section.grouped(report.by) if report.by else [("", section.quotes)]
            for name, quotes in groups:
                if name:
                    lines += [f"#### {_heading(name[:1].upper() + name[1:])}", ""]
                for quote in quotes:
                    body = "\n> ".join(_escape(line) for line in quote.text.splitlines())
                    lines += [f"> «{body}» {_escape(quote.attribution(report.attribution))}", ""]
                    if progress:
                        progress(1)
    return "\n".join(lines).rstrip() + "\n"


def _table(report: QuoteReport, header: list[str], rows: list[list[str]]) -> list[str]:
    """A pipe table with its caption in words above it; numbers right-aligned."""
    if not rows:
        return []
    cell = lambda text: _escape(text).replace("|", "\\|")  # noqa: E731
    out = [f"*{_escape(model.prevalence_caption(report))}*", ""]
    out.append("| " + " | ".join(cell(h) for h in header) + " |")
    out.append("|---|" + "---:|" * (len(header) - 1))
    for row in rows:
        name, context = model.split_label(row[0])
        first = f"{name} ({context})" if context else name
        out.append("| " + " | ".join(cell(c) for c in [first, *row[1:]]) + " |")
    return [*out, ""]


def _heading(text: str) -> str:
    """A heading on one line, escaped like any user text."""
    return _escape(" ".join(text.split()))


def _escape(text: str) -> str:
    """Keep user text literal: no accidental emphasis, headings, links, entities or HTML."""
    for char in "\\*_`<>[]&#!":
        text = text.replace(char, "\\" + char)
    return text


def write_markdown(report: QuoteReport, path: str | Path, progress: Progress = None) -> None:
    text = render_markdown(report, progress)
    with atomic_output(path) as temp:
        temp.write_text(text, encoding="utf-8")
