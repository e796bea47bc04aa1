"""The ``kodeverk`` command line. Each command lives in ``tui/commands/<module>.py``."""

from __future__ import annotations

import sys

import click

from coding.errors import KodeverkError, damaged_file
from tui.lazy import LazyGroup

COMMANDS = {
    "init": (
        "tui.commands.project:init_command",
        "Create a project file with the bundled (or a given) codebook.",
    ),
    "info": (
        "tui.commands.project:info_command",
        "Counts of documents, segments, cases, codes, codings, coders and attributes.",
    ),
    "documents": (
        "tui.commands.project:documents_command",
        "List documents with id, name, kind, case, segments and length.",
    ),
    "demo": ("tui.commands.project:demo_command", "Build the bundled demo project."),
    "import": (
        "tui.commands.importing:import_command",
        "Import transcripts (.txt .md .docx .vtt .srt), survey tables (.csv .xlsx) or .qdpx.",
    ),
    "cases": (
        "tui.commands.cases:cases_group",
        "Case (municipality) attributes: import from a table.",
    ),
    "codebook": ("tui.commands.codebook:codebook_group", "Show, export and import the codebook."),
    "codings": (
        "tui.commands.codings:codings_group",
        "Import and export codings as CSV (coding without the app).",
    ),
    "anonymise": (
        "tui.commands.anonymise:anonymise_command",
        "Mark names in quotes to be replaced in every export; --suggest lists likely ones.",
    ),
    "open": ("tui.commands.open:open_command", "Open the coding app."),
    "agreement": (
        "tui.commands.agreement:agreement_command",
        "Coder agreement per code: percent, kappa, alpha.",
    ),
    "suggest": (
        "tui.commands.suggest:suggest_group",
        "Codes learned from a coder's codings, proposed for uncoded answers; and their accuracy.",
    ),
    "prevalence": (
        "tui.commands.prevalence:prevalence_command",
        "Theme prevalence by municipality type or any case attribute.",
    ),
    "matrix": (
        "tui.commands.matrix:matrix_command",
        "Framework matrix: cases or groups × goals or codes, counts and summaries.",
    ),
    "goals": (
        "tui.commands.matrix:goals_command",
        "Goal attainment: rating, assessment and evidence for each of the five goals.",
    ),
    "export": (
        "tui.commands.export:export_command",
        "Export coded quotes and tables (docx, md, html, csv, xlsx, qdpx).",
    ),
    "copy": ("tui.commands.team:copy_command", "Make a coder's working copy of a project."),
    "merge": ("tui.commands.team:merge_command", "Merge coder copies back into the project."),
    "backup": (
        "tui.commands.team:backup_command",
        "Make a consistent backup while others keep working.",
    ),
    "log": ("tui.commands.team:log_command", "List the audit trail: who changed what, when."),
    "users": (
        "tui.commands.users:users_group",
        "Accounts for the team server: add, list, passwd, remove.",
    ),
    "serve": (
        "tui.commands.serve:serve_command",
        "Serve the coding app to browsers (sign-in required; localhost by default).",
    ),
    "check": (
        "tui.commands.team:check_command",
        "Check the project file's integrity and kodeverk's invariants.",
    ),
    "browse": (
        "tui.commands.browse:browse_command",
        "Open the project read-only in Datasette (pip install 'kodeverk[browse]').",
    ),
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
