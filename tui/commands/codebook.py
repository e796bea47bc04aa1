"""`kodeverk codebook ...`: show, export and import the codebook."""

from __future__ import annotations

import click

from tui.lazy import LazyGroup


@click.group(
    cls=LazyGroup,
    lazy_commands={
        "show": (
            "tui.commands.codebook_show:show_command",
            "Print the code tree with goal mapping.",
        ),
        "export": (
            "tui.commands.refi:codebook_export_command",
            "Export the codebook as REFI-QDA .qdc.",
        ),
        "import": ("tui.commands.refi:codebook_import_command", "Merge a REFI-QDA .qdc codebook."),
    },
)
def codebook_group() -> None:
    """Show, export (.qdc) and import (.qdc) the project's codebook."""
