"""Anonymised attribution of a quote, written the way the evaluation reports write it.

Default: «(Liten kommune i Nord-Norge)», «(Mellomstor kommune på Vestlandet)», «(Storbykommune)»
(a city alone: with its region it could be named). A template over case attributes replaces it:
``"{size_class} kommune, {region}"``. ``{case}`` and ``{document}`` give the case and document
name, and only appear when a template asks for them.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from coding.errors import InputError

SIZE_WORDS = {
    "liten": "Liten kommune",
    "mellomstor": "Mellomstor kommune",
    "stor": "Stor kommune",
    "storby": "Storbykommune",
}
REGION_PREPOSITION = {
    "nord-norge": ("i", "Nord-Norge"),
    "midt-norge": ("i", "Midt-Norge"),
    "vestlandet": ("på", "Vestlandet"),
    "østlandet": ("på", "Østlandet"),
    "sørlandet": ("på", "Sørlandet"),
    "sør-norge": ("i", "Sør-Norge"),
    "trøndelag": ("i", "Trøndelag"),
    "svalbard": ("på", "Svalbard"),
}
IDENTIFYING_FIELDS = ("case", "document")
# The attributes the default attribution shows: the only ones an anonymised export carries.
ATTRIBUTION_ATTRIBUTES = ("size_class", "region")


def format_attribution(attributes: Mapping[str, object], template: str | None = None) -> str:
    """The attribution in parentheses for a case with ``attributes`` (``case`` and
    ``document`` keys may hold names; only a template naming them shows them)."""
    text = render_template(template, attributes) if template else default_attribution(attributes)
    return text if text.startswith("(") else f"({text})"


def default_attribution(attributes: Mapping[str, object]) -> str:
    size = str(attributes.get("size_class") or "").strip().casefold()
    region = str(attributes.get("region") or "").strip()
    if size == "storby":
        return "Storbykommune"
    head = SIZE_WORDS.get(size) or (f"{size.capitalize()} kommune" if size else "Kommune")
    if not region:
        return head
    preposition, spelled = REGION_PREPOSITION.get(region.casefold(), ("i", region))
    return f"{head} {preposition} {spelled}"


def render_template(template: str, attributes: Mapping[str, object]) -> str:
    """Fill ``{name}`` fields from ``attributes`` (missing ones become empty), tidy the
    separators left behind, and capitalise the first letter."""
    values = {name: str(attributes.get(name) or "").strip() for name in template_fields(template)}
    text = template.format_map(values)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,.;:)])", r"\1", text)
    text = re.sub(r"([(])\s+", r"\1", text)
    text = re.sub(r"^[\s,;:]+|[\s,;:]+$", "", text)
    text = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", text)
    return text[:1].upper() + text[1:]


def template_fields(template: str) -> list[str]:
    """The field names a template uses; a malformed template is a one-line error."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InputError(f"--attribution {template!r}: {exc}") from None
    fields = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise InputError(f"--attribution {template!r}: use plain fields such as {{region}}")
        fields.append(name)
    return fields


def names_requested(template: str | None) -> bool:
    """Whether a template asks for case or document names (then an export may show them)."""
    if not template:
        return False
    return any(f in IDENTIFYING_FIELDS for f in template_fields(template))
