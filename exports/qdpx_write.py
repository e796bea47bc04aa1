"""Export a project as a REFI-QDA project (``.qdpx``): a ZIP with ``project.qde`` and
``sources/<GUID>.txt``.

Coders become Users, the code tree the CodeBook, code groups Sets, case attributes Variables
(typed: Integer, Float, Boolean, Date where every value is one, else Text), cases Cases with
their values and a SourceRef per document, documents TextSources (UTF-8 files) that also carry
their case's values (tools such as MAXQDA and QualCoder read attributes there), every coding a
PlainTextSelection with one Coding, memos Notes (text inline and as a file) linked by NoteRef
and, for tools that read memos only there, also the Description of the code or case (a last
«Memo:» paragraph), selection or source they are on. Source names lose a file suffix in the middle
(``survey.csv · Respondent 001 · answer`` -> ``survey · Respondent 001 · answer``).
Positions are code points into the text as stored (which is also the text written), end
exclusive, as the standard says. The result is valid against the shipped ``Project.xsd``.
"""

from __future__ import annotations

import os
import zipfile
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from codebooks.install import project_codebook
from codebooks.model import CodeSpec
from codebooks.qdc import code_element, origin, sets_element
from codebooks.refi_common import (
    DATETIME,
    PROJECT_NS,
    VALUE_TAGS,
    compose_description,
    derived_guid,
    exchange_name,
    export_guid,
    variable_type,
)
from coding.groups import list_groups
from coding.output import atomic_output
from coding.store import Project

Progress = Callable[[str, int, int], None]
_NS = f"{{{PROJECT_NS}}}"


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, _NS + tag, attrs)


def project_xml(project: Project, progress: Progress | None = None) -> tuple[bytes, list]:
    """``project.qde`` as bytes, and the ``(file name, text)`` pairs for ``sources/``."""
    conn = project.conn
    coders = {cid: export_guid(guid) for cid, guid in conn.execute("SELECT id, guid FROM coders")}
    memos = _memos_by_target(project, coders)
    texts = _memo_texts(project)
    root = etree.Element(
        _NS + "Project",
        {"name": project.meta("name") or project.path.stem, "origin": origin()},
        nsmap={None: PROJECT_NS},
    )
    _stamp(root, "creationDateTime", project.meta("created_at"))
    _users(root, project)
    code_guids = _codebook(root, project, memos, texts)
    values = _variables_and_cases(root, project, texts)
    files = _sources(root, project, coders, code_guids, memos, texts, values, progress)
    files += _notes(root, project, coders, memos)
    sets_element(root, list_groups(project), PROJECT_NS, code_guids)
    _description(root, texts.get(("project", None)))
    for guid in memos.get(("project", None), []) + memos.get(("case", "*"), []):
        _sub(root, "NoteRef", targetGUID=guid)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data, files


def _stamp(element: etree._Element, attribute: str, value: str | None) -> None:
    """Set a date-time attribute only when the stored value is a valid xsd:dateTime."""
    if value and DATETIME.match(value):
        element.set(attribute, value)


def _users(root: etree._Element, project: Project) -> None:
    rows = project.conn.execute("SELECT guid, name FROM coders ORDER BY id").fetchall()
    if rows:
        users = _sub(root, "Users")
        for guid, name in rows:
            _sub(users, "User", guid=export_guid(guid), name=name)


def _memos_by_target(project: Project, coders: dict[int, str]) -> dict:
    """Memo GUIDs by ``(target kind, target guid)``; case memos go to the project."""
    found: dict = defaultdict(list)
    for guid, kind, target in project.conn.execute(
        "SELECT guid, target_kind, target_guid FROM memos ORDER BY id"
    ):
        key = (kind, "*") if kind == "case" else (kind, None if kind == "project" else target)
        found[key].append(export_guid(guid))
    return found


def _memo_texts(project: Project) -> dict[tuple[str, str | None], str]:
    """Every target's memos as one text (several coders' memos in order), for Descriptions."""
    found: dict = defaultdict(list)
    for kind, target, text in project.conn.execute(
        "SELECT target_kind, target_guid, text FROM memos ORDER BY id"
    ):
        found[(kind, target)].append(text.strip())
    return {key: "\n\n".join(t for t in texts if t) for key, texts in found.items()}


def _codebook(root: etree._Element, project: Project, memos: dict, texts: dict) -> dict[str, str]:
    """Write the CodeBook; returns stored code GUID -> exported GUID."""
    book = project_codebook(project)
    guids: dict[str, str] = {}
    if not book.codes:
        return guids
    codes = _sub(_sub(root, "CodeBook"), "Codes")

    def add(parent: etree._Element, specs: list[CodeSpec]) -> None:
        for spec in specs:
            memo = texts.get(("code", spec.guid), "")
            element = code_element(parent, spec, PROJECT_NS, memo)
            guids[spec.guid or ""] = element.get("guid")
            for note in memos.get(("code", spec.guid), []):
                _sub(element, "NoteRef", targetGUID=note)
            add(element, spec.children)

    add(codes, book.codes)
    return guids


def _variables_and_cases(
    root: etree._Element, project: Project, texts: dict
) -> dict[int, list[tuple[str, str, str]]]:
    """Variables and Cases; returns each case's ``(variable GUID, value tag, value)``."""
    conn = project.conn
    project_guid = project.meta("project_guid") or str(project.path)
    by_name: dict[str, list[str]] = defaultdict(list)
    for name, value in conn.execute("SELECT name, value FROM case_attributes ORDER BY name"):
        by_name[name].append(value)
    variable_guids = {n: derived_guid(project_guid, "variable", n) for n in by_name}
    types = {n: variable_type(v) for n, v in by_name.items()}
    if by_name:
        variables = _sub(root, "Variables")
        for name, guid in variable_guids.items():
            _sub(variables, "Variable", guid=guid, name=name, typeOfVariable=types[name])
    values: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    for case_id, name, value in conn.execute(
        "SELECT case_id, name, value FROM case_attributes ORDER BY name"
    ):
        values[case_id].append((variable_guids[name], VALUE_TAGS[types[name]], value))
    cases = conn.execute("SELECT id, guid, name, description FROM cases ORDER BY name").fetchall()
    if not cases:
        return values
    documents: dict[int, list[str]] = defaultdict(list)
    for case_id, guid in conn.execute(
        "SELECT case_id, guid FROM documents WHERE case_id IS NOT NULL ORDER BY id"
    ):
        documents[case_id].append(export_guid(guid))
    container = _sub(root, "Cases")
    for case_id, guid, name, description in cases:
        case = _sub(container, "Case", guid=export_guid(guid), name=name)
        memo = texts.get(("case", guid))
        _description(case, compose_description(description, memo=memo or ""))
        _values(case, values[case_id])
        for document in documents[case_id]:
            _sub(case, "SourceRef", targetGUID=document)
    return values


def _values(element: etree._Element, values: list[tuple[str, str, str]]) -> None:
    for variable, tag, value in values:
        holder = _sub(element, "VariableValue")
        _sub(holder, "VariableRef", targetGUID=variable)
        _sub(holder, tag).text = value


def _sources(
    root: etree._Element,
    project: Project,
    coders: dict[int, str],
    code_guids: dict[str, str],
    memos: dict,
    texts: dict,
    values: dict[int, list[tuple[str, str, str]]],
    progress: Progress | None,
) -> list[tuple[str, str]]:
    conn = project.conn
    codes = {cid: code_guids[guid] for cid, guid in conn.execute("SELECT id, guid FROM codes")}
    documents = conn.execute(
        "SELECT id, guid, name, text, imported_at, case_id FROM documents ORDER BY id"
    ).fetchall()
    if not documents:
        return []
    codings: dict[int, list[tuple]] = defaultdict(list)
    for row in conn.execute(
        'SELECT document_id, guid, code_id, coder_id, start, "end", created_at FROM codings '
        'ORDER BY document_id, start, "end", id'
    ):
        codings[row[0]].append(row[1:])
    container = _sub(root, "Sources")
    files = []
    for done, (doc_id, stored, name, text, imported_at, case_id) in enumerate(documents, 1):
        guid = export_guid(stored)
        source = _sub(
            container,
            "TextSource",
            guid=guid,
            name=exchange_name(name),
            plainTextPath=f"internal://{guid}.txt",
        )
        _stamp(source, "creationDateTime", imported_at)
        _description(source, texts.get(("document", stored)))
        for coding_guid, code_id, coder_id, start, end, created_at in codings[doc_id]:
            selection = (coding_guid, codes[code_id], coders[coder_id], start, end, created_at)
            _selection(source, *selection, memos, texts.get(("coding", coding_guid)))
        for note in memos.get(("document", stored), []):
            _sub(source, "NoteRef", targetGUID=note)
        _values(source, values.get(case_id, []) if case_id is not None else [])
        files.append((f"{guid}.txt", text))
        if progress and (done % 50 == 0 or done == len(documents)):
            progress("writing", done, len(documents))
    return files


def _selection(
    source: etree._Element,
    coding_guid: str,
    code_guid: str,
    user: str,
    start: int,
    end: int,
    created_at: str,
    memos: dict,
    memo: str | None,
) -> None:
    guid = export_guid(coding_guid)
    selection = _sub(
        source,
        "PlainTextSelection",
        guid=derived_guid(guid, "selection"),
        startPosition=str(start),
        endPosition=str(end),
        creatingUser=user,
    )
    _stamp(selection, "creationDateTime", created_at)
    _description(selection, memo)
    coding = _sub(selection, "Coding", guid=guid, creatingUser=user)
    _stamp(coding, "creationDateTime", created_at)
    _sub(coding, "CodeRef", targetGUID=code_guid)
    for note in memos.get(("coding", coding_guid), []):
        _sub(selection, "NoteRef", targetGUID=note)


def _description(element: etree._Element, memo: str | None) -> None:
    if memo:
        _sub(element, "Description").text = memo


def _notes(
    root: etree._Element, project: Project, coders: dict[int, str], memos: dict
) -> list[tuple[str, str]]:
    rows = project.conn.execute(
        "SELECT m.guid, m.coder_id, m.target_kind, m.target_guid, m.text, m.created_at, "
        "m.updated_at, c.name FROM memos m LEFT JOIN cases c "
        "ON m.target_kind = 'case' AND c.guid = m.target_guid ORDER BY m.id"
    ).fetchall()
    if not rows:
        return []
    container = _sub(root, "Notes")
    files = []
    for guid, coder_id, kind, _target, text, created, updated, case_name in rows:
        guid = export_guid(guid)
        name = f"Memo on case {case_name}" if kind == "case" else f"Memo ({kind})"
        note = _sub(
            container,
            "Note",
            guid=guid,
            name=name,
            plainTextPath=f"internal://{guid}.txt",
            creatingUser=coders[coder_id],
        )
        _stamp(note, "creationDateTime", created)
        _stamp(note, "modifiedDateTime", updated)
        _sub(note, "PlainTextContent").text = text  # most readers look here, not in the file
        files.append((f"{guid}.txt", text))
    return files


def export_qdpx(
    project: Project, path: str | os.PathLike[str], progress: Progress | None = None
) -> None:
    """Write the whole project as ``.qdpx`` (replaced atomically: a failed export leaves no
    half-written file). ``progress(stage, done, total)`` is called as sources are written."""
    path = Path(path)
    data, files = project_xml(project, progress)
    # the whole project, names and texts: readable by its owner only, like the project
    with (
        atomic_output(path, project.path) as temp,
        zipfile.ZipFile(temp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive,
    ):
        archive.writestr("project.qde", data)
        for name, text in files:
            archive.writestr(f"sources/{name}", text.encode("utf-8"))
