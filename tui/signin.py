"""Signing in at the terminal: once a project has accounts, the coder's name needs its password
and the account's role applies (the same rule as the team server, ``accounts.can``)."""

from __future__ import annotations

import sys

import click

from coding.accounts import AccountError, can, get_user, has_accounts, sign_in
from coding.store import Project


def terminal_role(project: Project, name: str) -> str | None:
    """The role of ``name`` after asking for their password; ``None`` when the project has no
    accounts (everyone may do everything, as before)."""
    if not has_accounts(project):
        return None
    if get_user(project, name) is None:
        raise AccountError(
            f"{project.path} has accounts and {name!r} is not one of them "
            "(pass --coder NAME; a lead adds accounts with `kodeverk users add`)"
        )
    if sys.stdin.isatty():
        password = click.prompt(f"Password for {name}", hide_input=True, err=True)
    else:  # scripts and tests: one line of standard input
        password = sys.stdin.readline().rstrip("\r\n")
    result = sign_in(project, name, password, where="terminal")
    if result.user is None:
        raise AccountError(f"{name}: {result.reason}")
    return result.user.role


def require(project: Project, name: str, action: str) -> str | None:
    """Sign ``name`` in and refuse ``action`` when their role may not do it."""
    role = terminal_role(project, name)
    if not can(role, action):
        raise AccountError(f"{name} is a coder: only a lead may use {action} in {project.path}")
    return role


def require_lead_at_terminal(project: Project, action: str) -> None:
    """For commands with no coder of their own (agreement, export, prevalence): when the project
    has accounts, the person at the terminal ($KODEVERK_CODER, then the login name) signs in
    and must be a lead."""
    if has_accounts(project):
        from tui.coder import resolve_coder

        require(project, resolve_coder(None), action)
