"""Hostile-file checks for ZIP archives and XML from other programs: ``.qdpx``, and the
``.docx`` and ``.xlsx`` that ``corpus`` reads.

Before anything is read: every entry name must stay inside the archive's folder, every entry
must expand less than ``MAX_RATIO``-fold, each entry and the whole must stay within the size
limits of the archive's kind (``ZipLimits``), and the XML may carry no DTD (no entity bombs, no
external entities; Word and Excel never write one); the parser never touches the network.
Declared sizes are enough to judge by: zipfile never unpacks an entry beyond its declared size
(a header that understates it fails the CRC check). Each refusal is a one-line ``InputError``
naming the file and the entry.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from coding.errors import InputError, one_line

MAX_UNPACKED_BYTES = 2 * 1024**3  # a .qdpx: 2 GiB in all, far above any real project of texts
MAX_ENTRIES = 200_000
MAX_RATIO = 200  # text and XML compress 3–20×; a ratio of hundreds is a zip bomb
RATIO_MIN_BYTES = 64 * 1024  # below this an entry cannot do harm however well it compressed
_CHUNK = 1 << 20
_DRIVE = re.compile(r"^[A-Za-z]:")
# What zipfile raises on a damaged or unsupported archive (RuntimeError: encrypted entries).
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    ValueError,
    struct.error,
    NotImplementedError,
    RuntimeError,
    OverflowError,
)
_DTD_MARKS = tuple(
    mark.encode(encoding)
    for mark in ("<!DOCTYPE", "<!ENTITY")
    for encoding in ("ascii", "utf-16-le", "utf-16-be")
)


@dataclass(frozen=True)
class ZipLimits:
    """How much an archive of one kind may unpack to: in all (``total``), per entry, and how
    many entries it may have. Every entry is also held to ``MAX_RATIO``. ``tags``: the most
    XML tags in all, for a library that builds a tree of the whole (~300 bytes per element
    in python-docx: a size limit alone would let small tags take gigabytes)."""

    total: int
    entry: int
    entries: int
    tags: int | None = None


QDPX_LIMITS = ZipLimits(total=MAX_UNPACKED_BYTES, entry=512 * 1024**2, entries=MAX_ENTRIES)
# Word and Excel files: the XML parts only (images are never unpacked). 128 MiB of Word XML is
# thousands of pages; an Excel survey of 100 000 answers is well under 256 MiB of XML.
DOCX_LIMITS = ZipLimits(total=128 * 1024**2, entry=64 * 1024**2, entries=10_000, tags=750_000)
XLSX_LIMITS = ZipLimits(total=256 * 1024**2, entry=64 * 1024**2, entries=10_000)


def open_zip(source: Path | bytes, where: Path | str, kind: str = "ZIP archive") -> zipfile.ZipFile:
    """A ``ZipFile`` over a path or bytes; a damaged archive is a one-line ``InputError``
    saying it is not a readable ``kind``."""
    try:
        return zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source)
    except ZIP_ERRORS as exc:
        raise InputError(f"{where}: not a readable {kind} ({one_line(str(exc), 120)})") from None


class SafeArchive:
    """A ZIP whose entries were checked; read entries by name, case-insensitively if need be."""

    def __init__(self, path: Path, limits: ZipLimits = QDPX_LIMITS) -> None:
        self.path = path
        self._zip = open_zip(path, path)
        try:
            check_entries(path, self._zip.infolist(), limits)
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
        """The entry's bytes; zipfile stops at the checked, declared size whatever the data
        says, and a lying header fails the CRC check."""
        try:
            return self._zip.read(name)
        except ZIP_ERRORS as exc:
            raise InputError(
                f"{self.path}: entry {name!r} cannot be read ({one_line(str(exc), 120)})"
            ) from None

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_entries(
    path: Path,
    infos: list[zipfile.ZipInfo],
    limits: ZipLimits = QDPX_LIMITS,
    counted: Callable[[str], bool] = lambda name: True,
) -> None:
    """Refuse archives with escaping names, too many entries, an entry or a whole that unpacks
    too large, or any entry that expands more than ``MAX_RATIO``-fold. Only the entries
    ``counted`` (those that will be unpacked) are held to the size limits."""
    if len(infos) > limits.entries:
        raise InputError(
            f"{path}: {len(infos):,} entries in the archive (at most {limits.entries:,})"
        )
    sized = [info for info in infos if counted(info.filename)]
    total = sum(info.file_size for info in sized)
    if total > limits.total:
        raise InputError(
            f"{path}: unpacks to more than {_size(limits.total)} ({total:,} bytes in "
            f"{len(sized)} entries); refused"
        )
    for info in infos:
        check_entry_name(path, info.filename)
    for info in sized:
        if info.file_size > limits.entry:
            raise InputError(
                f"{path}: entry {info.filename!r} unpacks to {info.file_size:,} bytes "
                f"(at most {_size(limits.entry)}); refused"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            raise InputError(
                f"{path}: entry {info.filename!r} expands {ratio:.0f}-fold "
                f"({info.file_size:,} bytes); refused as a ZIP bomb"
            )


def _size(limit: int) -> str:
    return f"{limit // 1024**3} GiB" if limit >= 1024**3 else f"{limit // 1024**2} MiB"


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Iterator[bytes]:
    """The entry's bytes in pieces, never more than its (checked) declared size."""
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(_CHUNK):
                yield chunk
    except ZIP_ERRORS as exc:
        raise InputError(
            f"{where}: entry {info.filename!r} cannot be read ({one_line(str(exc), 120)})"
        ) from None


def _refuse_dtd(chunks: Iterator[bytes], where: str, name: str) -> Iterator[bytes]:
    """Pass ``chunks`` through, refusing a DTD or entity declaration anywhere in them."""
    tail = b""
    for chunk in chunks:
        window = tail + chunk
        if any(mark in window for mark in _DTD_MARKS):
            raise InputError(
                f"{where}: entry {name!r} declares a DTD or entities; refused "
                "(Word and Excel do not write them)"
            )
        tail = window[-24:]
        yield chunk


class _NoTree:
    """A parser target without element callbacks: lxml checks the XML at C speed and builds
    nothing."""

    def close(self) -> None:
        return None


def _well_formed(chunks: Iterator[bytes], where: str, name: str) -> Iterator[bytes]:
    """Pass ``chunks`` through while checking that they are well-formed XML, so a damaged part
    is reported with its entry and line (the libraries' own errors name neither)."""
    parser = etree.XMLParser(
        target=_NoTree(), resolve_entities=False, no_network=True, load_dtd=False
    )
    try:
        for chunk in chunks:
            parser.feed(chunk)
            yield chunk
        parser.close()
    except etree.XMLSyntaxError as exc:
        line = f"line {exc.lineno}: " if exc.lineno else ""
        raise InputError(
            f"{where}: entry {name!r}: {line}not well-formed XML ({one_line(exc.msg, 120)})"
        ) from None


def _xml_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Iterator[bytes]:
    """An XML part's bytes in pieces, checked for a DTD and for well-formedness."""
    chunks = _refuse_dtd(_chunks(archive, info, where), where, info.filename)
    return _well_formed(chunks, where, info.filename)


def is_xml_part(name: str) -> bool:
    """An Office part worth unpacking: XML and relationships (not images or embeddings)."""
    return name.lower().endswith((".xml", ".rels"))


def check_office_file(path: Path, limits: ZipLimits, kind: str) -> None:
    """Check a ``.xlsx`` before a library opens it: names and declared sizes, then every entry
    unpacked as a stream (its real size, its CRC), its XML well-formed and without a DTD."""
    where = str(path)
    with open_zip(path, path, kind) as archive:
        infos = archive.infolist()
        check_entries(path, infos, limits)
        for info in infos:
            if info.is_dir():
                continue
            if is_xml_part(info.filename):
                chunks = _xml_part(archive, info, where)
            else:
                chunks = _chunks(archive, info, where)
            for _ in chunks:
                pass


def office_copy(data: bytes, where: str, limits: ZipLimits, kind: str) -> bytes:
    """A checked copy of a ``.docx`` for python-docx: only its XML parts unpacked (within
    ``limits``, well-formed, no DTD), every other part (images, embedded files) left empty, stored
    uncompressed in memory."""
    out = io.BytesIO()
    tags = 0
    with open_zip(data, where, kind) as archive, zipfile.ZipFile(out, "w") as copy:
        infos = archive.infolist()
        check_entries(Path(where), infos, limits, counted=is_xml_part)
        for info in infos:
            if info.is_dir():
                continue
            if not is_xml_part(info.filename):
                copy.writestr(info.filename, b"")
                continue
            with copy.open(info.filename, "w") as target:
                for chunk in _xml_part(archive, info, where):
                    tags += chunk.count(b"<")
                    if limits.tags is not None and tags > limits.tags:
                        raise InputError(
                            f"{where}: more than {limits.tags:,} XML tags (at "
                            f"{info.filename!r}); refused (split the document)"
                        )
                    target.write(chunk)
    return out.getvalue()


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
