"""A survey project for the answer grid: the app project's codebook (code 1 with a sub-code)
plus a survey table imported through the real importer (two questions, attribution column)."""

from __future__ import annotations

from pathlib import Path

from coding.codes import add_code
from coding.store import Project
from corpus.importer import ImportOptions, import_files
from tests.app_project import build_app_project

QUESTIONS = ("Hva fungerer?", "Hva mangler?")
MUNICIPALITIES = [
    ("Vadsø", "(Liten kommune i Nord-Norge)"),
    ("Bergen", "(Storbykommune på Vestlandet)"),
    ("Hamar", "(Mellomstor kommune på Østlandet)"),
    ("Os", "(Liten kommune i Midt-Norge)"),
]


def answer_text(number: int, question: int) -> str:
    words = ["brukerråd", "bolig", "ventetid", "samarbeid", "lavterskel", "ungdom", "sykehus"]
    word = words[(number + question) % len(words)]
    return f"Svar {number} på spørsmål {question + 1}: det handler om {word} i kommunen. " * (
        1 + number % 3
    )


def build_answers_project(path: Path, respondents: int = 4) -> Path:
    """``respondents`` rows × two questions = twice as many answers, cases by municipality."""
    build_app_project(path)
    table = path.parent / "skjema.csv"
    lines = ["kommune;attribusjon;" + ";".join(QUESTIONS)]
    for number in range(respondents):
        name, attribution = MUNICIPALITIES[number % len(MUNICIPALITIES)]
        answers = [answer_text(number, q) for q in range(len(QUESTIONS))]
        lines.append(f"{name} {number};{attribution};" + ";".join(answers))
    table.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Project.open(path) as project:
        options = ImportOptions(
            case_column="kommune", text_columns=list(QUESTIONS), attribution_column="attribusjon"
        )
        import_files(project, [table], options)
        # a second sub-code under code 1, so that «1 2» has something to apply
        parent = project.conn.execute("SELECT id FROM codes WHERE shortcut = '1'").fetchone()[0]
        add_code(project, "Pårørende", parent_id=parent, colour="#9467bd")
    return path
