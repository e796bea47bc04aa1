"""Attributions as written by hand in the SINTEF survey report (seed 004)."""

from __future__ import annotations

import re

import pytest

from corpus.attribution import REGIONS, SIZE_CLASSES, parse_attribution, split_attribution
from tests.conftest import SHARED

SEED_004 = SHARED / "seeds" / "004_9475bc52d4398d83.txt"

# Real attributions from seed 004 (including its typos), plus a few likely variants.
EXAMPLES = [
    ("(Liten kommune i Nord-Norge)", "liten", "Nord-Norge"),
    ("(Liten kommune på Østlandet)", "liten", "Østlandet"),
    ("(Mellomstor kommune på Østlandet)", "mellomstor", "Østlandet"),
    ("(Stor kommune på Østlandet)", "stor", "Østlandet"),
    ("(Liten kommune på Vestlandet)", "liten", "Vestlandet"),
    ("(Liten kommune i Midt-Norge)", "liten", "Midt-Norge"),
    ("(Mellomstor kommune på Vestlandet)", "mellomstor", "Vestlandet"),
    ("(Mellomstor kommune i Midt-Norge)", "mellomstor", "Midt-Norge"),
    ("(Stor kommune på Vestlandet)", "stor", "Vestlandet"),
    ("(Liten kommune på Sørlandet)", "liten", "Sørlandet"),
    ("(Storbykommune)", "storby", None),
    ("(Stor kommune i Nord-Norge)", "stor", "Nord-Norge"),
    ("(Stor kommune i Midt-Norge)", "stor", "Midt-Norge"),
    ("(Mellomstør kommunen på Østlandet)", "mellomstor", "Østlandet"),
    ("(Mellomstor kommune i Nord-Norge)", "mellomstor", "Nord-Norge"),
    ("(Stor kommunen på Østlandet)", "stor", "Østlandet"),
    ("(Stor kommune i Sør-Norge)", "stor", "Sørlandet"),
    ("(Mellomstor kommune på Sørlandet)", "mellomstor", "Sørlandet"),
    ("(Liten kommunen på Østlandet)", "liten", "Østlandet"),
    ("(Stor kommune på Sørlandet)", "stor", "Sørlandet"),
    ("(Mellomstør kommunen på Vestlandet)", "mellomstor", "Vestlandet"),
    ("(Mellomstør kommunen i Nord-Norge)", "mellomstor", "Nord-Norge"),
    ("(Mellomstor kommune)", "mellomstor", None),
    ("(Mellomstor kommune i Sør-Norge)", "mellomstor", "Sørlandet"),
    ("(Lite kommune i Nord-Norge)", "liten", "Nord-Norge"),
    ("(Lite kommune i Midt-Norge)", "liten", "Midt-Norge"),
    ("(Stor by på Vestlandet)", "storby", "Vestlandet"),
    ("Lite kommune", "liten", None),
    ("Stor kommune i Midt-Norge. Rusarbeidet har stor vekt på bolig.", "stor", "Midt-Norge"),
    ("[Liten kommune på Østladet]", "liten", "Østlandet"),
    ("liten kommune, midt norge", "liten", "Midt-Norge"),
    ("Småkommune i Nordnorge", "liten", "Nord-Norge"),
    ("Mellomstore kommune på Sorlandet", "mellomstor", "Sørlandet"),
]

NOT_ATTRIBUTIONS = [
    "(Kommunen er under Robek)",
    "(Sirius: Kommunenes forvaltning av alkoholloven 2012)",
    "(organisert som rusteam bestående av kommunelege, psykiatrisk sykepleier og sosialkonsulent)",
    "(erfaring i annen kommune tidligere)",
    "(8 prosent av alle kommuner)",
    "(Det kommunale arbeidet er delt mellom: Psykisk helsetjeneste, legekantor, helsestasjon, NAV)",
    "Vi står sammen om landet",
    "",
]


@pytest.mark.parametrize(("text", "size", "region"), EXAMPLES)
def test_real_attributions(text: str, size: str, region: str | None) -> None:
    expected = {"size_class": size} | ({"region": region} if region else {})
    assert parse_attribution(text) == expected


@pytest.mark.parametrize("text", NOT_ATTRIBUTIONS)
def test_other_parentheses_give_nothing(text: str) -> None:
    assert parse_attribution(text) == {}


@pytest.mark.skipif(not SEED_004.exists(), reason="seed 004 not available")
def test_every_attribution_in_seed_004() -> None:
    """Each parenthesis in the report that starts with a size word parses to a size class and,
    when it names a place after «i»/«på», to one of the five regions."""
    text = SEED_004.read_text(encoding="utf-8")
    found = re.findall(r"\(((?:Liten|Lite|Mellomst|Stor)[^()]*)\)", text)
    assert len(found) > 280
    for attribution in found:
        parsed = parse_attribution(attribution)
        assert parsed.get("size_class") in SIZE_CLASSES, attribution
        if re.search(r"\b(i|på) [A-ZØ]", attribution):
            assert parsed.get("region") in REGIONS, attribution
        else:
            assert "region" not in parsed, attribution


def test_split_trailing_attribution() -> None:
    answer, attribution, parsed = split_attribution(
        "Vi har for få folk. (Liten kommune i Nord-Norge)"
    )
    assert answer == "Vi har for få folk."
    assert attribution == "Liten kommune i Nord-Norge"
    assert parsed == {"size_class": "liten", "region": "Nord-Norge"}


def test_split_keeps_a_parenthesis_that_is_no_attribution() -> None:
    quote = "Samarbeidet varierer (Rusarbeidet er organisert i NAV)"
    assert split_attribution(quote) == (quote, None, {})
