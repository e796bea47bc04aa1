"""Every user-facing string of the app, read from ``tui/i18n_catalogue.json`` (package data):
``"key": [bokmål, English]``, keys grouped by screen (JSON: read in well under a millisecond,
where TOML took tens at every start).

Binding descriptions use the binding's id as key (``coding.undo``: also the id a keymap file
names). ``{fields}`` must be the same in both languages (tests/test_i18n.py checks).
"""

from __future__ import annotations

import json
from pathlib import Path

SOURCE = Path(__file__).with_suffix(".json")
LANGUAGE_ORDER = ("nb", "en")  # the order of the texts of each key in the file


def _load() -> dict[str, dict[str, str]]:
    entries = json.loads(SOURCE.read_text(encoding="utf-8"), object_pairs_hook=_no_repeats)
    return {
        lang: {key: texts[i] for key, texts in entries.items()}
        for i, lang in enumerate(LANGUAGE_ORDER)
    }


def _no_repeats(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object whose keys are all different (a key twice would hide one text)."""
    entries = dict(pairs)
    if len(entries) != len(pairs):
        repeated = sorted({key for key, _ in pairs if [k for k, _ in pairs].count(key) > 1})
        raise ValueError(f"{SOURCE.name}: a key stands twice: {', '.join(repeated)}")
    return entries


CATALOGUE: dict[str, dict[str, str]] = _load()
