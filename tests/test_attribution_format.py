"""Attributions written exactly as the seeds write them, and templates over case attributes."""

from __future__ import annotations

import pytest

from coding.errors import InputError
from exports.attribution import format_attribution, names_requested


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"size_class": "liten", "region": "Nord-Norge"}, "(Liten kommune i Nord-Norge)"),
        (
            {"size_class": "mellomstor", "region": "Vestlandet"},
            "(Mellomstor kommune på Vestlandet)",
        ),
        ({"size_class": "stor", "region": "Midt-Norge"}, "(Stor kommune i Midt-Norge)"),
        ({"size_class": "liten", "region": "Sørlandet"}, "(Liten kommune på Sørlandet)"),
        ({"size_class": "stor", "region": "Østlandet"}, "(Stor kommune på Østlandet)"),
        ({"size_class": "storby", "region": "Østlandet"}, "(Storbykommune)"),
        ({"size_class": "Liten", "region": "nord-norge"}, "(Liten kommune i Nord-Norge)"),
        ({"size_class": "liten"}, "(Liten kommune)"),
        ({"region": "Vestlandet"}, "(Kommune på Vestlandet)"),
        ({}, "(Kommune)"),
        ({"size_class": "stor", "region": "Sør-Norge"}, "(Stor kommune i Sør-Norge)"),
        ({"size_class": "liten", "region": "svalbard"}, "(Liten kommune på Svalbard)"),
        ({"size_class": "liten", "region": "Finnmark"}, "(Liten kommune i Finnmark)"),
    ],
)
def test_default_attribution(attributes, expected):
    assert format_attribution(attributes) == expected


def test_case_name_never_appears_by_default():
    attributes = {"size_class": "liten", "region": "Nord-Norge", "case": "Vadsø"}
    assert "Vadsø" not in format_attribution(attributes)


def test_templates():
    attributes = {"size_class": "liten", "region": "Nord-Norge", "case": "Vadsø"}
    assert format_attribution(attributes, "{size_class} kommune, {region}") == (
        "(Liten kommune, Nord-Norge)"
    )
    assert format_attribution(attributes, "{case}") == "(Vadsø)"
    assert format_attribution({"region": "Vestlandet"}, "{size_class} kommune, {region}") == (
        "(Kommune, Vestlandet)"
    )
    assert format_attribution({}, "{size_class}, {region}") == "()"
    assert format_attribution(attributes, "(Informant i {region})") == "(Informant i Nord-Norge)"
    assert names_requested("{case}") and names_requested("{document}, {region}")
    assert not names_requested("{region}") and not names_requested(None)
    with pytest.raises(InputError, match="--attribution"):
        format_attribution(attributes, "{region")
    with pytest.raises(InputError, match="plain fields"):
        format_attribution(attributes, "{region!r}")
