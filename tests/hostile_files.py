"""Building hostile files in tests: ZIP archives written byte by byte (so an entry can unpack to
gigabytes from a small file without the test compressing gigabytes), and running a command in
a child process with its peak memory and time measured."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024**2


@dataclass
class RawEntry:
    """A ZIP entry as stored: its deflated bytes, CRC and unpacked size."""

    name: str
    payload: bytes
    crc: int
    size: int
    method: int = zipfile.ZIP_DEFLATED


def deflated(name: str, *parts: tuple[bytes, int]) -> RawEntry:
    """An entry whose content is each ``(block, times)`` repeated in turn. Each distinct block is
    compressed once and its deflate output repeated (a full flush makes the pieces independent),
    so 1.5 GiB costs the test one block's compression and a CRC."""
    payload = []
    crc = size = 0
    for block, times in parts:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
        payload.append(piece * times)
        for _ in range(times):
            crc = zlib.crc32(block, crc)
        size += len(block) * times
    payload.append(b"\x03\x00")  # an empty final block
    return RawEntry(name, b"".join(payload), crc, size)


def stored(name: str, data: bytes) -> RawEntry:
    return RawEntry(name, data, zlib.crc32(data), len(data), zipfile.ZIP_STORED)


def entries_of(data: bytes) -> list[RawEntry]:
    """The entries of a small, valid ZIP (a docx or xlsx the test made)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [deflated(info.filename, (archive.read(info), 1)) for info in archive.infolist()]


def write_zip(path: Path, entries: list[RawEntry]) -> Path:
    """Write ``entries`` as a ZIP file (no ZIP64: sizes below 4 GiB)."""
    central = []
    with path.open("wb") as out:
        for entry in entries:
            name = entry.name.encode()
            offset = out.tell()
            head = (entry.method, 0, 0, entry.crc, len(entry.payload), entry.size, len(name))
            out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, *head, 0))
            out.write(name)
            out.write(entry.payload)
            central.append(
                struct.pack(
                    "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, *head, 0, 0, 0, 0, 0, offset
                )
                + name
            )
        start = out.tell()
        for record in central:
            out.write(record)
        size = out.tell() - start
        count = len(entries)
        out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, start, 0))
    return path


def replace(entries: list[RawEntry], *new: RawEntry) -> list[RawEntry]:
    """``entries`` with those named in ``new`` replaced and the others in ``new`` added."""
    names = {entry.name for entry in new}
    return [e for e in entries if e.name not in names] + list(new)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mib: float


# The child sets its caps and runs ``python -m tui.cli`` in a fresh interpreter, and at exit
# writes its peak resident size (VmHWM) to a file. Not the rusage of wait4: Linux counts there
# the pages the child shared with this test process before it exec'd (a worker late in a full
# run made a 100 MiB import look like 586 MiB).
CAPPED = (
    "import atexit, resource, runpy, sys\n"
    "cpu, limit, report = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]\n"
    "resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))\n"
    "resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n"
    "def peak():\n"
    "    status = open('/proc/self/status').read().split('VmHWM:')[1].split()[0]\n"
    "    open(report, 'w').write(status)\n"
    "atexit.register(peak)\n"
    "sys.argv = ['kodeverk', *sys.argv[4:]]\n"
    "runpy.run_module('tui.cli', run_name='__main__', alter_sys=True)\n"
)


def run_limited(*args: object, cpu_seconds: int = 90, address_gib: float = 4.0) -> Run:
    """Run ``python -m tui.cli ARGS`` in a child process capped in CPU time and address space
    (so a regression fails the test instead of swapping the machine), with its peak RSS."""
    limit = int(address_gib * 1024**3)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    with (
        open(os.devnull, "rb") as stdin,
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile("r") as report,
    ):
        child = subprocess.Popen(
            [sys.executable, "-c", CAPPED, str(cpu_seconds), str(limit), report.name]
            + [str(arg) for arg in args],
            cwd=ROOT,
            env=env,
            stdin=stdin,
            stdout=out,
            stderr=err,
        )
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
        peak_kib = report.read().strip()
    # killed before its exit handlers ran (a cap): rusage is all there is
    peak = int(peak_kib) if peak_kib else usage.ru_maxrss
    return Run(child.returncode, stdout, stderr, seconds, peak / 1024)
