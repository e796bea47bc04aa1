"""Survey answers as rows for the answer grid: one read of answers, attributes, codings and
done marks (a handful of queries for the whole project, never one per answer)."""

from __future__ import annotations

from dataclasses import dataclass, field

from coding.store import Project


@dataclass(frozen=True)
class AppliedCode:
    id: int
    name: str
    colour: str


@dataclass
class Answer:
    """One survey answer (a document of kind ``survey``). ``start``/``end`` is the whole
    answer: its answer segment(s), which is what the coding screen selects for the answer."""

    document_id: int
    question: str
    case: str
    attributes: dict[str, str]
    text: str
    start: int
    end: int
    codes: list[AppliedCode] = field(default_factory=list)
    done: bool = False


def list_answers(
    project: Project, coder: str, question: str | None = None, blind: bool = True
) -> list[Answer]:
    """Every survey answer in import order, with the codes applied to it (the coder's own when
    ``blind``, else every coder's, each code once) and the coder's done mark."""
    conn = project.conn
    sql = (
        "SELECT d.id, coalesce(json_extract(d.source_meta, '$.question'), ''), "
        "coalesce(c.name, ''), d.case_id, d.text, "
        'coalesce(min(s.start), 0), coalesce(max(s."end"), d.length) '
        "FROM documents d LEFT JOIN cases c ON c.id = d.case_id "
        "LEFT JOIN segments s ON s.document_id = d.id "
        "WHERE d.kind = 'survey' GROUP BY d.id ORDER BY d.id"
    )
    attributes: dict[int, dict[str, str]] = {}
    for case_id, name, value in conn.execute("SELECT case_id, name, value FROM case_attributes"):
        attributes.setdefault(case_id, {})[name] = value
    answers = [
        Answer(doc, q, case, attributes.get(case_id, {}), text, start, end)
        for doc, q, case, case_id, text, start, end in conn.execute(sql)
        if question is None or q == question
    ]
    by_id = {a.document_id: a for a in answers}
    coder_row = conn.execute("SELECT id FROM coders WHERE name = ?", (coder,)).fetchone()
    coder_id = coder_row[0] if coder_row else -1
    codings = (
        "SELECT DISTINCT k.document_id, k.code_id, c.name, c.colour FROM codings k "
        "JOIN codes c ON c.id = k.code_id JOIN documents d ON d.id = k.document_id "
        "WHERE d.kind = 'survey'"
        + (" AND k.coder_id = ?" if blind else "")
        + " ORDER BY k.document_id, k.code_id"
    )
    for doc, code_id, name, colour in conn.execute(codings, (coder_id,) if blind else ()):
        answer = by_id.get(doc)
        if answer is not None:
            answer.codes.append(AppliedCode(code_id, name, colour))
    for (doc,) in conn.execute(
        "SELECT document_id FROM document_status WHERE coder_id = ? AND done = 1", (coder_id,)
    ):
        if doc in by_id:
            by_id[doc].done = True
    return answers


def answer_codes(project: Project, answer: Answer, coder: str | None) -> list[AppliedCode]:
    """The codes on one answer now (after a write): the coder's own, or everyone's."""
    sql = (
        "SELECT DISTINCT c.id, c.name, c.colour FROM codings k JOIN codes c ON c.id = k.code_id "
        "WHERE k.document_id = ?"
    )
    params: tuple = (answer.document_id,)
    if coder is not None:
        sql += " AND k.coder_id = (SELECT id FROM coders WHERE name = ?)"
        params += (coder,)
    return [AppliedCode(*row) for row in project.conn.execute(sql + " ORDER BY c.id", params)]


def questions(answers: list[Answer]) -> list[str]:
    """The questions in the order they first appear."""
    return list(dict.fromkeys(a.question for a in answers))
