"""Which case (municipality) a file belongs to, from its name: ``intervju_vadso_leder.txt`` is
Vadsø, ``Gamle-Oslo-2.docx`` is Gamle Oslo. Names are compared with Norwegian letters spelled
out the way file names often do (ø → o/oe, å → a/aa, æ → ae), word by word."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from rapidfuzz import fuzz, process

from coding.errors import InputError

FUZZY_MIN = 90  # rapidfuzz score for a near spelling («Kristiansun»); lower gives false matches
_SPELLINGS = (("aa", "a"), ("oe", "o"), ("ae", "e"), ("æ", "e"), ("ø", "o"), ("å", "a"))


def name_words(text: str) -> list[str]:
    """Lowercase words with æøå folded, so «Vadsø», «vadso» and «VADSOE» compare equal."""
    text = unicodedata.normalize("NFC", text).lower()
    for spelled, plain in _SPELLINGS:
        text = text.replace(spelled, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z]+", text)


def match_case(stem: str, cases: Iterable[str]) -> str | None:
    """The case whose name occurs word for word in ``stem`` (the longest if several), else the
    closest near spelling, else None."""
    words = name_words(stem)
    joined = f" {' '.join(words)} "
    found = [c for c in cases if name_words(c) and f" {' '.join(name_words(c))} " in joined]
    if found:
        return max(found, key=lambda c: len(name_words(c)))
    scored = [(_near_score(words, name_words(c)), c) for c in cases]
    score, best = max(scored, default=(0.0, None))
    return best if score >= FUZZY_MIN else None


def _near_score(words: list[str], case_words: list[str]) -> float:
    """Best ``fuzz.ratio`` of the case name against runs of as many words of the file name:
    «kristiansun» is near «kristiansund»; a mere prefix («sand», «sandnes») is not."""
    n = len(case_words)
    if not n or len(words) < n:
        return 0.0
    target = " ".join(case_words)
    return max(fuzz.ratio(" ".join(words[i : i + n]), target) for i in range(len(words) - n + 1))


def case_for_file(stem: str, cases: list[str], *, create: bool, where: str) -> str:
    """The case for a file named ``stem``; with ``create`` a new case named from the stem when
    none matches, else a one-line error naming the closest cases."""
    found = match_case(stem, cases)
    if found:
        return found
    if create:
        return " ".join(w.capitalize() for w in re.split(r"[\s_\-.]+", stem) if w)
    closest = [c for c, _, _ in process.extract(stem, cases, limit=3)] if cases else []
    hint = f"; closest cases: {', '.join(closest)}" if closest else "; the project has no cases"
    raise InputError(
        f"{where}: no case matches the file name{hint} (use --case, or --create-cases)"
    )
