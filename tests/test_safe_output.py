"""Data that must never be lost: no command writes over a project (its own or another), its
side files or its backups; outputs appear whole or not at all; backups and copies are verified;
every output is readable by its owner only."""

from __future__ import annotations

import os
import random
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from coding import operations as ops
from coding.cases import ensure_case, set_attributes
from coding.codes import add_code
from coding.documents import add_document, normalise_text
from coding.output import HOST
from coding.store import APPLICATION_ID, Project
from tests.conftest import ROOT, run_kodeverk, sentence_segments, table_dump
from tests.inprocess import run_inprocess
from tests.workers.projects import make_long_project

SYLLABLES = ("bo", "lig", "rus", "hel", "se", "kom", "mu", "ne", "tje", "nes", "te", "pla", "vakt")


def words(rng: random.Random, count: int) -> str:
    return " ".join(
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(count)
    )


def build_project(path: Path, documents: int = 3, lines: int = 3) -> Path:
    """Cases with size classes, two codes, documents coded by kari and ola (agreement,
    prevalence and every export have something to write)."""
    rng = random.Random(documents)
    with Project.create(path) as project:
        bolig = add_code(project, "Bolig", goal=4, description="Boliger")
        rad = add_code(project, "Brukerråd", goal=1)
        for n in range(documents):
            case = ensure_case(project, f"Kommune {n}")
            size = ("liten", "stor")[n % 2]
            set_attributes(project, case, {"size_class": size, "region": "Nord-Norge"})
            text = normalise_text(
                "".join(f"Informant {n}: {words(rng, 30).capitalize()}.\n" for _ in range(lines))
            )
            segments = sentence_segments(text)
            document = add_document(
                project, f"intervju-{n}", text, "interview", segments, case_id=case
            )
            for index, segment in enumerate(segments):
                code = (bolig, rad)[index % 2]
                ops.apply_coding(project, document, code, "kari", segment.start, segment.end)
                if index % 3:
                    ops.apply_coding(project, document, code, "ola", segment.start, segment.end)
    return path


# Every command that writes a file, as a function of (project, output).
WRITERS = {
    "export docx": lambda p, o: ["export", p, "--format", "docx", "-o", o],
    "export md": lambda p, o: ["export", p, "--format", "md", "-o", o],
    "export html": lambda p, o: ["export", p, "--format", "html", "-o", o],
    "export csv": lambda p, o: ["export", p, "--format", "csv", "-o", o],
    "export xlsx": lambda p, o: ["export", p, "--format", "xlsx", "-o", o],
    "export qdpx": lambda p, o: ["export", p, "--format", "qdpx", "-o", o],
    "agreement -o": lambda p, o: ["agreement", p, "-o", o],
    "prevalence -o .csv": lambda p, o: [
        "prevalence",
        p,
        "--by",
        "size_class",
        "-o",
        o,
        "--format",
        "csv",
    ],
    "prevalence -o .xlsx": lambda p, o: [
        "prevalence",
        p,
        "--by",
        "size_class",
        "-o",
        o,
        "--format",
        "xlsx",
    ],
    "codebook export": lambda p, o: ["codebook", "export", p, o],
    "codings export": lambda p, o: ["codings", "export", p, o],
    "backup": lambda p, o: ["backup", p, o],
    "copy": lambda p, o: ["copy", p, o, "--coder", "kari"],
}
OUTPUT_NAMES = {"codings export": "ut.csv", "backup": "ut.kodeverk", "copy": "ut.kodeverk"}


def output_name(writer: str) -> str:
    return OUTPUT_NAMES.get(writer, "ut." + writer.split()[-1].lstrip("-"))


@pytest.fixture(scope="module")
def shared(tmp_path_factory) -> Path:
    """A project with a backup (and another project beside it), shared by the refusal tests:
    each test checks that it is left unchanged, byte for byte."""
    folder = tmp_path_factory.mktemp("shared")
    project = build_project(folder / "p.kodeverk")
    build_project(folder / "annen.kodeverk", documents=1)
    assert run_kodeverk("backup", project).returncode == 0
    (folder / "lenke.docx").symlink_to(project)
    os.link(project, folder / "hardlenke.docx")
    return project


def targets(project: Path) -> dict[str, Path]:
    backup = min((project.parent / f"{project.name}.backups").glob("*.kodeverk"))
    return {
        "the project itself": project,
        "another project": project.parent / "annen.kodeverk",
        "the project's -wal": Path(f"{project}-wal"),
        "the project's -shm": Path(f"{project}-shm"),
        "a backup": backup,
        "a new file in the backup folder": backup.parent / "ny.csv",
        "a symbolic link to the project": project.parent / "lenke.docx",
        "a hard link to the project": project.parent / "hardlenke.docx",
    }


def snapshot(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def files_in(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


TARGETS = (
    "the project itself",
    "another project",
    "the project's -wal",
    "the project's -shm",
    "a backup",
    "a new file in the backup folder",
    "a symbolic link to the project",
    "a hard link to the project",
)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("writer", list(WRITERS))
def test_no_command_writes_over_a_project(shared, capsys, writer, target):
    if writer == "backup" and target == "a new file in the backup folder":
        pytest.skip("that is where backups belong")
    path = targets(shared)[target]
    before, bytes_before = table_dump(shared), snapshot(path)
    listing = {f: files_in(f) for f in (shared.parent, path.parent)}
    result = run_inprocess(capsys, *WRITERS[writer](shared, path))
    assert result.returncode != 0, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("kodeverk: error: ") and str(path) in result.stderr
    assert snapshot(path) == bytes_before
    assert table_dump(shared) == before
    assert {f: files_in(f) for f in listing} == listing  # nothing new, no leftovers


@pytest.mark.parametrize("writer", list(WRITERS))
def test_outputs_are_owner_only(shared, tmp_path, capsys, writer):
    out = tmp_path / output_name(writer)
    if writer not in ("backup", "copy"):
        out.write_text("older output, readable by all")
        out.chmod(0o644)
    old_umask = os.umask(0o022)
    try:
        result = run_inprocess(capsys, *WRITERS[writer](shared, out))
    finally:
        os.umask(old_umask)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert files_in(tmp_path) == {out.name}  # no temporary file left beside it


def run_limited(limit: int, *args: object) -> subprocess.CompletedProcess:
    """The real command with files limited to ``limit`` bytes: a full disk, as writes see it
    (SIGXFSZ ignored, so a write past the limit fails with EFBIG instead of killing us)."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit_files,
    )


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    """Large enough that every big output (and a backup) passes the file size limit."""
    return build_project(tmp_path_factory.mktemp("big") / "stor.kodeverk", documents=40, lines=8)


LIMIT = 48_000  # above SQLite's 32 KiB -shm, below every output of ``big``
BIG_WRITERS = [w for w in WRITERS if w not in ("agreement -o", "codebook export")]
BIG_WRITERS = [w for w in BIG_WRITERS if not w.startswith("prevalence")]


@pytest.mark.parametrize("writer", BIG_WRITERS)
def test_a_failed_write_leaves_no_file(big, tmp_path, writer):
    out = tmp_path / output_name(writer)
    folder_before = files_in(tmp_path)
    before = table_dump(big)
    result = run_limited(LIMIT, *WRITERS[writer](big, out))
    assert result.returncode == 1, result.stdout
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert str(out) in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
    assert files_in(tmp_path) == folder_before  # no 0-byte file, no temporary file
    assert table_dump(big) == before
    assert run_kodeverk(*WRITERS[writer](big, out)).returncode == 0  # it fits without the limit
    assert out.stat().st_size > LIMIT


@pytest.mark.parametrize("writer", [w for w in BIG_WRITERS if w not in ("backup", "copy")])
def test_a_failed_write_keeps_the_older_output(big, tmp_path, writer):
    out = tmp_path / output_name(writer)
    out.write_bytes(b"the older output\n")
    result = run_limited(LIMIT, *WRITERS[writer](big, out))
    assert result.returncode == 1, result.stdout
    assert out.read_bytes() == b"the older output\n"
    assert files_in(tmp_path) == {out.name}


def verified(path: Path) -> bool:
    conn = sqlite3.connect(path)
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        return ok and conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    finally:
        conn.close()


@pytest.mark.parametrize("command", ["backup", "copy", "merge"])
def test_a_killed_backup_or_copy_leaves_no_file(tmp_path, command):
    """SIGKILL at the moment the first file appears, then at random times, into `backup`,
    `copy` and the automatic backup `merge` makes first: no 0-byte, half or unverified file
    ever carries a final name, and the next run clears what a killed one left."""
    project = tmp_path / "stor.kodeverk"
    make_long_project(project, 3_000_000)
    if command == "merge":
        mine = tmp_path / "kari.kodeverk"
        assert run_kodeverk("copy", project, mine, "--coder", "kari").returncode == 0
        folder = tmp_path / "stor.kodeverk.backups"
        folder.mkdir(mode=0o700)
    else:
        folder = tmp_path / "ut"
        folder.mkdir()

    def args(n: int) -> list[object]:
        if command == "merge":
            return ["merge", project, mine, "--coder", "lead"]
        return [
            command,
            project,
            folder / f"b{n}.kodeverk",
            *(["--coder", "kari"] * (command == "copy")),
        ]

    rng = random.Random(11)
    interrupted = 0
    for round_ in range(6):
        existing = files_in(folder)
        process = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", *map(str, args(round_))], cwd=ROOT
        )
        deadline = time.monotonic() + 30
        if round_ < 3:  # as soon as anything appears in the folder
            while files_in(folder) == existing and time.monotonic() < deadline:
                if process.poll() is not None:
                    break
                time.sleep(0.0005)
        else:
            time.sleep(rng.uniform(0.2, 1.2))
        process.send_signal(signal.SIGKILL)
        process.wait()
        interrupted += any(p.suffix == ".partial" for p in folder.iterdir())
        for made in folder.glob("*.kodeverk"):
            assert made.stat().st_size > 0 and verified(made), made
    assert interrupted  # at least one kill landed while the file was being written
    assert run_kodeverk(*args(99)).returncode == 0
    assert {p.name for p in folder.iterdir() if "partial" in p.name} == set()
    assert all(verified(p) for p in folder.iterdir())


def test_a_failed_automatic_backup_refuses_the_change(tmp_path):
    """`kodeverk merge` backs up first; with no room for the backup nothing is merged and no
    backup file is left."""
    project = build_project(tmp_path / "p.kodeverk", documents=40, lines=8)
    copy = tmp_path / "kari.kodeverk"
    assert run_kodeverk("copy", project, copy, "--coder", "kari").returncode == 0
    before = table_dump(project)
    result = run_limited(LIMIT, "merge", project, copy, "--coder", "lead")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert table_dump(project) == before
    backups = tmp_path / "p.kodeverk.backups"
    assert not backups.exists() or list(backups.iterdir()) == []


def test_backup_verify_reports_the_checks(shared, tmp_path):
    out = tmp_path / "sikker.kodeverk"
    result = run_kodeverk("backup", shared, out, "--verify")
    assert result.returncode == 0, result.stderr
    assert "integrity" in result.stdout and "verified" in result.stdout
    assert verified(out)


def spoil_a_page(path: Path) -> None:
    """Damage one b-tree page in the middle of the file, leaving the schema readable."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle + 8 : middle + 200] = b"\xff" * 192
    path.write_bytes(bytes(data))


def test_an_automatic_backup_is_verified_before_a_delete(tmp_path):
    """A code delete backs up first; a backup that fails the integrity check stops the delete
    and leaves no backup file."""
    from coding.codes import delete_code
    from coding.errors import ProjectError

    path = build_project(tmp_path / "p.kodeverk", documents=40, lines=8)
    spoil_a_page(path)
    before = path.read_bytes()
    with Project.open(path) as project, pytest.raises(ProjectError, match="integrity check"):
        delete_code(project, 1, "kari")
    assert path.read_bytes() == before  # nothing deleted
    assert list((tmp_path / "p.kodeverk.backups").iterdir()) == []


def test_a_damaged_backup_is_reported_and_not_kept(tmp_path):
    project = build_project(tmp_path / "p.kodeverk", documents=40, lines=8)
    spoil_a_page(project)
    out = tmp_path / "b.kodeverk"
    for args in (("backup", project, out), ("backup", project, out, "--verify")):
        result = run_kodeverk(*args)
        assert result.returncode == 1, result.stdout
        assert "integrity check" in result.stderr and len(result.stderr.splitlines()) == 1
        assert not out.exists()
        assert {p.name for p in tmp_path.iterdir() if "partial" in p.name} == set()


def test_outputs_to_devices_and_through_links(shared, tmp_path, capsys):
    """/dev/null stays a device (never replaced by a file); a link to an older output keeps
    pointing at it and the file it points to gets the new output."""
    result = run_inprocess(capsys, "export", shared, "--format", "md", "-o", os.devnull)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    real = tmp_path / "rapporter" / "siste.md"
    real.parent.mkdir()
    real.write_text("older")
    link = tmp_path / "rapport.md"
    link.symlink_to(real)
    result = run_inprocess(capsys, "export", shared, "-o", link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and real.read_text().startswith("#")
    assert files_in(real.parent) == {"siste.md"}


def test_the_next_write_clears_only_what_dead_processes_left(shared, tmp_path, capsys):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **TEXT)
    dead_pid, live_pid = int(dead.stdout), os.getpid()
    left = [f".b.kodeverk.{HOST}-{dead_pid}-0123abcd.partial{s}" for s in ("", "-journal", "-wal")]
    left.append(f".c.csv.{HOST}-{dead_pid}-89abcdef.partial-shm")  # an orphan side file
    busy = f".d.docx.{HOST}-{live_pid}-00000000.partial"  # being written right now
    elsewhere = f".e.md.otherhost-{dead_pid}-00000000.partial"  # another machine's: may be busy
    kept = {busy, elsewhere, "notes.partial"}
    for name in [*left, *kept]:
        (tmp_path / name).write_bytes(b"x")
    result = run_inprocess(capsys, "export", shared, "-o", tmp_path / "rapport.md")
    assert result.returncode == 0, result.stderr
    assert files_in(tmp_path) == {"rapport.md", *kept}


TEXT = {"capture_output": True, "text": True, "check": True}


def test_ctrl_c_mid_write_keeps_the_older_file(tmp_path):
    from coding.output import atomic_output

    out = tmp_path / "rapport.md"
    out.write_text("older")
    with pytest.raises(KeyboardInterrupt), atomic_output(out) as temp:
        temp.write_text("half a rep")
        raise KeyboardInterrupt
    assert out.read_text() == "older" and files_in(tmp_path) == {"rapport.md"}
