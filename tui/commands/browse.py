"""`kodeverk browse PROJECT`: the project file in Datasette, read-only, on this machine only.

Datasette is an optional extra (``pip install 'kodeverk[browse]'``). The file is served
immutable (``datasette -i``: never written, no locks taken) on 127.0.0.1, with the views of
docs/schema.md as canned queries.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import click

from coding.errors import InputError
from tui.options import PROJECT

HOST = "127.0.0.1"  # never all interfaces: the project holds interview texts

CANNED_QUERIES = {
    "all_quotes": {
        "title": "Quotes",
        "description": "Every coding with its quote, document, case, code path and coder.",
        "sql": "SELECT * FROM quotes ORDER BY document, start_offset, code_path",
    },
    "quotes_for_code": {
        "title": "Quotes for a code",
        "description": "Quotes of a code and the codes under it (a path such as Mål 4/Bolig).",
        "sql": "SELECT * FROM quotes WHERE code_path = :code OR code_path LIKE :code || '/%' "
        "ORDER BY document, start_offset",
    },
    "quotes_with_attributes": {
        "title": "Quotes with case attributes (long)",
        "description": "One row per quote and case attribute.",
        "sql": "SELECT q.coding_id, q.document, q.case_name, q.code_path, q.coder, "
        "a.attribute, a.value, q.quote FROM quotes q "
        "JOIN quote_attributes a ON a.coding_id = q.coding_id ORDER BY q.coding_id, a.attribute",
    },
    "cases_wide": {
        "title": "Cases with their attributes",
        "description": "One row per case, one column per attribute.",
        "sql": "SELECT * FROM case_attributes_wide ORDER BY case_name",
    },
    "search_text": {
        "title": "Search the documents",
        "description": 'Full-text search (FTS5 syntax: words, "phrases", prefix*).',
        "sql": "SELECT d.id, d.name, snippet(documents_fts, 0, '[', ']', '…', 16) AS hit "
        "FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid "
        "WHERE documents_fts MATCH :q ORDER BY rank",
    },
}


def metadata(database: str, title: str) -> dict:
    """Datasette metadata: a title and the canned queries for ``database``."""
    return {
        "title": f"kodeverk: {title}",
        "databases": {database: {"queries": CANNED_QUERIES}},
    }


@click.command("browse")
@PROJECT
@click.option("--port", default=8001, show_default=True, help="Port on 127.0.0.1.")
@click.option("--open", "open_browser", is_flag=True, help="Open a web browser on it.")
def browse_command(project: Path, port: int, open_browser: bool) -> None:
    """Open the project read-only in Datasette.

    Open PROJECT read-only in Datasette on 127.0.0.1 (views: quotes, quote_attributes,
    case_attributes_wide; full-text search on documents). Needs `pip install
    'kodeverk[browse]'`. Stop it with Ctrl+C."""
    try:
        from datasette.cli import cli as datasette_cli
    except ImportError:
        raise InputError(
            "kodeverk browse needs Datasette: pip install 'kodeverk[browse]'"
        ) from None
    name = _prepare(project)
    with tempfile.TemporaryDirectory(prefix="kodeverk-browse-") as folder:
        meta = Path(folder) / "metadata.json"
        meta.write_text(json.dumps(metadata(project.stem, name), ensure_ascii=False), "utf-8")
        args = ["serve", "-i", str(project), "--host", HOST, "--port", str(port)]
        args += [_queries_option(), str(meta)] + (["--open"] if open_browser else [])
        click.echo(f"kodeverk: serving {project} read-only at http://{HOST}:{port}/", err=True)
        datasette_cli.main(args=args, prog_name="kodeverk browse", standalone_mode=False)


def _queries_option() -> str:
    """Datasette 0.x reads canned queries from --metadata; 1.0 moved them to --config."""
    from importlib.metadata import version

    major = version("datasette").split(".")[0]
    return "--config" if major.isdigit() and int(major) >= 1 else "--metadata"


def _prepare(path: Path) -> str:
    """Migrate and refresh the views, then fold the write-ahead log into the file: an
    immutable reader sees only the main file. Returns the project's name."""
    from coding.store import Project

    with Project.open(path) as project:
        project.checkpoint()
        return project.meta("name") or path.stem
