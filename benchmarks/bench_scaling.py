"""How the ordinary steps grow with the size of the study (issue 13): each step on the generated
study (benchmarks/study.py) at 1×, 4× and 16× a base size, and the growth exponent
log(time ratio) / log(size ratio) from 1× to 16×. Linear work has exponent 1; target ≤ 1.15.

The base is 1/20 of the study (2 interviews, 20 cases, 320 answers, 3 × 1 000 codings), so
every count scales exactly and 16× is 0.8 of the study (32 interviews of 15 000 words, 5 120
answers, 3 × 16 000 codings, 66 000 events): affordable on 2 shared cores. Times are CPU
seconds of the benchmark process (the machine is shared: waiting for a core is not growth),
the best of 2–3 runs. Fixed costs (python-docx's template) weigh more at 1× and lower the
exponent a little.
"""

from __future__ import annotations

import csv
import math
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import result
from benchmarks.study import QUESTIONS, build_study, codings_table, write_sources
from coding.store import Project

FACTORS = (1, 4, 16)
BASE = 1 / 20  # every count of the study divides exactly: 2 interviews, 20 cases, 320 answers
TARGET = 1.15
Step = Callable[[Path, Path], float]  # (study file, scratch folder) -> seconds


def _timed(fn: Callable[[], object]) -> float:
    """CPU seconds of this process (user + system): on a machine shared with others' work,
    waiting for a core is not growth. Wall time is in bench_study."""
    started = time.process_time()
    fn()
    return time.process_time() - started


def import_material(study: Path, folder: Path, scale: float) -> float:
    """The survey CSV and the interviews, read, segmented and written."""
    from codebooks.bundled import bundled_codebook
    from codebooks.install import install_codebook
    from corpus.importer import ImportOptions, import_files

    survey, interviews = write_sources(folder, scale)
    target = folder / "imported.kodeverk"
    with Project.create(target) as project:
        install_codebook(project, bundled_codebook())
        survey_options = ImportOptions(
            case_column="kommune",
            text_columns=QUESTIONS,
            attribute_columns=("size_class", "region"),
        )
        return _timed(
            lambda: (
                import_files(project, [survey], survey_options),
                import_files(project, interviews, ImportOptions()),
            )
        )


def codings_import(study: Path, folder: Path, scale: float) -> float:
    """One coder's codings as a CSV, imported for a new coder."""
    from corpus.codings_csv import import_codings_csv

    table = _renamed_codings(study, folder, "cato", "dina")
    target = folder / "codings.kodeverk"
    shutil.copy(study, target)
    with Project.open(target) as project:
        return _timed(lambda: import_codings_csv(project, table))


def _renamed_codings(study: Path, folder: Path, coder: str, new_name: str) -> Path:
    table = folder / f"{coder}.csv"
    with Project.open(study) as project:
        codings_table(project, table, coders=(coder,))
    with table.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        row[3] = new_name
    with table.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return table


def coder_copy(study: Path, folder: Path, scale: float) -> float:
    from coding.copy import make_copy

    with Project.open(study) as project:
        return _timed(lambda: make_copy(project, folder / "anna-copy.kodeverk", "anna"))


def merge(study: Path, folder: Path, scale: float) -> float:
    """anna's copy, in which she codes what bjørn coded (a codings import), merged back."""
    from coding.copy import make_copy
    from coding.merge import merge_copy
    from corpus.codings_csv import import_codings_csv

    target = folder / "merge.kodeverk"
    shutil.copy(study, target)
    copy = folder / "anna-merge.kodeverk"
    table = _renamed_codings(study, folder, "bjørn", "anna")
    with Project.open(target) as project:
        make_copy(project, copy, "anna")
    with Project.open(copy) as coder_copy:
        import_codings_csv(coder_copy, table)
    with Project.open(target) as project:
        return _timed(lambda: merge_copy(project, copy, "leder"))


def word_export(study: Path, folder: Path, scale: float) -> float:
    from exports.docx_report import write_docx
    from exports.quotes import quote_report

    with Project.open(study) as project, project.read_snapshot():
        return _timed(lambda: write_docx(quote_report(project), folder / "report.docx"))


def prevalence_step(study: Path, folder: Path, scale: float) -> float:
    from coding.prevalence import prevalence

    with Project.open(study) as project:
        return _timed(lambda: prevalence(project, ["size_class", "region"]))


def agreement(study: Path, folder: Path, scale: float) -> float:
    from coding.reliability import agreement_report

    with Project.open(study) as project:
        return _timed(lambda: agreement_report(project, ["anna", "bjørn"]))


def agreement_by_character(study: Path, folder: Path, scale: float) -> float:
    from coding.reliability import agreement_report

    with Project.open(study) as project:
        return _timed(lambda: agreement_report(project, ["anna", "bjørn"], unit="character"))


STEPS: dict[str, Callable[[Path, Path, float], float]] = {
    "import (survey + interviews)": import_material,
    "codings import (one coder's CSV)": codings_import,
    "kodeverk copy": coder_copy,
    "merge of a coder copy": merge,
    "Word export (all quotes)": word_export,
    "prevalence by size class × region": prevalence_step,
    "agreement report (2 coders)": agreement,
    "agreement report by character, with uα (2 coders)": agreement_by_character,
}


def measure(base: float, factors: tuple[int, ...], repeat: int) -> dict[str, list[float]]:
    """Seconds per step and size (best of ``repeat``)."""
    times: dict[str, list[float]] = {name: [] for name in STEPS}
    _warm_up(base)
    for factor in factors:
        scale = base * factor
        with tempfile.TemporaryDirectory() as root:
            study = Path(root) / "study.kodeverk"
            build_study(study, scale)
            for name, step in STEPS.items():
                best = math.inf
                for attempt in range(repeat + (factor < factors[-1])):  # small sizes: once more
                    folder = Path(root) / f"{len(times[name])}-{attempt}"
                    folder.mkdir()
                    best = min(best, step(study, folder, scale))
                    shutil.rmtree(folder)
                times[name].append(best)
    return times


def _warm_up(scale: float) -> None:
    """Each step once, untimed: module imports and spaCy's start-up are not growth."""
    with tempfile.TemporaryDirectory() as root:
        study = Path(root) / "study.kodeverk"
        build_study(study, scale)
        for number, step in enumerate(STEPS.values()):
            (Path(root) / str(number)).mkdir()
            step(study, Path(root) / str(number), scale)


def exponent(times: list[float], factors: tuple[int, ...]) -> float:
    """The slope of log time over log size, fitted by least squares through every size (with
    two sizes: log time ratio / log size ratio); steadier than two points on a shared machine."""
    xs = [math.log(f) for f in factors]
    ys = [math.log(t) for t in times]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def run(quick: bool) -> list[dict]:
    base, factors, repeat = (1 / 64, (1, 4), 1) if quick else (BASE, FACTORS, 2)
    times = measure(base, factors, repeat)
    rows = []
    for name, seconds in times.items():
        growth = exponent(seconds, factors)
        sizes = ", ".join(f"{f}×: {t:.3g} s" for f, t in zip(factors, seconds, strict=True))
        sizes += " (CPU)"
        rows.append(
            result(
                f"scaling: {name}, growth exponent {factors[0]}×–{factors[-1]}×",
                growth,
                "",
                1.0,
                baseline_name="linear",
                target=f"≤ {TARGET}",
                passed=growth <= TARGET,
                note=f"base = study × {base:g}; {sizes}",
            )
        )
    return rows
