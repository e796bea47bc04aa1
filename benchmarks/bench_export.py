"""Export of 10 000 coded quotes to Word, against python-docx writing the same paragraphs plainly
(headings and one paragraph per quote, no report logic) in the same run."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.bench_prevalence import REGIONS, SIZES, _codes
from benchmarks.common import result
from coding.store import Project, now
from exports.docx_report import write_docx
from exports.quotes import quote_report

SENTENCES = [
    "Vi mangler egnede boliger for personer med rusproblemer.",
    "Brukerrådet møtes fire ganger i året og blir hørt i planarbeidet.",
    "Ventetiden for behandling er fortsatt for lang.",
    "Det er vanskelig å rekruttere fagfolk i en liten kommune.",
    "Samarbeidet med NAV og fastlegene fungerer stort sett godt.",
    "Lavterskeltilbudet er viktig for dem som ikke er klare for behandling.",
]


def build(path: Path, quotes: int, cases: int = 200) -> None:
    rng = random.Random(5)
    project = Project.create(path)
    conn, stamp = project.conn, now()
    text = " ".join(rng.choice(SENTENCES) for _ in range(60))
    starts = [i for i, ch in enumerate(text) if ch in "VBDS"]  # sentence starts
    with project.transaction():
        conn.execute(
            "INSERT INTO coders(id, guid, name, created_at) VALUES (1, 'c1', 'anna', ?)", (stamp,)
        )
        conn.executemany(
            "INSERT INTO cases(id, guid, name, created_at) VALUES (?, ?, ?, ?)",
            [(i, f"case-{i}", f"Kommune {i}", stamp) for i in range(1, cases + 1)],
        )
        conn.executemany(
            "INSERT INTO case_attributes VALUES (?, ?, ?)",
            [(i, "size_class", rng.choice(SIZES)) for i in range(1, cases + 1)]
            + [(i, "region", rng.choice(REGIONS)) for i in range(1, cases + 1)],
        )
        conn.executemany(
            "INSERT INTO documents(id, guid, name, kind, text, length, sha256, case_id, "
            "imported_at) VALUES (?, ?, ?, 'interview', ?, ?, ?, ?, ?)",
            [
                (i, f"d{i}", f"intervju {i}", text, len(text), f"h{i}", i, stamp)
                for i in range(1, cases + 1)
            ],
        )
        conn.executemany(
            "INSERT INTO codes(id, guid, parent_id, name, goal, created_at) VALUES (?,?,?,?,?,?)",
            _codes(stamp),
        )
        rows = []
        for i in range(1, quotes + 1):
            start = rng.choice(starts)
            rows.append((i, f"k{i}", 1 + i % cases, rng.randrange(1, 61), 1, 1 + i % cases,
                         start, min(start + rng.randrange(40, 160), len(text)), stamp))  # fmt: skip
        conn.executemany(
            'INSERT INTO codings(id, guid, document_id, code_id, coder_id, case_id, start, "end", '
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    project.close()


def plain_docx(project: Project, path: Path) -> int:
    """The baseline: the same headings and quote paragraphs, written plainly."""
    from docx import Document

    document = Document()
    text: dict[int, str] = {}
    count, last = 0, None
    for name, doc_id, start, end in project.conn.execute(
        'SELECT c.name, k.document_id, k.start, k."end" FROM codings k '
        "JOIN codes c ON c.id = k.code_id ORDER BY k.code_id, k.document_id, k.start"
    ):
        if doc_id not in text:
            text[doc_id] = project.conn.execute(
                "SELECT text FROM documents WHERE id = ?", (doc_id,)
            ).fetchone()[0]
        if name != last:
            document.add_heading(name, level=2)
            last = name
        document.add_paragraph(f"«{text[doc_id][start:end]}» (Kommune)")
        count += 1
    document.save(str(path))
    return count


def _best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def run(quick: bool) -> list[dict]:
    quotes = 1_000 if quick else 10_000
    repeat = 1 if quick else 3
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        build(folder / "export.kodeverk", quotes)
        project = Project.open(folder / "export.kodeverk")
        report = quote_report(project)
        assert report.quote_count == quotes, report.quote_count
        t_plain = _best(lambda: plain_docx(project, folder / "plain.docx"), repeat)
        t_report = _best(lambda: quote_report(project), repeat)
        t_ours = _best(lambda: write_docx(quote_report(project), folder / "ours.docx"), repeat)
        project.close()
    return [
        result(
            f"export: {quotes} quotes to Word (collect + write)",
            t_ours,
            "s",
            t_plain,
            baseline_name="python-docx writing the same paragraphs plainly",
            target="at most 1.5× the plain python-docx baseline",
            passed=t_ours <= 1.5 * t_plain,
            note=f"collecting the report alone: {t_report * 1000:.0f} ms",
        )
    ]
