"""Codebook speed: resolving code references (as a CSV import of codings does per row) with the
cached tree against reading the tree each time; merging a heavily used code (journalled, with a
backup) against the bare SQL UPDATE that would move the codings without any record."""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.common import best_of, result
from codebooks.bundled import bundled_codebook
from codebooks.install import install_codebook
from coding.codes import delete_code, list_codes, merge_codes, resolve_code
from coding.store import Project, new_guid, now


def _references(project: Project, count: int) -> list[str]:
    """Full paths, shortened paths and bare names, as people type them."""
    rows = list_codes(project)
    rng = random.Random(4)
    refs = []
    for _ in range(count):
        code = rng.choice(rows)
        refs.append(
            rng.choice([code.path, code.name, code.path.split(" ", 2)[0] + "/" + code.name])
        )
    return [r for r in refs if _resolves(project, r)]


def _resolves(project: Project, ref: str) -> bool:
    try:
        resolve_code(project, ref)
    except Exception:
        return False
    return True


def _resolve_all(project: Project, refs: list[str]) -> None:
    for ref in refs:
        resolve_code(project, ref)


def _resolve_all_uncached(project: Project, refs: list[str]) -> None:
    for ref in refs:
        project.forget_caches()
        resolve_code(project, ref)


def _add_codings(project: Project, code_ids: list[int], count: int) -> None:
    """``count`` short codings of each code in one document, none touching another."""
    with project.transaction() as conn:
        length = count * 10 + 10
        conn.execute(
            "INSERT INTO documents(guid, name, kind, text, length, sha256, imported_at) "
            "VALUES (?, 'd', 'text', ?, ?, ?, ?)",
            (new_guid(), "x" * length, length, new_guid(), now()),
        )
        coder = project.coder_id("lise")
        conn.executemany(
            'INSERT INTO codings(guid, document_id, code_id, coder_id, start, "end", '
            "created_at) VALUES (?, 1, ?, ?, ?, ?, ?)",
            [
                (new_guid(), code_id, coder, i * 10, i * 10 + 5, now())
                for code_id in code_ids
                for i in range(count)
            ],
        )


def _edit_timings(folder: Path, codings: int) -> dict[str, float]:
    """Merge and delete timed against bare SQL doing the same to the codings."""
    times: dict[str, float] = {}
    with Project.create(folder / "edit.kodeverk") as project:
        install_codebook(project, bundled_codebook())
        names = ("Bolig", "Arbeid og aktivitet", "Fritid og nettverk", "Ettervern", "Organisering")
        source, target, other, doomed, bare_doomed = (resolve_code(project, n) for n in names)
        _add_codings(project, [source, doomed, bare_doomed], codings)

        def timed(name: str, action) -> None:
            t0 = time.perf_counter()
            action()
            times[name] = time.perf_counter() - t0

        timed("merge", lambda: merge_codes(project, source, target, "lead"))
        timed("delete", lambda: delete_code(project, doomed, "lead"))
        with project.transaction() as conn:  # baselines: no journal, no backup
            timed(
                "bare merge",
                lambda: conn.execute(
                    "UPDATE codings SET code_id = ? WHERE code_id = ?", (other, target)
                ),
            )
            timed(
                "bare delete",
                lambda: conn.execute("DELETE FROM codings WHERE code_id = ?", (bare_doomed,)),
            )
    return times


def run(quick: bool) -> list[dict]:
    lookups = 1_000 if quick else 5_000
    codings = 2_000 if quick else 20_000
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        with Project.create(folder / "resolve.kodeverk") as project:
            install_codebook(project, bundled_codebook())
            refs = _references(project, lookups)
            cached = best_of(lambda: _resolve_all(project, refs))
            uncached = best_of(lambda: _resolve_all_uncached(project, refs), 1)
        times = _edit_timings(folder, codings)
    per_lookup = cached / len(refs) * 1e6
    return [
        result(
            "codebook: resolve_code per reference (bundled codebook, cached tree)",
            per_lookup,
            "µs",
            uncached / len(refs) * 1e6,
            baseline_name="reading the tree from SQLite for every reference",
            target="under 100 µs, so 100 000 CSV rows resolve in under 10 s",
            passed=per_lookup < 100,
            note=f"{len(refs)} references: full paths, shortened paths, bare names",
        ),
        result(
            "codebook: merge a code with its codings (journal + backup)",
            times["merge"],
            "s",
            times["bare merge"],
            baseline_name="bare SQL UPDATE of code_id, no journal, no backup",
            target="under 2 s for 20 000 codings",
            passed=times["merge"] < 2 * codings / 20_000,
            note=f"{codings} codings moved",
        ),
        result(
            "codebook: delete a code with its codings (journal + backup)",
            times["delete"],
            "s",
            times["bare delete"],
            baseline_name="bare SQL DELETE of the codings, no journal, no backup",
            target="under 2 s for 20 000 codings",
            passed=times["delete"] < 2 * codings / 20_000,
            note=f"{codings} codings deleted, every row kept in the event",
        ),
    ]
