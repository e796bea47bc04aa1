"""Privacy: project files, backups and copies are the owner's only; anonymised exports never name
a case (municipality) or a document."""

from __future__ import annotations

import csv
import stat
import zipfile

import pytest

from coding import operations as ops
from coding.cases import ensure_case, set_attributes
from coding.codes import add_code
from coding.documents import add_document, normalise_text
from coding.store import Project
from tests.conftest import run_kodeverk

SECRET_NAMES = ("Hammerfest", "Båtsfjord", "intervju-rådmann-hammerfest", "svar-båtsfjord-17")
TEXT = normalise_text(
    "Intervjuer: Hvordan er boligsituasjonen?\n"
    "Informant: Det mangler kommunale boliger, og ventetiden er lang for dem som trenger det.\n"
)


@pytest.fixture
def named_project(tmp_path):
    path = tmp_path / "privat.kodeverk"
    with Project.create(path) as project:
        code = add_code(project, "Bolig", goal=4, description="Boliger og bostøtte")
        for case_name, doc_name, size, region in (
            ("Hammerfest", "intervju-rådmann-hammerfest", "liten", "Nord-Norge"),
            ("Båtsfjord", "svar-båtsfjord-17", "mellomstor", "Vestlandet"),
        ):
            case = ensure_case(project, case_name)
            set_attributes(project, case, {"size_class": size, "region": region})
            document = add_document(
                project, doc_name, TEXT + f"{case_name[:3]}\n", "interview", [], case_id=case
            )
            start = TEXT.index("Det mangler")
            ops.apply_coding(project, document, code, "kari", start, start + 40)
    return path


def test_project_file_is_owner_only(tmp_path):
    path = tmp_path / "ny.kodeverk"
    result = run_kodeverk("init", path, "--no-codebook")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    Project.create(tmp_path / "direkte.kodeverk").close()
    assert stat.S_IMODE((tmp_path / "direkte.kodeverk").stat().st_mode) == 0o600


def test_backups_and_copies_are_owner_only(named_project, tmp_path):
    assert run_kodeverk("backup", named_project, tmp_path / "b.kodeverk").returncode == 0
    copy = run_kodeverk("copy", named_project, tmp_path / "c.kodeverk", "--coder", "ola")
    assert copy.returncode == 0, copy.stderr
    for name in ("b.kodeverk", "c.kodeverk"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    folder = tmp_path / f"{named_project.name}.backups"
    assert run_kodeverk("backup", named_project).returncode == 0
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for made in folder.iterdir():
        assert stat.S_IMODE(made.stat().st_mode) == 0o600


def test_full_project_exports_are_owner_only(named_project, tmp_path):
    """A .qdpx holds every text and case name: readable by its owner only, like the project."""
    from exports.qdpx_write import export_qdpx

    out = tmp_path / "alt.qdpx"
    out.write_bytes(b"old")  # replaced, and not left readable by others
    with Project.open(named_project) as project:
        export_qdpx(project, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


@pytest.mark.parametrize("fmt", ["md", "html", "docx", "csv", "xlsx"])
def test_anonymised_export_names_no_case_or_document(named_project, tmp_path, fmt):
    out = tmp_path / f"rapport.{fmt}"
    result = run_kodeverk("export", named_project, "--format", fmt, "--output", out)
    assert result.returncode == 0, result.stderr
    text = _readable_text(out, fmt)
    assert "Det mangler kommunale boliger" in text  # the quotes are there
    assert "Nord-Norge" in text  # with their anonymised attribution
    for name in SECRET_NAMES:
        assert name.lower() not in text.lower(), f"{name} appears in the {fmt} export"


def _readable_text(path, fmt: str) -> str:
    """Everything a reader of the file could see, including document properties."""
    if fmt in ("docx", "xlsx"):
        with zipfile.ZipFile(path) as archive:  # every XML part: body, headers, properties
            return "\n".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
                if name.endswith((".xml", ".rels"))
            )
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return "\n".join(";".join(row) for row in csv.reader(handle))
    return path.read_text(encoding="utf-8")
