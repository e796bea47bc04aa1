"""`kodeverk prevalence`: which themes small, medium and large municipalities raise."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from coding.errors import KodeverkError
from tui.options import (
    OUTPUT_PATH,
    PROJECT,
    choice_option,
    codings_of_option,
    exclusive,
    format_from_suffix,
    format_option,
    json_option,
    lang_option,
    notice,
    output_option,
)

if TYPE_CHECKING:  # the domain loads when a command runs: `kodeverk --help` stays fast
    from coding.prevalence import Cell, PrevalenceResult
    from coding.stats import DifferenceTest
    from coding.store import Project

FORMATS = ("csv", "xlsx")


def split_code_refs(project: Project, values: tuple[str, ...]) -> list[str] | None:
    """``--codes`` values: each a code reference, or several separated by commas (a value that
    names one code as a whole wins, so names with commas still work)."""
    from coding.codes import resolve_code

    refs: list[str] = []
    for value in values:
        try:
            resolve_code(project, value)
            refs.append(value)
        except KodeverkError:
            refs.extend(part.strip() for part in value.split(",") if part.strip())
    return refs or None


SMALL_CELL = 3


def warn_small_cells(result: PrevalenceResult, k: int = SMALL_CELL) -> None:
    """Groups of 1 to k-1 cases in an exported table could name a municipality: say so."""
    small = [
        (" / ".join(key), len(cases))
        for key, cases in result.group_cases.items()
        if 0 < len(cases) < k
    ]
    if small:
        listed = "; ".join(f"{name} ({n})" for name, n in small)
        click.echo(
            f"advarsel: {len(small)} grupper har færre enn {k} kommuner: {listed}. "
            "Slå sammen grupper (færre --by-attributter) før utlevering.",
            err=True,
        )


def weights_option(weights: str | None, population: Path | None) -> dict[str, float] | None:
    from coding.stats import load_population, parse_weights

    exclusive(weights=weights, population=population)
    if population:
        return load_population(population)
    return parse_weights(weights) if weights else None


@click.command("prevalence")
@PROJECT
@click.option(
    "--by",
    "by",
    required=True,
    help="Case attribute(s) to group by, e.g. size_class, region or size_class,region (crossed).",
)
@choice_option(
    "--level",
    ["code", "goal"],
    help="One row per code (rolled up over its sub-codes) or per main goal of the plan.",
)
@codings_of_option()
@click.option(
    "--codes",
    multiple=True,
    help="Only these codes (path, name or id; repeat or separate by commas).",
)
@lang_option("Language of the quantifiers («et flertall» or «a majority») and goal names.")
@click.option(
    "--weights",
    metavar="GROUP=N,...",
    help="Municipalities per group in the population, e.g. liten=230,mellomstor=148,stor=39,"
    "storby=13 (or «seed004»: Table 2.1 of the SINTEF 2014 survey); adds re-weighted totals.",
)
@click.option(
    "--population",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Like --weights, from a file: CSV «group,count» or JSON {group: count}.",
)
@click.option(
    "--few-below",
    type=float,
    help="Share below which two or more cases are «noen få» rather than «en del» "
    "(default: the project's meta few_below, else 0.1).",
)
@json_option("Print the figures as JSON.")
@output_option("Write the table to this file (.csv or .xlsx; or give --format).")
@format_option(FORMATS, "Format of -o (default: its suffix).")
@click.option("--csv", "csv_path", type=OUTPUT_PATH, hidden=True)
@click.option("--xlsx", "xlsx_path", type=OUTPUT_PATH, hidden=True)
def prevalence_command(
    project: Path,
    by: str,
    level: str,
    codings_of: str,
    codes: tuple[str, ...],
    lang: str,
    weights: str | None,
    population: Path | None,
    few_below: float | None,
    as_json: bool,
    output: Path | None,
    fmt: str | None,
    csv_path: Path | None,
    xlsx_path: Path | None,
) -> None:
    """How many cases in each group raise each theme.

    A case raises a theme when at least one of its excerpts carries the code or one of its
    sub-codes. Every group is shown, empty ones too, with the total, a test of difference
    (Fisher's exact test for two groups, chi-square otherwise) and the quantifier the reports
    use: ingen, én, noen få (two or more, under --few-below of the group), en del, et flertall
    (more than half), et klart flertall (two thirds or more).
    """
    from coding.output import guard_output
    from coding.prevalence import prevalence
    from coding.stats import check_few_below
    from coding.store import Project
    from exports.tables import prevalence_table, write_csv, write_xlsx

    outputs = _outputs(output, fmt, csv_path, xlsx_path)
    for path in outputs:
        guard_output(path, project)
    population_weights = weights_option(weights, population)
    from tui.signin import require_lead_at_terminal

    with Project.open(project) as opened:
        require_lead_at_terminal(opened, "prevalence")
        result = prevalence(
            opened,
            by,
            level=level,
            coder=codings_of,
            codes=split_code_refs(opened, codes),
            lang=lang,
            weights=population_weights,
            few_below=None if few_below is None else check_few_below(few_below),
        )
    if outputs:
        warn_small_cells(result)
    for path, kind in outputs.items():
        if kind == "csv":
            write_csv(path, prevalence_table(result))
        else:
            write_xlsx(path, [("Prevalens", prevalence_table(result))])
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    elif not outputs:
        print_table(result)
    else:
        click.echo(f"written: {', '.join(str(p) for p in outputs)}")


def _outputs(
    output: Path | None, fmt: str | None, csv_path: Path | None, xlsx_path: Path | None
) -> dict[Path, str]:
    """-o with its format; the old --csv and --xlsx (both at once too) with a notice."""
    outputs: dict[Path, str] = {}
    if output is not None:
        outputs[output] = format_from_suffix(output, fmt, FORMATS)
    elif fmt:
        raise click.UsageError("--format needs -o/--output")
    for old, path in (("--csv", csv_path), ("--xlsx", xlsx_path)):
        if path is not None:
            notice(old, "-o/--output")
            outputs[path] = old.lstrip("-")
    return outputs


LABELS: dict[str, dict[str, Any]] = {
    "nb": {
        "title": "Prevalens etter",
        "coders": "kodere",
        "columns": ("saker", "med", "andel", "utdrag", "dok."),
        "quantifier": "kvantor",
        "weighted": "vektet",
        "total": "Totalt",
        "weighting": "vekting",
        "no_test": "ingen test",
        "fisher": "Fishers eksakte test",
        "chi2": "kjikvadrattest",
        "small": "{low} av {n} forventede antall under 5: p er usikker",
        "notes": {
            "fewer than two groups": "færre enn to grupper",
            "no case raises it: nothing to test": "ingen sak tar det opp",
            "every case raises it: nothing to test": "alle sakene tar det opp",
        },
    },
    "en": {
        "title": "Prevalence by",
        "coders": "coders",
        "columns": ("cases", "with", "share", "excerpts", "docs"),
        "quantifier": "quantifier",
        "weighted": "weighted",
        "total": "Total",
        "weighting": "weighting",
        "no_test": "no test",
        "fisher": "Fisher's exact test",
        "chi2": "chi-square test",
        "small": "{low} of {n} expected counts below 5: p unreliable",
    },
}


def print_table(result: PrevalenceResult) -> None:
    """One small table per theme (long code paths stay readable at 80 columns): a row per
    group, then the total; the test of difference in the caption. Labels follow ``--lang``."""
    from rich import box
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    labels = LABELS.get(result.lang, LABELS["nb"])
    console = Console()
    weighted = result.weights is not None
    console.print(
        f"[bold]{labels['title']} {escape(' × '.join(result.by))}[/bold] "
        f"({labels['coders']}: {escape(result.coder)})"
    )
    for theme in result.themes:
        test = result.tests[theme.label]
        table = Table(
            title=escape(theme.label), title_justify="left", caption=escape(_test(test, labels)),
            caption_justify="left", box=box.SIMPLE_HEAD, title_style="bold",
        )  # fmt: skip
        table.add_column(Text(" × ".join(result.by)))
        for name in labels["columns"]:
            table.add_column(name, justify="right")
        table.add_column(labels["quantifier"], no_wrap=True)
        if weighted:
            table.add_column(labels["weighted"], justify="right")
        for cell in (c for c in result.rows if c.theme == theme.label):
            assert cell.group is not None  # only the totals have no group
            group = Text(" / ".join(cell.group.values()))
            table.add_row(group, *_figures(cell), *([""] * weighted))
        total = result.cell(theme.label, None)
        extra = [_percent(total.weighted_share)] if weighted else []
        table.add_row(labels["total"], *_figures(total), *extra, style="bold")
        console.print(table)
    if result.weighted_note:
        console.print(f"[dim]{labels['weighting']}: {escape(result.weighted_note)}[/dim]")


def _figures(cell: Cell) -> list[str]:
    return [
        str(cell.cases),
        str(cell.cases_with),
        _percent(cell.share),
        str(cell.excerpts),
        str(cell.documents),
        cell.quantifier,
    ]


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{share:.0%}"


def _test(test: DifferenceTest, labels: dict[str, Any]) -> str:
    if test.p_value is None:
        return f"{labels['no_test']}: {labels.get('notes', {}).get(test.note, test.note)}"
    flag = ""
    if test.small_expected and test.test == "chi2":
        flag = " (" + labels["small"].format(low=test.low_expected, n=test.cells) + ")"
    p_value = "p < 0.001" if test.p_value < 0.001 else f"p = {test.p_value:.3f}"
    return f"{labels[test.test]}: {p_value}{flag}"
