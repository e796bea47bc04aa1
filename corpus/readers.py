"""Readers for transcript files: ``.txt``/``.md``, ``.docx``, WebVTT ``.vtt`` and ``.srt``.

Each reader returns a ``Transcript``: the normalised text to store, its blocks (speaker turns,
paragraphs or cues, before sentence splitting) and facts about the source for ``source_meta``.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coding.documents import Segment, normalise_text
from coding.errors import MALFORMED_INPUT, InputError, describe
from corpus.encoding import decode_bytes

if TYPE_CHECKING:
    from docx.table import Table
    from docx.text.paragraph import Paragraph
from corpus.transcripts import (
    MAX_BLOCKS,
    Transcript,
    is_speaker,
    parse_transcript,
    speaker_label,
)

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
CUE_SUFFIXES = (".vtt", ".srt")
TRANSCRIPT_SUFFIXES = (*TEXT_SUFFIXES, ".docx", *CUE_SUFFIXES)


def read_transcript(path: Path, data: bytes | None = None) -> Transcript:
    """Read any transcript format by its suffix (``data``: the file's bytes, if already read)."""
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise InputError(f"{path}: unknown file type {suffix!r}")
    return reader(path, path.read_bytes() if data is None else data)


def read_text_file(path: Path, data: bytes) -> Transcript:
    return parse_transcript(normalise_text(decode_bytes(data, str(path))), str(path))


# -- Word ----------------------------------------------------------------------------------------
def read_docx(path: Path, data: bytes) -> Transcript:
    """Paragraphs (and two-column table rows as «speaker: text») in document order. python-docx
    gets a checked copy (``codebooks.safe_zip.office_copy``): XML parts within size limits and
    without a DTD, images and embedded files left out."""
    import io

    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from codebooks.safe_zip import DOCX_LIMITS, office_copy

    checked = office_copy(data, str(path), DOCX_LIMITS, "Word .docx file")
    unreadable: tuple[type[BaseException], ...] = (PackageNotFoundError, *MALFORMED_INPUT)
    try:
        document = docx.Document(io.BytesIO(checked))
        pieces = [_docx_piece(item) for item in document.iter_inner_content()]
    except unreadable as exc:
        raise InputError(f"{path}: not a readable Word .docx file ({describe(exc)})") from None
    text = normalise_text("\n\n".join(p for p in pieces if p.strip()))
    if not text.strip():
        raise InputError(f"{path}: the document has no text")
    transcript = parse_transcript(text, str(path))
    transcript.source_meta["format"] = "docx"
    return transcript


def _docx_piece(item: Paragraph | Table) -> str:
    from docx.table import Table

    if not isinstance(item, Table):
        return item.text
    rows = []
    for row in item.rows:
        cells = [cell.text.strip() for cell in row.cells]
        if len(cells) == 2 and cells[0] and len(cells[0]) <= 40 and "\n" not in cells[0]:
            rows.append(f"{cells[0]}: {cells[1]}")
        else:
            rows.append(" | ".join(c for c in cells if c))
    return "\n\n".join(r for r in rows if r.strip())


# -- WebVTT and SRT ------------------------------------------------------------------------------
_TIMING = re.compile(r"(?P<from>[\d:.,]+)\s*-->\s*(?P<to>[\d:.,]+)")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+(?P<name>[^>]+)>")
_TAG = re.compile(r"</?[^>\s][^>]*>")
_CUE_GAP = re.compile(r"\n\s*\n")


def read_cues(path: Path, data: bytes) -> Transcript:
    """Cues become text; consecutive cues by the same speaker form one block. Each cue's
    timestamps and place in the stored text are kept in ``source_meta["cues"]``."""
    raw = normalise_text(decode_bytes(data, str(path)))
    cues = _parse_cues(path, raw)
    if not cues:
        raise InputError(f"{path}: no cues found (expected 'start --> end' timing lines)")
    return _cues_to_transcript(_name_speakers(cues), path.suffix.lower().lstrip("."))


def _parse_cues(path: Path, raw: str) -> list[tuple[str, str, str | None, str]]:
    """``(from, to, voice, text)`` of each cue; the voice is None without a ``<v>`` tag."""
    cues = []
    for chunk in _CUE_GAP.split(raw):
        lines = chunk.strip("\n").split("\n")
        timing_at = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if timing_at is None:
            continue  # header, NOTE, STYLE or REGION block
        timing = _TIMING.search(lines[timing_at])
        if timing is None:
            raise InputError(f"{path}: cue timing {lines[timing_at].strip()!r} is malformed")
        body = "\n".join(lines[timing_at + 1 :])
        voice = _VOICE.search(body)
        text = " ".join(html.unescape(_TAG.sub("", body)).split())
        if text:
            name = " ".join(voice.group("name").split()) if voice else None
            cues.append((timing.group("from"), timing.group("to"), name, text))
            if len(cues) > MAX_BLOCKS:  # a ten-hour meeting has ~15 000 cues
                raise InputError(f"{path}: more than {MAX_BLOCKS:,} cues; refused (split the file)")
    return cues


def _name_speakers(
    cues: list[tuple[str, str, str | None, str]],
) -> list[tuple[str, str, str | None, str]]:
    """Cues without a voice tag may start with a label («Kari: ...»): use it as the speaker when
    it is a known role or appears twice or more."""
    labels = [speaker_label(text) if voice is None else None for _, _, voice, text in cues]
    counts = Counter(found[0] for found in labels if found)
    named = []
    for (start, end, voice, text), found in zip(cues, labels, strict=True):
        if found and is_speaker(found[0], counts[found[0]]):
            voice, text = found[0], text[found[1] :].strip() or text
        named.append((start, end, voice, text))
    return named


def _cues_to_transcript(cues: list[tuple[str, str, str | None, str]], fmt: str) -> Transcript:
    parts: list[str] = []
    blocks: list[Segment] = []
    cue_meta: list[list[object]] = []
    length = 0
    previous: object = object()  # never equal to a speaker, so the first cue opens a block
    for start, end, speaker, text in cues:
        if speaker != previous:
            prefix = ("\n\n" if parts else "") + (f"{speaker}: " if speaker else "")
            parts.append(prefix)
            length += len(prefix)
            blocks.append(Segment(length, length, "cue", len(blocks), speaker))
        elif parts:
            parts.append(" ")
            length += 1
        parts.append(text)
        cue_meta.append([length, length + len(text), start, end])
        length += len(text)
        last = blocks[-1]
        blocks[-1] = Segment(last.start, length, "cue", last.block, speaker)
        previous = speaker
    meta = {"format": fmt, "cues": cue_meta, "speakers": sorted({s for *_, s, _ in cues if s})}
    return Transcript("".join(parts), blocks, meta)


READERS: dict[str, Callable[[Path, bytes], Transcript]] = {
    **{suffix: read_text_file for suffix in TEXT_SUFFIXES},
    ".docx": read_docx,
    ".vtt": read_cues,
    ".srt": read_cues,
}
