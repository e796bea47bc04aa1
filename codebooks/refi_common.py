"""What REFI-QDA export and import share: namespaces, GUIDs, colours, code descriptions.

Write strictly (the exact namespace, lower-case GUIDs, ``#rrggbb``); read leniently (namespace
variants such as ``urn:QDA-XML:codebook:1:0``, GUIDs in any case or with braces, colours as
``rgb()``), turning what cannot be read into warnings that say where.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from lxml import etree

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
PROJECT_XSD = SCHEMA_DIR / "Project.xsd"
CODEBOOK_XSD = SCHEMA_DIR / "Codebook.xsd"
DEFAULT_COLOUR = "#888888"

# Stable GUIDs derived from kodeverk's own ids (variables, selections, non-GUID ids read in).
KODEVERK_NS = uuid.UUID("6b6f6476-6572-6b00-8000-726566692d71")
_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})\}?$")
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_RGB = re.compile(r"^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,[^)]*)?\)$", re.I)


def local(element: etree._Element) -> str:
    """The tag without its namespace: real files use several namespace spellings."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if local(c) == name]


def child(element: etree._Element, name: str) -> etree._Element | None:
    for c in element:
        if local(c) == name:
            return c
    return None


def child_text(element: etree._Element, name: str) -> str:
    found = child(element, name)
    return (found.text or "").strip() if found is not None else ""


def derived_guid(*parts: str) -> str:
    """A GUID that is the same every time for the same parts."""
    return str(uuid.uuid5(KODEVERK_NS, "\x1f".join(parts)))


def parse_guid(raw: str | None) -> tuple[str | None, bool]:
    """``(guid, was_valid)``: braces stripped and lower case; a non-GUID id (``c001``) becomes a
    stable derived GUID so that the same file maps to the same codes every time."""
    if raw is None or not raw.strip():
        return None, False
    match = _GUID.match(raw.strip())
    if match:
        return match.group(1).lower(), True
    return derived_guid("foreign-id", raw.strip()), False


def export_guid(stored: str) -> str:
    """A schema-valid GUID for a stored one (kodeverk stores UUIDs; anything else is derived)."""
    match = _GUID.match(stored)
    return match.group(1).lower() if match else derived_guid("stored-id", stored)


def parse_colour(raw: str | None) -> tuple[str | None, bool]:
    """``(#rrggbb, ok)``; ``(None, True)`` when missing, ``(None, False)`` when malformed."""
    if raw is None or not raw.strip():
        return None, True
    raw = raw.strip()
    match = _HEX.match(raw)
    if match:
        digits = match.group(1)
        if len(digits) == 3:
            digits = "".join(d * 2 for d in digits)
        return "#" + digits.lower(), True
    match = _RGB.match(raw)
    if match and all(int(v) <= 255 for v in match.groups()):
        return "#" + "".join(f"{int(v):02x}" for v in match.groups()), True
    return None, False


# -- code descriptions: REFI has one Description; kodeverk keeps notes, goal, keywords ----------
_LABELS = {
    "include": ("Include:", "Inkluder:", "Inklusjon:"),
    "exclude": ("Exclude:", "Ekskluder:", "Eksklusjon:"),
    "goal": ("Goal:", "Mål:"),
    "keywords": ("Keywords:", "Nøkkelord:"),
    "memo": ("Memo:", "Notat:"),  # last: everything after it is the memo
}


def compose_description(
    description: str,
    include: str = "",
    exclude: str = "",
    goal: int | None = None,
    keywords: list[str] | None = None,
    memo: str = "",
) -> str:
    """One text for REFI's ``Description``: the description, then labelled paragraphs; the
    code's memo last (tools such as QualCoder show a code's Description as its memo)."""
    parts = [description.strip()] if description.strip() else []
    if include.strip():
        parts.append("Include: " + include.strip())
    if exclude.strip():
        parts.append("Exclude: " + exclude.strip())
    if goal is not None:
        parts.append(f"Goal: {goal}")
    if keywords:
        parts.append("Keywords: " + ", ".join(keywords))
    if memo.strip():
        parts.append("Memo: " + memo.strip())
    return "\n\n".join(parts)


def split_description(text: str) -> dict:
    """The inverse of ``compose_description``; text without labels is all description."""
    found: dict = {
        "description": [],
        "include": "",
        "exclude": "",
        "goal": None,
        "keywords": [],
        "memo": "",
    }
    paragraphs = re.split(r"\n[ \t]*\n", (text or "").strip())
    for number, paragraph in enumerate(paragraphs):
        key, rest = _labelled(paragraph.strip())
        if key == "memo":
            found["memo"] = "\n\n".join([rest, *(p.strip() for p in paragraphs[number + 1 :])])
            break
        if key == "goal" and rest.isdigit() and 1 <= int(rest) <= 5:
            found["goal"] = int(rest)
        elif key == "keywords":
            found["keywords"] = [k.strip() for k in rest.split(",") if k.strip()]
        elif key in ("include", "exclude"):
            found[key] = rest
        elif paragraph.strip():
            found["description"].append(paragraph.strip())
    found["description"] = "\n\n".join(found["description"])
    return found


def _labelled(paragraph: str) -> tuple[str | None, str]:
    for key, labels in _LABELS.items():
        for label in labels:
            if paragraph.startswith(label):
                return key, paragraph[len(label) :].strip()
    return None, paragraph


def schema(path: Path) -> etree.XMLSchema:
    """A shipped XSD, compiled."""
    return etree.XMLSchema(etree.parse(str(path)))


def split_memo(text: str) -> tuple[str, str]:
    """``(description, memo)`` of a Description whose memo is a last «Memo:» part (a case's)."""
    paragraphs = re.split(r"\n[ \t]*\n", (text or "").strip())
    for number, paragraph in enumerate(paragraphs):
        key, rest = _labelled(paragraph.strip())
        if key == "memo":
            memo = "\n\n".join([rest, *(p.strip() for p in paragraphs[number + 1 :])])
            return "\n\n".join(p.strip() for p in paragraphs[:number]), memo
    return (text or "").strip(), ""


def same_text(a: str, b: str) -> bool:
    """Equal but for white space (a memo written twice, as a Note and as a Description)."""
    return " ".join(a.split()) == " ".join(b.split())


# -- names other tools can take ------------------------------------------------------------------
_INNER_SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{1,4}(?=\s+\S)")


def exchange_name(name: str) -> str:
    """A source name without a file suffix in the middle: several tools take what follows the
    last dot as the file type (``survey.csv · Respondent 001 · answer``)."""
    return _INNER_SUFFIX.sub("", name)


# -- typed variables -----------------------------------------------------------------------------
_INTEGER = re.compile(r"^-?(0|[1-9]\d*)$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
VALUE_TAGS = {
    "Text": "TextValue",
    "Boolean": "BooleanValue",
    "Integer": "IntegerValue",
    "Float": "FloatValue",
    "Date": "DateValue",
}


def variable_type(values: list[str]) -> str:
    """The narrowest REFI-QDA type that writes every value exactly as stored."""
    if not values:
        return "Text"
    if all(_INTEGER.match(v) for v in values):
        return "Integer"
    if all(_INTEGER.match(v) or _DECIMAL.match(v) for v in values):
        return "Float"
    if all(v in ("true", "false") for v in values):
        return "Boolean"
    if all(_DATE.match(v) and _is_date(v) for v in values):
        return "Date"
    return "Text"


def _is_date(value: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def read_value(tag: str, raw: str) -> str:
    """A typed value as kodeverk stores it (text): xsd:boolean's 1 and 0 as true and false."""
    value = raw.strip()
    if tag == "BooleanValue":
        return {"1": "true", "0": "false"}.get(value, value.lower())
    return value
