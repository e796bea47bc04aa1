"""Learned code suggestions: one linear model per code, trained on this machine from a coder's
own codings over the project's text (scikit-learn; no model download, nothing sent anywhere).

Units are the segments a coder codes: a survey answer, a sentence of an informant's turn, a
paragraph; never interviewer turns or headers (``coding.documents.suggestible``). A unit carries
a code when one of the coder's codings of that code overlaps it. Training units are the units
the coder has coded with something (an uncoded unit is not yet known to be a negative), plus the
units where the coder rejected a suggestion, a negative example for that code.

Features: TF-IDF over word 1–2-grams and character 3–5-grams inside words (``char_wb``) of the
lower-cased, NFC text (æ, ø, å kept; digits folded to 0), sublinear tf. Per code a logistic
regression with balanced class weights; its ``predict_proba`` is the confidence.

The model is derived and rebuildable, never stored in the project: it is retrained from the
codings (well under 2 s for 20 000) and cached in memory under a fingerprint of what it learned
from, so a coder copy or a merge can never carry a stale model.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from coding import journal
from coding import operations as ops
from coding.codes import code_paths
from coding.documents import interviewer_rule, segments_of, suggestible
from coding.errors import InputError
from coding.store import Project, now

if TYPE_CHECKING:  # imported when a model is built: opening the app needs neither
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfVectorizer

MIN_EXAMPLES = 5  # a code with fewer coded units is not learned (too little to learn from)
THRESHOLD = 0.5  # evaluation: the model "codes" a unit with every code at or above this
ACCEPT_ACTION = "coding.accept_suggestion"
REJECT_ACTION = "suggestion.reject"
MACHINE_CODER = "maskin"
APPLY_ACTION = "suggestion.apply"  # the audit action of suggestions written by --apply-as


@dataclass(frozen=True)
class Unit:
    document_id: int
    start: int
    end: int
    text: str
    document: str = ""


@dataclass(frozen=True)
class Suggestion:
    """Code ``code_id`` proposed for ``document_id`` ``start``–``end`` with ``confidence``."""

    document_id: int
    start: int
    end: int
    code_id: int
    code: str
    confidence: float


@dataclass
class Model:
    """Per learned code a naive-Bayes weight vector over the features (log-ratio of the code's
    n-gram mass on coded units to that on the other training units) and one Platt scaling
    (``scale``, ``shift``) fitted on out-of-fold scores, so confidences are calibrated."""

    coder: str
    codes: list[int]  # learned codes, one row each in ``weights``
    examples: dict[int, int]  # coded units per code (all codes the coder used)
    too_few: list[int]  # codes with fewer than ``min_examples`` examples: not learned
    fingerprint: str = ""
    vectorizers: list[TfidfVectorizer] = field(default_factory=list)
    weights: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    scale: float = 1.0
    shift: float = 0.0

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Units × learned codes."""
        if not self.codes or not texts:
            return np.zeros((len(texts), len(self.codes)))
        return self.probabilities_of(_transform(self.vectorizers, [normalise(t) for t in texts]))

    def probabilities_of(self, x: csr_matrix) -> np.ndarray:
        """Units × learned codes, for a feature matrix ``x`` from ``vectorizers``."""
        if not self.codes:
            return np.zeros((x.shape[0], 0))
        return _sigmoid(np.asarray(x @ self.weights.T) * self.scale + self.shift)


def normalise(text: str) -> str:
    """Lower-cased NFC text, æøå kept, digits folded to 0, whitespace collapsed."""
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"\d", "0", text)
    return " ".join(text.split())


# -- units and labels ---------------------------------------------------------------------------
def project_units(project: Project, document_ids: Sequence[int] | None = None) -> list[Unit]:
    """The suggestible segments of the project's documents (or of ``document_ids``)."""
    rows = project.conn.execute("SELECT id, name, text FROM documents ORDER BY id").fetchall()
    wanted = set(document_ids) if document_ids is not None else None
    interviewer = interviewer_rule(project)
    units = []
    for doc_id, name, text in rows:
        if wanted is not None and doc_id not in wanted:
            continue
        for s in suggestible(segments_of(project, doc_id), text, interviewer):
            if text[s.start : s.end].strip():
                units.append(Unit(doc_id, s.start, s.end, text[s.start : s.end], name))
    return units


def training_coder(project: Project, requested: str | None, current: str | None = None) -> str:
    """``requested``, else ``consensus`` when it has codings, else ``current``."""
    names = project.coder_names()
    if requested:
        if requested.strip() not in names:
            raise InputError(f"--from: no coder named {requested!r} in this project")
        return requested.strip()
    if "consensus" in names and _has_codings(project, "consensus"):
        return "consensus"
    if current:
        return current
    raise InputError("say whose codings to learn from (--from CODER)")


def _has_codings(project: Project, coder: str) -> bool:
    return (
        project.conn.execute(
            "SELECT 1 FROM codings c JOIN coders k ON k.id = c.coder_id WHERE k.name = ? LIMIT 1",
            (coder,),
        ).fetchone()
        is not None
    )


def labels(project: Project, units: Sequence[Unit], coder: str) -> dict[int, np.ndarray]:
    """Per code the coder used: a boolean per unit, true where one of its codings overlaps."""
    by_doc: dict[int, list[int]] = {}
    for i, u in enumerate(units):
        by_doc.setdefault(u.document_id, []).append(i)
    result: dict[int, np.ndarray] = {}
    rows = project.conn.execute(
        'SELECT c.document_id, c.code_id, c.start, c."end" FROM codings c '
        "JOIN coders k ON k.id = c.coder_id WHERE k.name = ?",
        (coder,),
    )
    starts = {d: np.array([units[i].start for i in ix]) for d, ix in by_doc.items()}
    ends = {d: np.array([units[i].end for i in ix]) for d, ix in by_doc.items()}
    for doc_id, code_id, start, end in rows:
        if doc_id not in by_doc:
            continue
        hit = (starts[doc_id] < end) & (ends[doc_id] > start)
        column = result.setdefault(code_id, np.zeros(len(units), dtype=bool))
        column[np.asarray(by_doc[doc_id])[hit]] = True
    return result


def rejections(project: Project, units: Sequence[Unit], coder: str) -> dict[int, np.ndarray]:
    """Per code: a boolean per unit, true where the coder rejected a suggestion of the code."""
    index = {(u.document_id, u.start, u.end): i for i, u in enumerate(units)}
    result: dict[int, np.ndarray] = {}
    for doc_id, start, end, code_id in project.conn.execute(
        'SELECT f.document_id, f.start, f."end", f.code_id FROM suggestion_feedback f '
        "JOIN coders k ON k.id = f.coder_id WHERE k.name = ? AND f.verdict = 'rejected'",
        (coder,),
    ):
        if (i := index.get((doc_id, start, end))) is not None:
            result.setdefault(code_id, np.zeros(len(units), dtype=bool))[i] = True
    return result


# -- training -----------------------------------------------------------------------------------
_CACHE: dict[tuple[str, str], Model] = {}


def fingerprint(project: Project, coder: str) -> str:
    """What a model of ``coder`` learns from: the coder's codings, rejections and the text."""
    digest = hashlib.sha256(coder.encode())
    for query in (
        'SELECT c.document_id, c.code_id, c.start, c."end" FROM codings c JOIN coders k '
        "ON k.id = c.coder_id WHERE k.name = ? ORDER BY 1, 2, 3, 4",
        'SELECT f.document_id, f.code_id, f.start, f."end", f.verdict FROM suggestion_feedback f '
        "JOIN coders k ON k.id = f.coder_id WHERE k.name = ? ORDER BY 1, 2, 3, 4",
    ):
        for row in project.conn.execute(query, (coder,)):
            digest.update(repr(row).encode())
    for row in project.conn.execute(
        "SELECT id, sha256, (SELECT count(*) FROM segments s WHERE s.document_id = d.id) "
        "FROM documents d ORDER BY id"
    ):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def model_for(project: Project, coder: str, min_examples: int = MIN_EXAMPLES) -> Model:
    """The coder's model, retrained only when its fingerprint changed."""
    key = (str(project.path), coder)
    mark = fingerprint(project, coder)
    cached = _CACHE.get(key)
    if cached is not None and cached.fingerprint == mark:
        return cached
    model = train(project, coder, min_examples=min_examples)
    model.fingerprint = mark
    _CACHE[key] = model
    return model


def train(project: Project, coder: str, min_examples: int = MIN_EXAMPLES) -> Model:
    """Learn one model per code from ``coder``'s codings (and rejected suggestions)."""
    units = project_units(project)
    vectorizers, x = features(project, units)
    codes, y = label_matrix(labels(project, units, coder), len(units))
    r = _align(rejections(project, units, coder), codes, len(units))
    model = fit(x, y, codes, r, coder=coder, min_examples=min_examples)
    model.vectorizers = vectorizers
    return model


_FEATURES: dict[tuple[str, str], tuple[list[TfidfVectorizer], csr_matrix]] = {}


def features(project: Project, units: Sequence[Unit]) -> tuple[list[TfidfVectorizer], csr_matrix]:
    """The vectorizers fitted on ``units`` (the project's own text) and the units' features,
    cached under a hash of the text: only new or changed text costs vectorising again."""
    digest = hashlib.sha256()
    for u in units:
        digest.update(f"{u.document_id}:{u.start}:{u.end}:".encode() + u.text.encode())
    key = (str(project.path), digest.hexdigest())
    if key not in _FEATURES:
        vectorizers = _vectorizers()
        _FEATURES.clear()  # one project's features at a time: bounded memory
        _FEATURES[key] = (
            vectorizers,
            _fit_transform(vectorizers, [normalise(u.text) for u in units]),
        )
    return _FEATURES[key]


def label_matrix(y: dict[int, np.ndarray], n: int) -> tuple[list[int], np.ndarray]:
    """Codes in id order and the units × codes boolean matrix (``n`` units)."""
    codes = sorted(y)
    return codes, np.column_stack([y[c] for c in codes]) if codes else np.zeros((n, 0), bool)


def _align(by_code: dict[int, np.ndarray], codes: list[int], n: int) -> np.ndarray:
    out = np.zeros((n, len(codes)), dtype=bool)
    for j, code in enumerate(codes):
        if code in by_code:
            out[:, j] = by_code[code]
    return out


def fit(
    x: csr_matrix,
    y: np.ndarray,
    codes: list[int],
    rejected: np.ndarray | None = None,
    *,
    coder: str = "",
    min_examples: int = MIN_EXAMPLES,
    alpha: float = 0.1,
) -> Model:
    """The model for units with features ``x`` (units × features) and labels ``y`` (units ×
    ``codes``, boolean); ``rejected`` (same shape) marks rejected suggestions. Training rows
    are the units with a code or a rejection; a rejected unit counts twice as a negative."""
    rejected = np.zeros_like(y) if rejected is None else rejected
    examples = {c: int(n) for c, n in zip(codes, y.sum(axis=0), strict=True) if n}
    rows = np.flatnonzero(y.any(axis=1) | rejected.any(axis=1))
    keep = [j for j, c in enumerate(codes) if examples.get(c, 0) >= min_examples]
    keep = [j for j in keep if not y[rows, j].all()]  # nothing to tell it from
    model = Model(coder, [codes[j] for j in keep], examples, [])
    model.too_few = sorted(c for c in examples if c not in model.codes)
    if not keep:
        return model
    xr = x if len(rows) == x.shape[0] else x[rows]
    yr, rr = y[rows][:, keep], rejected[rows][:, keep]
    counts = _counts(xr, yr, rr)
    model.weights = _nb_weights(*counts, alpha)
    # Platt scaling on held-out scores (in-sample ones are overconfident): every k-th unit,
    # at most ~4 000 of them, scored by weights from the others (counts minus theirs).
    k = max(2, -(-len(rows) // PLATT_UNITS))
    held = np.arange(len(rows)) % k == 0
    held_counts = _counts(xr[held], yr[held], rr[held])
    pos, total, extra = (whole - part for whole, part in zip(counts, held_counts, strict=True))
    scores = np.asarray(xr[held] @ _nb_weights(pos, total, extra, alpha).T)
    model.scale, model.shift = _platt(scores, yr[held])
    return model


PLATT_UNITS = 4000


def _counts(
    x: csr_matrix, y: np.ndarray, rejected: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per code the feature mass on its units and on its rejected units; the total mass.
    Sparse label matrices: each unit's features are added once per code it has, not once
    per code."""
    from scipy.sparse import csr_matrix

    pos = (csr_matrix(y.T.astype(np.float64)) @ x).toarray()
    total = np.asarray(x.sum(axis=0)).ravel()
    if rejected.any():
        extra = (csr_matrix(rejected.T.astype(np.float64)) @ x).toarray()
    else:
        extra = np.zeros_like(pos)
    return pos, total, extra


def _nb_weights(pos: np.ndarray, total: np.ndarray, extra: np.ndarray, alpha: float) -> np.ndarray:
    """Codes × features: log P(feature | code) − log P(feature | not code), smoothed; a
    rejected unit counts twice as a negative."""
    neg = np.maximum(total[None, :] - pos + extra, 0) + alpha
    pos = pos + alpha
    log_pos = np.log(pos) - np.log(pos.sum(axis=1, keepdims=True))
    log_neg = np.log(neg) - np.log(neg.sum(axis=1, keepdims=True))
    return (log_pos - log_neg).astype(np.float32)


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """One scaling shared by all codes (pooled over units × codes), so it keeps the order of
    the scores: a per-code fit on a few examples would reorder the codes by noise. Logistic
    regression on one feature by Newton's method, lightly L2-regularised (C = 1, as
    scikit-learn's default) so separable scores stay finite."""
    s, t = scores.reshape(-1).astype(np.float64), y.reshape(-1).astype(np.float64)
    if not 0 < t.sum() < len(t):
        return 1.0, 0.0
    a, b = 0.0, 0.0
    for _ in range(50):
        p = _sigmoid(a * s + b)
        w = p * (1 - p)
        grad = np.array([s @ (p - t) + a, np.sum(p - t)])
        hess = np.array([[s * s @ w + 1.0, s @ w], [s @ w, w.sum() + 1e-9]])
        step = np.linalg.solve(hess, grad)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-8:
            break
    return float(a), float(b)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -50, 50)))


def _vectorizers() -> list[TfidfVectorizer]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    word = TfidfVectorizer(
        analyzer="word",
        ngram_range=(1, 2),
        sublinear_tf=True,
        lowercase=False,
        token_pattern=r"(?u)\b\w\w+\b",
        min_df=1,
    )
    char = TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, lowercase=False, min_df=2
    )
    return [word, char]


def _fit_transform(vectorizers: list[TfidfVectorizer], texts: list[str]) -> csr_matrix:
    from scipy.sparse import hstack

    return hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()


def _transform(vectorizers: list[TfidfVectorizer], texts: list[str]) -> csr_matrix:
    from scipy.sparse import hstack

    return hstack([v.transform(texts) for v in vectorizers]).tocsr()


# -- suggesting ---------------------------------------------------------------------------------
def suggest_for_units(
    project: Project,
    units: Sequence[Unit],
    model: Model,
    top: int = 3,
    coder: str | None = None,
) -> list[list[Suggestion]]:
    """Per unit its ``top`` learned codes, most likely first, leaving out codes ``coder``
    (default: the model's) already gave the unit or rejected there."""
    if not units or not model.codes:
        return [[] for _ in units]
    paths = code_paths(project)
    proba = model.probabilities([u.text for u in units])
    have = labels(project, units, coder or model.coder)
    rejected = rejections(project, units, coder or model.coder)
    result = []
    for i, unit in enumerate(units):
        order = np.argsort(-proba[i], kind="stable")
        found: list[Suggestion] = []
        for j in order:
            code = model.codes[j]
            if (code in have and have[code][i]) or (code in rejected and rejected[code][i]):
                continue
            found.append(
                Suggestion(
                    unit.document_id, unit.start, unit.end, code, paths[code], float(proba[i, j])
                )
            )
            if len(found) == top:
                break
        result.append(found)
    return result


def uncoded_units(project: Project, units: Sequence[Unit], coder: str) -> list[Unit]:
    """The units ``coder`` has not coded with anything."""
    y = labels(project, units, coder)
    coded = np.zeros(len(units), dtype=bool)
    for col in y.values():
        coded |= col
    return [u for u, c in zip(units, coded, strict=True) if not c]


def accept_suggestion(project: Project, coder: str, suggestion: Suggestion) -> ops.Coding:
    """The coder's coding of the suggested span, journalled as accepted from a suggestion."""
    with project.transaction():
        coding = ops.apply_coding(
            project,
            suggestion.document_id,
            suggestion.code_id,
            coder,
            suggestion.start,
            suggestion.end,
            action=ACCEPT_ACTION,
            note=f" (accepted from a suggestion, confidence {suggestion.confidence:.2f})",
        )
        _feedback(project, coder, suggestion, "accepted")
    return coding


def reject_suggestion(project: Project, coder: str, suggestion: Suggestion) -> None:
    """Keep the rejection: a negative example of the code for the coder's model."""
    with project.transaction():
        _feedback(project, coder, suggestion, "rejected")


def _feedback(project: Project, coder: str, s: Suggestion, verdict: str) -> None:
    coder_id = project.coder_id(coder)
    before = journal.fetch_row(
        project.conn,
        "suggestion_feedback",
        {
            "document_id": s.document_id,
            "start": s.start,
            "end": s.end,
            "code_id": s.code_id,
            "coder_id": coder_id,
        },
    )
    after = {
        "document_id": s.document_id,
        "start": s.start,
        "end": s.end,
        "code_id": s.code_id,
        "coder_id": coder_id,
        "verdict": verdict,
        "confidence": s.confidence,
        "created_at": now(),
    }
    changes = [journal.change("suggestion_feedback", before, after)]
    journal.apply_changes(project.conn, changes)
    if verdict == "rejected":
        summary = f"rejected suggestion {s.code} ({s.confidence:.2f}) at {s.start}–{s.end}"
        journal.record(project.conn, coder_id, REJECT_ACTION, summary, changes)
    else:  # the accepting coding event is the undoable one; this row only records the verdict
        journal.record(project.conn, coder_id, "suggestion.accept", s.code, changes, undoable=False)


# -- evaluation ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CodeScore:
    code_id: int | None  # None: the pooled row
    code: str
    examples: int
    precision: float | None
    recall: float | None
    f1: float | None
    alpha: float | None  # Krippendorff's alpha, model vs coder (binary presence); None: undefined


@dataclass(frozen=True)
class Evaluation:
    coder: str
    folds: int
    units: int
    per_code: list[CodeScore]
    pooled: CodeScore
    single_units: int  # units with exactly one code: where top-k accuracy is measured
    top1: float | None
    top3: float | None
    too_few: list[str]

    def as_dict(self) -> dict:
        return {
            "coder": self.coder,
            "folds": self.folds,
            "units": self.units,
            "codes": [_score_dict(s) for s in self.per_code],
            "pooled": _score_dict(self.pooled),
            "single_code_units": self.single_units,
            "top1_accuracy": self.top1,
            "top3_accuracy": self.top3,
            "too_few_examples": self.too_few,
        }


def _score_dict(s: CodeScore) -> dict:
    return {
        "code": s.code,
        "examples": s.examples,
        "precision": s.precision,
        "recall": s.recall,
        "f1": s.f1,
        "alpha": s.alpha,
    }


def decide(proba: np.ndarray, threshold: float = THRESHOLD) -> np.ndarray:
    """Which codes the model gives each unit: its most likely code, and every other code at or
    above ``threshold``."""
    chosen = proba >= threshold
    if proba.shape[1]:
        chosen[np.arange(len(proba)), np.argmax(proba, axis=1)] = True
    return chosen


def cross_validated(
    x: csr_matrix,
    y: np.ndarray,
    codes: list[int],
    folds: int,
    seed: int,
    min_examples: int,
    rejected: np.ndarray | None = None,
) -> np.ndarray:
    """Out-of-fold confidences (units × ``codes``; 0 for a code not learned in a fold) from a
    shuffled ``KFold(folds, random_state=seed)`` over the units."""
    from sklearn.model_selection import KFold

    rejected = np.zeros_like(y) if rejected is None else rejected
    proba = np.zeros(y.shape)
    for train_rows, test_rows in KFold(folds, shuffle=True, random_state=seed).split(y):
        model = fit(
            x[train_rows], y[train_rows], codes, rejected[train_rows], min_examples=min_examples
        )
        columns = [codes.index(c) for c in model.codes]
        proba[np.ix_(test_rows, columns)] = model.probabilities_of(x[test_rows])
    return proba


def evaluate(
    project: Project,
    coder: str,
    folds: int = 5,
    seed: int = 0,
    min_examples: int = MIN_EXAMPLES,
) -> Evaluation:
    """Cross-validate the model on the units ``coder`` coded, scored like a second coder."""
    units = project_units(project)
    _, x = features(project, units)
    codes, y = label_matrix(labels(project, units, coder), len(units))
    coded = np.flatnonzero(y.any(axis=1)) if codes else np.zeros(0, dtype=int)
    if len(coded) < max(folds, 2):
        raise InputError(
            f"--from {coder}: {len(coded)} coded units; cross-validation needs at least {folds}"
        )
    if folds < 2:
        raise InputError("--folds: at least 2")
    x, y = x[coded], y[coded]
    proba = cross_validated(x, y, codes, folds, seed, min_examples)
    return score(project, coder, folds, y, proba, codes, min_examples)


def score(
    project: Project,
    coder: str,
    folds: int,
    y: np.ndarray,
    proba: np.ndarray,
    codes: list[int],
    min_examples: int,
) -> Evaluation:
    """Precision, recall, F1 and alpha per code and pooled; top-1/top-3 on single-code units."""
    from sklearn.metrics import precision_recall_fscore_support

    paths = code_paths(project)
    chosen = decide(proba)
    per_code = []
    for j, code in enumerate(codes):
        p, r, f, _ = precision_recall_fscore_support(
            y[:, j], chosen[:, j], average="binary", zero_division=np.nan
        )
        per_code.append(
            CodeScore(
                code,
                paths[code],
                int(y[:, j].sum()),
                *_floats(p, r, f),
                _alpha(y[:, j], chosen[:, j]),
            )
        )
    p, r, f, _ = precision_recall_fscore_support(y, chosen, average="micro", zero_division=np.nan)
    pooled = CodeScore(
        None, "(pooled)", int(y.sum()), *_floats(p, r, f), _alpha(y.reshape(-1), chosen.reshape(-1))
    )
    single = np.flatnonzero(y.sum(axis=1) == 1)
    top1 = top3 = None
    if len(single):
        truth = np.argmax(y[single], axis=1)
        ranks = np.argsort(-proba[single], axis=1, kind="stable")
        top1 = float(np.mean(ranks[:, 0] == truth))
        top3 = float(np.mean((ranks[:, :3] == truth[:, None]).any(axis=1)))
    too_few = [paths[c] for j, c in enumerate(codes) if 0 < y[:, j].sum() < min_examples]
    per_code.sort(key=lambda s: (-s.examples, s.code))
    return Evaluation(coder, folds, len(y), per_code, pooled, len(single), top1, top3, too_few)


def _floats(*values: float | None) -> tuple[float | None, float | None, float | None]:
    p, r, f = (None if v is None or np.isnan(v) else float(v) for v in values)
    return p, r, f


def _alpha(coder: np.ndarray, model: np.ndarray) -> float | None:
    from coding.agreement import UndefinedAgreement, krippendorff_alpha

    try:
        return krippendorff_alpha(np.column_stack([coder, model]).astype(float))
    except UndefinedAgreement:
        return None


EVALUATION_KEY = "suggest.evaluation"


def code_names(project: Project, code_ids: Sequence[int]) -> list[str]:
    paths = code_paths(project)
    return [paths[c] for c in code_ids if c in paths]


def remember_evaluation(project: Project, result: Evaluation) -> None:
    """Keep the figures of the last evaluation with the coder learned from, for the app."""
    ops.remember(project, result.coder, EVALUATION_KEY, json.dumps(result.as_dict()))


def last_evaluation(project: Project, coder: str) -> dict | None:
    stored = ops.recall(project, coder, EVALUATION_KEY)
    return json.loads(stored) if stored else None


def codes_by_hand(project: Project, name: str) -> bool:
    """Has ``name`` done anything but apply suggestions? (``--apply-as`` must not write as a
    human coder without asking.) Any name but the machine coder's counts as a human's."""
    row = project.conn.execute(
        "SELECT 1 FROM events e JOIN coders k ON k.id = e.coder_id "
        "WHERE k.name = ? AND e.action != ? LIMIT 1",
        (name, APPLY_ACTION),
    ).fetchone()
    return row is not None or name != MACHINE_CODER
