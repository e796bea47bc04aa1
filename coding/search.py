"""Full-text search over documents (SQLite FTS5 table ``documents_fts``).

FTS5 finds the documents; the matches inside each are then located in Python, so every hit has
exact code-point offsets into the stored text. A query is words (all must occur in a document),
``"quoted phrases"`` and ``prefix*`` words. Any other character only separates words, so no user
input can produce an FTS5 syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coding.store import Project

SNIPPET_CONTEXT = 40
_WORD = r"[^\W_]"  # what the unicode61 tokenizer keeps as part of a token
_TERM = re.compile(r'"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+)')
_WORDS = re.compile(rf"{_WORD}+")


@dataclass(frozen=True)
class SearchHit:
    document_id: int
    document_name: str
    start: int
    end: int
    snippet: str


@dataclass(frozen=True)
class _Term:
    words: tuple[str, ...]
    prefix: bool

    def fts(self) -> str:
        """The term in FTS5 syntax: a quoted phrase (quotes doubled), ``*`` for a prefix."""
        return '"' + " ".join(self.words).replace('"', '""') + '"' + ("*" if self.prefix else "")

    def pattern(self) -> str:
        body = r"[\W_]+".join(re.escape(word) for word in self.words)
        tail = rf"{_WORD}*" if self.prefix else rf"(?!{_WORD})"
        return rf"(?<!{_WORD}){body}{tail}"


def parse_query(query: str) -> list[_Term]:
    """Words, phrases and prefixes of a user query; empty when it has no words."""
    terms = []
    for match in _TERM.finditer(query):
        text = match.group("phrase") if match.group("phrase") is not None else match.group("word")
        words = tuple(_WORDS.findall(text))
        if words:
            prefix = match.group("word") is not None and text.endswith("*")
            terms.append(_Term(words, prefix))
    return terms


def search(project: Project, query: str, limit: int = 200) -> list[SearchHit]:
    """Every match of ``query`` (case-insensitive), best documents first, in text order inside a
    document; at most ``limit`` hits."""
    terms = parse_query(query)
    if not terms or limit <= 0:
        return []
    expression = " AND ".join(term.fts() for term in terms)
    locate = re.compile("|".join(term.pattern() for term in terms), re.IGNORECASE)
    rows = project.conn.execute(
        "SELECT d.id, d.name, d.text FROM documents_fts "
        "JOIN documents d ON d.id = documents_fts.rowid "
        "WHERE documents_fts MATCH ? ORDER BY rank",
        (expression,),
    )
    hits: list[SearchHit] = []
    for document_id, name, text in rows:
        for match in locate.finditer(text):
            hits.append(
                SearchHit(
                    document_id, name, match.start(), match.end(), snippet(text, *match.span())
                )
            )
            if len(hits) >= limit:
                return hits
    return hits


def snippet(text: str, start: int, end: int, context: int = SNIPPET_CONTEXT) -> str:
    """The match with some words around it, on one line; «…» where the text is cut."""
    left = max(0, start - context)
    right = min(len(text), end + context)
    if left > 0 and (space := text.find(" ", left, start)) != -1:
        left = space + 1
    if right < len(text) and (space := text.rfind(" ", end, right)) != -1:
        right = space
    piece = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + piece + ("…" if right < len(text) else "")
