"""`kodeverk open PROJECT`: the coding app."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from tui.options import choice_option, coder_option

if TYPE_CHECKING:  # the domain loads when a command runs: `kodeverk --help` stays fast
    from coding.store import Project


@click.command("open")
@click.argument("project", type=click.Path(path_type=Path))
@coder_option()
@click.option(
    "--document",
    "document",
    metavar="ID",
    help="Open this document (id or unique name) straight on the coding screen.",
)
@click.option(
    "--answers",
    "answers",
    is_flag=False,
    flag_value="",
    default=None,
    metavar="[QUESTION]",
    help="Open the answer grid of survey answers (all, or those of QUESTION).",
)
@choice_option(
    "--lang",
    ["nb", "en"],
    envvar="KODEVERK_LANG",
    help="Language of the app: Norwegian bokmål or English (default: $KODEVERK_LANG, then nb).",
)
@click.option(
    "--web-role",
    type=click.Choice(["coder", "lead"]),
    hidden=True,
    help="Set by `kodeverk serve` for a coder it signed in (the browser cannot choose it).",
)
def open_command(
    project: Path,
    coder: str | None,
    document: str | None,
    answers: str | None,
    lang: str,
    web_role: str | None,
) -> None:
    """Open the coding app.

    Open PROJECT in the coding app (overview of documents by case, coding screen,
    codebook editor). Reopening returns to where you left off. Every action is saved at once;
    press ? for keys and ctrl+p for the command palette.

    When the project has accounts (`kodeverk users`), asks for the coder's password and
    applies their role: a coder works blind, only a lead opens review and prevalence."""
    from coding.documents import resolve_document
    from coding.store import Project
    from tui.app import KodeverkApp
    from tui.coder import resolve_coder
    from tui.signin import terminal_role

    name = resolve_coder(coder)
    opened = Project.open(project)
    # --web-role: the team server signed this coder in already and built this command line
    role = web_role if web_role else terminal_role(opened, name)
    document_id = resolve_document(opened, document) if document else None
    if answers:
        _check_question(opened, answers)
    grid = None if answers is None else (answers or True)
    app = KodeverkApp(opened, name, document_id=document_id, role=role, answers=grid, lang=lang)
    app.run()
    opened.close()
    if app.write_problem:  # the file went away during the session: say so, exit non-zero
        from coding.errors import ProjectGone

        raise ProjectGone(app.write_problem)


def _check_question(project: Project, question: str) -> None:
    """A question that no survey answer has: an error naming the questions there are."""
    from coding.answers import list_answers, questions
    from coding.errors import InputError

    known = questions(list_answers(project, "", blind=True))
    if question not in known:
        raise InputError(
            f"no survey answers to the question {question!r}; questions: "
            + (", ".join(repr(q) for q in known) or "none")
        )
