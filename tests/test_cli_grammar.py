"""One command-line grammar (issue 12, item 3), checked over the whole click tree so that a new
command is covered (or the test names it and says what to add):

- every command that prints a result takes ``--json`` and prints one valid JSON document;
- every command that writes a file takes ``-o/--output``; old spellings still work, with a notice;
- ``--coder`` is who you are; whose codings count is ``--codings-of`` (old ``--coder`` a notice);
- options that exclude each other, and bad values, exit 2 and leave the project unchanged;
- docs/cli.md and the README's command list are what ``make docs`` generates from ``--help``.
"""

from __future__ import annotations

import csv
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from tests.conftest import table_dump
from tests.inprocess import run_inprocess

NOTICE = "the old spelling still works"

# Commands that run until stopped and print no result (so no --json).
NO_RESULT = {"kodeverk open", "kodeverk serve", "kodeverk browse"}

P = "PROJECT"  # placeholder for the project path; "OUT" for a fresh output path in tmp_path

# How to run each command so that it prints a result with --json: the test fails for a command
# missing here, so a new command gets a row. "OUT.ext" becomes a new file in tmp_path.
RESULT_ARGS: dict[str, list[str]] = {
    "kodeverk agreement": [P],
    "kodeverk anonymise": [P],
    "kodeverk cases label": [P, "size_class", "Kommunestørrelse"],
    "kodeverk suggest evaluate": [P, "--from", "anne", "--folds", "2"],
    "kodeverk suggest list": [P, "--from", "anne", "--top", "1"],
    "kodeverk backup": [P, "-o", "OUT.kodeverk"],
    "kodeverk cases import": [P, "CASES.csv"],
    "kodeverk cases link": [P, "--document", "1", "--case", "Sandnes"],
    "kodeverk cases list": [P],
    "kodeverk check": [P],
    "kodeverk codebook export": [P, "-o", "OUT.qdc"],
    "kodeverk codebook import": [P, "CODEBOOK.qdc"],
    "kodeverk codebook show": [P],
    "kodeverk codings export": [P, "-o", "OUT.csv"],
    "kodeverk codings import": [P, "CODINGS.csv"],
    "kodeverk copy": [P, "-o", "OUT.kodeverk", "--coder", "anne"],
    "kodeverk demo": ["OUT.kodeverk"],
    "kodeverk documents": [P],
    "kodeverk export": [P, "-o", "OUT.csv"],
    "kodeverk goals": [P],
    "kodeverk import": [P, "INTERVIEW.txt"],
    "kodeverk info": [P],
    "kodeverk init": ["OUT.kodeverk"],
    "kodeverk log": [P],
    "kodeverk matrix": [P],
    "kodeverk merge": [P, "COPY.kodeverk"],
    "kodeverk prevalence": [P, "--by", "size_class"],
    "kodeverk users add": [P, "nina", "--password-stdin"],
    "kodeverk users list": [P],
    "kodeverk users passwd": [P, "NINA", "--password-stdin"],
    "kodeverk users remove": [P, "NINA"],
}

# Commands that write a file other than PROJECT, with the suffix of a file they can write.
WRITERS = {
    "kodeverk agreement": ".csv",
    "kodeverk backup": ".kodeverk",
    "kodeverk codebook export": ".qdc",
    "kodeverk codings export": ".csv",
    "kodeverk copy": ".kodeverk",
    "kodeverk export": ".docx",
    "kodeverk goals": ".xlsx",
    "kodeverk matrix": ".xlsx",
    "kodeverk prevalence": ".xlsx",
}
# Commands whose only file is PROJECT (created, changed or read) or none at all.
NOT_WRITERS = set(RESULT_ARGS) - set(WRITERS) | NO_RESULT


def leaf_commands() -> dict[str, tuple[click.Command, click.Context]]:
    from tui.clidoc import root_context, walk

    cli, ctx = root_context()
    return {
        sub_ctx.command_path: (command, sub_ctx)
        for command, sub_ctx in walk(cli, ctx)
        if not isinstance(command, click.Group)
    }


def option_names(command: click.Command) -> set[str]:
    return {
        name
        for p in command.params
        if isinstance(p, click.Option) and not p.hidden
        for name in p.opts
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from corpus.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.kodeverk"
    build_demo(path)
    return path


@pytest.fixture
def project(demo: Path, tmp_path: Path) -> Path:
    path = tmp_path / "p.kodeverk"
    shutil.copyfile(demo, path)
    return path


def cli(capsys, *args: object):
    return run_inprocess(capsys, *args)


# -- the tree is fully classified ----------------------------------------------------------------
def test_every_command_is_classified():
    unknown = set(leaf_commands()) - set(RESULT_ARGS) - NO_RESULT
    assert not unknown, (
        f"new command(s) {sorted(unknown)}: give them --json (tui.options.json_option) and a "
        "row in RESULT_ARGS, or add them to NO_RESULT if they run until stopped"
    )


def test_every_command_that_prints_a_result_has_json():
    missing = [
        name
        for name, (command, _) in leaf_commands().items()
        if name not in NO_RESULT and "--json" not in option_names(command)
    ]
    assert not missing, f"commands without --json: {missing}"


def test_every_command_that_writes_a_file_has_output():
    commands = leaf_commands()
    missing = [name for name in WRITERS if {"-o", "--output"} - option_names(commands[name][0])]
    assert not missing, f"commands that write a file without -o/--output: {missing}"
    stray = {  # visible options that name an output file some other way
        name: opt
        for name, (command, _) in commands.items()
        for opt in option_names(command)
        if opt in ("--csv", "--xlsx", "--out", "--dest", "--file")
    }
    assert not stray, f"output files named other than -o/--output: {stray}"


def test_coder_only_means_who_i_am():
    """--coder is visible only where it names who you are; nowhere is it «whose codings»."""
    for name, (command, _) in leaf_commands().items():
        for param in command.params:
            if isinstance(param, click.Option) and "--coder" in param.opts and not param.hidden:
                assert (
                    "your" in (param.help or "").lower() or "who" in (param.help or "").lower()
                ), f"{name}: --coder must mean who you are: {param.help}"
                assert not isinstance(param.default, str), (
                    f"{name}: --coder defaults to you, not {param.default}"
                )


# -- every --json prints valid JSON --------------------------------------------------------------
def _inputs(project: Path, tmp_path: Path, capsys) -> dict[str, Path]:
    """Files that the commands read: built by the test, from the project itself where it can."""
    cases = tmp_path / "cases.csv"
    cases.write_text("kommune,innbyggere\nSandnes,76300\n", encoding="utf-8")
    interview = tmp_path / "intervju_ny.txt"
    interview.write_text("Intervjuer: Hva er viktig?\nInformant: Bolig først.\n", encoding="utf-8")
    codebook = tmp_path / "codebook.qdc"
    codings = tmp_path / "codings.csv"
    copy = tmp_path / "copy.kodeverk"
    for args in (
        ["codebook", "export", project, "-o", codebook],
        ["codings", "export", project, "-o", codings],
        ["copy", project, "-o", copy, "--coder", "anne"],
    ):
        assert cli(capsys, *args).returncode == 0, args
    return {
        "CASES.csv": cases,
        "INTERVIEW.txt": interview,
        "CODEBOOK.qdc": codebook,
        "CODINGS.csv": codings,
        "COPY.kodeverk": copy,
    }


@pytest.mark.parametrize("name", sorted(RESULT_ARGS))
def test_json_is_valid(name, project, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", _Lines("hemmelig-passord-1\n"))
    inputs = _inputs(project, tmp_path, capsys) if name != "kodeverk users add" else {}
    if name in ("kodeverk users passwd", "kodeverk users remove"):
        monkeypatch.setattr("sys.stdin", _Lines("hemmelig-passord-1\n"))
        cli(capsys, "users", "add", project, "nina", "--password-stdin")
    args = [_arg(a, project, tmp_path, inputs) for a in RESULT_ARGS[name]]
    words = name.split()[1:]
    done = cli(capsys, *words, *args, "--json")
    assert done.returncode == 0, done.stderr
    json.loads(done.stdout)  # one JSON document, nothing else on stdout


class _Lines:
    def __init__(self, text: str) -> None:
        self.text = text

    def readline(self) -> str:
        return self.text


def _arg(arg: str, project: Path, tmp_path: Path, inputs: dict[str, Path]) -> str:
    if arg == P:
        return str(project)
    if arg == "NINA":
        return "nina"
    if arg.startswith("OUT"):
        return str(tmp_path / ("out" + arg.removeprefix("OUT")))
    return str(inputs.get(arg, arg))


# -- every writer writes with -o -----------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(WRITERS))
def test_output_option_writes_the_file(name, project, tmp_path, capsys):
    out = tmp_path / f"written{WRITERS[name]}"
    extra = {
        "kodeverk prevalence": ["--by", "size_class"],
        "kodeverk copy": ["--coder", "anne"],
    }.get(name, [])
    done = cli(capsys, *name.split()[1:], project, "-o", out, *extra)
    assert done.returncode == 0, done.stderr
    assert out.is_file() and out.stat().st_size > 0
    assert NOTICE not in done.stderr


# -- old spellings still work, with a notice -----------------------------------------------------
OLD_SPELLINGS: dict[str, Callable[[Path, Path], list[object]]] = {
    "agreement --csv": lambda p, o: ["agreement", p, "--csv", o],
    "prevalence --csv": lambda p, o: ["prevalence", p, "--by", "size_class", "--csv", o],
    "prevalence --xlsx": lambda p, o: ["prevalence", p, "--by", "size_class", "--xlsx", o],
    "copy OUT": lambda p, o: ["copy", p, o, "--coder", "anne"],
    "backup DEST": lambda p, o: ["backup", p, o],
    "codings export FILE": lambda p, o: ["codings", "export", p, o],
    "codebook export FILE": lambda p, o: ["codebook", "export", p, o],
}


OLD_SUFFIXES = {
    "prevalence --xlsx": ".xlsx",
    "copy OUT": ".kodeverk",
    "backup DEST": ".kodeverk",
    "codebook export FILE": ".qdc",
}


@pytest.mark.parametrize("spelling", sorted(OLD_SPELLINGS))
def test_old_output_spellings_still_work(spelling, project, tmp_path, capsys):
    out = tmp_path / ("old" + OLD_SUFFIXES.get(spelling, ".csv"))
    args = OLD_SPELLINGS[spelling](project, out)
    done = cli(capsys, *args)
    assert done.returncode == 0, done.stderr
    assert out.is_file()
    if spelling.split()[-1].isupper():  # positional: kept, documented as the alternative
        return
    assert done.stderr.count(NOTICE) == 1, done.stderr
    assert f"{spelling.split()[-1]} is now -o/--output" in done.stderr


def test_prevalence_format_from_suffix_or_option(project, tmp_path, capsys):
    out = tmp_path / "tabell.dat"
    done = cli(capsys, "prevalence", project, "--by", "size_class", "-o", out, "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].count(",") >= 2
    xlsx = tmp_path / "tabell.xlsx"
    assert cli(capsys, "prevalence", project, "--by", "size_class", "-o", xlsx).returncode == 0
    assert xlsx.read_bytes()[:2] == b"PK"


# -- --coder is who I am; --codings-of is whose codings ------------------------------------------
def _coders_in_csv(path: Path) -> set[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    column = next(c for c in rows[0] if c.lower() in ("coder", "koder"))
    return {row[column] for row in rows}


def test_export_codings_of(project, tmp_path, capsys):
    everyone = tmp_path / "all.csv"
    assert cli(capsys, "export", project, "-o", everyone).returncode == 0
    assert _coders_in_csv(everyone) == {"anne", "bjorn"}
    new = tmp_path / "anne.csv"
    done = cli(capsys, "export", project, "--codings-of", "anne", "-o", new)
    assert done.returncode == 0 and NOTICE not in done.stderr, done.stderr
    assert _coders_in_csv(new) == {"anne"}


def test_export_old_coder_is_whose_codings_with_a_notice(project, tmp_path, capsys):
    old = tmp_path / "bjorn.csv"
    done = cli(capsys, "export", project, "--coder", "bjorn", "-o", old)
    assert done.returncode == 0, done.stderr
    assert "--coder is now --codings-of; the old spelling still works" in done.stderr
    notices = [line for line in done.stderr.splitlines() if line.startswith("kodeverk:")]
    assert len(notices) == 1  # once (a small-cell warning may follow: issue 15)
    assert _coders_in_csv(old) == {"bjorn"}


@pytest.mark.parametrize(
    "args",
    [
        ["prevalence", "PROJECT", "--by", "size_class", "--json"],
        ["matrix", "PROJECT", "--json"],
        ["goals", "PROJECT", "--json"],
        ["codebook", "show", "PROJECT", "--json"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_old_coder_equals_codings_of(args, project, capsys):
    argv = [project if a == "PROJECT" else a for a in args]
    new = cli(capsys, *argv, "--codings-of", "anne")
    old = cli(capsys, *argv, "--coder", "anne")
    other = cli(capsys, *argv, "--codings-of", "bjorn")
    assert new.returncode == old.returncode == 0, old.stderr
    assert json.loads(new.stdout) == json.loads(old.stdout) != json.loads(other.stdout)
    assert "--coder is now --codings-of" in old.stderr and NOTICE not in new.stderr


def test_log_changes_by(project, capsys):
    cli(capsys, "codings", "import", project, "/dev/null")  # nothing; the demo has events anyway
    new = cli(capsys, "log", project, "--changes-by", "anne", "--limit", "0", "--json")
    old = cli(capsys, "log", project, "--coder", "anne", "--limit", "0", "--json")
    assert new.returncode == old.returncode == 0
    assert json.loads(new.stdout) == json.loads(old.stdout)
    assert "--coder is now --changes-by" in old.stderr


def test_given_both_spellings_differently_is_a_usage_error(project, tmp_path, capsys):
    before = table_dump(project)
    done = cli(capsys, "export", project, "--coder", "anne", "--codings-of", "bjorn", "-o",
               tmp_path / "x.csv")  # fmt: skip
    assert done.returncode == 2 and "not both" in done.stderr
    assert table_dump(project) == before


# -- usage errors exit 2 -------------------------------------------------------------------------
USAGE_ERRORS: dict[str, list[object]] = {
    "prevalence --weights --population": [
        "prevalence", "PROJECT", "--by", "size_class", "--weights", "liten=1",
        "--population", "POPULATION",
    ],
    "init --codebook --no-codebook": ["init", "NEW", "--codebook", "CODEBOOK", "--no-codebook"],
    "cases link FILE --document": ["cases", "link", "PROJECT", "LINKS", "--document", "1"],
    "cases link --document only": ["cases", "link", "PROJECT", "--document", "1"],
    "matrix --rows case without --case-names": ["matrix", "PROJECT", "--rows", "case"],
    "export unknown suffix": ["export", "PROJECT", "-o", "OUT.pdf"],
    "export no -o": ["export", "PROJECT"],
    "matrix unknown suffix": ["matrix", "PROJECT", "-o", "OUT.pdf"],
    "goals unknown suffix": ["goals", "PROJECT", "-o", "OUT.pdf"],
    "prevalence unknown suffix": ["prevalence", "PROJECT", "--by", "size_class", "-o", "OUT.pdf"],
    "prevalence --format without -o": ["prevalence", "PROJECT", "--by", "size_class",
                                       "--format", "csv"],
    "copy OUT and -o": ["copy", "PROJECT", "OUT.a", "-o", "OUT.b", "--coder", "anne"],
    "copy without output": ["copy", "PROJECT", "--coder", "anne"],
    "agreement -o and --csv": ["agreement", "PROJECT", "-o", "OUT.a", "--csv", "OUT.b"],
    "import --dry-run .qdpx": ["import", "PROJECT", "QDPX", "--dry-run"],
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(USAGE_ERRORS))
def test_usage_errors_exit_2(case, project, tmp_path, capsys):
    population = tmp_path / "population.csv"
    population.write_text("liten,230\n", encoding="utf-8")
    links = tmp_path / "links.csv"
    links.write_text("document,case\n1,Sandnes\n", encoding="utf-8")
    codebook = tmp_path / "codebook.qdc"
    assert cli(capsys, "codebook", "export", project, "-o", codebook).returncode == 0
    qdpx = tmp_path / "p.qdpx"
    qdpx.write_bytes(b"PK\x05\x06" + b"\0" * 18)
    names = {"PROJECT": project, "POPULATION": population, "LINKS": links,
             "CODEBOOK": codebook, "NEW": tmp_path / "new.kodeverk", "QDPX": qdpx}  # fmt: skip
    args = [names.get(a, a) if isinstance(a, str) else a for a in USAGE_ERRORS[case]]
    args = [tmp_path / a if isinstance(a, str) and a.startswith("OUT.") else a for a in args]
    before = table_dump(project)
    done = cli(capsys, *args)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.startswith("kodeverk: usage: "), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, "one line, like every other error"
    assert table_dump(project) == before
    assert not (tmp_path / "new.kodeverk").exists()
    assert not any(p.name.startswith("OUT.") for p in tmp_path.iterdir())


# -- help written once; docs generated from it ---------------------------------------------------
def test_commands_are_registered_without_summaries():
    from tui.cli import COMMANDS
    from tui.commands.codebook import codebook_group

    for table in (COMMANDS, codebook_group.lazy_commands):
        tuples = [name for name, target in table.items() if not isinstance(target, str)]
        assert not tuples, f"{tuples}: give only 'module:attr'; the summary is the docstring's"


def test_lazy_summaries_are_the_commands_own():
    """`kodeverk --help` reads summaries from the source; they equal click's from the command."""
    from tui.cli import cli as root
    from tui.clidoc import context

    for group in [root, *(root.get_command(None, n) for n in root.lazy_commands)]:
        if not hasattr(group, "lazy_commands"):
            continue
        ctx = context(group, group.name or "kodeverk", None)
        for name in group.lazy_commands:
            loaded = group.get_command(ctx, name).get_short_help_str(60)
            assert group.summary(ctx, name, 60) == loaded, name


def test_help_summaries_are_whole_sentences(capsys):
    """Each command's summary (first sentence of its docstring) fits the list, not cut off."""
    from tui.clidoc import readme_list, root_context, walk

    cli_, ctx = root_context()
    for command, sub_ctx in walk(cli_, ctx):
        if isinstance(command, click.Group):
            text = command.get_help(sub_ctx)
            listing = text.split("Commands:")[1]
            assert "..." not in listing, f"{sub_ctx.command_path}: a summary is cut off"
    assert readme_list().count("\n") + 1 == len(list(walk(cli_, ctx))) - 1


def test_docs_match_help():
    from tui.clidoc import main

    assert main(["--check"]) == 0, "docs/cli.md or README.md is stale: run `make docs`"
