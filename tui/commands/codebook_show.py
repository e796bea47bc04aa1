"""`kodeverk codebook show PROJECT`: the code tree with goals, colours, shortcuts and counts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tui.commands.project import echo_json, open_project
from tui.options import PROJECT, codings_of_option, flag_option


@click.command("show")
@PROJECT
@codings_of_option(default=None, help="Count only this coder's codings (default: everyone's).")
@flag_option(
    "--json",
    "as_json",
    help="Print the tree as nested JSON (name, path, guid, goal, effective_goal, description, "
    "include, exclude, colour, shortcut, keywords, codings, children).",
)
def show_command(project: Path, codings_of: str | None, as_json: bool) -> None:
    """Print PROJECT's codebook as a tree.

    Each code shows its colour, name, main goal (own, or inherited in brackets), shortcut key
    and number of codings (with the total including the codes below it).
    """
    from coding.codes import code_counts, list_codes

    with open_project(project) as opened:
        codes = list_codes(opened)
        counts = code_counts(opened, coder=codings_of)
        totals = code_counts(opened, coder=codings_of, rollup=True)
        title = f"{opened.meta('codebook_name') or 'Codebook'} ({project.name})"
    if as_json:
        echo_json(codebook_json(codes, counts))
        return
    if not codes:
        click.echo(f"{project}: no codes; add a codebook with `kodeverk codebook import`")
        return
    _print_tree(title, codes, counts, totals)


def codebook_json(codes: list, counts: dict[int, int]) -> list[dict[str, Any]]:
    """The code rows (in tree order) as a nested list."""
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for code in codes:
        node = {
            "name": code.name,
            "path": code.path,
            "guid": code.guid,
            "goal": code.goal,
            "effective_goal": code.effective_goal,
            "description": code.description,
            "include": code.include_note,
            "exclude": code.exclude_note,
            "colour": code.colour,
            "shortcut": code.shortcut,
            "keywords": code.keywords,
            "codings": counts.get(code.id, 0),
            "children": [],
        }
        nodes[code.id] = node
        (roots if code.parent_id is None else nodes[code.parent_id]["children"]).append(node)
    return roots


def _print_tree(title: str, codes: list, counts: dict[int, int], totals: dict[int, int]) -> None:
    from rich.console import Console
    from rich.text import Text
    from rich.tree import Tree

    tree = Tree(Text(title, style="bold"))
    branches: dict[int, Tree] = {}
    for code in codes:
        label = Text()
        label.append("■ ", style=code.colour)
        label.append(code.name, style="bold" if code.depth == 0 else "")
        if code.goal is not None:
            label.append(f"  goal {code.goal}", style="cyan")
        elif code.effective_goal is not None:
            label.append(f"  (goal {code.effective_goal})", style="dim cyan")
        if code.shortcut:
            label.append(f"  [{code.shortcut}]", style="yellow")
        label.append(f"  {counts[code.id]}", style="green")
        if totals[code.id] != counts[code.id]:
            label.append(f" ({totals[code.id]} with subcodes)", style="dim green")
        parent = tree if code.parent_id is None else branches[code.parent_id]
        branches[code.id] = parent.add(label)
    console = Console()
    console.print(tree)
    console.print(
        "goal N: main goal ((goal N): inherited) · [k] shortcut · number: codings",
        style="dim",
        markup=False,
    )
