"""Names inside quotes: spans a coder marks «anonymiser» with a replacement («[navn]»,
«[kommune]», «[sted]» or their own), stored in ``anonymisations`` and applied wherever an export
produces quote text; suggestions of likely names for review. Each mark is one journalled,
undoable event, like a coding."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from coding import journal
from coding.errors import InputError
from coding.store import Project, new_guid, now

REPLACEMENTS = ("[navn]", "[kommune]", "[sted]")
# Words that put a person's name after them («Psykolog Frid Hansen», «ordfører Olsen»).
TITLES = (
    "psykolog|lege|fastlege|overlege|sykepleier|rådmann|kommunedirektør|ordfører|varaordfører|"
    "konsulent|rådgiver|leder|sjef|miljøterapeut|sosionom|erfaringskonsulent|prest|dr|professor"
)
NAME = r"[A-ZÆØÅ][a-zæøåéü]+(?:[- ][A-ZÆØÅ][a-zæøåéü]+)?"
INFLECTIONS = r"(?:s|en|ene|a|et)?"  # «Vadsøs», «Vadsø-en» is rare; genitive and definite forms
Span = tuple[int, int, str]


@dataclass(frozen=True)
class Suggestion:
    document_id: int
    start: int
    end: int
    text: str
    replacement: str
    reason: str


def add_anonymisation(
    project: Project, document_id: int, start: int, end: int, replacement: str, coder: str
) -> int:
    """Mark ``text[start:end]`` of a document to be replaced by ``replacement`` in exports."""
    replacement = replacement.strip()
    if not replacement:
        raise InputError("anonymise: the replacement is empty (e.g. [navn])")
    with project.transaction():
        row = project.conn.execute(
            "SELECT length(text), name FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        if row is None:
            raise InputError(f"anonymise: no document {document_id}")
        if not 0 <= start < end <= row[0]:
            raise InputError(
                f"anonymise: {start}–{end} is outside document {document_id} (0–{row[0]})"
            )
        coder_id = project.coder_id(coder)
        after = {
            "guid": new_guid(),
            "document_id": document_id,
            "start": start,
            "end": end,
            "replacement": replacement,
            "coder_id": coder_id,
            "created_at": now(),
        }
        changes = [journal.change("anonymisations", None, after)]
        journal.apply_changes(project.conn, changes)
        summary = f"anonymise {start}–{end} in document {document_id} as {replacement}"
        journal.record(project.conn, coder_id, "anonymise.add", summary, changes)
        return int(changes[0]["after"]["id"])


def remove_anonymisation(project: Project, anonymisation_id: int, coder: str) -> None:
    with project.transaction():
        cur = project.conn.execute("SELECT * FROM anonymisations WHERE id = ?", (anonymisation_id,))
        row = cur.fetchone()
        if row is None:
            raise InputError(f"anonymise: no anonymisation {anonymisation_id}")
        before = dict(zip([d[0] for d in cur.description], row, strict=True))
        coder_id = project.coder_id(coder)
        changes = [journal.change("anonymisations", before, None)]
        journal.apply_changes(project.conn, changes)
        summary = f"remove anonymisation {anonymisation_id}"
        journal.record(project.conn, coder_id, "anonymise.remove", summary, changes)


def list_anonymisations(project: Project) -> list[dict]:
    """Every mark: id, document, span, the text it hides, the replacement and who marked it."""
    cur = project.conn.execute(
        'SELECT a.id, a.document_id, a.start, a."end", '
        'substr(d.text, a.start + 1, a."end" - a.start), a.replacement, c.name '
        "FROM anonymisations a JOIN documents d ON d.id = a.document_id "
        "JOIN coders c ON c.id = a.coder_id ORDER BY 2, 3"
    )
    columns = ["id", "document_id", "start", "end", "text", "replacement", "coder"]
    return [dict(zip(columns, row, strict=True)) for row in cur]


def spans_by_document(
    project: Project, document_ids: Iterable[int] | None = None
) -> dict[int, list[Span]]:
    """``{document_id: [(start, end, replacement), …]}`` in document order."""
    sql = 'SELECT document_id, start, "end", replacement FROM anonymisations'
    params: list[int] = []
    if document_ids is not None:
        ids = list(document_ids)
        sql += f" WHERE document_id IN ({','.join('?' * len(ids))})"
        params = ids
    spans: dict[int, list[Span]] = {}
    for doc, start, end, replacement in project.conn.execute(sql + " ORDER BY 1, 2, 3", params):
        spans.setdefault(doc, []).append((start, end, replacement))
    return spans


def redact(text: str, start: int, end: int, spans: list[Span] | None) -> str:
    """``text[start:end]`` with every marked span that touches it replaced (a name the slice
    cuts in half is replaced whole, never half-shown)."""
    if not spans:
        return text[start:end]
    out, position = [], start
    for s, e, replacement in spans:
        if e <= position or s >= end:
            continue
        out += [text[position : max(s, position)], replacement]
        position = min(e, end)
    out.append(text[position:end])
    return "".join(out)


def suggest(project: Project) -> list[Suggestion]:
    """Likely names for review: case names and their inflections, places from the case table,
    titles before names, capitalised words inside sentences (not yet marked)."""
    marked = spans_by_document(project)
    places = _place_words(project)
    found: list[Suggestion] = []
    for doc_id, text in project.conn.execute("SELECT id, text FROM documents ORDER BY id"):
        taken = [(s, e) for s, e, _ in marked.get(doc_id, [])]
        for suggestion in _in_text(doc_id, text, places):
            if any(s < suggestion.end and suggestion.start < e for s, e in taken):
                continue
            taken.append((suggestion.start, suggestion.end))
            found.append(suggestion)
    return sorted(found, key=lambda s: (s.document_id, s.start))


def _place_words(project: Project) -> dict[str, str]:
    """Case names and place-like attribute values, with their replacement."""
    words = {name: "[kommune]" for (name,) in project.conn.execute("SELECT name FROM cases")}
    for name, value in project.conn.execute("SELECT name, value FROM case_attributes"):
        if name.casefold() in {"kommune", "fylke", "sted", "county", "municipality", "place"}:
            words.setdefault(value, "[sted]" if name.casefold() != "kommune" else "[kommune]")
    return {w.strip(): r for w, r in words.items() if len(w.strip()) >= 3}


def _in_text(doc_id: int, text: str, places: dict[str, str]) -> list[Suggestion]:
    hits: list[Suggestion] = []
    for word, replacement in places.items():
        pattern = rf"(?<!\w){re.escape(word)}{INFLECTIONS}(?!\w)"
        for m in re.finditer(pattern, text, re.IGNORECASE):
            hits.append(Suggestion(doc_id, m.start(), m.end(), m[0], replacement, "case table"))
    for m in re.finditer(rf"(?i:\b(?:{TITLES})\.?)\s+({NAME})", text):
        hits.append(Suggestion(doc_id, m.start(1), m.end(1), m[1], "[navn]", "title"))
    for m in re.finditer(rf"(?<=[a-zæøå0-9,;] )({NAME})", text):
        hits.append(Suggestion(doc_id, m.start(1), m.end(1), m[1], "[navn]", "capitalised"))
    # longest first, so «Frid Hansen» wins over «Hansen» when both are found
    return sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
