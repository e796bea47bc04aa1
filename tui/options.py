"""Options shared by every ``kodeverk`` command, so the command line has one grammar.

- ``-o/--output PATH`` for every file a command writes (other than the PROJECT it works on);
- ``--json`` on every command that prints a result;
- ``--coder NAME`` always means who you are; whose codings count is ``--codings-of``;
- usage mistakes (options that exclude each other, a bad value) exit 2, via click.UsageError.

Old spellings stay accepted as hidden options that print a one-line notice on stderr.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

OUTPUT_PATH = click.Path(dir_okay=False, path_type=Path)
PROJECT = click.argument("project", type=click.Path(dir_okay=False, path_type=Path))


def shown_option(*decls: str, **attrs: Any) -> Callable:
    """An option whose --help shows its default (``[default: …]``)."""
    return click.option(*decls, show_default=True, **attrs)


def choice_option(name: str, choices: Sequence[str], help: str, **attrs: Any) -> Callable:
    """``name`` takes one of ``choices``, the first by default (shown in --help)."""
    return shown_option(name, type=click.Choice(choices), default=choices[0], help=help, **attrs)


def flag_option(*decls: str, help: str, **attrs: Any) -> Callable:
    """An on/off option (``is_flag``)."""
    return click.option(*decls, is_flag=True, help=help, **attrs)


def notice(old: str, new: str) -> None:
    click.echo(f"kodeverk: {old} is now {new}; the old spelling still works", err=True)


def renamed(old: str, new: str, dest: str, unset: Any = None, **attrs: Any) -> Callable:
    """A hidden option ``old`` that fills the parameter ``dest`` of the new spelling ``new``.

    Giving both spellings with different values is a usage error (exit 2).
    """
    hidden_name = "legacy_" + old.lstrip("-").replace("-", "_")

    def decorator(f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            value = kwargs.pop(hidden_name)
            if value is not None:
                current = kwargs.get(dest)
                if current not in (None, unset) and current != value:
                    raise click.UsageError(f"give {new} or the old {old}, not both")
                notice(old, new)
                kwargs[dest] = value
            return f(*args, **kwargs)

        return click.option(old, hidden_name, hidden=True, default=None, **attrs)(wrapper)

    return decorator


def output_option(
    help: str = "Write to this file.", legacy: tuple[str, ...] = (), type: Any = OUTPUT_PATH
) -> Callable:
    """``-o/--output PATH`` (the parameter ``output``), with old spellings as hidden aliases."""

    def decorator(f: Callable) -> Callable:
        for old in legacy:
            f = renamed(old, "-o/--output", "output", type=type)(f)
        return click.option("-o", "--output", "output", type=type, metavar="PATH", help=help)(f)

    return decorator


def positional_output(name: str, type: Any = OUTPUT_PATH) -> Callable:
    """The old positional output argument ``name``, kept optional beside ``-o/--output``."""

    def decorator(f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs["output"] = either_output(kwargs.pop(name), kwargs.get("output"), name.upper())
            return f(*args, **kwargs)

        return click.argument(name, required=False, type=type)(wrapper)

    return decorator


def either_output(positional: Path | None, option: Path | None, metavar: str) -> Path | None:
    if positional is not None and option is not None and positional != option:
        raise click.UsageError(f"give {metavar} or -o/--output, not both")
    return option if option is not None else positional


def require_output(output: Path | None) -> Path:
    if output is None:
        raise click.UsageError("missing the output file: give -o/--output PATH")
    return output


def json_option(help: str = "Print the result as JSON.") -> Callable:
    return click.option("--json", "as_json", is_flag=True, help=help)


def lang_option(help: str) -> Callable:
    """``--lang nb|en`` (default nb): the language of what the command writes or prints."""
    return click.option(
        "--lang", type=click.Choice(["nb", "en"]), default="nb", show_default=True, help=help
    )


def format_option(
    formats: tuple[str, ...], help: str = "Output format (default: from the output file's suffix)."
) -> Callable:
    """``--format`` (the parameter ``fmt``) for ``-o/--output``; see ``format_from_suffix``."""
    return click.option("--format", "fmt", type=click.Choice(formats), help=help)


def coder_option(help: str = "") -> Callable:
    """Who you are: ``--coder``, then $KODEVERK_CODER, then your login name (tui/coder.py)."""
    return click.option(
        "--coder",
        metavar="NAME",
        help=help or "Your name as coder (default: $KODEVERK_CODER, then your login name).",
    )


def codings_of_option(default: str | None = "any", help: str | None = None) -> Callable:
    """Whose codings count: ``--codings-of NAME|any|consensus``; the old ``--coder`` still works."""
    text = help or "Whose codings count: a coder's name, «consensus», or «any»."

    def decorator(f: Callable) -> Callable:
        f = renamed("--coder", "--codings-of", "codings_of", unset=default, metavar="NAME")(f)
        return click.option(
            "--codings-of",
            "codings_of",
            metavar="NAME",
            default=default,
            show_default=default is not None,
            help=text,
        )(f)

    return decorator


def exclusive(**given: Any) -> None:
    """Usage error (exit 2) when more than one of the named options was given."""
    named = [name for name, value in given.items() if value not in (None, False, ())]
    if len(named) > 1:
        spelled = [f"--{name.replace('_', '-')}" for name in named]
        raise click.UsageError(f"give either {' or '.join(spelled)}, not both")


def format_from_suffix(output: Path, fmt: str | None, formats: tuple[str, ...]) -> str:
    """``--format`` or the output's suffix; neither known is a usage error (exit 2)."""
    chosen = fmt or output.suffix.lower().lstrip(".")
    if chosen not in formats:
        raise click.BadParameter(
            f"{output}: cannot tell the format from the suffix; give --format "
            f"({', '.join(formats)})",
            param_hint="'-o/--output'",
        )
    return chosen
