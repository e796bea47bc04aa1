"""Goal attainment: the team's rating and written assessment of each of the five goals, as in
the final report's table «Måloppnåelse og anbefalinger» (Fafo 2021), with the evidence behind it.

Evidence is computed, not linked by hand: for each goal, the coded passages (codings of every
code whose effective goal it is), the cases raising it (cases with at least one such passage),
and its first quotes in document order. Assessments are written as one journalled action each.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coding import journal
from coding.codes import list_codes
from coding.errors import InputError
from coding.journal import change
from coding.prevalence import GOALS, coder_filter
from coding.store import Project, now

# The wording of the final report's assessments («Måloppnåelsen vurderes å være høy», «relativt
# høy», «lav», «Det er ikke mulig å gi en samlet vurdering»), plus a middle step.
RATINGS: dict[str, dict[str, str]] = {
    "høy": {"nb": "Høy", "en": "High"},
    "relativt høy": {"nb": "Relativt høy", "en": "Fairly high"},
    "middels": {"nb": "Middels", "en": "Moderate"},
    "lav": {"nb": "Lav", "en": "Low"},
    "ikke mulig å vurdere": {"nb": "Ikke mulig å vurdere", "en": "Cannot be assessed"},
}
NOT_RATED = {"nb": "Ikke vurdert", "en": "Not rated"}


@dataclass
class GoalRow:
    goal: int
    label: str
    rating: str  # a key of RATINGS, or "" (not rated)
    assessment: str
    passages: int
    cases_with: int
    cases: int  # cases with material (the denominator)
    code_ids: frozenset[int] = field(default_factory=frozenset)

    def rating_label(self, lang: str = "nb") -> str:
        return RATINGS[self.rating][lang] if self.rating in RATINGS else NOT_RATED[lang]

    def as_dict(self) -> dict:
        return {
            "goal": self.goal,
            "label": self.label,
            "rating": self.rating,
            "assessment": self.assessment,
            "passages": self.passages,
            "cases_with": self.cases_with,
            "cases": self.cases,
        }


def goal_table(project: Project, *, coder: str = "any", lang: str = "nb") -> list[GoalRow]:
    """The five goals with their assessment and evidence counted from ``coder``'s codings."""
    if lang not in ("nb", "en"):
        raise InputError(f"--lang must be nb or en, not {lang!r}")
    coder_ids = coder_filter(project, coder)
    tree = list_codes(project)
    saved = {
        goal: (rating, text)
        for goal, rating, text in project.conn.execute(
            "SELECT goal, rating, assessment FROM goal_assessments"
        )
    }
    (cases,) = project.conn.execute(
        "SELECT count(DISTINCT case_id) FROM documents WHERE case_id IS NOT NULL"
    ).fetchone()
    rows = []
    for goal in GOALS:
        codes = frozenset(c.id for c in tree if c.effective_goal == goal)
        passages, cases_with = _evidence(project, codes, coder_ids)
        rating, text = saved.get(goal, ("", ""))
        rows.append(
            GoalRow(goal, GOALS[goal][lang], rating, text, passages, cases_with, cases, codes)
        )
    return rows


def _evidence(
    project: Project, codes: frozenset[int], coder_ids: list[int] | None
) -> tuple[int, int]:
    if not codes:
        return 0, 0
    sql = (
        "SELECT count(*), count(DISTINCT case_id) FROM codings "
        f"WHERE code_id IN ({','.join('?' * len(codes))})"
    )
    params = sorted(codes)
    if coder_ids is not None:
        sql += f" AND coder_id IN ({','.join('?' * len(coder_ids))})"
        params += coder_ids
    passages, cases_with = project.conn.execute(sql, params).fetchone()
    return passages, cases_with


def set_assessment(
    project: Project,
    coder: str,
    goal: int,
    *,
    rating: str | None = None,
    assessment: str | None = None,
) -> bool:
    """Change a goal's rating and/or assessment (None: keep) as one journalled action."""
    if goal not in GOALS:
        raise InputError(f"goal must be 1–5, not {goal}")
    if rating is not None and rating and rating not in RATINGS:
        raise InputError(f"rating must be one of {', '.join(RATINGS)} (or empty), not {rating!r}")
    with project.transaction() as conn:
        coder_id = project.coder_id(coder)
        before = journal.fetch_row(conn, "goal_assessments", {"goal": goal})
        old_rating, old_text = (before["rating"], before["assessment"]) if before else ("", "")
        new_rating = old_rating if rating is None else rating
        new_text = old_text if assessment is None else assessment.strip()
        if (new_rating, new_text) == (old_rating, old_text):
            return False
        after = None
        if new_rating or new_text:
            after = {
                "goal": goal,
                "rating": new_rating,
                "assessment": new_text,
                "coder_id": coder_id,
                "updated_at": now(),
            }
        changes = [change("goal_assessments", before, after)]
        journal.apply_changes(conn, changes)
        journal.record(conn, coder_id, "goal.assess", f"assessment of goal {goal}", changes)
    return True


def next_rating(rating: str) -> str:
    """The rating after ``rating`` in the scale, then back to not rated."""
    order = ["", *RATINGS]
    return order[(order.index(rating) + 1) % len(order)] if rating in order else ""
