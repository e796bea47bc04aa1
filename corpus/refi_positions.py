"""Selection positions in REFI-QDA text sources, mapped onto kodeverk's stored text.

The standard counts Unicode code points from 0 in the source file as written (a CRLF is two,
a leading byte-order mark is not counted); the end is exclusive in every tool we have seen.
NVivo for Windows counts UTF-16 code units instead, so every character outside the Basic
Multilingual Plane (emoji, some CJK) shifts later positions by one. kodeverk stores text NFC
with ``\\n`` line ends, so both kinds of position are mapped through the normalisation.

Which unit a file uses is decided from the evidence: on sources where the two readings differ,
the reading under which more selections fit the text and start and end on word boundaries wins
(code points on a tie, as the standard says).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from coding.documents import normalise_text

CODE_POINTS = "codepoints"
UTF16 = "utf16"


@dataclass
class SourceText:
    """A source's text as written (``raw``) and as stored (``text``), with position maps."""

    raw: str
    text: str
    to_text: list[int] | None  # raw code point index -> stored index; None: the same
    unit_to_raw: list[int] | None  # UTF-16 unit index -> raw code point; None: the same

    @classmethod
    def of(cls, raw: str) -> SourceText:
        raw = raw[1:] if raw.startswith("\ufeff") else raw
        text, to_text = _normalise_with_map(raw)
        return cls(raw, text, to_text, _utf16_map(raw))

    @property
    def readings_differ(self) -> bool:
        return self.unit_to_raw is not None

    def position(self, value: int, unit: str) -> int | None:
        """The stored-text index for a position in ``unit``; None when it lies outside."""
        if value < 0:
            return None
        if unit == UTF16 and self.unit_to_raw is not None:
            if value >= len(self.unit_to_raw):
                return None
            value = self.unit_to_raw[value]
        if value > len(self.raw):
            return None
        return self.to_text[value] if self.to_text is not None else value


def _utf16_map(raw: str) -> list[int] | None:
    if not raw or max(raw) <= "\uffff":
        return None
    mapping: list[int] = []
    for index, char in enumerate(raw):
        mapping.append(index)
        if ord(char) > 0xFFFF:
            mapping.append(index + 1)  # a position between the surrogates: after the char
    mapping.append(len(raw))
    return mapping


def _normalise_with_map(raw: str) -> tuple[str, list[int] | None]:
    """``normalise_text(raw)`` and a map from raw indices to indices in it."""
    text = normalise_text(raw)
    if text == raw:
        return text, None
    line_ends, lf_map = _line_end_map(raw)
    if unicodedata.is_normalized("NFC", line_ends):
        return text, lf_map
    nfc_map = _nfc_map(line_ends, text)
    return text, [nfc_map[i] for i in lf_map]


def _line_end_map(raw: str) -> tuple[str, list[int]]:
    """CRLF and CR become LF; inside a CRLF both characters map to the LF."""
    pieces: list[str] = []
    mapping: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        mapping.append(len(pieces))
        if raw[i] == "\r":
            if i + 1 < n and raw[i + 1] == "\n":
                mapping.append(len(pieces))
                i += 1
            pieces.append("\n")
        else:
            pieces.append(raw[i])
        i += 1
    mapping.append(len(pieces))
    return "".join(pieces), mapping


def _nfc_map(source: str, expected: str) -> list[int]:
    """NFC chunk by chunk (a chunk starts at each starter character) with the index map; if
    chunking disagrees with whole-text NFC (very rare), positions are clipped instead."""
    mapping: list[int] = []
    out: list[str] = []
    length = 0
    chunk_start = 0
    for i in range(1, len(source) + 1):
        if i == len(source) or unicodedata.combining(source[i]) == 0:
            piece = unicodedata.normalize("NFC", source[chunk_start:i])
            mapping.extend([length] * (i - chunk_start))
            out.append(piece)
            length += len(piece)
            chunk_start = i
    mapping.append(length)
    if "".join(out) != expected:
        return [min(i, len(expected)) for i in range(len(source) + 1)]
    return mapping


# -- deciding the unit ---------------------------------------------------------------------------
def on_boundary(text: str, index: int) -> bool:
    """True between a word and a non-word character (or at either end)."""
    if index <= 0 or index >= len(text):
        return True
    return not (text[index - 1].isalnum() and text[index].isalnum())


def fits(source: SourceText, start: int, end: int, unit: str) -> bool:
    begin, stop = source.position(start, unit), source.position(end, unit)
    if begin is None or stop is None or begin >= stop:
        return False
    return on_boundary(source.text, begin) and on_boundary(source.text, stop)


def choose_unit(
    selections: Iterable[tuple[SourceText, int, int]], hint_utf16: bool = False
) -> tuple[str, dict[str, int]]:
    """The unit the file's positions are in, and the score of each reading."""
    scores = {CODE_POINTS: 0, UTF16: 0}
    for source, start, end in selections:
        if not source.readings_differ:
            continue
        for unit in scores:
            scores[unit] += fits(source, start, end, unit)
    if scores[UTF16] > scores[CODE_POINTS]:
        return UTF16, scores
    if scores[UTF16] == scores[CODE_POINTS] and hint_utf16:
        return UTF16, scores
    return CODE_POINTS, scores
