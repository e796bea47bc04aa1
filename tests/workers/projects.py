"""Project files for the team tests: one long document, a few codes, helpers to run workers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from coding.cases import ensure_case
from coding.codes import add_code
from coding.documents import add_document, normalise_text
from coding.store import Project

ROOT = Path(__file__).resolve().parents[2]
LONG_TEXT = normalise_text("Det mangler boliger og ventetiden er lang. " * 100)


def make_long_project(path: Path, length: int = len(LONG_TEXT)) -> tuple[int, int]:
    """A project with one document of at least ``length`` characters (4 300 by default);
    returns (document id, code id)."""
    text = LONG_TEXT * (length // len(LONG_TEXT) + 1) if length > len(LONG_TEXT) else LONG_TEXT
    with Project.create(path) as project:
        case = ensure_case(project, "Vadsø")
        code = add_code(project, "Bolig", goal=4)
        document = add_document(project, "intervju-vadso", text, "interview", [], case_id=case)
    return document, code


def start_worker(path: Path, document: int, code: int, coder: str, count: int, *extra: str):
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "tests.workers.coding_worker"),
            *(str(path), str(document), str(code), coder, str(count), *extra),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def summary_of(stdout: str) -> dict:
    return json.loads(stdout.strip().splitlines()[-1])
