"""The small study (1 % of benchmarks/study.py) made awkward for character agreement: a coder
who finished some documents but coded nothing, documents one coder never opened, overlapping
spans of one coder, spans that touch, spans at a document's start and end. Shared by
tests/test_agreement_character.py and the script that wrote its expected reports from the code
as it was before character units were computed from span edges (tests/data/)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.study import build_study
from coding.store import Project, new_guid, now

# `kodeverk agreement` arguments (after the project) whose --json output is kept in
# tests/data/agreement_character_study.json
VARIANTS = {
    "character": ["--unit", "character"],
    "character_gwet": ["--unit", "character", "--missing", "gwet"],
    "character_three": ["--unit", "character", "--coders", "anna,bjørn,cato"],
    "character_idle_coder": ["--unit", "character", "--coders", "anna,bjørn,dag"],
    "character_idle_coder_gwet": [
        "--unit",
        "character",
        "--coders",
        "anna,bjørn,dag",
        "--missing",
        "gwet",
    ],
    "segment": [],
}


def build_awkward_study(folder: Path) -> Path:
    path = folder / "study.kodeverk"
    build_study(path, 0.01)
    with Project.open(path) as project, project.transaction() as conn:
        docs = conn.execute("SELECT id, length FROM documents ORDER BY id").fetchall()
        code = conn.execute("SELECT MIN(code_id) FROM codings").fetchone()[0]
        anna, bjorn, cato = (project.coder_id(n) for n in ("anna", "bjørn", "cato"))
        dag = project.coder_id("dag", create=True)
        stamp = now()
        # cato never opened the last five documents; dag finished every third, coded nothing
        gone = [d for d, _ in docs[-5:]]
        marks = ",".join("?" * len(gone))
        conn.execute(
            f"DELETE FROM codings WHERE coder_id = ? AND document_id IN ({marks})", [cato, *gone]
        )
        conn.execute(
            f"DELETE FROM document_status WHERE coder_id = ? AND document_id IN ({marks})",
            [cato, *gone],
        )
        conn.executemany(
            "INSERT INTO document_status(document_id, coder_id, done, updated_at) "
            "VALUES (?, ?, 1, ?)",
            [(d, dag, stamp) for d, _ in docs[::3]],
        )
        # bjørn forgets three documents' done marks but has coded them (still counted)
        first, second, third = docs[1], docs[2], docs[3]
        conn.execute(
            "DELETE FROM document_status WHERE coder_id = ? AND document_id IN (?, ?, ?)",
            (bjorn, first[0], second[0], third[0]),
        )
        spans = [
            (anna, first[0], 0, 5),  # at the start
            (anna, first[0], 3, 9),  # overlapping anna's own
            (anna, first[0], 9, 12),  # touching it
            (anna, first[0], first[1] - 4, first[1]),  # at the end
            (bjorn, first[0], 0, first[1]),  # the whole document
            (bjorn, second[0], second[1] - 1, second[1]),  # the last character
            (cato, second[0], 0, 1),  # the first character
            (anna, third[0], 2, 7),
            (anna, third[0], 2, 7),  # the same span twice
            (bjorn, third[0], 4, 6),
            (bjorn, third[0], 1, 9),  # around bjørn's own
        ]
        conn.executemany(
            'INSERT INTO codings(guid, document_id, code_id, coder_id, start, "end", '
            "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(new_guid(), d, code, coder, s, e, stamp) for coder, d, s, e in spans],
        )
    return path
