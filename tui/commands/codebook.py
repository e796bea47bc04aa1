"""`kodeverk codebook ...`: show, export and import the codebook."""

from __future__ import annotations

import click

from tui.lazy import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy_commands={
        "show": "tui.commands.codebook_show:show_command",
        "export": "tui.commands.refi:codebook_export_command",
        "import": "tui.commands.refi:codebook_import_command",
    },
)
def codebook_group() -> None:
    """Show, export (.qdc) and import (.qdc) the project's codebook."""
