"""Turning the bytes of a text file into text: UTF-8 (with or without BOM) first, then a guess
by charset-normalizer, then cp1252 (what Norwegian Excel writes when it saves CSV)."""

from __future__ import annotations

import codecs
import re

from coding.errors import InputError

# Control bytes that never occur in text files (tab, newline, form feed and carriage return do).
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")
_SNIFF_BYTES = 8192
_GUESSABLE = ("utf_8", "cp1252", "iso8859_1", "iso8859_15", "utf_16", "mac_roman")


def decode_bytes(data: bytes, where: str) -> str:
    """Decode ``data`` read from ``where`` (a file name, for messages).

    Refuses empty input and binary data (NUL or other control bytes) with an ``InputError``.
    """
    if not data.strip():
        raise InputError(f"{where}: file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_or_refuse(data, "utf-16", where)
    if _looks_binary(data):
        raise InputError(f"{where}: not a text file (binary content)")
    if data.startswith(codecs.BOM_UTF8):
        return _decode_or_refuse(data, "utf-8-sig", where)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    guess = _guess_encoding(data)
    if guess:
        return data.decode(guess)
    return data.decode("cp1252", errors="replace")


def _looks_binary(data: bytes) -> bool:
    head = data[:_SNIFF_BYTES]
    return b"\x00" in data or _BINARY_BYTES.search(head) is not None


def _decode_or_refuse(data: bytes, encoding: str, where: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not valid {encoding} at byte {exc.start}") from None


def _guess_encoding(data: bytes) -> str | None:
    """charset-normalizer's best guess among encodings a Norwegian file plausibly uses."""
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=list(_GUESSABLE)).best()
    if best is None:
        return None
    # Single-byte guesses other than cp1252 mostly mean "cp1252 with æøå": prefer it when valid.
    if best.encoding != "utf_8":
        try:
            data.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError:
            pass
    return best.encoding
