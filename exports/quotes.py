"""Coded quotes collected for reports: grouped by goal, then code, each with its attribution.

Document and case names stay out unless the attribution template asks for them: documents are
often named after their municipality, so reports refer to a document by its number.

A quote is what the informant said: in a transcript only the text of speaker turns counts, so a
speaker label («Informant 2:») a coding happens to cover never appears, and turns of
interviewers (``coding.documents.interviewer_rule``) are left out unless asked for. Where a
coding spans several turns, the pieces are joined with « […] ». With coder «any», codings of a
code by several coders that overlap are one passage: one quote covering their union.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from coding.anonymise import redact, spans_by_document
from coding.codes import CodeRow, list_codes, resolve_code
from coding.documents import interviewer_rule
from coding.errors import InputError
from coding.prevalence import (
    CROSS_CUTTING,
    GOALS,
    MISSING,
    PrevalenceResult,
    canonical_value,
    check_attributes,
    coder_filter,
    group_order,
    prevalence,
)
from coding.store import Project
from exports.attribution import IDENTIFYING_FIELDS, format_attribution, template_fields

Progress = Callable[[int], None] | None  # a report writer's callback: items written so far


@dataclass(frozen=True)
class Quote:
    coding_id: int
    code_id: int
    document_id: int
    document_name: str
    case_id: int | None
    case_name: str | None
    attributes: dict[str, str]
    coder: str
    start: int
    end: int
    text: str
    memo: str = ""

    def attribution(self, template: str | None = None) -> str:
        fields = {**self.attributes, "case": self.case_name, "document": self.document_name}
        fields["document_number"] = str(self.document_id)
        return format_attribution(fields, template)


@dataclass
class CodeSection:
    code: CodeRow
    label: str
    quotes: list[Quote]
    total_quotes: int  # before --max-per-code

    def grouped(self, attribute: str) -> list[tuple[str, list[Quote]]]:
        """Quotes by value of one case attribute, in the usual order; empty groups left out."""

        def value(q: Quote) -> str:
            return canonical_value(attribute, q.attributes.get(attribute, MISSING))

        order = group_order([attribute], [(value(q),) for q in self.quotes])
        return [
            (key[0], members)
            for key in order
            if (members := [q for q in self.quotes if value(q) == key[0]])
        ]


@dataclass
class GoalSection:
    goal: int | None
    title: str
    codes: list[CodeSection]
    prevalence_rows: list[str] = field(default_factory=list)  # theme labels in this goal
    # theme label -> (the code's own name, the path above it without the goal's code)
    row_names: dict[str, tuple[str, str]] = field(default_factory=dict)


# The report's own words; quotes and attributions stay as the seeds write them (Norwegian).
GAP = " […] "  # between pieces of one quote from different turns

WORDS = {
    "nb": {
        "title": "Kodede sitater",
        "code": "Kode",
        "total": "Totalt",
        "of": "av",
        "shown": "{shown} av {total} sitater vist.",
        "caption": "Kommuner som tar opp temaet, etter {by}.",
        "and": "og",
        "method": "Om tallordene i tabellene: «én» er én kommune; «noen få» to eller flere, men "
        "under {few} % av kommunene i gruppen; «en del» flere, opp til halvparten; «et flertall» "
        "over halvparten; «et klart flertall» to tredeler eller mer (som i SINTEF A26099).",
    },
    "en": {
        "title": "Coded quotes",
        "code": "Code",
        "total": "Total",
        "of": "of",
        "shown": "{shown} of {total} quotes shown.",
        "caption": "Municipalities raising the theme, by {by}.",
        "and": "and",
        "method": "The words in the tables: «one» is one municipality; «a few» two or more but "
        "under {few} % of the group; «some» more, up to half; «a majority» more than half; "
        "«a clear majority» two thirds or more (as in SINTEF A26099).",
    },
}


@dataclass
class QuoteReport:
    title: str
    goals: list[GoalSection]
    attribution: str | None = None
    by: str | None = None
    prevalence: PrevalenceResult | None = None
    lang: str = "nb"
    by_labels: list[str] = field(default_factory=list)  # the prevalence attributes in words

    @property
    def words(self) -> dict[str, str]:
        return WORDS[self.lang]

    @property
    def quote_count(self) -> int:
        return sum(len(c.quotes) for g in self.goals for c in g.codes)


def collect_quotes(
    project: Project,
    *,
    code_ids: Sequence[int] | None = None,
    coder: str = "any",
    case_ids: Sequence[int] | None = None,
    include_interviewer: bool = False,
    per_passage: bool = False,
) -> list[Quote]:
    """Every coding (optionally of some codes, one coder, some cases) with its quote, in
    document order: the text of the speaker turns it covers (``start``/``end`` from the first
    to the last of them); codings only on labels or interviewer turns (unless
    ``include_interviewer``) are left out. With ``per_passage``, overlapping codings of one code
    by several coders are one quote (their union)."""
    where: list[str] = []
    params: list[int] = []
    coder_ids = coder_filter(project, coder)
    for column, ids in (
        ("c.code_id", code_ids),
        ("c.coder_id", coder_ids),
        ("d.case_id", case_ids),
    ):
        if ids is not None:
            where.append(f"{column} IN ({','.join('?' * len(ids))})")
            params.extend(ids)
    sql = (
        "SELECT c.id, c.guid, c.code_id, c.document_id, d.name, d.case_id, k.name, o.name, "
        'c.start, c."end" FROM codings c JOIN documents d ON d.id = c.document_id '
        "JOIN coders o ON o.id = c.coder_id LEFT JOIN cases k ON k.id = d.case_id"
    )
    if where:
        sql += " WHERE " + " AND ".join(where)
    rows = project.conn.execute(sql + " ORDER BY c.document_id, c.start, c.id", params).fetchall()
    if per_passage:
        rows = _passages(rows)
    doc_ids = {r[3] for r in rows}
    texts = _document_texts(project, doc_ids)
    speech = _Speech(project, doc_ids, include_interviewer)
    attributes = _case_attributes(project)
    memos = _coding_memos(project)
    hidden = spans_by_document(project, doc_ids)  # names marked «anonymiser»
    quotes = []
    for cid, guids, code_id, doc_id, doc_name, case_id, case_name, coders, start, end in rows:
        pieces = speech.pieces(doc_id, start, end)
        text, marked = texts[doc_id], hidden.get(doc_id)
        parts = [(s, e, part) for s, e in pieces if (part := redact(text, s, e, marked).strip())]
        if not parts:  # only a label, or only an interviewer's turn
            continue
        quotes.append(
            Quote(
                coding_id=cid,
                code_id=code_id,
                document_id=doc_id,
                document_name=doc_name,
                case_id=case_id,
                case_name=case_name,
                attributes=attributes.get(case_id, {}),
                coder=coders,
                start=parts[0][0],
                end=parts[-1][1],
                text=parts[0][2] if len(parts) == 1 else GAP.join(p for _, _, p in parts),
                memo=_memo_of(memos, guids),
            )
        )
    return quotes


def _memo_of(memos: dict[str, str], guids: str) -> str:
    """The memos of a quote's coding, or of every coding of a passage (guids split by spaces)."""
    if " " not in guids:
        return memos.get(guids, "")
    return " | ".join(m for g in guids.split(" ") if (m := memos.get(g)))


def _passages(rows: list[tuple]) -> list[tuple]:
    """Rows (in document and start order) of one code and document by different coders that
    overlap become one: the union of their spans, the first coding's id, every coder and every
    coding's guid."""
    open_rows: dict[tuple[int, int], list] = {}  # (code, document) -> the passage growing
    passages: list[list] = []
    for cid, guid, code_id, doc_id, doc_name, case_id, case_name, coder, start, end in rows:
        key = (code_id, doc_id)
        current = open_rows.get(key)
        # another coder's coding that overlaps joins the passage (one coder's own codings of a
        # code never overlap: apply_coding merges them)
        if current is not None and start < current[9] and coder not in current[7].split(", "):
            current[1] += f" {guid}"
            current[7] = ", ".join(sorted([*current[7].split(", "), coder]))
            current[9] = max(current[9], end)
            continue
        current = [cid, guid, code_id, doc_id, doc_name, case_id, case_name, coder, start, end]
        open_rows[key] = current
        passages.append(current)
    return [tuple(p) for p in passages]


class _Speech:
    """Where the quotable text of transcripts lies: segments by document, in text order."""

    def __init__(self, project: Project, doc_ids: set[int], include_interviewer: bool) -> None:
        interviewer = interviewer_rule(project)
        self.segments: dict[int, list[tuple[int, int, int, bool]]] = {}
        self.has_speakers: set[int] = set()
        ordered = sorted(doc_ids)
        for i in range(0, len(ordered), 500):
            chunk = ordered[i : i + 500]
            for doc_id, start, end, block, speaker in project.conn.execute(
                'SELECT document_id, start, "end", block, speaker FROM segments '
                f"WHERE document_id IN ({','.join('?' * len(chunk))}) "
                "ORDER BY document_id, ordinal",
                chunk,
            ):
                keep = include_interviewer or not interviewer(speaker)
                self.segments.setdefault(doc_id, []).append((start, end, block, keep))
                if speaker:
                    self.has_speakers.add(doc_id)
        self.starts = {d: [s[0] for s in segs] for d, segs in self.segments.items()}

    def pieces(self, doc_id: int, start: int, end: int) -> list[tuple[int, int]]:
        """The parts of ``start``–``end`` inside kept segments, one per turn (block); the span
        itself in documents without speakers."""
        if doc_id not in self.has_speakers:
            return [(start, end)]
        segments = self.segments[doc_id]
        i = max(bisect_right(self.starts[doc_id], start) - 1, 0)
        pieces: list[tuple[int, int]] = []
        last_block = None
        for seg_start, seg_end, block, keep in segments[i:]:
            if seg_start >= end:
                break
            if seg_end <= start or not keep:
                last_block = None
                continue
            piece = (max(start, seg_start), min(end, seg_end))
            if block == last_block:
                pieces[-1] = (pieces[-1][0], piece[1])
            else:
                pieces.append(piece)
            last_block = block
        return pieces


def _document_texts(project: Project, ids: set[int]) -> dict[int, str]:
    texts: dict[int, str] = {}
    ordered = sorted(ids)
    for i in range(0, len(ordered), 500):
        chunk = ordered[i : i + 500]
        texts.update(
            project.conn.execute(
                f"SELECT id, text FROM documents WHERE id IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
        )
    return texts


def _case_attributes(project: Project) -> dict[int, dict[str, str]]:
    attributes: dict[int, dict[str, str]] = {}
    for case_id, name, value in project.conn.execute(
        "SELECT case_id, name, value FROM case_attributes"
    ):
        attributes.setdefault(case_id, {})[name] = value
    return attributes


def _coding_memos(project: Project) -> dict[str, str]:
    memos: dict[str, list[str]] = {}
    for guid, text in project.conn.execute(
        "SELECT target_guid, text FROM memos WHERE target_kind = 'coding' ORDER BY id"
    ):
        memos.setdefault(guid, []).append(text)
    return {guid: " | ".join(texts) for guid, texts in memos.items()}


def quote_report(
    project: Project,
    *,
    codes: Sequence[str | int] | None = None,
    coder: str = "any",
    include_interviewer: bool = False,
    max_per_code: int | None = None,
    attribution: str | None = None,
    by: str | None = None,
    with_prevalence: bool = False,
    lang: str = "nb",
    title: str | None = None,
    few_below: float | None = None,
    fold_below: int | None = None,
) -> QuoteReport:
    """The quote report: goals 1–5 in order, then cross-cutting themes; inside each, codes in
    codebook order with the quotes coded directly with them."""
    if lang not in WORDS:
        raise InputError(f"language must be one of {', '.join(WORDS)}, not {lang!r}")
    if by:
        check_attributes(project, [by])
    check_template(project, attribution)
    tree = list_codes(project)
    chosen = chosen_codes(project, tree, codes)
    quotes = collect_quotes(
        project,
        code_ids=sorted(chosen),
        coder=coder,
        include_interviewer=include_interviewer,
        per_passage=True,  # one quote per passage, however many coders chose it
    )
    if fold_below and not attribution:
        quotes = fold_small_groups(quotes, fold_below)
    by_code: dict[int, list[Quote]] = {}
    for quote in quotes:
        by_code.setdefault(quote.code_id, []).append(quote)
    goals = []
    for goal in [*GOALS, None]:
        sections = [
            _code_section(code, tree, by_code[code.id], max_per_code)
            for code in tree
            if code.effective_goal == goal and code.id in by_code
        ]
        if sections:
            goals.append(GoalSection(goal, _goal_title(goal, lang), sections))
    report = QuoteReport(
        title or _title(project, lang),
        goals,
        attribution,
        by,
        lang=lang,
    )
    if with_prevalence:
        _attach_prevalence(project, report, tree, chosen, coder, lang, few_below)
    return report


def _title(project: Project, lang: str) -> str:
    """«Kodede sitater: prosjekt»; a name with its own colon («Demo: …») gets a dash instead,
    never «Kodede sitater: Demo: …»."""
    name = (project.meta("name") or project.path.stem).strip()
    return f"{WORDS[lang]['title']}{' –' if ':' in name else ':'} {name}"


def check_template(project: Project, template: str | None) -> None:
    """A template field no case has would print «()» under every quote: refuse it instead."""
    if not template:
        return
    known = {r[0] for r in project.conn.execute("SELECT DISTINCT name FROM case_attributes")}
    unknown = [f for f in template_fields(template) if f not in known | set(IDENTIFYING_FIELDS)]
    if unknown:
        listed = ", ".join(sorted(known | set(IDENTIFYING_FIELDS)))
        raise InputError(
            f"--attribution {template!r}: no case has {{{unknown[0]}}} (fields: {listed})"
        )


def chosen_codes(
    project: Project, tree: list[CodeRow], codes: Sequence[str | int] | None
) -> set[int]:
    if not codes:
        return {c.id for c in tree}
    roots = {resolve_code(project, ref) for ref in codes}
    chosen: set[int] = set()
    for code in tree:  # tree order: a parent is met before its children
        if code.id in roots or code.parent_id in chosen:
            chosen.add(code.id)
    return chosen


def _goal_title(goal: int | None, lang: str) -> str:
    return GOALS[goal][lang] if goal is not None else CROSS_CUTTING[lang]


def _code_section(
    code: CodeRow, tree: list[CodeRow], quotes: list[Quote], max_per_code: int | None
) -> CodeSection:
    label = code.path
    top = code.path.split("/", 1)
    top_code = next((c for c in tree if c.path == top[0] and c.depth == 0), None)
    if top_code is not None and top_code.goal is not None:
        # the goal heading already names the top-level goal code: never print it twice
        label = top[1] if code.depth > 0 else ""
    return CodeSection(code, label, _pick(quotes, max_per_code), len(quotes))


def _pick(quotes: list[Quote], limit: int | None) -> list[Quote]:
    """At most ``limit`` quotes, spread over cases: each case's first quote before any
    case's second, then document order."""
    if limit is None or len(quotes) <= limit:
        return quotes
    rank: dict[int | None, int] = {}
    ranked = []
    for quote in quotes:
        ranked.append((rank.get(quote.case_id, 0), quote.document_id, quote.start, quote))
        rank[quote.case_id] = rank.get(quote.case_id, 0) + 1
    picked = sorted(ranked, key=lambda r: r[:3])[:limit]
    return [r[3] for r in sorted(picked, key=lambda r: (r[1], r[2]))]


def _attach_prevalence(
    project: Project,
    report: QuoteReport,
    tree: list[CodeRow],
    chosen: set[int],
    coder: str,
    lang: str,
    few_below: float | None = None,
) -> None:
    from coding.labels import attribute_label

    ids = [c.id for c in tree if c.id in chosen]
    report.prevalence = prevalence(
        project, report.by or "size_class", coder=coder, codes=ids, lang=lang, few_below=few_below
    )
    report.by_labels = [attribute_label(project, a, lang) for a in report.prevalence.by]
    goal_codes = {c.path for c in tree if c.depth == 0 and c.goal is not None}
    for section in report.goals:
        codes = [c for c in tree if c.id in chosen and c.effective_goal == section.goal]
        section.prevalence_rows = [c.path for c in codes]
        section.row_names = {c.path: _row_name(c.path, goal_codes) for c in codes}


def _row_name(path: str, goal_codes: set[str]) -> tuple[str, str]:
    """A code's own name and, as context, the codes above it (a goal's code left out: the
    heading names it)."""
    parts = path.split("/")
    above = parts[1:-1] if parts[0] in goal_codes else parts[:-1]
    return parts[-1], "/".join(above)


def prevalence_caption(report: QuoteReport) -> str:
    """«Kommuner som tar opp temaet, etter kommunestørrelse.»: attributes in words."""
    labels = report.by_labels or list(report.prevalence.by if report.prevalence else [])
    joined = f" {report.words['and']} ".join(labels)
    return report.words["caption"].format(by=joined)


def method_note(report: QuoteReport) -> str:
    """The quantifier scale in words, printed with the prevalence tables."""
    if report.prevalence is None:
        return ""
    few = f"{report.prevalence.few_below * 100:g}".replace(".", "," if report.lang == "nb" else ".")
    return report.words["method"].format(few=few)


def split_label(cell: str) -> tuple[str, str]:
    """The first cell of a ``prevalence_grid`` row: the code's name, then its context."""
    name, _, context = cell.partition("\n")
    return name, context


def prevalence_grid(report: QuoteReport, section: GoalSection) -> tuple[list[str], list[list[str]]]:
    """The prevalence table of one goal: a row per code, a column per group and the total;
    cells «2 av 4 (en del)». The first cell is the code's name, then after a line break the
    codes above it (``split_label``)."""
    result = report.prevalence
    if result is None or not section.prevalence_rows:
        return [], []
    names = [" / ".join(key) for key in result.groups]
    words = report.words
    header = [words["code"], *names, words["total"]]
    of = words["of"]
    rows = []
    for label in section.prevalence_rows:
        cells = [result.cell(label, key) for key in result.groups] + [result.cell(label, None)]
        name, context = section.row_names.get(label, (label, ""))
        first = f"{name}\n{context}" if context else name
        rows.append([first, *(f"{c.cases_with} {of} {c.cases} ({c.quantifier})" for c in cells)])
    return header, rows


def small_groups(
    quotes: Sequence[Quote], template: str | None, k: int = 3
) -> list[tuple[str, int]]:
    """Attributions shared by fewer than ``k`` cases, with their case counts: a reader who
    knows the field could name the municipality behind them."""
    cases: dict[str, set[int | None]] = {}
    for quote in quotes:
        cases.setdefault(quote.attribution(template), set()).add(quote.case_id)
    return sorted((text, len(ids)) for text, ids in cases.items() if len(ids) < k)


def fold_small_groups(quotes: list[Quote], k: int = 3) -> list[Quote]:
    """Default attributions shared by fewer than ``k`` cases lose their region («Liten
    kommune»), then their size («Kommune»): the attributes go too, so no table shows them."""
    from dataclasses import replace

    for dropped in ("region", "size_class"):
        small = {text for text, _ in small_groups(quotes, None, k)}
        quotes = [
            replace(q, attributes={a: v for a, v in q.attributes.items() if a != dropped})
            if q.attribution() in small
            else q
            for q in quotes
        ]
    return quotes


def small_group_warning(groups: list[tuple[str, int]], k: int) -> str:
    """One line naming the small groups and what to do about them (Norwegian, as reports)."""
    listed = "; ".join(f"{text} ({n})" for text, n in groups)
    return (
        f"advarsel: {len(groups)} attribusjoner gjelder færre enn {k} kommuner: {listed}. "
        "Slå sammen grupper med --attribution (f.eks. '{size_class} kommune') før utlevering."
    )
