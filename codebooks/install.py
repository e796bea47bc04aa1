"""Put a codebook into a project, and read the project's codebook back as a ``Codebook``."""

from __future__ import annotations

from codebooks.model import Codebook, CodeSpec, validate
from coding import journal
from coding.codes import add_code, list_codes
from coding.groups import merge_groups
from coding.store import Project


def install_codebook(project: Project, codebook: Codebook, *, coder: str | None = None) -> int:
    """Validate ``codebook`` and add all its codes in one transaction (GUIDs from the spec where
    given, else new). Recorded as one event. Returns the number of codes added."""
    validate(codebook)
    with project.transaction() as conn:
        added: list[int] = []
        _add_all(project, codebook.codes, None, added)
        if codebook.groups:
            ids = {guid: code_id for code_id, guid in conn.execute("SELECT id, guid FROM codes")}
            where = codebook.source or codebook.name
            merge_groups(project, codebook.groups, ids, codebook.warnings, where)
        changes = [journal.change("codes", None, _row(project, code_id)) for code_id in added]
        coder_id = project.coder_id(coder) if coder else None
        journal.record(
            conn,
            coder_id,
            "codebook.install",
            f"codebook {codebook.name!r} version {codebook.version}: {len(added)} codes",
            changes,
            undoable=False,
        )
        project.set_meta("codebook_name", codebook.name)
        project.set_meta("codebook_version", codebook.version)
    return len(added)


def add_spec(
    project: Project, spec: CodeSpec, parent_id: int | None, *, colour: str, shortcut: bool = True
) -> int:
    """Add one code as ``spec`` describes it (not its children) under ``parent_id``."""
    return add_code(
        project,
        spec.name,
        parent_id=parent_id,
        goal=spec.goal,
        description=spec.description,
        include_note=spec.include,
        exclude_note=spec.exclude,
        colour=colour,
        shortcut=spec.shortcut if shortcut else None,
        keywords=spec.keywords,
        guid=spec.guid,
    )


def _add_all(
    project: Project, codes: list[CodeSpec], parent_id: int | None, added: list[int]
) -> None:
    for spec in codes:
        code_id = add_spec(project, spec, parent_id, colour=spec.colour.lower())
        added.append(code_id)
        _add_all(project, spec.children, code_id, added)


def _row(project: Project, code_id: int) -> journal.Row:
    guid = project.conn.execute("SELECT guid FROM codes WHERE id = ?", (code_id,)).fetchone()[0]
    row = journal.fetch_row(project.conn, "codes", {"guid": guid})
    assert row is not None
    return row


def project_codebook(project: Project) -> Codebook:
    """The project's codes as a ``Codebook`` (with GUIDs), e.g. to write it to a file."""
    specs: dict[int, CodeSpec] = {}
    roots: list[CodeSpec] = []
    for code in list_codes(project):
        spec = CodeSpec(
            name=code.name,
            goal=code.goal,
            description=code.description,
            include=code.include_note,
            exclude=code.exclude_note,
            colour=code.colour,
            shortcut=code.shortcut,
            keywords=list(code.keywords),
            guid=code.guid,
        )
        specs[code.id] = spec
        siblings = roots if code.parent_id is None else specs[code.parent_id].children
        siblings.append(spec)
    return Codebook(
        name=project.meta("codebook_name") or project.meta("name") or "codebook",
        version=project.meta("codebook_version") or "1",
        codes=roots,
    )
