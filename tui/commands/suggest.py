"""``kodeverk suggest``: learned code suggestions, and how well they match a coder."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click

from coding import learn
from coding.errors import InputError
from coding.store import Project
from tui.coder import resolve_coder
from tui.options import PROJECT, choice_option, json_option, shown_option

APPLY_ACTION = learn.APPLY_ACTION


class DefaultGroup(click.Group):
    """``kodeverk suggest PROJECT`` runs ``list``; ``kodeverk suggest evaluate PROJECT`` the
    evaluation (the issue's spelling, without a ``list`` word)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["list", *args]
        return super().parse_args(ctx, args)


@click.group("suggest", cls=DefaultGroup)
def suggest_group() -> None:
    """Codes learned from a coder's codings, proposed and evaluated.

    A model learned from a coder's codings proposes codes for uncoded answers and segments
    (trained on this machine, nothing sent anywhere); evaluate says how often they match.

    \b
    kodeverk suggest PROJECT [--from CODER] [--documents uncoded|all] [--top K] [--json]
    kodeverk suggest PROJECT --apply-as maskin --min-confidence 0.8
    kodeverk suggest evaluate PROJECT --from CODER [--folds 5] [--json]
    """


FROM = click.option(
    "--from",
    "from_coder",
    help="Whose codings to learn from (default: consensus when it has codings, else you).",
)


@suggest_group.command("list")
@PROJECT
@FROM
@choice_option(
    "--documents",
    ["uncoded", "all"],
    help="Units the coder has not coded yet, or every unit.",
)
@click.option("--top", type=click.IntRange(1, 50), default=3, show_default=True)
@shown_option(
    "--min-examples",
    type=click.IntRange(1),
    default=learn.MIN_EXAMPLES,
    help="Codes with fewer coded units are not learned.",
)
@json_option("A JSON list, one entry per unit.")
@click.option("--apply-as", help="Write the suggestions as codings of this coder (e.g. maskin).")
@shown_option(
    "--min-confidence",
    type=click.FloatRange(0, 1),
    default=0.5,
    help="With --apply-as: only suggestions at least this confident.",
)
@click.option("--yes", is_flag=True, help="With --apply-as: allow an existing human coder.")
def list_command(
    project: Path,
    from_coder: str | None,
    documents: str,
    top: int,
    min_examples: int,
    as_json: bool,
    apply_as: str | None,
    min_confidence: float,
    yes: bool,
) -> None:
    """Proposed codes and confidences per answer or segment."""
    with Project.open(project) as opened:
        coder = learn.training_coder(opened, from_coder, _current(opened))
        if apply_as is not None:
            _check_apply_as(opened, apply_as, yes)
        model = learn.model_for(opened, coder, min_examples=min_examples)
        units = learn.project_units(opened)
        if documents == "uncoded":
            units = learn.uncoded_units(opened, units, coder)
        found = learn.suggest_for_units(opened, units, model, top=top)
        too_few = learn.code_names(opened, model.too_few)
        if apply_as is not None:
            applied = _apply(opened, apply_as.strip(), found, min_confidence)
            click.echo(f"{applied} suggestions written as coder {apply_as.strip()}")
            return
    if as_json:
        click.echo(json.dumps(_as_json(units, found), ensure_ascii=False, indent=2))
    else:
        _print(units, found, model, too_few)


def _current(project: Project) -> str | None:
    try:
        name = resolve_coder(None)
    except Exception:  # no login name: then --from is needed
        return None
    return name if name in project.coder_names() else None


def _check_apply_as(project: Project, name: str, yes: bool) -> None:
    name = name.strip()
    if not name:
        raise InputError("--apply-as: give a coder name, e.g. maskin")
    if name in project.coder_names() and not yes and learn.codes_by_hand(project, name):
        raise InputError(
            f"--apply-as {name}: {name} is a coder who codes by hand; use a coder of its own "
            f"(e.g. {learn.MACHINE_CODER}) or add --yes"
        )


def _apply(
    project: Project, coder: str, found: list[list[learn.Suggestion]], min_confidence: float
) -> int:
    from coding.operations import apply_coding

    count = 0
    with project.transaction():
        for suggestions in found:
            for s in suggestions:
                if s.confidence >= min_confidence:
                    apply_coding(
                        project,
                        s.document_id,
                        s.code_id,
                        coder,
                        s.start,
                        s.end,
                        action=APPLY_ACTION,
                        note=f" (learned suggestion, confidence {s.confidence:.2f})",
                    )
                    count += 1
    return count


def _as_json(units: Sequence[learn.Unit], found: list[list[learn.Suggestion]]) -> list[dict]:
    return [
        {
            "document": u.document,
            "start": u.start,
            "end": u.end,
            "suggestions": [{"code": s.code, "confidence": round(s.confidence, 4)} for s in sug],
        }
        for u, sug in zip(units, found, strict=True)
    ]


def _print(
    units: Sequence[learn.Unit],
    found: list[list[learn.Suggestion]],
    model: learn.Model,
    too_few: list[str],
) -> None:
    click.echo(f"learned from {model.coder}: {len(model.codes)} codes")
    if too_few:
        click.echo(f"too few examples to learn: {', '.join(too_few)}")
    for u, sug in zip(units, found, strict=True):
        if not sug:
            continue
        text = " ".join(u.text.split())
        click.echo(f"{u.document} {u.start}-{u.end}  {text[:70]}")
        for s in sug:
            click.echo(f"    {s.confidence:5.2f}  {s.code}")


@suggest_group.command("evaluate")
@PROJECT
@FROM
@click.option("--folds", type=click.IntRange(2, 50), default=5, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the fold split.")
@click.option(
    "--min-examples", type=click.IntRange(1), default=learn.MIN_EXAMPLES, show_default=True
)
@json_option("The figures as JSON.")
def evaluate_command(
    project: Path, from_coder: str | None, folds: int, seed: int, min_examples: int, as_json: bool
) -> None:
    """Score the model against a coder, as a second coder.

    Cross-validates on the coder's own codings: per code examples, precision, recall, F1 and
    Krippendorff's alpha (binary presence), pooled
    (micro) figures, and top-1 / top-3 accuracy on units with exactly one code. The model
    gives a unit its most likely code and every other code at confidence 0.5 or more."""
    with Project.open(project) as opened:
        coder = learn.training_coder(opened, from_coder, _current(opened))
        result = learn.evaluate(opened, coder, folds=folds, seed=seed, min_examples=min_examples)
        learn.remember_evaluation(opened, result)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        return
    _print_evaluation(result)


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _print_evaluation(result: learn.Evaluation) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Suggestions vs {result.coder}, {result.folds}-fold cross-validation")
    for name in ("code", "examples", "precision", "recall", "F1", "alpha"):
        table.add_column(name, justify="left" if name == "code" else "right")
    for s in [*result.per_code, result.pooled]:
        table.add_row(
            s.code, str(s.examples), _fmt(s.precision), _fmt(s.recall), _fmt(s.f1), _fmt(s.alpha)
        )
    console = Console()
    console.print(table)
    console.print(
        f"units: {result.units}; single-code units: {result.single_units}; "
        f"top-1 accuracy {_fmt(result.top1)}, top-3 accuracy {_fmt(result.top3)}",
        highlight=False,
    )
    if result.too_few:
        console.print(f"too few examples to learn: {', '.join(result.too_few)}", highlight=False)
