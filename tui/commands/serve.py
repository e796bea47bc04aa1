"""`kodeverk serve PROJECT`: the coding app for browsers, behind a sign-in."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from tui.options import PROJECT, flag_option, shown_option


@click.command("serve")
@PROJECT
@shown_option(
    "--host",
    default="127.0.0.1",
    help="Address to listen on. Only this machine by default; for a team, keep it and put a "
    "TLS reverse proxy (Caddy, nginx) in front (see the README).",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@shown_option(
    "--session-hours",
    default=8.0,
    type=click.FloatRange(min=0, min_open=True),
    help="A sign-in lasts this long.",
)
@flag_option(
    "--behind-tls-proxy",
    help="Served through https by a reverse proxy: cookies are marked Secure, the app's "
    "websocket uses wss://.",
)
@shown_option(
    "--fail-delay",
    default=1.0,
    type=click.FloatRange(min=0),
    hidden=True,
    help="Seconds added per failed sign-in in a row.",
)
def serve_command(
    project: Path,
    host: str,
    port: int,
    session_hours: float,
    behind_tls_proxy: bool,
    fail_delay: float,
) -> None:
    """Serve PROJECT's coding app to browsers at http://HOST:PORT/.

    Everyone signs in with an account (`kodeverk users add`); a project without accounts is
    refused. Each browser gets its own copy of the same app as `kodeverk open`, as the signed-in
    coder with their role; every action is committed to PROJECT before the screen shows it."""
    from coding.accounts import has_accounts
    from coding.errors import ProjectError
    from coding.store import Project
    from tui.serve import Settings, serve

    with Project.open(project) as opened:
        if not has_accounts(opened):
            raise ProjectError(
                f"{project} has no accounts: add some first with `kodeverk users add {project} "
                "NAME --role lead`"
            )
    if not _loopback(host) and not behind_tls_proxy:
        click.echo(
            f"kodeverk serve: warning: listening on {host} without TLS; passwords cross the "
            "network in clear text unless a TLS proxy is in front (--behind-tls-proxy)",
            err=True,
        )
    settings = Settings(
        project.resolve(),
        host,
        port,
        session_seconds=session_hours * 3600,
        behind_tls_proxy=behind_tls_proxy,
        fail_delay=fail_delay,
    )
    serve(settings)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
