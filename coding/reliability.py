"""The agreement report: per code and pooled, the coefficients a methods section quotes.

By default only documents that every compared coder finished or coded count, and every kappa
counts only units with a value from every coder; ``missing="gwet"`` uses Gwet's missing-data
form instead. With ``bootstrap`` samples, alpha gets its 95 % interval and the probabilities
that it lies below .667 and .800 (Hayes & Krippendorff 2007)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from coding.agreement import (
    MINIMUMS,
    UndefinedAgreement,
    alpha_bootstrap,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac1,
    krippendorff_alpha,
    percent_agreement,
)
from coding.consensus import CONSENSUS
from coding.errors import CodingError
from coding.store import Project
from coding.units import (
    CodeUnits,
    Coverage,
    build_units_and_coverage,
    pooled,
    unitizing_disagreements,
)


@dataclass(frozen=True)
class CodeAgreement:
    code: str
    code_id: int
    units: int
    disagreements: int
    percent_agreement: float | None
    kappa: float | None
    kappa_kind: str  # "cohen" for two coders, "fleiss" for more
    alpha: float | None
    ac1: float | None
    undefined: str | None  # why a coefficient is undefined, if one is
    u_alpha: float | None = None  # Krippendorff's unitizing alpha (character units only)
    units_left_out: int = 0  # units on documents that do not count
    documents_left_out: int = 0
    alpha_low: float | None = None  # bootstrap confidence interval of alpha (95 %)
    alpha_high: float | None = None
    q_667: float | None = None  # bootstrap probability that alpha < .667
    q_800: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class AgreementReport:
    coders: list[str]
    unit: str
    min_overlap: float
    codes: list[CodeAgreement]  # worst first: lowest alpha first, undefined alpha last
    pooled: CodeAgreement
    coverage: Coverage | None = None
    missing: str = "complete"
    bootstrap: int = 0  # samples; 0 when not bootstrapped
    seed: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "coders": self.coders,
            "unit": self.unit,
            "min_overlap": self.min_overlap,
            "missing": MISSING_NAMES[self.missing],
            "order": ORDER,
            "coverage": self.coverage.as_dict() if self.coverage else None,
            "bootstrap": {"samples": self.bootstrap, "seed": self.seed} if self.bootstrap else None,
            "codes": [c.as_dict() for c in self.codes],
            "pooled": self.pooled.as_dict(),
        }


MISSING_NAMES = {
    "complete": "complete units: documents every compared coder finished or coded",
    "gwet": "Gwet's missing-data form",
}
ORDER = "worst first: lowest alpha first, codes with undefined alpha last"


def default_coders(project: Project) -> list[str]:
    """Every coder except ``consensus`` who coded or marked done at least one document (a
    lead who only settled would otherwise leave every document out); at least two needed."""
    active = {
        row[0]
        for row in project.conn.execute(
            "SELECT c.name FROM coders c WHERE EXISTS (SELECT 1 FROM codings g "
            "WHERE g.coder_id = c.id) OR EXISTS (SELECT 1 FROM document_status s "
            "WHERE s.coder_id = c.id AND s.done = 1)"
        )
    }
    coders = [name for name in project.coder_names() if name != CONSENSUS and name in active]
    if len(coders) < 2:
        raise CodingError(
            f"{project.path}: agreement needs two or more coders, found {len(coders)}"
        )
    return coders


# Krippendorff's bootstrap draws as many pairs as the data hold, each unit independent of the
# others; a character is not independent of its neighbours, so the interval would come out
# far too narrow (0.578–0.582 on the study) and be trusted for what it is not.
BOOTSTRAP_NEEDS_SEGMENTS = (
    "--bootstrap needs --unit segment: neighbouring characters are not independent units, "
    "so an interval drawn from them would be far too narrow"
)


def agreement_report(
    project: Project,
    coders: Sequence[str] | None = None,
    code_ids: Sequence[int] | None = None,
    unit: str = "segment",
    min_overlap: float = 0.0,
    missing: str = "complete",
    bootstrap: int = 0,
    seed: int | None = None,
) -> AgreementReport:
    if bootstrap and unit == "character":
        raise ValueError(BOOTSTRAP_NEEDS_SEGMENTS)
    coders = list(coders) if coders else default_coders(project)
    per_code, coverage = build_units_and_coverage(
        project, coders, code_ids, unit, min_overlap, missing
    )
    left_out = coverage.left_out
    rows = [summarise(units, len(coders), left_out) for units in per_code.values()]
    total = summarise(pooled(per_code.values()), len(coders), left_out)
    if unit == "character":  # coders marked their own spans: unitizing alpha too
        per_code_u = unitizing_disagreements(project, coders, list(per_code))
        rows = [with_u_alpha(row, [per_code_u[row.code_id]]) for row in rows]
        total = with_u_alpha(total, list(per_code_u.values()))
    if bootstrap:
        rows = [with_bootstrap(r, per_code[r.code_id], bootstrap, seed) for r in rows]
        total = with_bootstrap(total, pooled(per_code.values()), bootstrap, seed)
    rows.sort(key=_worst_first)
    return AgreementReport(
        coders, unit, min_overlap, rows, total, coverage, missing, bootstrap, seed
    )


def segment_report(
    coders: Sequence[str], per_code: dict[int, CodeUnits], coverage: Coverage
) -> AgreementReport:
    """The report ``agreement_report`` gives with its defaults (segment units, no minimum
    overlap, complete units, no bootstrap), from units already built (the review's tables)."""
    left_out = coverage.left_out
    rows = [summarise(units, len(coders), left_out) for units in per_code.values()]
    total = summarise(pooled(per_code.values()), len(coders), left_out)
    rows.sort(key=_worst_first)
    return AgreementReport(list(coders), "segment", 0.0, rows, total, coverage)


def with_bootstrap(
    row: CodeAgreement, units: CodeUnits, samples: int, seed: int | None
) -> CodeAgreement:
    """``row`` with alpha's bootstrap interval and q values (none when alpha is undefined)."""
    if row.alpha is None:
        return row
    boot = alpha_bootstrap(units.rows, weights=units.weights, samples=samples, seed=seed)
    low, high = MINIMUMS
    return replace(
        row,
        alpha_low=boot.low,
        alpha_high=boot.high,
        q_667=boot.below[low],
        q_800=boot.below[high],
    )


def with_u_alpha(
    row: CodeAgreement, per_code: Sequence[tuple[float, float] | None]
) -> CodeAgreement:
    """``row`` with u-alpha over the documents every coder finished, from each code's observed
    and expected disagreement (``coding.units.unitizing_disagreements``; None: no document
    counts); several codes are pooled by summing them (Krippendorff 2004)."""
    observed = expected = 0.0
    for disagreement in per_code:
        if disagreement is not None:
            o, e = disagreement
            observed, expected = observed + o, expected + e
    if expected == 0:
        reason = "no coder marked any span of it in a document every coder finished"
        undefined = "; ".join(r for r in (row.undefined, f"u-alpha: {reason}") if r)
        return replace(row, undefined=undefined)
    return replace(row, u_alpha=1.0 - observed / expected)


BINARY = (0.0, 1.0)  # absent, present: every code's two categories, used or not


def summarise(units: CodeUnits, n_coders: int, documents_left_out: int = 0) -> CodeAgreement:
    reasons: list[str] = []

    def measure(fn: Callable[..., float], **options: Any) -> float | None:
        try:
            return fn(units.rows, weights=units.weights, **options)
        except UndefinedAgreement as exc:
            reason = str(exc).split(" (")[0]  # the cause, without which coefficient said it
            if reason not in reasons:
                reasons.append(reason)
            return None

    missing = {"missing": units.missing}
    return CodeAgreement(
        code=units.path,
        code_id=units.code_id,
        units=units.units,
        disagreements=units.disagreements,
        percent_agreement=measure(percent_agreement, **missing),
        kappa=measure(cohen_kappa) if n_coders == 2 else measure(fleiss_kappa, **missing),
        kappa_kind="cohen" if n_coders == 2 else "fleiss",
        alpha=measure(krippendorff_alpha),
        ac1=measure(gwet_ac1, categories=BINARY, **missing),
        undefined="; ".join(reasons) or None,
        units_left_out=units.left_out,
        documents_left_out=documents_left_out,
    )


def _worst_first(row: CodeAgreement) -> tuple[bool, float, str]:
    """Defined alphas from lowest up, then codes whose alpha is undefined (``ORDER``)."""
    return (row.alpha is None, row.alpha if row.alpha is not None else 0.0, row.code)
