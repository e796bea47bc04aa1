"""The Word report built as XML in bulk (issue 13) reads back exactly like the one python-docx
built paragraph by paragraph before (benchmarks/reference.py), on the small study: the same
paragraphs in the same styles with the same runs, the same tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document

from benchmarks.reference import write_docx_before
from benchmarks.study import build_study
from coding.documents import Segment, add_document
from coding.operations import apply_coding
from coding.store import Project
from exports.docx_report import write_docx
from exports.quotes import quote_report

ODD_TEXT = '  Leading spaces, <tags> & «quotes» "here"\tand a tab\nand a new line  '


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("study") / "study.kodeverk"
    build_study(path, 0.01)
    with Project.open(path) as project:
        document = add_document(
            project, "odd.txt", ODD_TEXT, "text", [Segment(0, len(ODD_TEXT), "paragraph", 0)],
            case_id=1,
        )  # fmt: skip
        code = project.conn.execute("SELECT min(id) FROM codes WHERE parent_id IS NOT NULL")
        apply_coding(project, document, code.fetchone()[0], "anna", 0, len(ODD_TEXT))
    return path


def _read(path: Path) -> list:
    document = Document(str(path))
    paragraphs = [
        (p.style.name, p.text, [(r.text, r.italic) for r in p.runs]) for p in document.paragraphs
    ]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    body = [child.tag.rsplit("}", 1)[1] for child in document.element.body]
    return [paragraphs, tables, body]


@pytest.mark.parametrize(
    "options",
    [{}, {"by": "region", "with_prevalence": True}, {"max_per_code": 3, "by": "size_class"}],
)
def test_word_report_is_the_same_as_before(study: Path, tmp_path: Path, options: dict) -> None:
    with Project.open(study) as project:
        report = quote_report(project, **options)
    assert report.quote_count > 50
    write_docx_before(report, tmp_path / "before.docx")
    counted: list[int] = []
    write_docx(report, tmp_path / "now.docx", counted.append)
    assert _read(tmp_path / "now.docx") == _read(tmp_path / "before.docx")
    assert sum(counted) == sum(len(s.quotes) for g in report.goals for s in g.codes)
    texts = [p[1] for p in _read(tmp_path / "now.docx")[0]]
    assert "max_per_code" in options or any(
        '<tags> & «quotes» "here"\tand a tab\nand a new line' in t for t in texts
    )
