"""REFI-QDA exchange: export and re-import of a project with 1 000 documents and 100 000
codings (quick: 100 and 10 000). Baselines measured in the same run: lxml alone serialising
(export) and parsing (import) the same ``project.qde``."""

from __future__ import annotations

import random
import tempfile
import time
import zipfile
from pathlib import Path

from lxml import etree

from benchmarks.common import best_of, result
from coding.store import Project, new_guid, now
from corpus.qdpx import import_qdpx
from exports.qdpx_write import export_qdpx

TEXT = (
    "kommunen har et lavterskeltilbud for personer med rusproblemer og psykiske lidelser "
    "brukerrådet møtes fire ganger i året ventetiden på bolig er lang ambulant team når folk "
    "tidlig samarbeid med spesialisthelsetjenesten fungerer godt men ressursene er små"
)
WORDS = TEXT.split(" ")


def build(path: Path, documents: int, codings: int, seed: int = 7) -> Project:
    """A project filled with bulk ``executemany`` (no per-row transactions)."""
    rng = random.Random(seed)
    project = Project.create(path)
    stamp = now()
    with project.transaction() as conn:
        conn.executemany(
            "INSERT INTO coders(guid, name, created_at) VALUES (?, ?, ?)",
            [(new_guid(), f"koder{i}", stamp) for i in range(3)],
        )
        conn.executemany(
            "INSERT INTO cases(guid, name, created_at) VALUES (?, ?, ?)",
            [(new_guid(), f"Kommune {i:03d}", stamp) for i in range(100)],
        )
        conn.executemany(
            "INSERT INTO case_attributes(case_id, name, value) VALUES (?, ?, ?)",
            [(c, "size_class", rng.choice(["liten", "mellomstor", "stor"])) for c in range(1, 101)]
            + [(c, "region", rng.choice(["Nord-Norge", "Vestlandet"])) for c in range(1, 101)],
        )
        code_rows = [(new_guid(), None, f"Mål {g}", g, g) for g in range(1, 6)]
        code_rows += [(new_guid(), 1 + i % 5, f"Tema {i}", None, i) for i in range(55)]
        conn.executemany(
            "INSERT INTO codes(guid, parent_id, name, goal, ordinal, created_at) "
            f"VALUES (?, ?, ?, ?, ?, '{stamp}')",
            code_rows,
        )
        texts = [" ".join(rng.choices(WORDS, k=500)) + "." for _ in range(documents)]
        conn.executemany(
            "INSERT INTO documents(guid, name, kind, text, length, sha256, case_id, imported_at) "
            "VALUES (?, ?, 'text', ?, ?, ?, ?, ?)",
            [
                (new_guid(), f"dok{i}", t, len(t), new_guid(), 1 + i % 100, stamp)
                for i, t in enumerate(texts)
            ],
        )
        rows = []
        for _ in range(codings):
            doc = rng.randrange(documents)
            start = rng.randrange(len(texts[doc]) - 200)
            rows.append(
                (
                    new_guid(),
                    doc + 1,
                    rng.randint(1, 60),
                    rng.randint(1, 3),
                    1 + doc % 100,
                    start,
                    start + rng.randint(20, 200),
                    stamp,
                )
            )
        conn.executemany(
            "INSERT INTO codings(guid, document_id, code_id, coder_id, case_id, start, "
            '"end", created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            rows,
        )
    return project


def run(quick: bool = False) -> list[dict]:
    documents, codings = (100, 10_000) if quick else (1_000, 100_000)
    folder = Path(tempfile.mkdtemp(prefix="bench-refi-"))
    project = build(folder / "source.kodeverk", documents, codings)
    out = folder / "project.qdpx"
    export_s = best_of(lambda: export_qdpx(project, out), repeat=1 if quick else 2)
    project.close()
    qde = zipfile.ZipFile(out).read("project.qde")
    tree = etree.fromstring(qde)
    serialise_s = best_of(
        lambda: etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    )
    parse_s = best_of(lambda: etree.fromstring(qde))
    target = Project.create(folder / "target.kodeverk")
    t0 = time.perf_counter()
    report = import_qdpx(target, out)
    import_s = time.perf_counter() - t0
    target.close()
    # random spans overlap: one coder's overlapping spans of one code become one coding
    assert report.codings + report.merged_codings == codings, report.summary()[:500]
    assert not report.warnings, report.summary()[:500]
    size = f"{documents} documents, {codings} codings, project.qde {len(qde) / 1e6:.1f} MB"
    return [
        result(
            "refi.export_qdpx",
            export_s,
            "s",
            serialise_s,
            baseline_name="lxml tostring of the same project.qde",
            target="< 10 s",
            passed=export_s < 10,
            note=size,
        ),
        result(
            "refi.import_qdpx",
            import_s,
            "s",
            parse_s,
            baseline_name="lxml fromstring of the same project.qde",
            target="< 20 s",
            passed=import_s < 20,
            note=size + "; includes sentence segmentation of every document",
        ),
    ]
