"""Start-up of the command line (issue 13): `kodeverk info` (and every command's tables) print
what rich printed without importing rich when the table is a plain one, and `--help` loads no
command module."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from tui.commands.project import print_rich_table
from tui.plain_table import TableText, render


class Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return "utf-8"

    def isatty(self) -> bool:
        return self.tty


def _env(monkeypatch: pytest.MonkeyPatch, width: int) -> None:
    for name in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "NO_COLOR", "COLORTERM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", str(width))
    monkeypatch.setenv("TERM", "xterm-256color")


def _both(title, columns, rows, right, tty: bool) -> tuple[str | None, str]:
    ours = render(TableText(title, columns, rows, right), stream=Stream(tty))
    theirs = Stream(tty)
    print_rich_table(TableText(title, columns, rows, right), file=theirs)
    return ours, theirs.getvalue()


WORD = st.text(alphabet="abcæøåÅØ.-_0123456789ß", min_size=1, max_size=14)
CELL = st.lists(WORD, min_size=0, max_size=3).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(
    title=st.lists(WORD, min_size=1, max_size=5).map(" ".join),
    shape=st.integers(1, 4).flatmap(
        lambda n: st.tuples(
            st.lists(WORD, min_size=n, max_size=n),
            st.lists(st.lists(CELL, min_size=n, max_size=n), min_size=1, max_size=5),
            st.lists(st.booleans(), min_size=n, max_size=n),
        )
    ),
    width=st.sampled_from([30, 80, 100]),
    tty=st.booleans(),
)
def test_plain_table_is_what_rich_prints(title, shape, width, tty) -> None:
    columns, rows, right = shape
    with pytest.MonkeyPatch.context() as monkeypatch:
        _env(monkeypatch, width)
        ours, theirs = _both(title, columns, rows, right, tty)
    if ours is not None:
        assert ours == theirs
    else:  # left to rich only when it does not fit
        widths = [max(len(c) for c in col) for col in zip(columns, *rows, strict=True)]
        assert sum(widths) + 3 * len(widths) + 1 > width


@pytest.mark.parametrize(
    "title, rows",
    [
        ("Project [bold]x[/bold]", [["a", "1"]]),  # markup
        ("Project x", [[":smile:", "1"]]),  # an emoji code
        ("Project x", [["日本語", "1"]]),  # two columns wide
        ("Project  x", [["a", "1"]]),  # spaces rich keeps
        ("Project x", [["a\tb", "1"]]),
    ],
)
def test_what_rich_decides_differently_is_left_to_rich(monkeypatch, title, rows) -> None:
    _env(monkeypatch, 80)
    table = TableText(title, ["what", "count"], rows, [False, True])
    assert render(table, stream=Stream(False)) is None


def test_info_does_not_import_rich(tmp_path) -> None:
    """`info` on a project prints its tables without loading rich (nor anything heavy)."""
    project = tmp_path / "p.kodeverk"
    subprocess.run([sys.executable, "-m", "tui.cli", "init", str(project)], cwd=ROOT, check=True)
    probe = (
        "import sys, runpy\n"
        f"sys.argv = ['kodeverk', 'info', {str(project)!r}]\n"
        "try:\n    runpy.run_module('tui.cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = ('rich', 'sqlite_utils', 'spacy', 'numpy', 'docx', 'textual', 'openpyxl')\n"
        "print('LOADED', sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "Project p.kodeverk" in out and "┏" in out
    assert out.splitlines()[-1] == "LOADED []"


def test_help_loads_no_command_module() -> None:
    """`kodeverk --help` reads the summaries from the commands' source: an option's help=
    does not make it import the command (it loaded numpy through `agreement`, 600 ms)."""
    probe = (
        "import sys, runpy\n"
        "sys.argv = ['kodeverk', '--help']\n"
        "try:\n    runpy.run_module('tui.cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in sys.modules if m.startswith('tui.commands.')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "Commands:" in out
    assert out.splitlines()[-1] == "LOADED []"


def test_a_command_is_parsed_alone_with_its_decorators() -> None:
    """`--help` parses only the command's function: its decorators, a signature closing at
    the margin, a comment at the margin in its body; the whole module when the piece fails."""
    import ast

    from tui.lazy import _function_tree

    source = (
        "import click\n\n\n"
        '@click.command("x", help="Own help.")\n'
        "@click.option(\n    '--n',\n)\n"
        "def x_command(\n    n: int,\n) -> None:\n"
        '    """Summary here.\n\n    More."""\n'
        "# a comment at the margin\n"
        "    return None\n\n\n"
        "def other() -> None:\n    pass\n"
    )
    tree = _function_tree(source, "x_command")
    (node,) = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert node.name == "x_command" and len(node.decorator_list) == 2
    assert ast.get_docstring(node) == "Summary here.\n\nMore."
    # A docstring line at the margin cuts the piece inside the string: the module is parsed.
    cut = source.replace("\n\n    More.", "\nat the margin")
    (node,) = [n for n in _function_tree(cut, "x_command").body if hasattr(n, "name")][:1]
    assert ast.get_docstring(node) == "Summary here.\nat the margin"
