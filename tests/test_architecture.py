"""The layout keeps what docs/architecture.md says: one direction of dependencies (the
import-linter contracts in .importlinter), no SQL in tui, no guards around our own modules,
and a page that lists every module there is."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("tui", "coding", "corpus", "codebooks", "exports")
ARCHITECTURE = ROOT / "docs" / "architecture.md"
# Optional extras a guard may report as missing (pip install 'kodeverk[browse]').
OPTIONAL = {"datasette"}


def product_modules() -> list[Path]:
    return sorted(p for package in PACKAGES for p in (ROOT / package).rglob("*.py"))


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def test_import_contracts_hold() -> None:
    """Layers tui -> exports | corpus -> codebooks -> coding, Textual only in tui, no sqlite3 in
    tui: `lint-imports` (also run by `make test`)."""
    lint = Path(sys.executable).parent / "lint-imports"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [str(lint), "--no-cache"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_product_code_type_checks() -> None:
    """mypy, configured in pyproject.toml ([tool.mypy]: the five product packages), finds no
    error (also run by `make test`)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Success: no issues found" in done.stdout


def test_make_test_runs_ruff_the_type_checker_contracts_and_pytest() -> None:
    """`make test` from a fresh clone: ruff, mypy, lint-imports, then pytest, in that order;
    mypy comes with the ``test`` extra the Makefile installs."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    commands = [line.split() for line in recipe.splitlines()[1:] if line.strip()]
    tools = [c[2] if c[1:2] == ["-m"] else c[0].rsplit("/", 1)[-1] for c in commands]
    assert tools == ["ruff", "mypy", "lint-imports", "pytest"], recipe
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    extra = pyproject.split("\ntest = [", 1)[1].split("]", 1)[0]
    assert '"mypy' in extra
    assert "[tool.mypy]" in pyproject


def _guarded_imports(path: Path) -> list[str]:
    """Imports inside ``try`` blocks that catch ImportError (alone or in a tuple)."""
    found = []
    for node in ast.walk(tree(path)):
        if not isinstance(node, ast.Try):
            continue
        caught = {
            name.id
            for handler in node.handlers
            if handler.type is not None
            for name in ast.walk(handler.type)
            if isinstance(name, ast.Name)
        }
        if not caught & {"ImportError", "ModuleNotFoundError"}:
            continue
        for inner in ast.walk(ast.Module(body=node.body, type_ignores=[])):
            if isinstance(inner, ast.ImportFrom) and inner.module:
                module = inner.module
            elif isinstance(inner, ast.Import):
                module = inner.names[0].name
            elif isinstance(inner, ast.Call) and ast.unparse(inner.func).endswith("import_module"):
                module = "importlib"
            else:
                continue
            if module.split(".")[0] not in OPTIONAL:
                found.append(f"{path.relative_to(ROOT)}:{inner.lineno} {module}")
    return found


def test_no_import_guards_around_modules_that_ship_with_kodeverk() -> None:
    """A broken install fails loudly instead of a wrong «not available» message."""
    guarded = [g for path in product_modules() for g in _guarded_imports(path)]
    assert guarded == []


# `kodeverk browse` hands Datasette its canned queries: SQL the user's browser runs, not ours.
SQL_ALLOWED = {"tui/commands/browse.py"}
SQL_CALL = re.compile(r"\.(execute|executemany|executescript)\(")
SQL_TEXT = re.compile(r"\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b")


def test_tui_runs_no_sql() -> None:
    """Screens and commands read and write through the domain's functions."""
    offending = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "tui").rglob("*.py"))
        if str(path.relative_to(ROOT)) not in SQL_ALLOWED
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SQL_CALL.search(line) or SQL_TEXT.search(line)
    ]
    assert offending == []


def _documented_modules() -> set[str]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    return set(re.findall(r"`((?:tui|coding|corpus|codebooks|exports)/[\w/]+\.py)`", text))


def test_architecture_page_lists_modules_that_exist() -> None:
    missing = sorted(m for m in _documented_modules() if not (ROOT / m).is_file())
    assert missing == []


def test_architecture_page_lists_every_module() -> None:
    listed = _documented_modules()
    unlisted = [
        str(p.relative_to(ROOT))
        for p in product_modules()
        if p.name != "__init__.py" and str(p.relative_to(ROOT)) not in listed
    ]
    assert unlisted == []


def test_xlsx_is_read_with_defusedxml_even_when_the_environment_turns_it_off(
    tmp_path: Path,
) -> None:
    """defusedxml earns its place: openpyxl parses every .xlsx we read through it, and
    ``OPENPYXL_DEFUSEDXML=False`` does not switch that off for untrusted files."""
    book = openpyxl.Workbook()
    book.active.append(["svar", "kommune"])
    book.active.append(["ja", "Vadsø"])
    plain = tmp_path / "plain.xlsx"
    book.save(plain)
    hostile = tmp_path / "entities.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(hostile, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY a "aaaa">]><worksheet', 1
                )
            target.writestr(name, data)
    script = (
        "import sys\nfrom pathlib import Path\nfrom coding.errors import InputError\n"
        "from corpus.tables import read_table\n"
        "try:\n    read_table(Path(sys.argv[1]))\nexcept InputError as exc:\n"
        "    print(exc)\n    sys.exit(1)\nprint('read')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENPYXL_DEFUSEDXML": "False"}
    done = subprocess.run(
        [sys.executable, "-c", script, str(hostile)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert str(hostile) in done.stdout and "defusedxml" in done.stdout
