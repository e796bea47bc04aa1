"""Hostile file systems for the tests: read-only files and folders that even root must respect,
and a file size limit that makes the disk «full».

Root ignores permission bits, and CI runs as root. Instead of switching user (the interpreter
lives under /root, which other users cannot enter), the child process drops the capabilities
that let root override permission bits (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) from its
bounding set before exec: it stays root, owns the files, and permission bits apply to it."""

from __future__ import annotations

import ctypes
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2


def _drop_dac() -> None:
    """preexec_fn: from exec on, permission bits apply even to root."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_without_override(*args: object, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python ARGS`` (cwd = the repository) with permission bits enforced."""
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=_drop_dac,
        timeout=timeout,
    )


def kodeverk_without_override(*args: object) -> subprocess.CompletedProcess:
    return run_without_override("-m", "tui.cli", *args)


def require_permission_bits(tmp_path: Path) -> None:
    """Skip (with the reason) where permission bits cannot be made to apply."""
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0o444)
    try:
        result = run_without_override(
            "-c", f"import os, sys; sys.exit(1 if os.access({str(probe)!r}, os.W_OK) else 0)"
        )
    except OSError as exc:
        pytest.skip(f"running as root and cannot drop CAP_DAC_OVERRIDE: {exc}")
    finally:
        probe.unlink()
    if result.returncode != 0:
        pytest.skip(f"permission bits do not apply here (as root): {result.stderr.strip()}")


def kodeverk_with_file_limit(limit: int, *args: object) -> subprocess.CompletedProcess:
    """Run `kodeverk ARGS` with files limited to ``limit`` bytes: writes past it fail as on a
    full disk (SIGXFSZ ignored, so the write returns an error instead of killing)."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        preexec_fn=limit_files,
        timeout=300,
    )


def mounted_small_disk(tmp_path: Path) -> Iterator[Path]:
    """For a fixture: a 1 MB file system (tmpfs), where the test may mount one (root, mount
    allowed); skips with the reason elsewhere."""
    disk = tmp_path / "disk"
    disk.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)], capture_output=True
        )
    except OSError as exc:  # no mount command
        pytest.skip(f"cannot mount a small tmpfs here: {exc}")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` with one file until only ``leave`` bytes are free; returns that file."""
    filler = disk / "filler"
    with filler.open("wb", buffering=0) as handle:
        while True:
            stats = os.statvfs(disk)
            free = stats.f_bavail * stats.f_frsize - leave
            if free <= 0:
                break
            try:
                handle.write(b"x" * min(free, 64 * 1024))
            except OSError:
                break
    return filler
