"""Who is coding: ``--coder``, then ``KODEVERK_CODER``, then the login name."""

from __future__ import annotations

import getpass
import os

from coding.errors import ProjectError


def resolve_coder(option: str | None = None) -> str:
    """The coder's name from the option, the environment or the login name (first non-empty)."""
    for candidate in (option, os.environ.get("KODEVERK_CODER")):
        if candidate and candidate.strip():
            return candidate.strip()
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = ""
    if not name.strip():
        raise ProjectError("no coder name: pass --coder NAME or set KODEVERK_CODER")
    return name.strip()
