"""Safe output files: never over a project, never a half-written file, owner-only.

Every command that writes a file (exports, reports, CSVs, backups, copies) goes through
``guard_output`` (refuse targets that would destroy a project) and ``atomic_output`` (write a
0600 temporary file in the same folder, fsync, rename into place; remove it on any failure,
Ctrl-C included). A process killed mid-write leaves only a ``.partial`` file, which the next
write into that folder removes once its process is gone.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
from collections.abc import Iterable, Iterator
from pathlib import Path

from coding.errors import InputError, ProjectError

SQLITE_HEADER = b"SQLite format 3\x00"
APPLICATION_ID_OFFSET = 68  # big-endian 4 bytes in the SQLite file header
SIDE_FILES = ("-wal", "-shm", "-journal")
PARTIAL_SUFFIX = ".partial"
# .NAME.<host>-<pid>-<random>.partial, and its SQLite side files
PARTIAL_NAME = re.compile(r"^\..+\.(\w+)-(\d+)-[0-9a-f]{8}\.partial(-wal|-shm|-journal)?$")
HOST = re.sub(r"\W", "_", socket.gethostname().split(".")[0])[:32] or "host"


def is_kodeverk_file(path: str | os.PathLike) -> bool:
    """True when ``path`` is an SQLite file carrying kodeverk's application id."""
    from coding.store import APPLICATION_ID, open_here  # local: store imports backup, …

    if open_here(path):
        return True  # open here: reading it through open() would drop SQLite's locks
    try:
        with open(path, "rb") as handle:
            header = handle.read(APPLICATION_ID_OFFSET + 4)
    except OSError:
        return False
    return (
        header.startswith(SQLITE_HEADER)
        and len(header) == APPLICATION_ID_OFFSET + 4
        and int.from_bytes(header[APPLICATION_ID_OFFSET:], "big") == APPLICATION_ID
    )


def backup_folder(project_path: str | os.PathLike) -> Path:
    """Where automatic backups of a project go: ``PROJECT.backups`` beside it."""
    project_path = Path(project_path)
    return project_path.parent / f"{project_path.name}.backups"


def guard_output(
    path: str | os.PathLike,
    project_path: str | os.PathLike | None = None,
    *,
    backup: bool = False,
) -> None:
    """Refuse an output target that is a project (this one or any other), a project's
    ``-wal``/``-shm``/``-journal``, or (unless writing a ``backup``) anything in a project's
    backup folder."""
    path = Path(path)
    project = Path(project_path) if project_path is not None else None
    reason = _refusal(path, project, backup)
    if reason:
        raise ProjectError(f"{path}: {reason}; nothing was written, choose another output file")


def _refusal(path: Path, project: Path | None, backup: bool) -> str | None:
    target = path.resolve()
    if project is not None:
        if target == project.resolve() or _same_file(path, project):
            return "this is the project file itself"
        for suffix in SIDE_FILES:
            side = Path(f"{project}{suffix}")
            if target == side.resolve() or _same_file(path, side):
                return f"this is the project's {suffix[1:]} file"
        if not backup and _inside(target, backup_folder(project).resolve()):
            return "this is in the project's backup folder"
    if path.is_dir():
        return "is a folder"
    if is_kodeverk_file(path):
        return "is a kodeverk project and would be overwritten"
    for suffix in SIDE_FILES:
        if target.name.endswith(suffix):
            owner = target.with_name(target.name[: -len(suffix)])
            if is_kodeverk_file(owner):
                return f"is the {suffix[1:]} file of the kodeverk project {owner.name}"
    if not backup and target.parent.name.endswith(".backups") and _backups_of(target.parent):
        return "is in a kodeverk project's backup folder"
    return None


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _backups_of(folder: Path) -> bool:
    return is_kodeverk_file(folder.with_name(folder.name.removesuffix(".backups")))


# -- writing -----------------------------------------------------------------------------------
@contextlib.contextmanager
def atomic_output(
    path: str | os.PathLike, project_path: str | os.PathLike | None = None
) -> Iterator[Path]:
    """Yield a new, empty temporary file (mode 0600) beside ``path`` to write the output to.
    On success it is fsynced and renamed over ``path``; on any exception, Ctrl-C included, it is
    removed and ``path`` is left as it was. ``OSError`` becomes a one-line ``InputError``."""
    path = Path(path)
    guard_output(path, project_path)
    if path.exists() and not path.is_file():  # a device or pipe (/dev/stdout): write to it
        try:
            yield path
        except OSError as exc:
            raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
        return
    if path.is_symlink():  # replace the file the link points to, not the link
        path = Path(os.path.realpath(path))
    try:
        temp = new_partial(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    try:
        yield temp
        fsync_file(temp)
        os.replace(temp, path)
        fsync_folder(path.parent)
    except OSError as exc:
        remove_partial(temp)
        raise InputError(f"{path}: cannot write ({exc.strerror or exc})") from None
    except BaseException:
        remove_partial(temp)
        raise


def new_partial(path: Path) -> Path:
    """Create an empty, owner-only temporary file beside ``path``, first removing partial files
    left there by killed processes. Its name holds our host and process id (``clean_partials``)."""
    clean_partials(path)
    while True:
        token = f"{HOST}-{os.getpid()}-{os.urandom(4).hex()}"
        temp = path.with_name(f".{path.name}.{token}{PARTIAL_SUFFIX}")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return temp


def clean_partials(path: Path) -> None:
    """Remove ``.NAME.<host>-<pid>-<random>.partial`` files and their SQLite side files in the
    folder of ``path`` whose process on this machine is gone: what a killed write left behind.
    (Another machine's, in a shared folder, are left alone: its process may be at work.)"""
    try:
        candidates = list(path.parent.glob(f".*{PARTIAL_SUFFIX}*"))
    except OSError:
        return
    for partial in candidates:
        match = PARTIAL_NAME.match(partial.name)
        if match and match.group(1) == HOST and not _alive(int(match.group(2))):
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)


def remove_partial(temp: Path) -> None:
    for suffix in ("", *SIDE_FILES):
        with contextlib.suppress(OSError):
            Path(f"{temp}{suffix}").unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: Path) -> None:
    """Make a rename durable (not every file system allows fsync on a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def publish_new(temp: Path, path: Path) -> None:
    """Move a finished ``temp`` to ``path`` only if ``path`` does not exist yet (a hard link
    fails when it does), so a backup or copy never replaces a file made meanwhile."""
    try:
        os.link(temp, path)
    except FileExistsError:
        raise ProjectError(f"{path}: file exists; choose another name") from None
    except OSError:
        # file systems without hard links: check, then rename (a tiny race, as before)
        if path.exists():
            raise ProjectError(f"{path}: file exists; choose another name") from None
        os.replace(temp, path)
    else:
        temp.unlink()
    fsync_folder(path.parent)


# -- spreadsheet safety ---------------------------------------------------------------------------
# A cell starting with one of these is a formula to Excel and LibreOffice (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def safe_cell(value: object) -> object:
    """``value`` as a spreadsheet reads it literally: text that would start a formula gets a
    leading apostrophe (OWASP's advice); numbers and other text are left alone."""
    return "'" + value if is_formula_like(value) else value  # type: ignore[operator]


def safe_row(row: Iterable[object]) -> list[object]:
    """Every cell of a CSV row through ``safe_cell``: every CSV the tool writes uses this."""
    return [safe_cell(value) for value in row]


def unsafe_cell(value: str) -> str:
    """The inverse of ``safe_cell`` for files we read back (``codings import``)."""
    return value[1:] if value.startswith("'") and is_formula_like(value[1:]) else value
