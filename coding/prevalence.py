"""Theme prevalence by municipality type: how many cases in each group raise each theme.

A case *raises* a theme when at least one of its excerpts carries the code or one of its
descendants (at ``level="goal"``: any code whose effective goal is that goal). Only cases with at
least one document count: a case table may list the whole population, but only cases with
material can raise anything.

One grouped query over ``code_document_counts`` (codings counted per code, document and coder,
kept exact by triggers on ``codings``) gives excerpts per (code, document); the roll-up over the
code tree and the grouping by case attributes happen on numpy arrays over those rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from coding.codes import list_codes, resolve_code
from coding.errors import InputError
from coding.stats import (
    FEW_BELOW,
    FEW_BELOW_META,
    DifferenceTest,
    check_few_below,
    difference_test,
    poststratified_share,
    quantifier,
)
from coding.store import Project

MISSING = "(mangler)"
CONSENSUS_CODER = "consensus"
KNOWN_VALUES: dict[str, tuple[str, ...]] = {
    "size_class": ("liten", "mellomstor", "stor", "storby"),
    "region": ("Nord-Norge", "Midt-Norge", "Vestlandet", "Østlandet", "Sørlandet"),
}
GOALS: dict[int, dict[str, str]] = {
    1: {"nb": "Mål 1 Brukermedvirkning", "en": "Goal 1 User influence"},
    2: {"nb": "Mål 2 Tidlig innsats", "en": "Goal 2 Early intervention"},
    3: {
        "nb": "Mål 3 Tilgjengelige og helhetlige tjenester",
        "en": "Goal 3 Accessible and coherent services",
    },
    4: {
        "nb": "Mål 4 Aktiv og meningsfull tilværelse",
        "en": "Goal 4 An active and meaningful life",
    },
    5: {"nb": "Mål 5 Alternative straffereaksjoner", "en": "Goal 5 Alternative penal measures"},
}
CROSS_CUTTING = {"nb": "Tverrgående tema", "en": "Cross-cutting themes"}
LEVELS = ("code", "goal")

GroupKey = tuple[str, ...]


@dataclass(frozen=True)
class Theme:
    """What a row counts: one code rolled up over its descendants, or one goal."""

    label: str
    code_ids: frozenset[int]
    code_id: int | None = None
    goal: int | None = None


@dataclass
class Cell:
    """One theme in one group (``group`` None: the total over all cases)."""

    theme: str
    group: dict[str, str] | None
    cases: int
    cases_with: int
    share: float | None
    excerpts: int
    documents: int
    quantifier: str
    weighted_share: float | None = None
    weighted_cases: float | None = None

    def as_dict(self) -> dict:
        row = {
            "code": self.theme,
            "group": self.group,
            "cases": self.cases,
            "cases_with": self.cases_with,
            "share": self.share,
            "excerpts": self.excerpts,
            "documents": self.documents,
            "quantifier": self.quantifier,
        }
        if self.weighted_share is not None or self.weighted_cases is not None:
            row["weighted_share"] = self.weighted_share
            row["weighted_cases"] = self.weighted_cases
        return row


@dataclass
class PrevalenceResult:
    by: list[str]
    level: str
    coder: str
    lang: str
    themes: list[Theme]
    groups: list[GroupKey]
    group_cases: dict[GroupKey, list[int]]
    rows: list[Cell]
    totals: list[Cell]
    tests: dict[str, DifferenceTest]
    coder_ids: list[int] | None = None
    weights: dict[str, float] | None = None
    weighted_note: str = ""
    extra: dict = field(default_factory=dict)
    few_below: float = FEW_BELOW

    def group_dict(self, key: GroupKey) -> dict[str, str]:
        return dict(zip(self.by, key, strict=True))

    def cell(self, theme: str, key: GroupKey | None) -> Cell:
        """The cell of one theme and group (None: the total)."""
        if key is None:
            return next(c for c in self.totals if c.theme == theme)
        wanted = self.group_dict(key)
        return next(c for c in self.rows if c.theme == theme and c.group == wanted)

    def theme(self, label: str) -> Theme:
        return next(t for t in self.themes if t.label == label)

    def as_json(self) -> dict:
        data: dict[str, object] = {
            "by": self.by,
            "level": self.level,
            "coder": self.coder,
            "groups": [
                {"group": self.group_dict(k), "cases": len(self.group_cases[k])}
                for k in self.groups
            ],
            "rows": [c.as_dict() for c in self.rows],
            "totals": [c.as_dict() for c in self.totals],
            "tests": [{"code": label, **t.as_dict()} for label, t in self.tests.items()],
        }
        if self.weights is not None:
            data["weights"] = self.weights
            data["weighted_note"] = self.weighted_note
        return data


def prevalence(
    project: Project,
    by: Sequence[str] | str,
    *,
    level: str = "code",
    coder: str = "any",
    codes: Sequence[str | int] | None = None,
    lang: str = "nb",
    weights: Mapping[str, float] | None = None,
    few_below: float | None = None,
) -> PrevalenceResult:
    """Prevalence of every code (or goal) in every group of the ``by`` attribute(s);
    ``few_below``: the «noen få» share (default: the project's meta ``few_below`` or 0.1)."""
    by = _parse_by(by)
    if level not in LEVELS:
        raise InputError(f"--level must be one of {', '.join(LEVELS)}, not {level!r}")
    if level == "goal" and codes:
        raise InputError("--codes applies to --level code only")
    quantifier(0, 0, lang)  # validates lang early
    check_attributes(project, by)
    themes = _themes(project, level, codes, lang)
    case_keys = case_groups(project, by)
    groups = group_order(by, case_keys.values())
    group_cases: dict[GroupKey, list[int]] = {g: [] for g in groups}
    for case_id, key in case_keys.items():
        group_cases[key].append(case_id)
    coder_ids = coder_filter(project, coder)
    counts = theme_counts(project, themes, coder_ids, list(case_keys))
    result = PrevalenceResult(
        list(by), level, coder, lang, themes, groups, group_cases, [], [], {}, coder_ids
    )
    result.few_below = project_few_below(project) if few_below is None else few_below
    _add_themes(result, counts)
    if weights is not None:
        _apply_weights(result, weights)
    return result


def project_few_below(project: Project) -> float:
    """The project's «noen få» share (meta ``few_below``), else the bundled 0.1."""
    stored = project.meta(FEW_BELOW_META)
    return FEW_BELOW if stored is None else check_few_below(stored, f"meta {FEW_BELOW_META}")


# -- inputs ---------------------------------------------------------------------------------------
def _parse_by(by: Sequence[str] | str) -> list[str]:
    names = [b.strip() for b in (by.split(",") if isinstance(by, str) else by)]
    names = [n for n in names if n]
    if not names:
        raise InputError("--by needs at least one case attribute, such as size_class")
    if len(set(names)) != len(names):
        raise InputError(f"--by names an attribute twice: {','.join(names)}")
    return names


def check_attributes(project: Project, by: Sequence[str]) -> None:
    known = {r[0] for r in project.conn.execute("SELECT DISTINCT name FROM case_attributes")}
    for name in by:
        if name not in known:
            listed = ", ".join(sorted(known)) or "none yet"
            raise InputError(f"--by {name}: no case has this attribute (attributes: {listed})")


def coder_filter(project: Project, coder: str) -> list[int] | None:
    """Coder ids to count: None for «any»; the consensus coder or a named coder."""
    if coder == "any":
        return None
    row = project.conn.execute("SELECT id FROM coders WHERE name = ?", (coder,)).fetchone()
    if row is None:
        if coder == CONSENSUS_CODER:
            raise InputError("no consensus coder in this project yet: settle disagreements first")
        known = ", ".join(project.coder_names()) or "none"
        raise InputError(f"no coder named {coder!r} (coders: {known}; or any, consensus)")
    return [row[0]]


def _themes(
    project: Project, level: str, codes: Sequence[str | int] | None, lang: str
) -> list[Theme]:
    tree = list_codes(project)
    below: dict[int, set[int]] = {c.id: {c.id} for c in tree}
    for code in reversed(tree):  # children come after parents in tree order
        if code.parent_id is not None:
            below[code.parent_id] |= below[code.id]
    if level == "goal":
        return [
            Theme(
                GOALS[g][lang],
                frozenset(c.id for c in tree if c.effective_goal == g),
                goal=g,
            )
            for g in GOALS
        ]
    known = {c.id for c in tree}
    chosen = (
        {
            ref if isinstance(ref, int) and ref in known else resolve_code(project, ref)
            for ref in codes
        }
        if codes
        else None
    )
    return [
        Theme(c.path, frozenset(below[c.id]), code_id=c.id, goal=c.effective_goal)
        for c in tree
        if chosen is None or c.id in chosen
    ]


def case_groups(project: Project, by: Sequence[str]) -> dict[int, GroupKey]:
    """Each case with at least one document, and its group: its values of the ``by``
    attributes (``(mangler)`` where it has none)."""
    values: dict[int, dict[str, str]] = {}
    marks = ",".join("?" * len(by))
    for case_id, name, value in project.conn.execute(
        f"SELECT case_id, name, value FROM case_attributes WHERE name IN ({marks})", list(by)
    ):
        values.setdefault(case_id, {})[name] = canonical_value(name, value)
    cases = project.conn.execute(
        "SELECT DISTINCT case_id FROM documents WHERE case_id IS NOT NULL ORDER BY case_id"
    ).fetchall()
    return {
        case_id: tuple(values.get(case_id, {}).get(name, MISSING) for name in by)
        for (case_id,) in cases
    }


def canonical_value(name: str, value: str) -> str:
    """Known values in their usual spelling («Liten» → «liten», «nord-norge» → «Nord-Norge»)."""
    for known in KNOWN_VALUES.get(name, ()):
        if known.casefold() == value.strip().casefold():
            return known
    return value


def group_order(by: Sequence[str], keys: object) -> list[GroupKey]:
    """Every combination of the attributes' values: known values in their usual order (always,
    even when empty), then other values seen, sorted, then ``(mangler)`` when seen."""
    seen = list(keys)  # type: ignore[call-overload]
    per_attribute = []
    for i, name in enumerate(by):
        observed = {key[i] for key in seen}
        known = KNOWN_VALUES.get(name, ())
        others = sorted(v for v in observed if v not in known and v != MISSING)
        tail = [MISSING] if MISSING in observed else []
        per_attribute.append([*known, *others, *tail])
    return [tuple(combo) for combo in itertools.product(*per_attribute)]


# -- counting -------------------------------------------------------------------------------------
@dataclass
class ThemeCounts:
    """Per theme (rows, in ``themes`` order) and case (columns, in ``cases`` order): excerpts
    and documents coded with any of the theme's codes."""

    cases: list[int]
    excerpts: np.ndarray
    documents: np.ndarray


def theme_counts(
    project: Project, themes: Sequence[Theme], coder_ids: list[int] | None, cases: Sequence[int]
) -> ThemeCounts:
    """Count every theme in every case from ``code_document_counts`` (one row per code,
    document and coder, kept by triggers): a few thousand rows instead of every coding. The
    roll-up over the code tree is done on arrays: each (code, document) row is repeated once
    per theme holding the code, then summed per (theme, case); a document counts once per
    theme however many of the theme's codes it carries."""
    code, document, n = _code_document_rows(project, coder_ids)
    case_index = np.full(_max_document(project) + 1, -1, dtype=np.int64)
    position = {case_id: i for i, case_id in enumerate(cases)}
    for document_id, case_id in project.conn.execute(
        "SELECT id, case_id FROM documents WHERE case_id IS NOT NULL"
    ):
        case_index[document_id] = position.get(case_id, -1)
    theme, rows = _theme_rows(themes, code)
    document, n = document[rows], n[rows]
    case = case_index[document]
    keep = case >= 0
    theme, document, n, case = theme[keep], document[keep], n[keep], case[keep]
    size = len(themes) * len(cases)
    flat = theme * len(cases) + case
    excerpts = np.bincount(flat, weights=n, minlength=size).astype(np.int64)
    pairs = _distinct(theme * len(case_index) + document, len(themes) * len(case_index))
    documents = np.bincount(
        pairs // len(case_index) * len(cases) + case_index[pairs % len(case_index)],
        minlength=size,
    )
    shape = (len(themes), len(cases))
    return ThemeCounts(list(cases), excerpts.reshape(shape), documents.reshape(shape))


def _code_document_rows(
    project: Project, coder_ids: list[int] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(code, document, excerpts) arrays over the counted coders. When the three fit in one
    int64 they come packed in one column: a third of the Python ints ``fetchall`` builds."""
    where, params = "", []
    if coder_ids is not None:
        where = f" WHERE coder_id IN ({','.join('?' * len(coder_ids))})"
        params = list(coder_ids)
    group = " GROUP BY code_id, document_id"
    bits = _field_bits(project)
    if bits is not None:
        doc_bits, n_bits = bits
        packed = f"(code_id << {doc_bits + n_bits}) + (document_id << {n_bits}) + sum(n)"
        rows = project.conn.execute(
            f"SELECT {packed} FROM code_document_counts" + where + group, params
        ).fetchall()
        flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=len(rows))
        low = (1 << n_bits) - 1
        return flat >> (doc_bits + n_bits), (flat >> n_bits) & ((1 << doc_bits) - 1), flat & low
    sql = "SELECT code_id, document_id, sum(n) FROM code_document_counts"
    rows = project.conn.execute(sql + where + group, params).fetchall()
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=3 * len(rows))
    table = flat.reshape(len(rows), 3)
    return table[:, 0], table[:, 1], table[:, 2]


def _field_bits(project: Project) -> tuple[int, int] | None:
    """Bits for document ids and for excerpt sums when code, document and sum fit in 62 bits
    together (all non-negative), else None. A sum never exceeds the number of codings, which is
    at most the span of their ids; every bound is an index lookup."""
    columns = (("code_document_counts", "code_id"), ("documents", "id"), ("codings", "id"))
    bounds = [
        f"(SELECT {f}({column}) FROM {table})"  # one per subquery: each is an index lookup
        for table, column in columns
        for f in ("max", "min")
    ]
    row = project.conn.execute(f"SELECT {', '.join(bounds)}").fetchone()
    code_max, code_min, doc_max, doc_min, id_max, id_min = row
    if None in (code_max, doc_max, id_max) or min(code_min, doc_min, id_min) < 0:
        return None
    doc_bits, n_bits = doc_max.bit_length(), (id_max - id_min + 1).bit_length()
    return (doc_bits, n_bits) if code_max.bit_length() + doc_bits + n_bits <= 62 else None


def _max_document(project: Project) -> int:
    return project.conn.execute("SELECT coalesce(max(id), 0) FROM documents").fetchone()[0]


def _distinct(keys: np.ndarray, size: int) -> np.ndarray:
    """The distinct values of ``keys`` (all in ``range(size)``), sorted: marks in a boolean
    array when that is small, else ``np.unique``."""
    if size > 1 << 24:
        return np.unique(keys)
    seen = np.zeros(size, dtype=bool)
    seen[keys] = True
    return np.flatnonzero(seen)


def _theme_rows(themes: Sequence[Theme], code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For every theme holding a row's code: (theme index, row index)."""
    members: dict[int, list[int]] = {}
    for i, theme in enumerate(themes):
        for code_id in theme.code_ids:
            members.setdefault(code_id, []).append(i)
    top = max([*members, int(code.max()) if len(code) else 0]) + 1
    count = np.zeros(top, dtype=np.int64)
    offset = np.zeros(top, dtype=np.int64)
    flat: list[int] = []
    for code_id in sorted(members):
        offset[code_id], count[code_id] = len(flat), len(members[code_id])
        flat.extend(members[code_id])
    repeat = count[code]
    rows = np.repeat(np.arange(len(code)), repeat)
    first = np.repeat(np.cumsum(repeat) - repeat, repeat)
    within = np.arange(len(rows)) - first
    if not len(rows):
        return rows, rows
    return np.asarray(flat, dtype=np.int64)[offset[code][rows] + within], rows


def _add_themes(result: PrevalenceResult, counts: ThemeCounts) -> None:
    """Cells of every theme in every group, the totals and the tests of difference."""
    group_of = {case_id: key for key, members in result.group_cases.items() for case_id in members}
    group_index = {key: g for g, key in enumerate(result.groups)}
    onehot = np.zeros((len(counts.cases), len(result.groups)), dtype=np.int64)
    for i, case_id in enumerate(counts.cases):
        onehot[i, group_index[group_of[case_id]]] = 1
    raised = (counts.excerpts > 0).astype(np.int64)
    per_group = (raised @ onehot, counts.excerpts @ onehot, counts.documents @ onehot)
    sizes = onehot.sum(axis=0)
    for t, theme in enumerate(result.themes):
        table = []
        for g, key in enumerate(result.groups):
            figures = (int(f[t, g]) for f in per_group)
            cell = _cell(result, theme.label, result.group_dict(key), int(sizes[g]), *figures)
            result.rows.append(cell)
            if MISSING not in key:
                table.append((cell.cases_with, cell.cases - cell.cases_with))
        totals = (int(f[t].sum()) for f in per_group)
        result.totals.append(_cell(result, theme.label, None, len(counts.cases), *totals))
        result.tests[theme.label] = difference_test(table)


def _cell(
    result: PrevalenceResult,
    label: str,
    group: dict[str, str] | None,
    cases: int,
    cases_with: int,
    excerpts: int,
    documents: int,
) -> Cell:
    return Cell(
        theme=label,
        group=group,
        cases=cases,
        cases_with=cases_with,
        share=cases_with / cases if cases else None,
        excerpts=excerpts,
        documents=documents,
        quantifier=quantifier(cases_with, cases, result.lang, result.few_below),
    )


# -- weighting ------------------------------------------------------------------------------------
def _apply_weights(result: PrevalenceResult, weights: Mapping[str, float]) -> None:
    """Post-stratify each total to the population: Σ W_g · p_g / Σ W_g."""
    if len(result.by) != 1:
        raise InputError("weights need a single --by attribute (the one the counts are for)")
    attribute = result.by[0]
    values = {key[0] for key in result.groups}
    canonical = {}
    for name, weight in weights.items():
        value = canonical_value(attribute, name)
        if value not in values:
            known = ", ".join(v for v in sorted(values) if v != MISSING)
            raise InputError(f"weights: {name!r} is not a value of {attribute} (values: {known})")
        canonical[value] = float(weight)
    unweighted = [
        key[0]
        for key in result.groups
        if key[0] != MISSING and result.group_cases[key] and key[0] not in canonical
    ]
    if unweighted:  # their cases would silently drop out of the weighted share
        raise InputError(
            f"weights: no population count for {', '.join(unweighted)} (give every {attribute})"
        )
    result.weights = canonical
    total_weight = sum(canonical.values())
    left_out: set[str] = set()
    for total in result.totals:
        shares = {c.group[attribute]: c.share for c in result.rows if c.theme == total.theme}  # type: ignore[index]
        share, missing = poststratified_share(shares, canonical)
        left_out.update(missing)
        total.weighted_share = share
        total.weighted_cases = None if share is None else share * total_weight
    if left_out:
        result.weighted_note = (
            f"no cases in {', '.join(sorted(left_out))}: weighted over the other groups"
        )
