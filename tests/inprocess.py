"""Run the real `kodeverk` command line in the test process (much faster than a subprocess)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tui.cli import main


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run_inprocess(capsys: pytest.CaptureFixture[str], *args: object) -> Result:
    """``tui.cli.main`` with ``args``: exit code and captured output, like ``run_kodeverk``."""
    capsys.readouterr()
    code = 0
    try:
        main([str(a) for a in args])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return Result(code, out, err)
