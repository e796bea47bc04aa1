"""A project file under a hostile disk: removed or replaced while open, read-only file or
folder, a full disk, a file name that is not UTF-8, a damaged file. Each says what is true."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from coding import operations as ops
from coding.errors import ProjectGone
from coding.store import Project
from tests.conftest import run_kodeverk, table_dump
from tests.hostile_disk import (
    fill,
    kodeverk_with_file_limit,
    kodeverk_without_override,
    mounted_small_disk,
    require_permission_bits,
)

INTERVIEW = "Intervjuer: Hvordan går det med boligene?\nInformant: Det mangler boliger.\n"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    yield from mounted_small_disk(tmp_path)


@pytest.fixture
def closed_project(small_project: Project) -> Path:
    """The small project, closed (so no -wal or -shm is left beside it)."""
    path = small_project.path
    small_project.close()
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def interview(tmp_path: Path) -> Path:
    source = tmp_path / "material" / "intervju_bodo.txt"
    source.parent.mkdir()
    source.write_text(INTERVIEW, encoding="utf-8")
    return source


def one_line_error(result, *words: str) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kodeverk: error:"), result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


# -- removed or replaced while open ------------------------------------------------------------
def test_removed_file_refuses_writes_and_is_not_recreated(small_project: Project) -> None:
    path = small_project.path
    os.remove(path)
    with pytest.raises(ProjectGone, match="removed or moved"):
        ops.apply_coding(small_project, 1, 1, "anne", 0, 5)
    small_project.close()
    assert not path.exists()


def test_replaced_file_refuses_writes_and_stays_as_replaced(
    small_project: Project, tmp_path: Path
) -> None:
    path = small_project.path
    with Project.create(tmp_path / "other.kodeverk", name="other"):
        pass
    os.replace(tmp_path / "other.kodeverk", path)  # a sync tool's atomic replace
    before = table_dump(path)
    with pytest.raises(ProjectGone, match="replaced"):
        ops.apply_coding(small_project, 1, 1, "anne", 0, 5)
    small_project.close()
    assert table_dump(path) == before


def test_moved_while_writing_is_not_committed(small_project: Project) -> None:
    """The check runs again just before COMMIT: a move during the action loses nothing
    silently."""
    path = small_project.path
    with pytest.raises(ProjectGone), small_project.transaction():
        ops.apply_coding(small_project, 1, 1, "anne", 0, 5)
        os.rename(path, path.with_name("moved.kodeverk"))
    small_project.close()
    os.rename(path.with_name("moved.kodeverk"), path)  # back beside its -wal
    with Project.open(path) as reopened:
        assert reopened.conn.execute("SELECT count(*) FROM codings").fetchone()[0] == 0


# -- stale state after a rolled-back action ----------------------------------------------------
def test_new_coder_codes_after_a_failed_first_action(small_project: Project) -> None:
    with pytest.raises(sqlite3.IntegrityError), small_project.transaction():
        ops.remember(small_project, "ny koder", "last_document", "1")  # creates the coder
        small_project.conn.execute(  # then a real write fails: no document 999
            "INSERT INTO document_status(document_id, coder_id, updated_at) VALUES (999, 1, 'x')"
        )
    assert "ny koder" not in small_project.coder_names()
    coding = ops.apply_coding(small_project, 1, 1, "ny koder", 0, 5)
    assert coding.coder_id == small_project.coder_id("ny koder")
    assert "ny koder" in small_project.coder_names()


# -- side files follow the project's permissions -----------------------------------------------
def test_wal_and_shm_get_the_project_files_mode(closed_project: Path) -> None:
    closed_project.chmod(0o600)
    for suffix in ("-wal", "-shm"):  # left behind with a looser mode (another umask, a copy)
        side = Path(f"{closed_project}{suffix}")
        side.write_bytes(b"\0" * 32768 if suffix == "-shm" else b"")
        side.chmod(0o644)
    with Project.open(closed_project) as project:
        ops.apply_coding(project, 1, 1, "anne", 0, 5)
        for suffix in ("-wal", "-shm"):
            mode = stat.S_IMODE(os.stat(f"{closed_project}{suffix}").st_mode)
            assert mode == 0o600, (suffix, oct(mode))


# -- honest messages on the command line -------------------------------------------------------
def test_read_only_file_reads_and_refuses_writes(
    closed_project: Path, interview: Path, tmp_path: Path
) -> None:
    require_permission_bits(tmp_path)
    closed_project.chmod(0o444)
    before = table_dump(closed_project)
    info = kodeverk_without_override("info", closed_project)
    assert info.returncode == 0 and "documents" in info.stdout, info.stderr
    result = kodeverk_without_override("import", closed_project, interview)
    line = one_line_error(result, "read-only", "r--r--r--")
    assert "damaged" not in line and "backup" not in line
    assert table_dump(closed_project) == before


def test_read_only_folder_reads_and_refuses_writes(
    closed_project: Path, interview: Path, tmp_path: Path
) -> None:
    require_permission_bits(tmp_path)
    before = table_dump(closed_project)
    closed_project.parent.chmod(0o555)
    try:
        info = kodeverk_without_override("info", closed_project)
        result = kodeverk_without_override("import", closed_project, interview)
    finally:
        closed_project.parent.chmod(0o755)
    assert info.returncode == 0 and "documents" in info.stdout, info.stderr
    line = one_line_error(result, "folder", "read-only")
    assert "damaged" not in line and "backup" not in line
    assert table_dump(closed_project) == before


def long_interview(folder: Path) -> Path:
    big = folder / "lang.txt"
    turn = "Informant: Det mangler boliger, og ventetiden er lang for folk med rusproblemer. "
    big.write_text("\n".join(f"{turn * 4}{i}." for i in range(1500)), encoding="utf-8")
    return big


def test_full_disk_says_so_and_changes_nothing(
    closed_project: Path, small_disk: Path, tmp_path: Path
) -> None:
    project = small_disk / closed_project.name
    shutil.copy(closed_project, project)
    filler = fill(small_disk, leave=48 * 1024)  # less than the import needs
    before = table_dump(project)
    result = run_kodeverk("import", project, long_interview(tmp_path))
    line = one_line_error(result, "disk is full", "not saved")
    assert "rollback" not in line
    filler.unlink()
    assert table_dump(project) == before


def test_file_size_limit_says_so_and_changes_nothing(closed_project: Path, tmp_path: Path) -> None:
    before = table_dump(closed_project)
    limit = closed_project.stat().st_size + 64 * 1024
    result = kodeverk_with_file_limit(limit, "import", closed_project, long_interview(tmp_path))
    line = one_line_error(result, "disk", "not saved")
    assert "rollback" not in line
    assert table_dump(closed_project) == before


def test_file_name_not_utf8_says_so(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/prosjekt-\xe6.kodeverk"  # latin-1 «æ»
    result = run_kodeverk("init", os.fsdecode(name))
    one_line_error(result, "not valid UTF-8", "0xe6")
    assert not os.path.exists(name)


def test_damaged_file_still_says_damaged(closed_project: Path) -> None:
    data = bytearray(closed_project.read_bytes())
    data[100:300] = b"\xff" * 200  # the schema page after the header
    closed_project.write_bytes(bytes(data))
    one_line_error(run_kodeverk("info", closed_project), "damaged")


def test_damage_found_while_reading_says_damaged(closed_project: Path) -> None:
    data = bytearray(closed_project.read_bytes())
    page = 4096
    data[2 * page : 3 * page] = b"\xff" * page  # two pages of tables, not the schema
    data[3 * page : 4 * page] = b"\0" * page
    closed_project.write_bytes(bytes(data))
    line = one_line_error(run_kodeverk("info", closed_project), "damaged")
    assert "internal error" not in line


def test_init_in_a_read_only_folder_says_so(tmp_path: Path) -> None:
    require_permission_bits(tmp_path)
    folder = tmp_path / "arkiv"
    folder.mkdir(mode=0o555)
    folder.chmod(0o555)
    try:
        result = kodeverk_without_override("init", folder / "ny.kodeverk")
    finally:
        folder.chmod(0o755)
    one_line_error(result, "folder", "read-only")
    assert list(folder.iterdir()) == []


def test_init_on_a_full_disk_says_so(small_disk: Path) -> None:
    fill(small_disk, leave=0)
    one_line_error(run_kodeverk("init", small_disk / "ny.kodeverk"), "disk")
    assert [p.name for p in small_disk.iterdir()] == ["filler"]
