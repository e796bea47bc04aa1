"""Default key bindings live in one data file, tui/keys.toml, shipped with the package."""

from __future__ import annotations

import fnmatch
import importlib
import tomllib
from pathlib import Path

from tui.keymap import DEFAULTS, SCREEN_MODULES

ROOT = Path(__file__).resolve().parent.parent


def test_every_screen_takes_its_bindings_from_the_keys_file() -> None:
    tables = tomllib.loads(DEFAULTS.read_text(encoding="utf-8"))
    declared: list[str] = []
    for name in SCREEN_MODULES:
        for value in vars(importlib.import_module(name)).values():
            if getattr(value, "__module__", "") == name and "BINDINGS" in vars(value):
                declared.extend(b.id for b in value.BINDINGS)
    in_file = [binding_id for table in tables.values() for binding_id in table]
    assert declared == in_file


def test_the_keys_file_is_package_data() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["tui"]
    relative = DEFAULTS.relative_to(ROOT / "tui").as_posix()
    assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), patterns
