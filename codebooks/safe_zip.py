"""Hostile-file checks for exchange files: ZIP archives and XML from other programs.

A ``.qdpx`` comes from anywhere. Before anything is read: every entry name must stay inside the
archive's folder, the unpacked size and compression ratio must be sane, and the XML may carry no
DTD (no entity bombs, no external entities); the parser never touches the network. Each refusal
is a one-line ``InputError`` naming the file and the entry.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path, PurePosixPath

from lxml import etree

from coding.errors import InputError

MAX_UNPACKED_BYTES = 2 * 1024**3  # 2 GiB in all: far above any real project of texts
MAX_ENTRIES = 200_000
MAX_RATIO = 200  # text compresses 3–10×; a ratio of hundreds is a zip bomb
RATIO_MIN_BYTES = 10 * 1024**2  # small entries may compress oddly well; judge only big ones
_DRIVE = re.compile(r"^[A-Za-z]:")


class SafeArchive:
    """A ZIP whose entries were checked; read entries by name, case-insensitively if need be."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{path}: not a readable ZIP archive ({exc})") from None
        try:
            check_entries(path, self._zip.infolist())
        except BaseException:
            self._zip.close()
            raise
        self.names = [i.filename for i in self._zip.infolist() if not i.is_dir()]
        self._folded = {name.casefold(): name for name in self.names}

    def find(self, name: str) -> str | None:
        """The stored name matching ``name`` exactly, else ignoring case (``Sources/``)."""
        if name in self.names:
            return name
        return self._folded.get(name.casefold())

    def read(self, name: str) -> bytes:
        try:
            return self._zip.read(name)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise InputError(f"{self.path}: entry {name!r} cannot be read ({exc})") from None

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_entries(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse archives with escaping names, too many entries or an absurd unpacked size."""
    if len(infos) > MAX_ENTRIES:
        raise InputError(f"{path}: {len(infos)} entries in the archive (at most {MAX_ENTRIES})")
    total = 0
    for info in infos:
        check_entry_name(path, info.filename)
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise InputError(
                f"{path}: unpacks to more than {MAX_UNPACKED_BYTES // 1024**3} GiB; refused"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise InputError(
                f"{path}: entry {info.filename!r} expands {ratio:.0f}-fold "
                f"({info.file_size:,} bytes); refused as a ZIP bomb"
            )


def check_entry_name(path: Path, name: str) -> None:
    """An entry name must be relative and stay inside the folder it would be unpacked to."""
    unified = name.replace("\\", "/")
    parts = PurePosixPath(unified).parts
    if unified.startswith("/") or _DRIVE.match(unified) or ".." in parts or "\x00" in name:
        raise InputError(f"{path}: ZIP entry {name!r} escapes the archive's folder; refused")


def parse_xml(data: bytes, where: str) -> etree._Element:
    """Parse XML from an untrusted file: no DTD, no entities, no network, no huge trees."""
    head = data[:4096].lstrip()
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise InputError(f"{where}: the XML declares a DTD or entities; refused (not REFI-QDA)")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line = f"line {exc.lineno}: " if exc.lineno else ""
        raise InputError(f"{where}: {line}not well-formed XML ({exc.msg})") from None
    except ValueError as exc:
        raise InputError(f"{where}: not XML ({exc})") from None
    if root is None:
        raise InputError(f"{where}: empty XML document")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise InputError(f"{where}: the XML declares a DTD or entities; refused (not REFI-QDA)")
    return root
