"""Speaker turns in plain-text transcripts.

A line that starts with a speaker label (``Intervjuer:``, ``I:``, ``Informant 2:``, ``IP1:``,
``**Kari:**``) opens a turn; the lines after it belong to that turn until the next label. A label
counts when it is a known interview role or when it opens at least two lines of the document,
so a stray «Merk: ...» in a report is not taken for a speaker. Text without labels is split into
paragraphs at blank lines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from coding.documents import Segment
from coding.errors import InputError

_WORD = r"[^\W\d_][\w.\-]*"
LABEL = re.compile(
    r"[ \t]*(?:\*\*|__)?"
    rf"(?P<label>{_WORD}(?:[ \t]+(?:{_WORD}|\d+)){{0,2}})"
    r"[ \t]*(?:\*\*|__)?[ \t]*:(?:\*\*|__)?(?:[ \t]+|$)"
)
KNOWN_ROLE = re.compile(
    r"(?:i|r|int\.?|intervjuer|intervjuar|interviewer|informant|respondent|ip|deltaker|"
    r"deltakar|moderator|fasilitator|leder|intervjuobjekt|spørsmål|svar)\s*\d*",
    re.IGNORECASE,
)
# A label at the text's start, and one after a line break: the literal "\n" lets the regex
# engine jump from line to line (a "^" in MULTILINE mode is tried at every character).
_FIRST_LABEL = re.compile(f"(?m){LABEL.pattern}")
_NEXT_LABEL = re.compile(f"(?m)\n{LABEL.pattern}")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
MAX_BLOCKS = 200_000  # a 500-page transcript has about 10 000 turns


@dataclass
class Transcript:
    """What a reader makes of a file: the text as stored, its blocks (turns, paragraphs or cues,
    before sentence splitting) and facts about the source."""

    text: str
    blocks: list[Segment]
    source_meta: dict[str, Any] = field(default_factory=dict)

    @property
    def has_speakers(self) -> bool:
        return any(block.speaker for block in self.blocks)


def speaker_label(line: str) -> tuple[str, int] | None:
    """``(speaker, where the turn's text starts)`` when ``line`` opens with a label."""
    match = LABEL.match(line)
    label = _label_of(match) if match else None
    return (label, match.end()) if match and label else None


def is_speaker(label: str, uses: int) -> bool:
    """A label counts as a speaker when it is a known role or opens two or more lines."""
    return uses >= 2 or KNOWN_ROLE.fullmatch(label.rstrip(".")) is not None


def parse_transcript(text: str, where: str = "the text") -> Transcript:
    """Split normalised ``text`` into speaker turns, or paragraphs when it has no labels.
    More than ``MAX_BLOCKS`` of them is refused (``where`` names the file): 10 MB of blank
    lines would otherwise be millions of blocks and gigabytes."""
    found = _line_labels(text)
    uses = Counter(label for _, _, label in found)
    turns = [(start, end, label) for start, end, label in found if is_speaker(label, uses[label])]
    del found
    spans = _block_spans(text, 0, turns[0][0] if turns else len(text), None)
    for index, (_, text_start, speaker) in enumerate(turns):
        end = turns[index + 1][0] if index + 1 < len(turns) else len(text)
        spans.extend(_block_spans(text, text_start, end, speaker))
        _check_blocks(len(spans), where)
    _check_blocks(len(spans), where)
    blocks = [
        Segment(start, end, "turn" if who else "paragraph", number, who)
        for number, (start, end, who) in enumerate(spans)
    ]
    return Transcript(text, blocks, {"speakers": sorted({b.speaker for b in blocks if b.speaker})})


def _check_blocks(count: int, where: str) -> None:
    if count > MAX_BLOCKS:
        raise InputError(
            f"{where}: more than {MAX_BLOCKS:,} paragraphs or speaker turns; refused "
            "(split the file)"
        )


def _line_labels(text: str) -> list[tuple[int, int, str]]:
    """``(line start, text start, label)`` of every line that opens with a label (found in
    place: a list of every line of a file of millions of lines costs hundreds of MB)."""
    found = []
    first = _FIRST_LABEL.match(text)
    if first and (label := _label_of(first)):
        found.append((0, first.end(), label))
    for match in _NEXT_LABEL.finditer(text, first.end() if first else 0):
        if label := _label_of(match):
            found.append((match.start() + 1, match.end(), label))  # the line after the "\n"
            if len(found) > MAX_BLOCKS:
                break  # more turns than are allowed: parse_transcript refuses
    return found


def _label_of(match: re.Match) -> str | None:
    label = match.group("label")
    if label.startswith(("http", "www")):
        return None
    return " ".join(label.split())


def _block_spans(
    text: str, start: int, end: int, speaker: str | None
) -> list[tuple[int, int, str | None]]:
    """A turn is one block; text outside turns is split into paragraphs at blank lines."""
    if speaker is not None:
        span = trim(text, start, end)
        return [(span[0], span[1], speaker)] if span else []
    return [(begin, stop, None) for begin, stop in paragraphs(text, start, end)]


def paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Trimmed spans of the blank-line-separated paragraphs of ``text[start:end]`` (at most
    one more than ``MAX_BLOCKS``: the caller refuses that many)."""
    spans: list[tuple[int, int]] = []
    for gap in _BLANK_LINES.finditer(text, start, end):
        if span := trim(text, start, gap.start()):
            spans.append(span)
            if len(spans) > MAX_BLOCKS:
                return spans
        start = gap.end()
    if span := trim(text, start, end):
        spans.append(span)
    return spans


def trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """``(start, end)`` without surrounding whitespace, or None when only whitespace is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None
