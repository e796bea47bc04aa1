"""A labelled fixture for learned suggestions: survey answers on three themes, coded by kari."""

from __future__ import annotations

from pathlib import Path

from coding.codes import add_code
from coding.documents import Segment, add_document
from coding.operations import apply_coding
from coding.store import Project
from tests.conftest import sentence_segments

THEMES = {
    "Bolig": [
        "Det mangler boliger for rusavhengige",
        "Ventetiden på kommunal bolig er lang",
        "Vi trenger flere omsorgsboliger med døgnbemanning",
        "Boligsosialt arbeid og husleie er et problem",
        "Bostedsløse får ikke leilighet",
        "Botilbudet er for dårlig og boligene for få",
    ],
    "Arbeid": [
        "Arbeidstrening og jobb gir mening i hverdagen",
        "NAV tilbyr arbeid med bistand og lønn",
        "Aktivitetstilbud og arbeidsplasser mangler",
        "Varig tilrettelagt arbeid hjelper mange",
        "Jobbklubb og praksisplass i kommunen",
        "Arbeidsgivere vil ikke ansette rusavhengige",
    ],
    "Forebygging": [
        "Forebyggende arbeid blant ungdom i skolen",
        "Holdningskampanjer og foreldremøter om alkohol",
        "Tidlig innsats overfor ungdom som ruser seg",
        "SLT-koordinator samordner forebygging",
        "Skolen og helsesøster driver rusforebygging",
        "Ungdomsklubben er viktig for forebygging",
    ],
}
EXTRA = [" i kommunen vår.", ", sier vi.", " etter vår erfaring.", "."]


def answers() -> list[tuple[str, str, bool]]:
    """(theme, answer text, held out): every sentence with four endings, 24 answers per theme;
    one ending of each sentence is held out (left uncoded)."""
    return [
        (theme, sentence + extra, e == s % len(EXTRA))
        for theme, sentences in THEMES.items()
        for e, extra in enumerate(EXTRA)
        for s, sentence in enumerate(sentences)
    ]


def build(path: Path) -> dict:
    """A project with one survey document per answer; kari codes the answers not held out with
    their theme. Also one interview whose interviewer turn names
    every theme. Returns code ids and the uncoded answers' themes by document name."""
    with Project.create(path) as project:
        codes = {theme: add_code(project, theme, keywords=[theme.lower()]) for theme in THEMES}
        uncoded = {}
        for i, (theme, text, held_out) in enumerate(answers()):
            name = f"svar-{i:03d}"
            doc = add_document(project, name, text, "survey", [Segment(0, len(text), "answer", 0)])
            if held_out:
                uncoded[name] = theme
            else:
                apply_coding(project, doc, codes[theme], "kari", 0, len(text))
        interview = (
            "Intervjuer: Hva med bolig, arbeid og forebygging i skolen?\n"
            "Informant 1: Det mangler boliger for rusavhengige.\n"
        )
        add_document(project, "intervju", interview, "interview", sentence_segments(interview))
    return {"codes": codes, "uncoded": uncoded}
