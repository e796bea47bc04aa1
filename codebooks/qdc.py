"""REFI-QDA codebooks (``.qdc``): read, write, and merge into a project's codebook.

Merging matches each code first by GUID, then by its path of names; matched codes are left as
the project has them (the project's GUID stays, so the same code keeps its GUID across
exports), new ones are added under their matched parent.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from lxml import etree

from codebooks.install import add_spec
from codebooks.model import Codebook, CodeSpec
from codebooks.refi_common import (
    CODEBOOK_NS,
    DEFAULT_COLOUR,
    child_text,
    children,
    compose_description,
    export_guid,
    local,
    parse_colour,
    parse_guid,
    split_description,
)
from codebooks.safe_zip import parse_xml
from coding import journal
from coding.codes import code_paths
from coding.errors import CodebookError, InputError, KodeverkError
from coding.groups import CodeGroup, list_groups, merge_groups
from coding.output import atomic_output
from coding.store import Project

MAX_QDC_BYTES = 50 * 1024**2


@dataclass
class QdcReport:
    """What a codebook merge did; the paths of codes added, matched and skipped."""

    file: str
    added: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    groups_added: int = 0

    def summary(self) -> str:
        lines = [
            f"{self.file}: {len(self.added)} codes added, {len(self.matched)} matched, "
            f"{len(self.skipped)} skipped"
        ]
        if self.groups_added:
            lines[0] += f"; {self.groups_added} code groups added"
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        counts = {k: len(getattr(self, k)) for k in ("added", "matched", "skipped")}
        return {**asdict(self), "counts": counts}


@dataclass
class CodeMerge:
    """Result of merging a code tree: the file's GUIDs mapped to project code ids."""

    ids: dict[str, int] = field(default_factory=dict)
    added: list[str] = field(default_factory=list)
    matched: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    added_ids: list[int] = field(default_factory=list)


# -- reading -------------------------------------------------------------------------------------
def read_qdc(path: str | os.PathLike) -> Codebook:
    """A ``.qdc`` file as a ``Codebook`` (lenient; see ``read_qdc_with_warnings``)."""
    return read_qdc_with_warnings(path)[0]


def read_qdc_with_warnings(path: str | os.PathLike) -> tuple[Codebook, list[str]]:
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if size > MAX_QDC_BYTES:
        raise InputError(f"{path}: {size:,} bytes is too large for a codebook; refused")
    root = parse_xml(path.read_bytes(), str(path))
    warnings: list[str] = []
    if local(root) != "CodeBook":
        raise InputError(f"{path}: root element <{local(root)}> is not a REFI-QDA <CodeBook>")
    check_namespace(root, CODEBOOK_NS, str(path), warnings)
    codes_el = [c for c in root if local(c) == "Codes"]
    specs: list[CodeSpec] = []
    seen: set[str] = set()
    for codes in codes_el:
        specs += read_code_tree(codes, str(path), warnings, seen)
    if not specs:
        raise InputError(f"{path}: the codebook has no codes")
    groups = read_sets(root, str(path), warnings)
    book = Codebook(name=path.stem, version="1", codes=specs, source=str(path), groups=groups)
    book.warnings = warnings
    return book, warnings


def read_sets(parent: etree._Element, where: str, warnings: list[str]) -> list[CodeGroup]:
    """``<Sets>`` under ``parent`` as code groups (ATLAS.ti writes its code groups so);
    sources and notes in a set are not kept, with a warning."""
    groups: list[CodeGroup] = []
    for sets in children(parent, "Sets"):
        for number, element in enumerate(children(sets, "Set"), start=1):
            here = f"{where}: line {element.sourceline}"
            name = " ".join((element.get("name") or "").split()) or f"set {number}"
            members = [parse_guid(m.get("targetGUID") or m.get("guid"))[0] for m in element]
            codes = [g for m, g in zip(element, members, strict=True) if local(m) == "MemberCode"]
            others = len(children(element, "MemberSource")) + len(children(element, "MemberNote"))
            if others:
                warnings.append(
                    f"{here}: set {name!r}: {others} sources or notes in it not kept "
                    "(kodeverk keeps groups of codes)"
                )
            if not codes and others:
                continue
            groups.append(
                CodeGroup(
                    name,
                    parse_guid(element.get("guid"))[0],
                    child_text(element, "Description"),
                    [g for g in codes if g],
                )
            )
    return groups


def sets_element(
    parent: etree._Element, groups: list[CodeGroup], ns: str, code_guids: dict[str, str]
) -> None:
    """``<Sets>`` for the project's code groups (none: no element, the schema wants one Set)."""
    if not groups:
        return
    sets = etree.SubElement(parent, f"{{{ns}}}Sets")
    for group in groups:
        element = etree.SubElement(
            sets, f"{{{ns}}}Set", {"guid": export_guid(group.guid or ""), "name": group.name}
        )
        if group.description:
            etree.SubElement(element, f"{{{ns}}}Description").text = group.description
        for code in group.codes:
            attr = "targetGUID" if ns.endswith("project:1.0") else "guid"
            etree.SubElement(
                element, f"{{{ns}}}MemberCode", {attr: code_guids.get(code, export_guid(code))}
            )


def check_namespace(root: etree._Element, expected: str, where: str, warnings: list[str]) -> None:
    namespace = etree.QName(root).namespace
    if namespace != expected:
        warnings.append(f"{where}: namespace {namespace!r} read as {expected!r}")


def read_code_tree(
    codes_el: etree._Element,
    where: str,
    warnings: list[str],
    seen: set[str],
    notes: dict[str, list[str]] | None = None,
    prefix: str = "",
    memos: dict[str, str] | None = None,
) -> list[CodeSpec]:
    """The ``<Code>`` children of an element as specs; ``notes`` collects each code's NoteRefs
    and ``memos`` the memo in its Description (without ``memos`` it stays in the description)."""
    specs: list[CodeSpec] = []
    names: set[str] = set()
    for number, element in enumerate(children(codes_el, "Code"), start=1):
        spec, memo = _code_spec(element, where, warnings, seen, names, prefix, number)
        path = prefix + spec.name
        if notes is not None and spec.guid:
            refs = [parse_guid(r.get("targetGUID"))[0] for r in children(element, "NoteRef")]
            notes[spec.guid] = [r for r in refs if r]
        if memo and memos is not None and spec.guid:
            memos[spec.guid] = memo
        elif memo:
            spec.description = "\n\n".join(p for p in (spec.description, "Memo: " + memo) if p)
        spec.children = read_code_tree(element, where, warnings, seen, notes, path + "/", memos)
        specs.append(spec)
    return specs


def _code_spec(
    element: etree._Element,
    where: str,
    warnings: list[str],
    seen: set[str],
    names: set[str],
    prefix: str,
    number: int,
) -> tuple[CodeSpec, str]:
    here = f"{where}: line {element.sourceline}"
    name = " ".join((element.get("name") or "").split())
    if not name:
        name = f"unnamed code {number}"
        warnings.append(f"{here}: a code without a name, called {name!r}")
    if "/" in name:
        name = name.replace("/", "\u2215")
        warnings.append(f"{here}: '/' in code name replaced by '\u2215' in {name!r}")
    unique = _unique_name(name, names)
    if unique != name:
        warnings.append(f"{here}: duplicate code name {prefix + name!r} renamed {unique!r}")
    guid, valid = parse_guid(element.get("guid"))
    if guid is None or guid in seen:
        reason = "no GUID" if guid is None else f"GUID {element.get('guid')} used twice"
        guid = parse_guid(f"{where}#{prefix}{unique}#{element.sourceline}")[0]
        assert guid is not None  # made from a name, so always a GUID
        warnings.append(f"{here}: code {prefix + unique!r} has {reason}; a new one was made")
    elif not valid:
        warnings.append(f"{here}: code {prefix + unique!r}: {element.get('guid')!r} is not a GUID")
    seen.add(guid)
    colour, ok = parse_colour(element.get("color"))
    if not ok:
        warnings.append(f"{here}: code {prefix + unique!r}: colour {element.get('color')!r} unread")
    parts = split_description(child_text(element, "Description"))
    spec = CodeSpec(
        name=unique,
        goal=parts["goal"],
        description=parts["description"],
        include=parts["include"],
        exclude=parts["exclude"],
        colour=colour or DEFAULT_COLOUR,
        keywords=parts["keywords"],
        guid=guid,
        line=element.sourceline,
    )
    return spec, parts["memo"]


def _unique_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        candidate = f"{name} ({n})"
    taken.add(candidate.casefold())
    return candidate


# -- writing -------------------------------------------------------------------------------------
def origin() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"kodeverk {version('kodeverk')}"
    except PackageNotFoundError:
        return "kodeverk"


def code_element(parent: etree._Element, spec: CodeSpec, ns: str, memo: str = "") -> etree._Element:
    """One ``<Code>`` (without children) in namespace ``ns``; ``memo`` ends its Description."""
    attrs = {
        "guid": export_guid(spec.guid or ""),
        "name": spec.name,
        "isCodable": "true",
        "color": parse_colour(spec.colour)[0] or DEFAULT_COLOUR,
    }
    element = etree.SubElement(parent, f"{{{ns}}}Code", attrs)
    text = compose_description(
        spec.description, spec.include, spec.exclude, spec.goal, spec.keywords, memo
    )
    if text:
        etree.SubElement(element, f"{{{ns}}}Description").text = text
    return element


def codebook_xml(project: Project) -> bytes:
    from codebooks.install import project_codebook

    book = project_codebook(project)
    if not book.codes:
        raise CodebookError(f"{project.path}: the project has no codes to export")
    root = etree.Element(
        f"{{{CODEBOOK_NS}}}CodeBook", {"origin": origin()}, nsmap={None: CODEBOOK_NS}
    )
    codes = etree.SubElement(root, f"{{{CODEBOOK_NS}}}Codes")

    def add(parent: etree._Element, specs: list[CodeSpec]) -> None:
        for spec in specs:
            add(code_element(parent, spec, CODEBOOK_NS), spec.children)

    add(codes, book.codes)
    sets_element(root, list_groups(project), CODEBOOK_NS, {})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_qdc(project: Project, path: str | os.PathLike) -> None:
    """Write the project's codebook as a schema-valid ``.qdc`` (replaced atomically)."""
    path = Path(path)
    data = codebook_xml(project)
    with atomic_output(path, project.path) as temp:
        temp.write_bytes(data)


# -- merging -------------------------------------------------------------------------------------
def import_qdc(project: Project, path: str | os.PathLike, *, coder: str | None = None) -> QdcReport:
    """Merge a ``.qdc`` into the project's codebook in one transaction and one event."""
    book, warnings = read_qdc_with_warnings(path)
    report = QdcReport(str(path), warnings=warnings)
    with project.transaction() as conn:
        merged = merge_codes(project, book.codes, report.warnings, str(path))
        report.groups_added = merge_groups(
            project, book.groups, merged.ids, report.warnings, str(path)
        )
        changes = [journal.change("codes", None, _code_row(project, i)) for i in merged.added_ids]
        journal.record(
            conn,
            project.coder_id(coder) if coder else None,
            "codebook.import",
            f"merged {Path(path).name}: {len(merged.added)} added, "
            f"{len(merged.matched)} matched, {len(merged.skipped)} skipped",
            changes,
            undoable=False,
        )
    report.added, report.matched, report.skipped = merged.added, merged.matched, merged.skipped
    return report


def merge_codes(
    project: Project, specs: list[CodeSpec], warnings: list[str], where: str
) -> CodeMerge:
    """Merge a code tree into the project (inside the caller's transaction)."""
    by_guid: dict[str, int] = {}
    by_path: dict[str, int] = {}
    for code_id, guid in project.conn.execute("SELECT id, guid FROM codes"):
        by_guid[guid.lower()] = code_id
    for code_id, code_path in code_paths(project).items():
        by_path[code_path.casefold()] = code_id
    merged = CodeMerge()
    _merge_level(project, specs, None, "", by_guid, by_path, merged, warnings, where)
    return merged


def _merge_level(
    project: Project,
    specs: list[CodeSpec],
    parent_id: int | None,
    prefix: str,
    by_guid: dict[str, int],
    by_path: dict[str, int],
    merged: CodeMerge,
    warnings: list[str],
    where: str,
) -> None:
    for spec in specs:
        path = prefix + spec.name
        code_id = by_guid.get((spec.guid or "").lower()) or by_path.get(path.casefold())
        if code_id is not None:
            merged.matched.append(path)
        else:
            code_id = _add(project, spec, parent_id, path, merged, warnings, where)
            if code_id is None:
                continue
        if spec.guid:
            merged.ids[spec.guid] = code_id
        _merge_level(
            project, spec.children, code_id, path + "/", by_guid, by_path, merged, warnings, where
        )


def _add(
    project: Project,
    spec: CodeSpec,
    parent_id: int | None,
    path: str,
    merged: CodeMerge,
    warnings: list[str],
    where: str,
) -> int | None:
    try:
        code_id = add_spec(project, spec, parent_id, colour=spec.colour, shortcut=False)
    except KodeverkError as exc:
        merged.skipped.append(path)
        warnings.append(f"{where}: code {path!r} skipped with its children: {exc}")
        return None
    merged.added.append(path)
    merged.added_ids.append(code_id)
    return code_id


def _code_row(project: Project, code_id: int) -> journal.Row:
    cur = project.conn.execute("SELECT * FROM codes WHERE id = ?", (code_id,))
    names = [d[0] for d in cur.description]
    return dict(zip(names, cur.fetchone(), strict=True))
