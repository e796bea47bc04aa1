"""Which case (municipality) a file belongs to, from its name: ``intervju_vadso_leder.txt`` is
Vadsø, ``Gamle-Oslo-2.docx`` is Gamle Oslo, ``intervju_k02_1.txt`` is K02. Names are compared
with Norwegian letters spelled out the way file names often do (ø → o/oe, å → a/aa, æ → ae),
word by word; numbers are words of their own and must match digit for digit, so pseudonymised
cases (K01, Kommune017) never stand in for each other."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from coding.errors import InputError

FUZZY_MIN = 90  # rapidfuzz score for a near spelling («Kristiansun»); lower gives false matches
FUZZY_MARGIN = 5  # near spellings this close to the best are as likely: ambiguous
_SPELLINGS = (("aa", "a"), ("oe", "o"), ("ae", "e"), ("æ", "e"), ("ø", "o"), ("å", "a"))


def name_words(text: str) -> list[str]:
    """Lowercase words with æøå folded, so «Vadsø», «vadso» and «VADSOE» compare equal; digits
    are words of their own («K02» → ``["k", "02"]``)."""
    text = unicodedata.normalize("NFC", text).lower()
    for spelled, plain in _SPELLINGS:
        text = text.replace(spelled, plain)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.findall(r"[a-z]+|[0-9]+", text)


@dataclass(frozen=True)
class CaseMatch:
    """How a file name matched the cases: ``how`` is ``exact`` (word for word), ``near`` (a
    near spelling, ``score``), ``ambiguous`` (``candidates`` within reach) or ``none``."""

    case: str | None
    how: str
    score: float = 0.0
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Hit:
    case: str
    score: float
    start: int
    size: int  # words of the file name it covers

    def inside(self, other: _Hit) -> bool:
        """Lies within ``other``'s longer stretch («Oslo» inside «Gamle Oslo»)."""
        end, other_end = self.start + self.size, other.start + other.size
        return other.size > self.size and other.start <= self.start and end <= other_end


def find_case(stem: str, cases: Iterable[str]) -> CaseMatch:
    """The case named in ``stem``: a word-for-word match wins over near spellings; a match
    inside a longer one gives way to it; two left within reach is ``ambiguous``."""
    words = name_words(stem)
    named = [(c, name_words(c)) for c in dict.fromkeys(cases)]
    exact = [_Hit(c, 100.0, i, len(w)) for c, w in named for i in _places(words, w)]
    if exact:
        return _decide(exact, "exact", margin=0.0)
    near = [hit for c, w in named if (hit := _near_hit(words, c, w)) and hit.score >= FUZZY_MIN]
    return _decide(near, "near", margin=FUZZY_MARGIN) if near else CaseMatch(None, "none")


def match_case(stem: str, cases: Iterable[str]) -> str | None:
    """The case named in ``stem``, or None (no match, or more than one within reach)."""
    return find_case(stem, cases).case


def _places(words: list[str], case_words: list[str]) -> list[int]:
    n = len(case_words)
    return [i for i in range(len(words) - n + 1) if n and words[i : i + n] == case_words]


def _near_hit(words: list[str], case: str, case_words: list[str]) -> _Hit | None:
    """The best ``fuzz.ratio`` of the case name's letters against runs of as many words of the
    file name with the same numbers in the same places: «kristiansun» is near «kristiansund»,
    «komune017» near «Kommune017» but not «Kommune018»; a mere prefix («sand») is not near."""
    n = len(case_words)
    letters = " ".join(w for w in case_words if not w.isdigit())
    if not letters or len(words) < n:
        return None
    best: _Hit | None = None
    for i in range(len(words) - n + 1):
        run = words[i : i + n]
        if any(
            a.isdigit() != b.isdigit() or (a.isdigit() and a != b)
            for a, b in zip(run, case_words, strict=True)
        ):
            continue
        score = fuzz.ratio(" ".join(w for w in run if not w.isdigit()), letters)
        if best is None or score > best.score:
            best = _Hit(case, score, i, n)
    return best


def _decide(hits: list[_Hit], how: str, margin: float) -> CaseMatch:
    hits = [h for h in hits if not any(h.inside(o) for o in hits)]
    best: dict[str, float] = {}
    for hit in hits:
        best[hit.case] = max(best.get(hit.case, 0.0), hit.score)
    ranked = sorted(best.items(), key=lambda item: -item[1])
    top_case, top = ranked[0]
    rivals = tuple(c for c, score in ranked if score >= top - margin)
    if len(rivals) > 1:
        return CaseMatch(None, "ambiguous", top, rivals)
    return CaseMatch(top_case, how, top)


def case_for_file(stem: str, cases: list[str], *, create: bool, where: str) -> CaseMatch:
    """The case for a file named ``stem``; with ``create`` a new case (``how`` ``new``) named
    from the stem when none matches. No match (without ``create``) or more than one case within
    reach is a one-line error naming the cases."""
    found = find_case(stem, cases)
    if found.how == "ambiguous":
        raise InputError(f"{where}: {ambiguity(found)} (use --case, or rename the file)")
    if found.case:
        return found
    if create:
        return CaseMatch(new_case_name(stem), "new")
    closest = [c for c, _, _ in process.extract(stem, cases, limit=3)] if cases else []
    hint = f"; closest cases: {', '.join(closest)}" if closest else "; the project has no cases"
    raise InputError(
        f"{where}: no case matches the file name{hint} (use --case, or --create-cases)"
    )


def ambiguity(found: CaseMatch) -> str:
    names = [repr(c) for c in found.candidates]
    listed = f"{', '.join(names[:-1])} and {names[-1]}"
    kind = "word for word" if found.score == 100.0 else "as near spellings"
    return f"the file name fits {len(names)} cases {kind}: {listed}"


def new_case_name(stem: str) -> str:
    return " ".join(w.capitalize() for w in re.split(r"[\s_\-.]+", stem) if w)
