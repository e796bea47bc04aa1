"""Keyword suggestions for the coding screen: ``corpus.suggest`` (spaCy PhraseMatcher with
Norwegian inflection) when present, else a simple word-prefix match over code keywords."""

from __future__ import annotations

import re
from dataclasses import dataclass

from coding import operations as ops
from coding.documents import interviewer_rule, segments_of, suggestible
from coding.store import Project
from tui.project_view import load_codes


@dataclass(frozen=True)
class Suggestion:
    start: int
    end: int
    code_id: int
    code_name: str
    matched: str


def find_suggestions(project: Project, document_id: int, coder: str) -> list[Suggestion]:
    try:
        from corpus.suggest import suggest
    except ImportError:
        return _prefix_suggestions(project, document_id, coder)
    return [
        Suggestion(s.start, s.end, s.code_id, s.code_name, s.matched)
        for s in suggest(project, document_id, coder=coder)
    ]


def _prefix_suggestions(project: Project, document_id: int, coder: str) -> list[Suggestion]:
    """Segments containing a word that starts with a code keyword (bolig → boliger), skipping
    segments the coder already coded with that code."""
    text = project.conn.execute("SELECT text FROM documents WHERE id = ?", (document_id,))
    text = text.fetchone()[0]
    own = ops.codings_of(project, document_id, coder) if coder in project.coder_names() else []
    found: list[Suggestion] = []
    patterns = [
        (code, re.compile(r"\b(" + "|".join(map(re.escape, code.keywords)) + r")\w*", re.I))
        for code in load_codes(project)
        if code.keywords
    ]
    for segment in suggestible(segments_of(project, document_id), text, interviewer_rule(project)):
        for code, pattern in patterns:
            match = pattern.search(text, segment.start, segment.end)
            already = any(
                c.code_id == code.id and c.start < segment.end and c.end > segment.start
                for c in own
            )
            if match and not already:
                found.append(
                    Suggestion(segment.start, segment.end, code.id, code.name, match.group(0))
                )
    return found
