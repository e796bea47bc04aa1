"""Agreement: the whole `kodeverk agreement` computation on 3 coders × 100 000 segments × 60 codes,
`krippendorff_alpha` on a 100 000 × 3 matrix against the `krippendorff` package, and the report
with character units (per-character kappa/alpha/AC1 and unitizing alpha) on the study of issue 13
(benchmarks/study.py: 6 440 documents, 3 × 20 000 codings) beside the segment report of the same
project."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import krippendorff
import numpy as np

from benchmarks.common import best_of, result
from benchmarks.study import build_study
from coding.agreement import krippendorff_alpha
from coding.reliability import agreement_report
from coding.store import Project, new_guid, now
from coding.units import build_units

CODERS = ("ane", "bo", "cato")
SEGMENT_TEXT = "Kommunen har styrket tilbudet til brukerne. "  # 44 characters


def build_project(path: Path, segments: int, codes: int, seed: int = 1) -> Project:
    """A project with bulk-inserted documents, segments, codes and codings: each segment gets
    a «true» code with probability 0.3 and each coder follows it 85 % of the time."""
    rng = np.random.default_rng(seed)
    per_doc = 250
    docs = segments // per_doc
    project = Project.create(path)
    stamp = now()
    with project.transaction() as conn:
        text = SEGMENT_TEXT * per_doc
        conn.executemany(
            "INSERT INTO documents(id, guid, name, kind, text, length, sha256, imported_at) "
            "VALUES (?, ?, ?, 'interview', ?, ?, ?, ?)",
            [(d + 1, new_guid(), f"doc{d}", text, len(text), str(d), stamp) for d in range(docs)],
        )
        width = len(SEGMENT_TEXT)
        conn.executemany(
            'INSERT INTO segments(document_id, ordinal, start, "end", kind, block) '
            "VALUES (?, ?, ?, ?, 'turn', ?)",
            [
                (d + 1, i, i * width, (i + 1) * width - 1, i)
                for d in range(docs)
                for i in range(per_doc)
            ],
        )
        conn.executemany(
            "INSERT INTO codes(id, guid, name, created_at) VALUES (?, ?, ?, ?)",
            [(c + 1, new_guid(), f"Tema {c + 1}", stamp) for c in range(codes)],
        )
        coder_ids = [project.coder_id(name) for name in CODERS]
        conn.executemany(
            "INSERT INTO codings VALUES (NULL, ?, ?, ?, ?, NULL, ?, ?, ?)",
            _codings(rng, docs, per_doc, codes, coder_ids, stamp),
        )
    return project


def _codings(rng, docs: int, per_doc: int, codes: int, coder_ids: list[int], stamp: str):
    n = docs * per_doc
    has_code = rng.random(n) < 0.3
    truth = rng.integers(1, codes + 1, size=n)
    width = len(SEGMENT_TEXT)
    for coder in coder_ids:
        follows = rng.random(n) < 0.85
        chosen = np.where(follows, truth, rng.integers(1, codes + 1, size=n))
        coded = has_code & (follows | (rng.random(n) < 0.1))
        for seg in np.nonzero(coded)[0].tolist():
            doc, i = divmod(seg, per_doc)
            start = i * width + int(rng.integers(0, 10))
            yield (new_guid(), doc + 1, int(chosen[seg]), coder, start, (i + 1) * width - 1, stamp)


def alpha_matrix(units: int, categories: int, seed: int = 2) -> np.ndarray:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, categories, size=(units, 1))
    data = np.where(
        rng.random((units, 3)) < 0.8, truth, rng.integers(0, categories, size=(units, 3))
    ).astype(float)
    data[rng.random(data.shape) < 0.1] = np.nan
    return data


def run(quick: bool = False) -> list[dict]:
    segments = 10_000 if quick else 100_000
    results = []
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        project = build_project(Path(folder) / "bench.kodeverk", segments, 60)
        build_seconds = time.perf_counter() - t0
        with project:
            ours = best_of(lambda: agreement_report(project, list(CODERS)), repeat=3)
            booted = best_of(
                lambda: agreement_report(project, list(CODERS), bootstrap=1000, seed=1), repeat=1
            )
            per_code = build_units(project, list(CODERS))
            matrices = [np.repeat(u.rows, u.weights.astype(int), axis=0) for u in per_code.values()]
            package = best_of(
                lambda: [
                    krippendorff.alpha(reliability_data=m.T, level_of_measurement="nominal")
                    for m in matrices
                ],
                repeat=1,
            )
        results.append(
            result(
                f"agreement report, 3 coders × {segments:,} segments × 60 codes",
                ours,
                "s",
                package,
                baseline_name="krippendorff package: alpha only, on the 60 ready matrices",
                target="< 2 s; faster than the baseline",
                passed=ours < 2.0 and ours < package,
                note=f"project built with bulk inserts in {build_seconds:.1f} s",
            )
        )
        results.append(
            result(
                "agreement report with --bootstrap 1000 (alpha per code and pooled)",
                booted,
                "s",
                ours,
                baseline_name="the same report without bootstrap",
                target="< 1 s more than the baseline",
                passed=booted - ours < 1.0,
            )
        )
    results += character_rows(0.1 if quick else 1.0)
    for categories in (2, 20):
        data = alpha_matrix(segments, categories)
        ours = best_of(lambda d=data: krippendorff_alpha(d), repeat=5)
        theirs = best_of(
            lambda d=data: krippendorff.alpha(reliability_data=d.T, level_of_measurement="nominal"),
            repeat=2,
        )
        same = krippendorff.alpha(reliability_data=data.T, level_of_measurement="nominal")
        assert abs(krippendorff_alpha(data) - same) < 1e-9
        results.append(
            result(
                f"krippendorff_alpha {segments:,} × 3, {categories} categories, 10 % missing",
                ours,
                "s",
                theirs,
                baseline_name="krippendorff package (same data, same value)",
                target="ratio ≤ 1.5",
                passed=ours / theirs <= 1.5,
            )
        )
    return results


def character_rows(scale: float) -> list[dict]:
    """`kodeverk agreement --unit character` on the study (all coders, 38 codes), against the
    segment report of the same project (--bootstrap is refused with character units).
    Before issue 13's fix unitizing alpha looped over documents × coder pairs per code (and
    again for the pooled row): 45–70 s on the study."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "study.kodeverk"
        build_study(path, scale)
        with Project.open(path) as project:
            segment = best_of(lambda: agreement_report(project), repeat=3)
            character = best_of(lambda: agreement_report(project, unit="character"), repeat=3)
    study = "the study" if scale == 1 else f"the study × {scale:g}"
    return [
        result(
            f"agreement report with character units (and uα) on {study}",
            character,
            "s",
            segment,
            baseline_name="the segment-unit report of the same project",
            target="≤ 5 s and ≤ 3 × the baseline",
            passed=character <= 5.0 and character <= 3 * segment,
        ),
    ]
