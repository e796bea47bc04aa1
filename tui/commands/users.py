"""`kodeverk users add | list | passwd | remove`: accounts for `kodeverk serve` (and the
terminal, once a project has any)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tui.commands.project import JSON, echo_json, open_project, print_table
from tui.options import PROJECT, choice_option

PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input (for scripts).",
)


def read_new_password(from_stdin: bool) -> str:
    """A new password: typed twice (hidden), or one line of stdin."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.group("users")
def users_group() -> None:
    """Accounts (name, role, password) for the team server. Passwords are kept only as salted
    scrypt hashes in the project file, never in copies or exports."""


@users_group.command("add")
@PROJECT
@click.argument("name")
@choice_option(
    "--role",
    ["coder", "lead"],
    help="A coder works blind on their own codings; a lead may also review, compare coders, "
    "edit the codebook and export.",
)
@PASSWORD_STDIN
@JSON
def add_command(project: Path, name: str, role: str, password_stdin: bool, as_json: bool) -> None:
    """Add the account NAME to PROJECT (asks for its password)."""
    from coding.accounts import add_user, check_name

    check_name(name)
    password = read_new_password(password_stdin)
    with open_project(project) as opened:
        add_user(opened, name, password, role)
    if as_json:
        echo_json({"added": name, "role": role})
    else:
        click.echo(f"Added {name} ({role}) to {project}.")


@users_group.command("list")
@PROJECT
@JSON
def list_command(project: Path, as_json: bool) -> None:
    """List the accounts of PROJECT and their state.

    List the accounts of PROJECT: name, role, failed sign-ins, locked until."""
    from coding.accounts import list_users

    with open_project(project) as opened:
        users = list_users(opened)
    rows = [
        {"name": u.name, "role": u.role, "failures": u.failures, "locked_until": u.locked_until}
        for u in users
    ]
    if as_json:
        echo_json(rows)
    elif not rows:
        click.echo("No accounts: anyone may open the project as any coder.")
    else:
        print_table(
            f"Accounts in {project}",
            ["Name", "Role", "Failures", "Locked until"],
            [[r["name"], r["role"], str(r["failures"]), r["locked_until"] or ""] for r in rows],
        )


@users_group.command("passwd")
@PROJECT
@click.argument("name")
@PASSWORD_STDIN
@JSON
def passwd_command(project: Path, name: str, password_stdin: bool, as_json: bool) -> None:
    """Set a new password for NAME (also unlocks the account)."""
    from coding.accounts import set_password

    password = read_new_password(password_stdin)
    with open_project(project) as opened:
        set_password(opened, name, password)
    if as_json:
        echo_json({"changed": name})
    else:
        click.echo(f"Changed the password of {name}.")


@users_group.command("remove")
@PROJECT
@click.argument("name")
@JSON
def remove_command(project: Path, name: str, as_json: bool) -> None:
    """Remove the account NAME (their codings stay)."""
    from coding.accounts import remove_user

    with open_project(project) as opened:
        remove_user(opened, name)
    if as_json:
        echo_json({"removed": name})
    else:
        click.echo(f"Removed the account {name}; their codings stay in the project.")
