"""Survey tables through ``import_files``: cases, attributes, attributions, empty answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from coding.cases import attributes_of, case_table
from coding.documents import document_text, list_documents, segments_of
from coding.errors import InputError
from coding.store import Project
from corpus.importer import ImportOptions, import_files
from tests.conftest import table_dump

SURVEY = (
    "Kommune;Sitat;Q1 Bolig;Q2 Samarbeid\n"
    "Vadsø;(Liten kommune i Nord-Norge);Vi mangler boliger. Ventetiden er lang.;\n"
    "Bergen;(Storbykommune);  ;Godt samarbeid med NAV.\n"
    "Vadsø;(Liten kommune i Nord-Norge);;Samarbeidet er svakt.\n"
)


@pytest.fixture
def survey(tmp_path: Path) -> Path:
    path = tmp_path / "skjema.csv"
    path.write_text(SURVEY, encoding="utf-8")
    return path


def test_one_document_per_answer_with_attribution(project: Project, survey: Path) -> None:
    options = ImportOptions(
        case_column="kommune",
        text_columns=["Q1 Bolig", "q2 samarbeid"],
        attribution_column="Sitat",
    )
    summary = import_files(project, [survey], options)
    assert (summary.documents, summary.skipped_empty_answers, summary.cases_created) == (3, 3, 2)
    docs = list_documents(project)
    assert [(d.name, d.case, d.kind) for d in docs] == [
        ("skjema.csv · Vadsø · Q1 Bolig", "Vadsø", "survey"),
        ("skjema.csv · Bergen · Q2 Samarbeid", "Bergen", "survey"),
        ("skjema.csv · Vadsø · Q2 Samarbeid", "Vadsø", "survey"),
    ]
    options.text_columns, options.attribution_column = ["Q2 Samarbeid"], None
    again = survey.with_name("igjen.csv")
    again.write_text(SURVEY.replace("Bergen", "Vadsø") + "\n", encoding="utf-8")
    import_files(project, [again], options)
    assert [d.name for d in list_documents(project)][3:] == [
        "igjen.csv · Vadsø · Q2 Samarbeid",
        "igjen.csv · Vadsø · Q2 Samarbeid · row 4",
    ]
    text = document_text(project, docs[0].id)
    assert [text[s.start : s.end] for s in segments_of(project, docs[0].id)] == [
        "Vi mangler boliger.",
        "Ventetiden er lang.",
    ]
    assert {s.kind for s in segments_of(project, docs[0].id)} == {"answer"}
    attributes = {name: attrs for _, name, attrs in case_table(project)}
    assert attributes["Vadsø"] == {"size_class": "liten", "region": "Nord-Norge"}
    assert attributes["Bergen"]["size_class"] == "storby"


def test_rows_become_cases_without_a_case_column(project: Project, survey: Path) -> None:
    # Respondents with only empty answers are still cases: prevalence counts them as not
    # raising the theme.
    import_files(project, [survey], ImportOptions(text_columns=["Q1 Bolig"]))
    names = [name for _, name, _ in case_table(project)]
    assert names == ["skjema row 2", "skjema row 3", "skjema row 4"]
    assert [d.case for d in list_documents(project)] == ["skjema row 2"]


def test_fixed_case_and_attribute_columns(project: Project, survey: Path) -> None:
    options = ImportOptions(case="Utvalget", text_columns=["Q2 Samarbeid"])
    summary = import_files(project, [survey], options)
    assert summary.documents == 2
    assert {d.case for d in list_documents(project)} == {"Utvalget"}
    assert attributes_of(project, list_documents(project)[0].case_id) == {}


def test_conflicting_case_attributes_are_refused(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "motstrid.csv"
    path.write_text("Kommune,Innbyggere,Svar\nVadsø,5700,Ja\nVadsø,5800,Nei\n", encoding="utf-8")
    before = table_dump(project.path)
    options = ImportOptions(
        case_column="Kommune", text_columns=["Svar"], attribute_columns=["Innbyggere"]
    )
    with pytest.raises(InputError, match=r"motstrid\.csv row 3: case 'Vadsø' has Innbyggere"):
        import_files(project, [path], options)
    assert table_dump(project.path) == before


def test_missing_case_name_and_missing_text_columns(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "hull.csv"
    path.write_text("Kommune;Svar\n;Ja\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"hull\.csv row 2: no case name in column 'Kommune'"):
        import_files(project, [path], ImportOptions(case_column="Kommune", text_columns=["Svar"]))
    with pytest.raises(InputError, match="name the answer columns with --text-column"):
        import_files(project, [path])
