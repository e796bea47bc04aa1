"""The generated study at 1 % of its size (benchmarks/study.py), opened: shared by the tests of
the review's read model and its pairs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from benchmarks.study import build_study
from coding.store import Project


def open_small_study(folder: Path) -> Iterator[Project]:
    path = folder / "study.kodeverk"
    build_study(path, 0.01)
    with Project.open(path) as project:
        yield project
