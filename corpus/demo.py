"""The demo project: invented interviews from the evaluation's six case municipalities, the
open survey answers quoted in SINTEF A26099 (2014), the bundled codebook, case attributes and a
few codings by two coders (see ``corpus/demo/SOURCES.md``)."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from coding.store import Project

if TYPE_CHECKING:
    from coding.documents import Segment

DEMO_DIR = Path(__file__).resolve().parent / "demo"
SURVEY_FILE = "survey_sintef_2014.csv"
CASES_FILE = "cases.csv"
# Transcript file -> case (municipality or city district).
TRANSCRIPTS = {
    "intervju_sandnes.txt": "Sandnes",
    "intervju_fjell.txt": "Fjell",
    "intervju_kristiansund.txt": "Kristiansund",
    "intervju_ostre_toten.txt": "Østre Toten",
    "intervju_vadso.txt": "Vadsø",
    "intervju_gamle_oslo.txt": "Gamle Oslo",
}
CODERS = ("anne", "bjorn")

# (transcript, code reference, phrase, coders): the coders code the sentence holding the phrase.
# Most codings agree; a few differ on purpose so agreement review has something to show.
SAMPLE_CODINGS_FILE = "sample_codings.csv"

# Report section of a survey answer -> the code coder «anne» gives the whole answer, as the report
# grouped its open answers by theme.
SECTION_CODES = {
    "3.3.1.1": "Organisering/Samorganisering",
    "4.3.5": "Mål 2/SLT",
    "4.4.3": "Mål 3/Ettervern",
    "5.2.2": "Ressurser og finansiering",
    "5.2.3": "Kompetanse og rekruttering",
    "5.2.5": "Små kommuner",
    "5.3.1": "Mål 2 Tidlig innsats",
    "5.3.2": "Mål 4/Bolig/Døgnbemannede",
    "5.3.3": "Mål 4/Arbeid og aktivitet",
    "5.4.3": "Mål 2/Skole og ungdomsarbeid",
    "5.5.1": "Mål 3/Samhandling",
}


def build_demo(path: str | Path) -> Path:
    """Create the demo project at ``path`` (which must not exist); returns the path. If anything
    fails, no file is left behind."""
    path = Path(path)
    project = Project.create(path, name="Demo: Opptrappingsplanen for rusfeltet")
    try:
        with project:
            _fill(project)
    except BaseException:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise
    return path


def _fill(project: Project) -> None:
    from codebooks.bundled import bundled_codebook
    from codebooks.install import install_codebook
    from corpus.cases import import_cases
    from corpus.importer import ImportOptions, import_files

    with project.transaction():
        install_codebook(project, bundled_codebook())
        for name, case in TRANSCRIPTS.items():
            import_files(project, [DEMO_DIR / name], ImportOptions(case=case))
        import_files(
            project,
            [DEMO_DIR / SURVEY_FILE],
            ImportOptions(
                case_column="respondent",
                text_columns=["answer"],
                attribute_columns=["size_class", "region"],
            ),
        )
        import_cases(project, DEMO_DIR / CASES_FILE)
        _sample_codings(project)
        _survey_codings(project)


def sample_codings() -> list[tuple[str, str, str, tuple[str, ...]]]:
    """The rows of ``SAMPLE_CODINGS_FILE``: transcript, code, phrase, coders (space-separated)."""
    with (DEMO_DIR / SAMPLE_CODINGS_FILE).open(encoding="utf-8", newline="") as handle:
        return [
            (row["transcript"], row["code"], row["phrase"], tuple(row["coders"].split()))
            for row in csv.DictReader(handle)
        ]


def _sample_codings(project: Project) -> None:
    from coding.codes import resolve_code
    from coding.documents import resolve_document, segments_of
    from coding.operations import apply_coding, set_document_done

    coded: set[int] = set()
    for file_name, code_ref, phrase, coders in sample_codings():
        document_id = resolve_document(project, file_name)
        start, end = _sentence_span(project, document_id, phrase, segments_of(project, document_id))
        code_id = resolve_code(project, code_ref)
        for coder in coders:
            apply_coding(project, document_id, code_id, coder, start, end)
        coded.add(document_id)
    for document_id in sorted(coded):
        for coder in CODERS:
            set_document_done(project, document_id, coder)


def _sentence_span(
    project: Project, document_id: int, phrase: str, segments: Sequence[Segment]
) -> tuple[int, int]:
    """The span of the sentence segments that hold ``phrase``."""
    text = project.conn.execute(
        "SELECT text FROM documents WHERE id = ?", (document_id,)
    ).fetchone()[0]
    begin = text.index(phrase)
    stop = begin + len(phrase)
    covering = [s for s in segments if s.start < stop and s.end > begin]
    return covering[0].start, covering[-1].end


def _survey_codings(project: Project) -> None:
    """Code each survey answer of the sections in ``SECTION_CODES`` whole, as coder «anne»."""
    from coding.codes import resolve_code
    from coding.operations import apply_coding, set_document_done

    with (DEMO_DIR / SURVEY_FILE).open(encoding="utf-8", newline="") as handle:
        sections = {row["respondent"]: row["section"] for row in csv.DictReader(handle)}
    codes = {key: resolve_code(project, ref) for key, ref in SECTION_CODES.items()}
    answers = project.conn.execute(
        "SELECT d.id, d.length, c.name FROM documents d JOIN cases c ON c.id = d.case_id "
        "WHERE d.kind = 'survey' ORDER BY d.id"
    ).fetchall()
    for document_id, length, respondent in answers:
        code_id = codes.get(sections.get(respondent, "").split(" ")[0])
        if code_id is not None:
            apply_coding(project, document_id, code_id, "anne", 0, length)
            set_document_done(project, document_id, "anne")
