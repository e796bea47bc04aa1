"""Character units and unitizing alpha computed from span edges give exactly the figures of the
per-document, per-coder construction they replaced (kept here as the reference), on random
spans and on the CLI's --json report of the small study."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from coding.agreement import (
    _pair_disagreement,
    _unitizing_expected,
    unitizing_disagreement,
    unitizing_disagreement_arrays,
)
from coding.store import Project
from coding.units import build_units_and_coverage, unitizing_continua, unitizing_disagreements
from tests.agreement_study import VARIANTS, build_awkward_study
from tests.conftest import run_kodeverk

EXPECTED = Path(__file__).parent / "data" / "agreement_character_study.json"
Spans = Sequence[Sequence[tuple[int, int]]]


# -- the reference: the per-document loop of coding/agreement.py before issue 13's fix ------------
def merge_spans(spans: Sequence[tuple[int, int]], length: int) -> tuple[np.ndarray, np.ndarray]:
    if not spans:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    array = np.clip(np.asarray(spans, dtype=np.int64).reshape(-1, 2), 0, length)
    array = array[np.argsort(array[:, 0], kind="stable")]
    array = array[array[:, 1] > array[:, 0]]
    starts, ends = array[:, 0], np.maximum.accumulate(array[:, 1]) if len(array) else array[:, 1]
    new_run = np.ones(len(starts), dtype=bool)
    new_run[1:] = starts[1:] >= ends[:-1]
    run = np.cumsum(new_run) - 1
    out_ends = np.zeros(int(run[-1]) + 1 if len(run) else 0, dtype=np.int64)
    np.maximum.at(out_ends, run, ends)
    return starts[new_run], out_ends


def gap_lengths(starts: np.ndarray, ends: np.ndarray, length: int) -> np.ndarray:
    gaps = np.concatenate((starts, [length])) - np.concatenate(([0], ends))
    return gaps[gaps > 0]


def reference_disagreement(continua: list[tuple[int, Spans]]) -> tuple[float, float]:
    m = len(continua[0][1])
    total_length = sum(length for length, _ in continua)
    pair_sum, units, gaps = 0.0, [], []
    for length, spans in continua:
        merged = [merge_spans(s, length) for s in spans]
        for i in range(m):
            for j in range(i + 1, m):
                pair_sum += _pair_disagreement(merged[i], merged[j])
        for starts, ends in merged:
            units.append(ends - starts)
            gaps.append(gap_lengths(starts, ends, length))
    observed = 2.0 * pair_sum / (m * (m - 1) * float(total_length) ** 2)
    return observed, _unitizing_expected(
        np.concatenate(units), np.concatenate(gaps), m, total_length
    )


def reference_character_rows(
    lengths: list[int], eligible: np.ndarray, spans: list[tuple[int, int, int, int]]
) -> dict[tuple, int]:
    """Character units one by one: per character, each coder's value (None missing)."""
    m = eligible.shape[1]
    present = [np.zeros((n, m), dtype=bool) for n in lengths]
    for d, j, start, end in spans:
        present[d][start:end, j] = True
    counts: dict[tuple, int] = {}
    for d, n in enumerate(lengths):
        for c in range(n):
            row = tuple(float(present[d][c, j]) if eligible[d, j] else None for j in range(m))
            counts[row] = counts.get(row, 0) + 1
    return counts


# -- random continua, with the awkward cases ---------------------------------------------------
def random_continua(rng: np.random.Generator) -> list[tuple[int, list[list[tuple[int, int]]]]]:
    m = int(rng.integers(2, 5))
    idle = int(rng.integers(0, m)) if rng.random() < 0.3 else -1  # a coder with no spans
    continua = []
    for _ in range(int(rng.integers(1, 8))):
        length = int(rng.choice([0, 1, 2, int(rng.integers(3, 60)), int(rng.integers(60, 400))]))
        coders: list[list[tuple[int, int]]] = []
        for j in range(m):
            spans: list[tuple[int, int]] = []
            for _ in range(0 if j == idle else int(rng.integers(0, 7))):
                kind = rng.integers(0, 6)
                start = int(rng.integers(0, length + 1))
                end = min(length, start + int(rng.integers(1, max(2, length // 3 + 1))))
                if kind == 0:  # zero-length
                    end = start
                elif kind == 1:  # at the start
                    start = 0
                elif kind == 2:  # at the end
                    end = length
                elif kind == 3 and spans:  # overlapping, touching or repeating one's own
                    prev = spans[-1]
                    start = int(rng.integers(prev[0], prev[1] + 1))
                    end = max(end, start)
                if end < start:
                    start, end = end, start
                spans.append((start, end))
            coders.append(spans)
        continua.append((length, coders))
    return continua


SEEDS = range(300)


@pytest.mark.parametrize("seed", SEEDS)
def test_unitizing_from_edges_equals_the_per_document_loop(seed: int) -> None:
    continua = random_continua(np.random.default_rng(seed))
    if sum(length for length, _ in continua) == 0:
        with pytest.raises(ZeroDivisionError):
            reference_disagreement(continua)
        with pytest.raises(ZeroDivisionError):
            unitizing_disagreement(continua)
        return
    assert unitizing_disagreement(continua) == reference_disagreement(continua)  # exactly


def test_unitizing_arrays_take_spans_in_any_order() -> None:
    rng = np.random.default_rng(5)
    continua = random_continua(rng)
    while sum(n for n, _ in continua) == 0:
        continua = random_continua(rng)
    flat = np.array(
        [
            (c, j, s, e)
            for c, (_, spans) in enumerate(continua)
            for j, coder in enumerate(spans)
            for s, e in coder
        ],
        dtype=np.int64,
    ).reshape(-1, 4)
    flat = flat[rng.permutation(len(flat))]
    lengths = np.array([n for n, _ in continua])
    m = len(continua[0][1])
    assert unitizing_disagreement_arrays(lengths, m, *flat.T) == reference_disagreement(continua)


# -- on a project file: random spans of three coders, one with none, documents not opened -------
@pytest.fixture
def random_project(tmp_path: Path) -> tuple[Project, list[int], list, np.ndarray]:
    from coding.store import new_guid, now

    rng = np.random.default_rng(13)
    project = Project.create(tmp_path / "random.kodeverk")
    lengths = [1, 7, 40, 0, 120, 3, 55]
    stamp = now()
    spans: list[tuple[int, int, int, int, int]] = []  # doc, coder, code, start, end
    eligible = np.zeros((len(lengths), 4), dtype=bool)
    with project.transaction() as conn:
        conn.executemany(
            "INSERT INTO documents(id, guid, name, kind, text, length, sha256, imported_at) "
            "VALUES (?, ?, ?, 'interview', ?, ?, ?, ?)",
            [
                (d + 1, new_guid(), f"d{d}", "x" * n, n, str(d), stamp)
                for d, n in enumerate(lengths)
            ],
        )
        conn.executemany(
            "INSERT INTO codes(id, guid, name, created_at) VALUES (?, ?, ?, ?)",
            [(c, new_guid(), f"kode {c}", stamp) for c in (1, 2, 3)],
        )
        coders = [project.coder_id(name) for name in ("ane", "bo", "cato", "dag")]
        for d, n in enumerate(lengths):
            for j in range(3):  # dag codes nothing; he marks some documents done
                if n == 0 or rng.random() < 0.15:
                    continue  # not opened
                for _ in range(int(rng.integers(1, 6))):
                    start = int(rng.integers(0, n))
                    end = int(rng.integers(start + 1, n + 1))
                    if rng.random() < 0.2:
                        start, end = 0, n
                    spans.append((d, j, int(rng.integers(1, 3)), start, end))
        conn.executemany(
            'INSERT INTO codings(guid, document_id, code_id, coder_id, start, "end", '
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(new_guid(), d + 1, c, coders[j], s, e, stamp) for d, j, c, s, e in spans],
        )
        done = [(d, j) for d in range(len(lengths)) for j in (1, 3) if rng.random() < 0.5]
        conn.executemany(
            "INSERT INTO document_status(document_id, coder_id, done, updated_at) "
            "VALUES (?, ?, 1, ?)",
            [(d + 1, coders[j], stamp) for d, j in done],
        )
    for d, j, *_ in spans:
        eligible[d, j] = True
    for d, j in done:
        eligible[d, j] = True
    yield project, lengths, spans, eligible
    project.close()


@pytest.mark.parametrize("missing", ["complete", "gwet"])
@pytest.mark.parametrize("coders", [(0, 1), (0, 1, 2), (0, 1, 2, 3), (3, 2)])
def test_character_units_and_u_alpha_on_a_project(random_project, coders, missing) -> None:
    project, lengths, spans, eligible = random_project
    names = [("ane", "bo", "cato", "dag")[j] for j in coders]
    column = {j: k for k, j in enumerate(coders)}
    per_code, _ = build_units_and_coverage(project, names, [1, 2, 3], "character", 0.0, missing)
    ours = unitizing_disagreements(project, names, [1, 2, 3])
    for code in (1, 2, 3):
        mine = [(d, column[j], s, e) for d, j, c, s, e in spans if c == code and j in column]
        allowed = eligible[:, list(coders)]
        if missing == "complete":
            allowed = allowed & allowed.all(axis=1)[:, None]
        by_hand = reference_character_rows(lengths, allowed, mine)
        units = per_code[code]
        got = {
            tuple(None if np.isnan(v) else float(v) for v in row): int(w)
            for row, w in zip(units.rows, units.weights, strict=True)
        }
        assert got == by_hand
        continua = unitizing_continua(project, names, [code])[code]
        if not continua:
            assert ours[code] is None
        else:
            assert ours[code] == reference_disagreement(continua)


# -- the CLI's --json report, as the code before the change wrote it ----------------------------
@pytest.fixture(scope="module")
def awkward_study(tmp_path_factory) -> Path:
    return build_awkward_study(tmp_path_factory.mktemp("study"))


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_cli_json_is_as_before(awkward_study: Path, variant: str) -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))[variant]
    done = run_kodeverk("agreement", awkward_study, *VARIANTS[variant], "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == expected


def test_only_empty_documents_leave_u_alpha_undefined(tmp_path: Path) -> None:
    """A document of no characters (only a file written by another tool has one) that both
    coders finished: every figure undefined with its reason, not a division by zero."""
    from coding.reliability import agreement_report
    from coding.store import new_guid, now

    with Project.create(tmp_path / "empty.kodeverk") as project:
        with project.transaction() as conn:
            conn.execute(
                "INSERT INTO documents(id, guid, name, kind, text, length, sha256, imported_at) "
                "VALUES (1, ?, 'tom', 'interview', '', 0, '0', ?)",
                (new_guid(), now()),
            )
            conn.execute(
                "INSERT INTO codes(id, guid, name, created_at) VALUES (1, ?, 'kode', ?)",
                (new_guid(), now()),
            )
            conn.executemany(
                "INSERT INTO document_status(document_id, coder_id, done, updated_at) "
                "VALUES (1, ?, 1, ?)",
                [(project.coder_id(name), now()) for name in ("ane", "bo")],
            )
        row = agreement_report(project, ["ane", "bo"], [1], unit="character").codes[0]
    assert row.units == 0 and row.u_alpha is None
    assert "u-alpha: no coder marked" in (row.undefined or "")


def test_bootstrap_with_character_units_is_refused(awkward_study: Path) -> None:
    """Krippendorff's bootstrap takes each unit as independent of the others; characters are
    not, so the interval would be far too narrow: one line saying so, exit 2, nothing
    written; the domain refuses it too."""
    from coding.reliability import agreement_report
    from tests.conftest import table_dump

    before = table_dump(awkward_study)
    done = run_kodeverk(
        "agreement", awkward_study, "--unit", "character", "--bootstrap", "200", "--json"
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "--bootstrap needs --unit segment" in done.stderr
    assert table_dump(awkward_study) == before
    with Project.open(awkward_study) as project, pytest.raises(ValueError, match="--unit segment"):
        agreement_report(project, unit="character", bootstrap=200)
