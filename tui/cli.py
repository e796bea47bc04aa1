"""The ``kodeverk`` command line. Each command lives in ``tui/commands/<module>.py``."""

from __future__ import annotations

import sys

import click

from coding.errors import KodeverkError, damaged_file
from tui.lazy import LazyGroup

COMMANDS = {
    "init": "tui.commands.project:init_command",
    "info": "tui.commands.project:info_command",
    "documents": "tui.commands.project:documents_command",
    "demo": "tui.commands.project:demo_command",
    "import": "tui.commands.importing:import_command",
    "cases": "tui.commands.cases:cases_group",
    "codebook": "tui.commands.codebook:codebook_group",
    "codings": "tui.commands.codings:codings_group",
    "anonymise": "tui.commands.anonymise:anonymise_command",
    "open": "tui.commands.open:open_command",
    "agreement": "tui.commands.agreement:agreement_command",
    "suggest": "tui.commands.suggest:suggest_group",
    "prevalence": "tui.commands.prevalence:prevalence_command",
    "matrix": "tui.commands.matrix:matrix_command",
    "goals": "tui.commands.matrix:goals_command",
    "export": "tui.commands.export:export_command",
    "copy": "tui.commands.team:copy_command",
    "merge": "tui.commands.team:merge_command",
    "backup": "tui.commands.team:backup_command",
    "log": "tui.commands.team:log_command",
    "users": "tui.commands.users:users_group",
    "serve": "tui.commands.serve:serve_command",
    "check": "tui.commands.team:check_command",
    "browse": "tui.commands.browse:browse_command",
}


@click.group(
    cls=LazyGroup, lazy_commands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(package_name="kodeverk")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """kodeverk: qualitative coding of interviews and survey answers in the terminal.

    Start with `kodeverk init PROJECT`, bring material in with `kodeverk import`, and code it
    with `kodeverk open PROJECT`. Every command has --help.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug
    from coding.store import on_lock_wait

    on_lock_wait(_say_waiting)


def _say_waiting(seconds: float) -> None:
    click.echo(
        f"kodeverk: waiting for the write lock ({seconds:.0f} s): another kodeverk is writing "
        "to the project…",
        err=True,
    )


def main(argv: list[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and a non-zero exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        cli.main(args=args, prog_name="kodeverk", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("kodeverk: aborted", err=True)
        sys.exit(130)
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.UsageError as exc:  # exit 2, one line like every other error
        where = exc.ctx.command_path if exc.ctx else "kodeverk"
        click.echo(f"kodeverk: usage: {exc.format_message()} (see `{where} --help`)", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KodeverkError as exc:
        if debug:
            raise
        click.echo(f"kodeverk: error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo("kodeverk: interrupted; everything committed so far is saved", err=True)
        sys.exit(130)
    except Exception as exc:  # last line of defence: never a raw traceback
        if debug:
            raise
        if damaged_file(exc):
            click.echo(
                f"kodeverk: error: the project file is damaged ({exc}); run `kodeverk check` "
                "or restore a backup",
                err=True,
            )
            sys.exit(1)
        click.echo(
            f"kodeverk: internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
            err=True,
        )
        sys.exit(70)


if __name__ == "__main__":
    main()
