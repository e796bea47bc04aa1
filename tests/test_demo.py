"""The demo project and its material."""

from __future__ import annotations

import csv
import re
import sqlite3
from pathlib import Path

import pytest

from corpus.attribution import parse_attribution
from corpus.demo import CODERS, DEMO_DIR, SURVEY_FILE, TRANSCRIPTS, build_demo
from tests.conftest import SHARED, run_kodeverk
from tests.inprocess import run_inprocess

SEED_004 = SHARED / "seeds" / "004_9475bc52d4398d83.txt"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "demo.kodeverk")


def query(path: Path, sql: str, *params: object) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def survey_rows() -> list[dict[str, str]]:
    with (DEMO_DIR / SURVEY_FILE).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_demo_interviews_belong_to_the_six_case_municipalities(demo: Path) -> None:
    rows = query(
        demo,
        "SELECT d.name, c.name, d.kind FROM documents d JOIN cases c ON c.id = d.case_id "
        "WHERE d.kind = 'interview' ORDER BY d.id",
    )
    assert rows == [(name, case, "interview") for name, case in TRANSCRIPTS.items()]
    attrs = dict(
        query(
            demo,
            "SELECT c.name, a.value FROM cases c JOIN case_attributes a ON a.case_id = c.id "
            "WHERE a.name = 'size_class'",
        )
    )
    assert {case: attrs[case] for case in TRANSCRIPTS.values()} == {
        "Sandnes": "storby",
        "Fjell": "stor",
        "Kristiansund": "stor",
        "Østre Toten": "mellomstor",
        "Vadsø": "mellomstor",
        "Gamle Oslo": "storby",
    }


def test_demo_survey_answers_with_attributes(demo: Path) -> None:
    expected = survey_rows()
    documents = query(
        demo,
        "SELECT c.name, d.text FROM documents d JOIN cases c ON c.id = d.case_id "
        "WHERE d.kind = 'survey' ORDER BY d.id",
    )
    assert len(documents) == len(expected) > 250
    by_case = dict(documents)
    for row in expected:
        assert by_case[row["respondent"]] == row["answer"].strip()
    sizes = query(
        demo,
        "SELECT a.value, count(*) FROM case_attributes a JOIN cases c ON c.id = a.case_id "
        "WHERE a.name = 'size_class' AND c.name LIKE 'Respondent %' GROUP BY a.value",
    )
    assert {size for size, _ in sizes} == {"liten", "mellomstor", "stor", "storby"}


def test_demo_codings_by_two_coders_quote_the_text(demo: Path) -> None:
    per_coder = dict(
        query(
            demo,
            "SELECT c.name, count(*) FROM codings g JOIN coders c ON c.id = g.coder_id "
            "GROUP BY c.name",
        )
    )
    assert set(per_coder) == set(CODERS)
    assert per_coder["bjorn"] >= 20
    both = query(
        demo,
        "SELECT DISTINCT d.name FROM documents d JOIN document_status s ON s.document_id = d.id "
        "JOIN coders c ON c.id = s.coder_id WHERE c.name = 'bjorn' AND s.done = 1",
    )
    assert sorted(both) == [("intervju_fjell.txt",), ("intervju_sandnes.txt",)]
    for text, start, end in query(
        demo,
        'SELECT d.text, g.start, g."end" FROM codings g JOIN documents d ON d.id = g.document_id',
    ):
        quote = text[start:end]
        assert quote == quote.strip() and quote


def test_demo_info_through_the_cli(demo: Path) -> None:
    result = run_kodeverk("info", demo, "--json")
    assert result.returncode == 0, result.stderr
    assert '"coders": [\n    "anne",\n    "bjorn"\n  ]' in result.stdout


def test_demo_command_refuses_to_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo" / "demo.kodeverk"
    first = run_inprocess(capsys, "demo", path)
    assert first.returncode == 0, first.stderr
    assert "built the demo project" in first.stdout and "codings" in first.stdout
    before = path.read_bytes()
    again = run_inprocess(capsys, "demo", path)
    assert again.returncode == 1
    assert "file exists; pass --force" in again.stderr
    assert path.read_bytes() == before
    forced = run_inprocess(capsys, "demo", path, "--force")
    assert forced.returncode == 0, forced.stderr
    assert query(path, "SELECT count(*) FROM documents")[0][0] == len(TRANSCRIPTS) + len(
        survey_rows()
    )


@pytest.mark.parametrize("name", list(TRANSCRIPTS))
def test_transcripts_are_marked_invented_and_have_turns(name: str) -> None:
    text = (DEMO_DIR / name).read_text(encoding="utf-8")
    assert text.startswith("Oppdiktet intervju til demonstrasjon\n")
    turns = re.findall(r"^(Intervjuer|Informant \d):", text, flags=re.MULTILINE)
    assert 15 <= len(turns) <= 30
    assert TRANSCRIPTS[name] in text


def test_survey_csv_matches_its_attributions_and_the_report() -> None:
    rows = survey_rows()
    for row in rows:
        parsed = parse_attribution(row["attribution"])
        assert parsed.get("size_class", "") == row["size_class"]
        assert parsed.get("region", "") == row["region"]
    if SEED_004.exists():
        report = SEED_004.read_text(encoding="utf-8")
        for row in rows:
            for line in row["answer"].split("\n"):
                assert line in report
    assert "A26099" in (DEMO_DIR / "SOURCES.md").read_text(encoding="utf-8")
