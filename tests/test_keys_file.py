"""Default key bindings (tui/keys.toml) and the message catalogue (tui/i18n_catalogue.toml) are
data files shipped with the package."""

from __future__ import annotations

import fnmatch
import importlib
import tomllib
from pathlib import Path

import pytest

from tui.i18n_catalogue import SOURCE as CATALOGUE_SOURCE
from tui.keymap import DEFAULTS, SCREEN_MODULES

ROOT = Path(__file__).resolve().parent.parent


def test_every_screen_takes_its_bindings_from_the_keys_file() -> None:
    tables = tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))
    declared: list[str] = []
    for name in SCREEN_MODULES:
        for value in vars(importlib.import_module(name)).values():
            if getattr(value, "__module__", "") == name and "BINDINGS" in vars(value):
                declared.extend(b.id for b in value.BINDINGS)
    in_file = [
        binding_id for name, table in tables.items() if name != "palette" for binding_id in table
    ]
    assert declared == in_file


@pytest.mark.parametrize("data_file", [DEFAULTS, CATALOGUE_SOURCE])
def test_the_data_files_are_package_data(data_file: Path) -> None:
    """The default keys and the message catalogue ship in the wheel (and `pip install -e .`)."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["tui"]
    relative = data_file.relative_to(ROOT / "tui").as_posix()
    assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), patterns
