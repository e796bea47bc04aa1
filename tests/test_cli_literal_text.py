"""Tables on the command line print user text literally: a code, case or coder named like rich
markup (``[bold]x[/bold]``, ``[/]``) is neither styled nor an error."""

from __future__ import annotations

from pathlib import Path

import pytest

from coding.cases import ensure_case, set_attributes
from coding.codes import add_code
from coding.documents import Segment, add_document
from coding.operations import apply_coding
from coding.store import Project
from tests.conftest import run_kodeverk

BOLD = "[bold]x[/bold]"
CLOSE = "[/]"
TEXT = "Vi mangler boliger her. Brukerrådet fungerer godt."


@pytest.fixture
def markup_project(project_path: Path) -> Path:
    """Code ``[bold]x[/bold]`` > ``[/]``, cases ``[/]`` and ``[b]K2``
    (size_class liten and ``[i]stor``), coder ``[/]anna``."""
    with Project.create(project_path) as project:
        bold = add_code(project, BOLD)
        close = add_code(project, CLOSE, parent_id=bold)
        for name, size in ((CLOSE, "liten"), ("[b]K2", "[i]stor")):
            case = ensure_case(project, name)
            set_attributes(project, case, {"size_class": size})
            segments = [Segment(0, 23, "paragraph", 0)]
            document = add_document(
                project, f"{name} intervju", TEXT, "interview", segments, case_id=case
            )
            apply_coding(project, document, close, "[/]anna", 0, 10)
    return project_path


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["prevalence", "P", "--by", "size_class"], [BOLD, f"{BOLD}/{CLOSE}", "[i]stor"]),
        (["cases", "list", "P"], [CLOSE, "[b]K2", "[i]stor"]),
        (["documents", "P"], [f"{CLOSE} intervju", "[b]K2 intervju"]),
        (["info", "P"], ["[/]anna", "[i]stor"]),
    ],
)
def test_markup_in_names_prints_literally(
    markup_project: Path, command: list[str], expected: list[str]
) -> None:
    result = run_kodeverk(*(markup_project if word == "P" else word for word in command))
    assert result.returncode == 0, result.stderr
    for text in expected:
        assert text in result.stdout, (text, result.stdout)
