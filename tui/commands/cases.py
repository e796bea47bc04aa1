"""`kodeverk cases ...`: case (municipality) attributes."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from tui.commands.project import echo_json, open_project, print_table
from tui.options import PROJECT, json_option, shown_option

JSON = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


@click.group()
def cases_group() -> None:
    """Cases (municipalities): import attributes, list, link.

    Case (municipality) attributes: import them from a table, list them."""


@cases_group.command("import")
@PROJECT
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--case-column",
    metavar="NAME",
    help="Column naming the case (default: kommune, case, sak, municipality, else the first).",
)
@click.option(
    "--population-column",
    metavar="NAME",
    help="Column with inhabitants, used for size_class when the table has none "
    "(default: innbyggere, folketall or population).",
)
@shown_option(
    "--size-thresholds",
    default="5000,20000,50000",
    metavar="A,B,C",
    help="Population limits: liten < A <= mellomstor < B <= stor < C <= storby.",
)
@JSON
def import_command(
    project: Path,
    file: Path,
    case_column: str | None,
    population_column: str | None,
    size_thresholds: str,
    as_json: bool,
) -> None:
    """Set case attributes from FILE (.csv or .xlsx, one row per case).

    Every column except the case column becomes an attribute. The whole file is imported in
    one transaction: a bad row changes nothing.
    """
    from corpus.cases import import_cases, parse_thresholds

    thresholds = parse_thresholds(size_thresholds)
    with open_project(project) as opened:
        summary = import_cases(
            opened,
            file,
            case_column=case_column,
            population_column=population_column,
            thresholds=thresholds,
        )
    if as_json:
        echo_json(asdict(summary))
        return
    click.echo(
        f"{file}: {summary.cases_created} new and {summary.cases_updated} existing cases "
        f"(case column {summary.case_column!r}), {summary.attributes_changed} attribute values "
        f"set, size class derived for {summary.size_classes_derived}; attributes: "
        f"{', '.join(summary.attributes) or 'none'}"
    )


@cases_group.command("list")
@PROJECT
@JSON
def list_command(project: Path, as_json: bool) -> None:
    """List cases with their attributes."""
    from coding.cases import case_table

    with open_project(project) as opened:
        cases = case_table(opened)
    if as_json:
        echo_json([{"id": cid, "name": name, "attributes": attrs} for cid, name, attrs in cases])
        return
    names = sorted({key for _, _, attrs in cases for key in attrs})
    rows = [[str(cid), name, *(attrs.get(key, "") for key in names)] for cid, name, attrs in cases]
    print_table(f"Cases in {project.name}", ["id", "case", *names], rows)


@cases_group.command("label")
@PROJECT
@click.argument("attribute")
@click.argument("label")
@json_option("Print the attribute and its label as JSON.")
def label_command(project: Path, attribute: str, label: str, as_json: bool) -> None:
    """Name an attribute in reports' captions and headings.

    For example size_class "Kommunestørrelse"; an empty LABEL goes back to the bundled one."""
    from coding.labels import set_attribute_label
    from coding.prevalence import check_attributes

    with open_project(project) as opened:
        check_attributes(opened, [attribute])
        set_attribute_label(opened, attribute, label)
    if as_json:
        click.echo(json.dumps({"attribute": attribute, "label": label or None}, ensure_ascii=False))
    else:
        click.echo(f"{attribute}: {label or '(bundled label)'}")


@cases_group.command("link")
@PROJECT
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--document", "document", metavar="NAME|ID", help="One document to link.")
@click.option("--case", "case", metavar="NAME", help="The case to link --document to.")
@click.option("--document-column", metavar="COL", help="FILE's document column (name or id).")
@click.option("--case-column", metavar="COL", help="FILE's case column.")
@JSON
def link_command(
    project: Path,
    file: Path | None,
    document: str | None,
    case: str | None,
    document_column: str | None,
    case_column: str | None,
    as_json: bool,
) -> None:
    """Attach documents to cases (municipalities).

    Attach documents to cases (municipalities): from FILE (.csv or .xlsx with a document and
    a case column) or one with --document and --case. New cases are created; the documents'
    codings follow. All links in one transaction: a bad row changes nothing."""
    from corpus.cases import link_documents, links_from_table

    if bool(file) == bool(document or case) or (not file and not (document and case)):
        raise click.UsageError("give either FILE, or both --document and --case")
    with open_project(project) as opened:
        if file:
            links, where = links_from_table(file, document_column, case_column)
        else:
            assert document and case  # checked above
            links, where = [(document, case)], ["--document"]
        changed = link_documents(opened, links, where=where)
    if as_json:
        echo_json({"linked": changed, "already": len(links) - changed})
        return
    click.echo(f"{changed} documents linked; {len(links) - changed} were on that case already")
