"""Read hand-written anonymised attributions such as «(Liten kommune i Nord-Norge)».

Survey reports write them by hand, so they vary: «Mellomstør kommunen på Østlandet», «Lite
kommune», «Storbykommune» (no region), «Stor by på Vestlandet», a sentence after the region,
brackets, typos. ``parse_attribution`` tokenises the text and matches each word (and each pair
of neighbouring words, for «Midt Norge» or «Stor by») against the size and region vocabularies.
Words of six letters or more match fuzzily (rapidfuzz, score >= 85); shorter words must be one
of the listed forms, since a fuzzy «står» or «lita» would otherwise turn into «stor» or «lite».
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

SIZE_CLASSES = ("liten", "mellomstor", "stor", "storby")
REGIONS = ("Nord-Norge", "Midt-Norge", "Vestlandet", "Østlandet", "Sørlandet")

# Word forms (lower case, «kommune» suffix removed) for each value.
SIZE_FORMS: dict[str, tuple[str, ...]] = {
    "liten": ("liten", "lite", "lita", "små", "små-", "lille", "mindre"),
    "mellomstor": ("mellomstor", "mellomstore", "mellomstort", "middels", "mellomstørre"),
    "stor": ("stor", "store", "stort", "større"),
    "storby": ("storby", "storbyen", "storbyer", "storbyene", "storbyane"),
}
REGION_FORMS: dict[str, tuple[str, ...]] = {
    "Nord-Norge": ("nord-norge", "nord-noreg", "nordland", "troms", "finnmark"),
    "Midt-Norge": ("midt-norge", "midt-noreg", "trøndelag", "trøndelag"),
    "Vestlandet": ("vestlandet", "vestlands", "vestlandsk"),
    "Østlandet": ("østlandet", "østlands", "østlandsk"),
    # The SINTEF report writes «i Sør-Norge» a few times for the south.
    "Sørlandet": ("sørlandet", "sørlands", "sørlandsk", "sør-norge", "agder"),
}

FUZZY_MIN_LENGTH = 6
FUZZY_CUTOFF = 85.0

_WORD = re.compile(r"[a-zæøåäöéèü]+(?:-[a-zæøåäöéèü]+)*")
_KOMMUNE_SUFFIX = re.compile(r"(?<=.)kommun(?:e|en|er|ene)$")
# A parenthesised or bracketed attribution at the end of a quote.
# The closing bracket may be missing («... (Mellomstor kommune» occurs in SINTEF A26099).
_TRAILING = re.compile(r"[\(\[]\s*([^()\[\]]{3,200}?)\s*[\)\]]?\s*[.,;]?\s*$")


def _lookup(forms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {form: value for value, variants in forms.items() for form in variants}


_SIZE_LOOKUP = _lookup(SIZE_FORMS)
_REGION_LOOKUP = _lookup(REGION_FORMS)


def _match(word: str, lookup: dict[str, str]) -> str | None:
    """The value ``word`` stands for, exactly or (for longer words) fuzzily."""
    if word in lookup:
        return lookup[word]
    if len(word) < FUZZY_MIN_LENGTH:
        return None
    best = process.extractOne(word, lookup.keys(), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
    return lookup[best[0]] if best else None


def _tokens(text: str) -> list[tuple[str, bool]]:
    """Lower-case words, each with whether it was or carried «kommune» («Storbykommune»)."""
    tokens: list[tuple[str, bool]] = []
    for word in _WORD.findall(text.lower()):
        stem = _KOMMUNE_SUFFIX.sub("", word).rstrip("-")
        if stem != word:
            tokens.append((stem, True))
        elif re.fullmatch(r"kommun(?:e|en|er|ene)", word):
            tokens.append(("", True))
        else:
            tokens.append((word, False))
    return tokens


def _candidates(tokens: list[tuple[str, bool]]) -> list[tuple[int, str, bool]]:
    """(position, word, next-to-«kommune») for each word and each joined pair of words; a pair
    comes first so «stor by» is read as «storby» before «stor»."""
    out: list[tuple[int, str, bool]] = []
    for i, (word, kommune) in enumerate(tokens):
        if not word:
            continue
        after = i + 1 < len(tokens) and tokens[i + 1][1]
        if i + 1 < len(tokens) and tokens[i + 1][0]:
            nxt, nxt_kommune = tokens[i + 1]
            after2 = i + 2 < len(tokens) and tokens[i + 2][1]
            for joined in (f"{word}{nxt}", f"{word}-{nxt}"):
                out.append((i, joined, nxt_kommune or after2))
        out.append((i, word, kommune or after))
    return out


def parse_attribution(text: str) -> dict[str, str]:
    """``{"size_class": ..., "region": ...}`` read from an attribution; keys only when found.

    The size word next to «kommune» wins over one elsewhere (a trailing sentence may say «stor»
    about something else); the first region word wins. Never raises; ``{}`` when nothing is found.
    """
    candidates = _candidates(_tokens(text or ""))
    sizes = [
        (pos, value, near)
        for pos, word, near in candidates
        if (value := _match(word, _SIZE_LOOKUP))
    ]
    regions = [value for _, word, _ in candidates if (value := _match(word, _REGION_LOOKUP))]
    result: dict[str, str] = {}
    if sizes:
        near_kommune = [s for s in sizes if s[2]]
        result["size_class"] = (near_kommune or sizes)[0][1]
    if regions:
        result["region"] = regions[0]
    return result


def split_attribution(quote: str) -> tuple[str, str | None, dict[str, str]]:
    """Split «answer text (Liten kommune i Nord-Norge)» into the answer, the attribution text
    and its parsed fields. A trailing parenthesis that names no size class is part of the answer
    («... (Rusarbeidet er organisert i NAV)»)."""
    match = _TRAILING.search(quote)
    if match:
        parsed = parse_attribution(match.group(1))
        if "size_class" in parsed:
            return quote[: match.start()].rstrip(), match.group(1).strip(), parsed
    return quote, None, {}
