"""`kodeverk agreement PROJECT`: coder agreement per code, worst first, and pooled."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from coding.codes import resolve_code, short_path
from coding.output import atomic_output, guard_output, safe_row
from coding.reliability import (
    BOOTSTRAP_NEEDS_SEGMENTS,
    MISSING_NAMES,
    AgreementReport,
    CodeAgreement,
    agreement_report,
)
from coding.store import Project
from coding.units import MISSING_FORMS, UNIT_KINDS
from tui.options import PROJECT, choice_option, json_option, output_option, shown_option

if TYPE_CHECKING:  # rich loads when the table is printed
    from rich.console import Console

CSV_COLUMNS = (
    "code",
    "units",
    "disagreements",
    "percent_agreement",
    "kappa",
    "kappa_kind",
    "alpha",
    "ac1",
    "u_alpha",
    "undefined",
    "units_left_out",
    "documents_left_out",
    "left_out_because",
    "missing",
    "alpha_low",
    "alpha_high",
    "q_667",
    "q_800",
)


@click.command("agreement")
@PROJECT
@click.option(
    "--coders",
    help="Comma-separated coders to compare (default: everyone who coded or marked a document "
    "done, except «consensus»).",
)
@choice_option(
    "--unit",
    UNIT_KINDS,
    help="Reliability unit: each segment, or each character (as NVivo does).",
)
@click.option(
    "--codes",
    "code_refs",
    multiple=True,
    help="Codes to include (path, name or id; comma-separated or repeated). Default: all.",
)
@shown_option(
    "--min-overlap",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    help="Share of a segment a coding must cover to count on it (segment units).",
)
@choice_option(
    "--missing",
    MISSING_FORMS,
    help="complete: only documents every compared coder finished or coded count, and every "
    "kappa uses units all coders rated; gwet: Gwet's missing-data form (each coder's values "
    "wherever that coder finished or coded).",
)
@shown_option(
    "--bootstrap",
    type=click.IntRange(0, 100_000),
    default=0,
    help="Bootstrap samples for alpha's 95% interval and q = P(alpha < .667 / .800) "
    "(Hayes & Krippendorff 2007), with segment units; 0: off.",
)
@click.option("--seed", type=int, help="Random seed for --bootstrap (same seed, same figures).")
@json_option("Print the report as JSON.")
@output_option(
    "Also write the table (one row per code, then the pooled row) to this CSV file.",
    legacy=("--csv",),
)
def agreement_command(
    project: Path,
    coders: str | None,
    unit: str,
    code_refs: tuple[str, ...],
    min_overlap: float,
    missing: str,
    bootstrap: int,
    seed: int | None,
    as_json: bool,
    output: Path | None,
) -> None:
    """Coder agreement per code: percent, kappa, alpha, AC1.

    Agreement between coders on every code (binary: applied or not): units, percent
    agreement, Cohen's kappa (two coders) or Fleiss' kappa (more), Krippendorff's alpha and
    Gwet's AC1, worst first, with a pooled row over all codes. With --unit character also
    Krippendorff's unitizing alpha (uα), which compares where coders put their span edges.

    Only documents that every compared coder marked done or coded at least once count (how
    many were left out and why is shown below the table); --missing gwet uses Gwet's
    missing-data form instead. A figure that cannot be computed (for example when nobody used a
    code, or a kappa would fall outside its possible range) is shown as undefined with the
    reason, never as a number.
    """
    from tui.signin import require_lead_at_terminal

    if bootstrap and unit == "character":
        raise click.UsageError(BOOTSTRAP_NEEDS_SEGMENTS)
    csv_file = output
    if csv_file:
        guard_output(csv_file, project)
    with Project.open(project) as opened:
        require_lead_at_terminal(opened, "agreement")
        names = [c.strip() for c in coders.split(",") if c.strip()] if coders else None
        code_ids = _resolve_codes(opened, code_refs)
        report = agreement_report(
            opened, names, code_ids, unit, min_overlap, missing, bootstrap, seed
        )
    if csv_file:
        write_csv(report, csv_file)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        print_report(report)


def _resolve_codes(project: Project, refs: tuple[str, ...]) -> list[int] | None:
    parts = [part.strip() for ref in refs for part in ref.split(",") if part.strip()]
    if not parts:
        return None
    return list(dict.fromkeys(resolve_code(project, part) for part in parts))


def write_csv(report: AgreementReport, path: Path) -> None:
    with atomic_output(path) as temp, temp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        because = "; ".join(report.coverage.reasons()) if report.coverage else ""
        extra = {"left_out_because": because, "missing": MISSING_NAMES[report.missing]}
        for row in [*report.codes, report.pooled]:
            cells = {**row.as_dict(), **extra}
            writer.writerow(dict(zip(cells, safe_row(cells.values()), strict=True)))


def fmt(value: float | None) -> str:
    return "undef." if value is None else f"{value:.3f}"


def print_report(report: AgreementReport) -> None:
    """A table that stays readable at 80 columns; why a value is undefined goes below it."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    kappa = "κ Cohen" if len(report.coders) == 2 else "κ Fleiss"
    rows = [*report.codes, report.pooled]
    undefined = " undef.: cannot be computed (reasons below)." if _any_undefined(rows) else ""
    form = "; Gwet's missing-data form" if report.missing == "gwet" else ""
    table = Table(
        title=f"Agreement between {', '.join(report.coders)} (unit: {report.unit}{form})",
        title_justify="left",
        caption="Worst first (lowest α; undefined α last)." + undefined,
        caption_justify="left",
    )
    unitizing = report.unit == "character"
    numbers = {"units": 6, "dis.": 5, "agree": 6, kappa: 8, "α": 6, "AC1": 6}
    if unitizing:
        numbers = {**numbers, "units": 7, kappa: 7, "uα": 6}
    borders = 3 * (len(numbers) + 1) + 1
    code_width = max(12, console.width - sum(numbers.values()) - borders)
    table.add_column("code", width=code_width, no_wrap=True, overflow="ellipsis")
    for column, width in numbers.items():
        table.add_column(column, justify="right", no_wrap=True, width=width)
    for row in report.codes:
        table.add_row(short_path(row.code, code_width), *_cells(row, unitizing)[1:])
    table.add_section()
    table.add_row(*_cells(report.pooled, unitizing), style="bold")
    console.print(table)
    _print_reasons(console, rows)
    _print_left_out(console, report)
    if report.bootstrap:
        _print_bootstrap(console, report, code_width + 6 + 6)


def _print_left_out(console: Console, report: AgreementReport) -> None:
    """«Left out: 14 of 40 documents (1 203 units per code): 12 documents not coded by ola»."""
    coverage = report.coverage
    if coverage is None or not coverage.left_out:
        return
    per_code = report.codes[0].units_left_out if report.codes else 0
    console.print(
        f"Left out: {coverage.left_out} of {coverage.documents} documents "
        f"({per_code} units per code): {'; '.join(coverage.reasons())}.",
        highlight=False,
    )


def _print_bootstrap(console: Console, report: AgreementReport, code_width: int) -> None:
    from rich.table import Table

    table = Table(
        title=f"α bootstrap, {report.bootstrap} samples"
        + (f", seed {report.seed}" if report.seed is not None else "")
        + " (Hayes & Krippendorff 2007)",
        title_justify="left",
        caption="q: probability that α lies below .667 / .800.",
        caption_justify="left",
    )
    table.add_column("code", width=code_width, no_wrap=True, overflow="ellipsis")
    for column, width in {"α": 6, "95% CI": 13, "q<.667": 6, "q<.800": 6}.items():
        table.add_column(column, justify="right", no_wrap=True, width=width)
    for row in [*report.codes, report.pooled]:
        interval = (
            "undef." if row.alpha_low is None else f"{row.alpha_low:.3f}–{row.alpha_high:.3f}"
        )
        table.add_row(
            short_path(row.code, code_width),
            fmt(row.alpha),
            interval,
            fmt(row.q_667),
            fmt(row.q_800),
            style="bold" if row is report.pooled else None,
        )
    console.print(table)


def _any_undefined(rows: list[CodeAgreement]) -> bool:
    return any(row.undefined for row in rows)


def _print_reasons(console: Console, rows: list[CodeAgreement]) -> None:
    """One line per reason, naming a few of the codes it applies to."""
    by_reason: dict[str, list[str]] = {}
    for row in rows:
        if row.undefined:
            by_reason.setdefault(row.undefined, []).append(row.code)
    for reason, codes in by_reason.items():
        named = ", ".join(codes[:3]) + (f" and {len(codes) - 3} more" if len(codes) > 3 else "")
        console.print(f"undef. ({len(codes)} codes): {reason}: {named}", highlight=False)


def _cells(row: CodeAgreement, unitizing: bool = False) -> list[str]:
    percent = "undef." if row.percent_agreement is None else f"{row.percent_agreement:.1%}"
    extra = [fmt(row.u_alpha)] if unitizing else []
    return [
        row.code,
        str(row.units),
        str(row.disagreements),
        percent,
        fmt(row.kappa),
        fmt(row.alpha),
        fmt(row.ac1),
        *extra,
    ]
