"""The bulk codings import gives what applying each row with ``apply_coding`` gave (the path
before issue 13, kept in benchmarks/reference.py): the same rows, the same journal, the same
undo per coder, on the small study."""

from __future__ import annotations

import csv
import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.reference import import_codings_one_by_one
from benchmarks.study import build_study, codings_table
from coding.errors import InputError
from coding.operations import undo
from coding.store import Project
from corpus.codings_csv import import_codings_csv
from tests.conftest import ROOT, run_kodeverk

SCALE = 0.01


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("study") / "study.kodeverk"
    build_study(path, SCALE)
    return path


def _table(study: Path, folder: Path) -> Path:
    """Every coding of the study as a codings CSV, renamed to new coders (so every row is new
    work), plus rows that overlap, touch, repeat and nest, and a new code."""
    path = folder / "codings.csv"
    with Project.open(study) as project:
        codings_table(project, path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    extra = []
    for i, row in enumerate(rows[:300]):
        start = int(row["start"])
        twin = dict(row, quote="")
        if i % 3 == 0:
            twin.update(start=str(max(0, start - 5)), end=str(start + 2))  # overlaps the start
        elif i % 3 == 1 and start > 0:
            twin.update(start=str(start - 1), end=str(start))  # touches the start
        extra.append(twin)
        extra.append(dict(row))  # the same again: already coded
    extra.append(dict(rows[0], code="Nye temaer/Ettervern", quote=""))
    for row in rows + extra:
        row["coder"] = {"anna": "dina", "bjørn": "emil", "cato": "dina"}[row["coder"]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows + extra)
    return path


def _state(path: Path) -> dict[str, list]:
    """Rows and journal with random GUIDs and clock times replaced by their order of
    appearance, event ids left out (the old path used up ids for the events it folded, so
    an undo names another event number)."""
    conn = sqlite3.connect(path)
    names: dict[str, str] = {}

    def same(value: object) -> object:
        if isinstance(value, str) and len(value) == 36 and value.count("-") == 4:
            return names.setdefault(value, f"guid{len(names)}")
        return value

    def rows(sql: str) -> list:
        return [tuple(same(v) for v in row) for row in conn.execute(sql)]

    def changes(text: str) -> list:
        out = []
        for item in json.loads(text):
            for side in ("before", "after"):
                if item[side]:
                    item[side] = {k: same(v) for k, v in item[side].items() if k != "created_at"}
            out.append(item)
        return out

    state = {
        "codings": rows(
            'SELECT id, guid, document_id, code_id, coder_id, case_id, start, "end" '
            "FROM codings ORDER BY id"
        ),
        "codes": rows("SELECT id, guid, parent_id, name FROM codes ORDER BY id"),
        "coders": rows("SELECT id, name FROM coders ORDER BY id"),
        "sequence": rows("SELECT name, seq FROM sqlite_sequence WHERE name != 'events'"),
        "events": [
            (coder, action, re.sub(r"event \d+", "event", summary), changes(text), undoable, state)
            for coder, action, summary, text, undoable, state in conn.execute(
                "SELECT coder_id, action, summary, changes, undoable, state FROM events ORDER BY id"
            )
        ],
    }
    conn.close()
    return state


@pytest.mark.parametrize("create_codes", [False, True])
def test_bulk_import_matches_one_by_one(study: Path, tmp_path: Path, create_codes: bool) -> None:
    table = _table(study, tmp_path)
    if not create_codes:  # without --create-codes the row with a new code is refused
        lines = table.read_text(encoding="utf-8").splitlines()
        table.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    old, new = tmp_path / "old.kodeverk", tmp_path / "new.kodeverk"
    shutil.copy(study, old)
    shutil.copy(study, new)
    with Project.open(old) as project:
        expected = import_codings_one_by_one(project, table, create_codes=create_codes)
    with Project.open(new) as project:
        got = import_codings_csv(project, table, create_codes=create_codes)
    assert got == expected
    assert expected.already_coded > 0
    assert _state(new) == _state(old)
    for coder in ("emil", "dina"):
        for path in (old, new):
            with Project.open(path) as project:
                assert undo(project, coder) is not None
        assert _state(new) == _state(old)
    assert _state(new)["codings"] == _state(study)["codings"]


def test_bulk_import_over_existing_codings_merges_as_before(study: Path, tmp_path: Path) -> None:
    """Rows of coders who coded already merge with their stored codings, as in the app."""
    table = _table(study, tmp_path)
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace(",dina,", ",anna,").replace(",emil,", ",bjørn,"), "utf-8")
    old, new = tmp_path / "old.kodeverk", tmp_path / "new.kodeverk"
    shutil.copy(study, old)
    shutil.copy(study, new)
    with Project.open(old) as project:
        expected = import_codings_one_by_one(project, table, create_codes=True)
    with Project.open(new) as project:
        got = import_codings_csv(project, table, create_codes=True)
    assert got == expected
    assert _state(new) == _state(old)
    with Project.open(old) as a, Project.open(new) as b:
        assert undo(a, "anna").summary == undo(b, "anna").summary
    assert _state(new) == _state(old)


def test_bulk_import_reports_progress(study: Path, tmp_path: Path) -> None:
    table = _table(study, tmp_path)
    shutil.copy(study, tmp_path / "p.kodeverk")
    seen: list[tuple[int, int]] = []
    with Project.open(tmp_path / "p.kodeverk") as project:
        summary = import_codings_csv(
            project,
            table,
            create_codes=True,
            progress=lambda done, total: seen.append((done, total)),
        )
    assert seen[-1] == (summary.rows, summary.rows)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert len(seen) >= summary.rows // 1000


def test_missing_column_is_named_on_one_line(small_project: Project, tmp_path: Path) -> None:
    """A header holding a line break (found by the fuzz test) is shown on one line."""
    table = tmp_path / "k.csv"
    table.write_text('"0\r0"\n","\n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        import_codings_csv(small_project, table)
    message = str(error.value)
    assert "no column 'document'" in message and "\r" not in message and "\n" not in message


def test_bulk_import_reads_texts_a_few_hundred_documents_per_query(
    study: Path, tmp_path: Path
) -> None:
    """The texts the quotes are checked against are read in chunks, not one query per
    document (which cost more than the rest of a row's work at study size)."""
    table = _table(study, tmp_path)
    shutil.copy(study, tmp_path / "q.kodeverk")
    statements: list[str] = []
    with Project.open(tmp_path / "q.kodeverk") as project:
        documents = project.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        project.conn.set_trace_callback(statements.append)
        import_codings_csv(project, table, create_codes=True)
    reads = [s for s in statements if "text FROM documents" in s]
    assert documents > 50 and 0 < len(reads) <= documents // 500 + 1


def test_bulk_import_names_the_row_of_an_unknown_document(study: Path, tmp_path: Path) -> None:
    table = _table(study, tmp_path)
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[7][0], rows[7][1] = "ingen-slik.txt", ""
    with table.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    shutil.copy(study, tmp_path / "u.kodeverk")
    with (
        Project.open(tmp_path / "u.kodeverk") as project,
        pytest.raises(InputError, match=r"row 8: .*ingen-slik\.txt"),
    ):
        import_codings_csv(project, table, create_codes=True)


def test_cli_import_gives_the_rows_and_journal_of_the_path_before(
    study: Path, tmp_path: Path
) -> None:
    """`kodeverk codings import` as a process: the codings and the journal the one-by-one
    path gives, one undoable event per coder, and undoing each coder's event leaves the
    project's codings as they were."""
    table = _table(study, tmp_path)
    old, new = tmp_path / "old.kodeverk", tmp_path / "new.kodeverk"
    shutil.copy(study, old)
    shutil.copy(study, new)
    with Project.open(old) as project:
        expected = import_codings_one_by_one(project, table, create_codes=True)
    done = run_kodeverk("codings", "import", new, table, "--create-codes", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"] == expected.rows
    assert _state(new) == _state(old)
    imports = [e for e in _state(new)["events"] if e[1] == "codings.import"]
    assert len(imports) == 2 and all(e[4] == 1 for e in imports)  # dina and emil, undoable
    for coder in ("emil", "dina"):
        with Project.open(new) as project:
            assert undo(project, coder) is not None
    assert _state(new)["codings"] == _state(study)["codings"]


def test_bulk_import_queries_do_not_grow_with_the_documents(study: Path, tmp_path: Path) -> None:
    """The case of each document is read with the texts' documents, a few hundred per query
    (it was one query per document): three reads of documents in all."""
    table = _table(study, tmp_path)
    shutil.copy(study, tmp_path / "s.kodeverk")
    statements: list[str] = []
    with Project.open(tmp_path / "s.kodeverk") as project:
        documents = project.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        project.conn.set_trace_callback(statements.append)
        import_codings_csv(project, table, create_codes=True)
    reads = [s for s in statements if "FROM documents" in s]
    assert documents > 50 and len(reads) <= 3, reads[:10]


def test_foreign_keys_are_on_again_after_an_import(study: Path, tmp_path: Path) -> None:
    """The import checks its references itself and turns SQLite's per-row checks off for its
    transaction only: on again after it, whether it succeeded or failed."""
    table = _table(study, tmp_path)
    shutil.copy(study, tmp_path / "f.kodeverk")
    with Project.open(tmp_path / "f.kodeverk") as project:
        import_codings_csv(project, table, create_codes=True)
        assert project.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert project.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        with table.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))[:3]
        rows[2][2] = "Ingen slik/kode"
        bad = tmp_path / "bad.csv"
        with bad.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(rows)
        with pytest.raises(InputError, match="no code"):  # found inside the transaction
            import_codings_csv(project, bad)
        assert project.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_cli_import_in_a_script_loads_no_rich(study: Path, tmp_path: Path) -> None:
    """With no terminal to draw a progress bar on, the import does not load rich (~50 ms of
    a script's start-up)."""
    table = _table(study, tmp_path)
    shutil.copy(study, tmp_path / "r.kodeverk")
    argv = ["kodeverk", "codings", "import", str(tmp_path / "r.kodeverk"), str(table)]
    probe = (
        "import sys, runpy\n"
        f"sys.argv = {[*argv, '--create-codes']!r}\n"
        "try:\n    runpy.run_module('tui.cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules} & {'rich', 'textual'}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "codings applied" in done.stdout
    assert done.stdout.splitlines()[-1] == "LOADED []"


def test_foreign_keys_stay_on_when_a_table_references_codings(study: Path, tmp_path: Path) -> None:
    """A table whose rows cascade from codings (none today) keeps SQLite's checks on, so a
    coding merged away by the import still takes its dependants with it."""
    table = _table(study, tmp_path)
    path = tmp_path / "n.kodeverk"
    shutil.copy(study, path)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes(coding_id INTEGER REFERENCES codings(id) ON DELETE CASCADE)")
    conn.commit()
    conn.close()
    statements: list[str] = []
    with Project.open(path) as project:
        project.conn.set_trace_callback(statements.append)
        import_codings_csv(project, table, create_codes=True)
    assert "PRAGMA foreign_keys = OFF" not in statements
