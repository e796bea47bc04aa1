"""The generated study (benchmarks/study.py) at a small size: deterministic, a valid project,
and the same material the importer makes of its source files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from benchmarks.study import QUESTIONS, StudySize, build_study, write_sources
from coding.check import check_project
from tests.conftest import run_kodeverk

SCALE = 0.02

CONTENT = {
    "documents": "SELECT id, guid, name, kind, text, case_id FROM documents",
    "segments": 'SELECT document_id, ordinal, start, "end", kind, block, speaker FROM segments',
    "cases": "SELECT id, guid, name FROM cases",
    "case_attributes": "SELECT * FROM case_attributes",
    "codings": "SELECT * FROM codings",
    "document_status": "SELECT * FROM document_status",
    "events": "SELECT guid, at, coder_id, action, summary, changes, undoable, state, undone_by "
    "FROM events WHERE action != 'codebook.install'",
}


def _content(path: Path) -> dict[str, list]:
    conn = sqlite3.connect(path)
    try:
        return {
            name: conn.execute(sql + " ORDER BY 1, 2").fetchall() for name, sql in CONTENT.items()
        }
    finally:
        conn.close()


def test_study_is_the_same_every_time(tmp_path: Path) -> None:
    build_study(tmp_path / "a.kodeverk", SCALE)
    build_study(tmp_path / "b.kodeverk", SCALE)
    assert _content(tmp_path / "a.kodeverk") == _content(tmp_path / "b.kodeverk")


def test_study_is_a_valid_project_of_the_asked_size(tmp_path: Path) -> None:
    path = tmp_path / "study.kodeverk"
    size = build_study(path, SCALE)
    assert size == StudySize.at(SCALE)
    assert check_project(path) == []
    conn = sqlite3.connect(path)
    count = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in CONTENT}
    by_coder = dict(conn.execute("SELECT coder_id, count(*) FROM codings GROUP BY 1").fetchall())
    undone = conn.execute(
        "SELECT count(*) FROM events e JOIN events u ON u.id = e.undone_by "
        "WHERE e.state = 'undone' AND u.action = 'undo'"
    ).fetchone()[0]
    conn.close()
    assert count["documents"] == size.answers + size.interviews
    assert count["cases"] == size.cases
    assert len(by_coder) == 3
    assert all(
        0.8 * size.codings_per_coder <= n <= 1.2 * size.codings_per_coder for n in by_coder.values()
    )
    assert count["events"] > count["codings"] + count["document_status"]
    assert undone > 0


def test_study_sources_import_to_the_same_documents_and_segments(tmp_path: Path) -> None:
    """The importer makes the fixture's documents and sentence segments from its source files,
    so the fixture stands for imported material."""
    build_study(tmp_path / "study.kodeverk", SCALE)
    survey, interviews = write_sources(tmp_path, SCALE)
    project = tmp_path / "imported.kodeverk"
    assert run_kodeverk("init", project).returncode == 0
    questions = [arg for q in QUESTIONS for arg in ("--text-column", q)]
    done = run_kodeverk(
        "import", project, survey, "--case-column", "kommune",
        "--attribute-columns", "size_class,region", *questions,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = run_kodeverk("import", project, *interviews)
    assert done.returncode == 0, done.stderr
    sql = (
        'SELECT d.name, d.kind, d.text, s.ordinal, s.start, s."end", s.kind, s.block, s.speaker '
        "FROM segments s JOIN documents d ON d.id = s.document_id ORDER BY d.name, s.ordinal"
    )
    made, imported = (
        sqlite3.connect(p).execute(sql).fetchall() for p in (tmp_path / "study.kodeverk", project)
    )
    assert made == imported
