"""Read a REFI-QDA project (``.qdpx``, or a bare ``.qde`` with a ``sources/`` folder beside it)
into plain data, leniently: what cannot be read becomes a warning that says where.

Nothing here touches the project file; ``corpus.qdpx_import`` writes what was read.
"""

from __future__ import annotations

import codecs
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from codebooks.model import CodeSpec
from codebooks.qdc import check_namespace, read_code_tree, read_sets
from codebooks.refi_common import (
    PROJECT_NS,
    child,
    child_text,
    children,
    local,
    parse_guid,
    read_value,
    split_memo,
)
from codebooks.safe_zip import SafeArchive, check_entry_name, parse_xml
from coding.errors import InputError
from coding.groups import CodeGroup
from corpus.refi_positions import CODE_POINTS, SourceText, choose_unit

if TYPE_CHECKING:
    from corpus.importer import Progress

MAX_FILE_BYTES = 512 * 1024**2
_NON_TEXT = ("PictureSource", "AudioSource", "VideoSource")
_VALUE_TAGS = ("TextValue", "BooleanValue", "IntegerValue", "FloatValue", "DateValue")


@dataclass
class Coding:
    guid: str | None
    code: str | None  # the file's code GUID
    user: str | None
    created: str | None


@dataclass
class Selection:
    guid: str | None
    start: int
    end: int
    user: str | None
    created: str | None
    where: str
    codings: list[Coding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    description: str = ""
    span: tuple[int, int] | None = None  # in the stored text, once positions are resolved
    whole: bool = False  # a coding of the whole source


@dataclass
class Source:
    guid: str
    name: str
    text: SourceText
    user: str | None
    where: str
    selections: list[Selection] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    description: str = ""
    variables: dict[str, str] = field(default_factory=dict)


@dataclass
class Note:
    name: str
    text: str
    user: str | None


@dataclass
class Case:
    guid: str | None
    name: str
    description: str
    values: dict[str, str]
    sources: list[str]
    where: str
    memo: str = ""  # a last «Memo:» part of its Description


@dataclass
class Package:
    """Everything read from the file."""

    path: Path
    where: str
    origin: str = ""
    creating_user: str | None = None
    users: dict[str, str] = field(default_factory=dict)
    codes: list[CodeSpec] = field(default_factory=list)
    code_notes: dict[str, list[str]] = field(default_factory=dict)
    code_memos: dict[str, str] = field(default_factory=dict)  # a Description's «Memo:» part
    groups: list[CodeGroup] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    cases: list[Case] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    notes: dict[str, Note] = field(default_factory=dict)
    project_notes: list[str] = field(default_factory=list)
    description: str = ""  # the Project's Description: a memo on the project
    unit: str = CODE_POINTS
    unit_scores: dict[str, int] = field(default_factory=dict)
    orphans: list[tuple[str, str, list[str]]] = field(default_factory=list)  # where, text, notes
    selections: int = 0
    warnings: list[str] = field(default_factory=list)

    def warn(self, element: etree._Element | None, message: str) -> None:
        line = f": line {element.sourceline}" if element is not None else ""
        self.warnings.append(f"{self.where}{line}: {message}")


# -- the container -------------------------------------------------------------------------------
class Files:
    """The ``.qde`` bytes and the files it names, from a ZIP or from the folder of a bare .qde."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.archive: SafeArchive | None = None
        self.notices: list[str] = []
        if zipfile.is_zipfile(path):
            self.archive = SafeArchive(path)
            self.qde_name = self._find_qde()
            self.qde = self.archive.read(self.qde_name)
        elif path.suffix.lower() == ".qdpx":
            raise InputError(f"{path}: not a ZIP archive, so not a REFI-QDA project (.qdpx)")
        else:
            self.qde_name = path.name
            self.qde = _read_capped(path)

    def _find_qde(self) -> str:
        assert self.archive is not None
        found = self.archive.find("project.qde")
        if found:
            return found
        inner = sorted((n for n in self.archive.names if n.lower().endswith(".qde")), key=len)
        if not inner:
            raise InputError(f"{self.path}: no project.qde in the archive; not a REFI-QDA project")
        if len(inner) > 1:
            self.notices.append(f"{self.path}: several .qde files; read {inner[0]!r}")
        else:
            self.notices.append(f"{self.path}: project read from {inner[0]!r}")
        return inner[0]

    def read(self, reference: str) -> tuple[bytes | None, str]:
        """The bytes of a file named in the XML, or None and why not."""
        ref = reference.strip().replace("\\", "/")
        if ref.lower().startswith("internal://"):
            ref = ref[len("internal://") :]
        elif "://" in ref or ref.startswith("/"):
            return None, f"{reference!r} is a file outside the project archive"
        try:
            check_entry_name(self.path, ref)
        except InputError:
            return None, f"{reference!r} points outside the archive; refused"
        for candidate in (f"sources/{ref}", ref):
            data = self._read_one(candidate)
            if data is not None:
                return data, ""
        return None, f"{reference!r} is missing from the archive"

    def _read_one(self, name: str) -> bytes | None:
        if self.archive is not None:
            found = self.archive.find(name)
            return self.archive.read(found) if found else None
        folder = self.path.parent.resolve()
        for candidate in (folder / name, folder / name.replace("sources/", "Sources/", 1)):
            resolved = candidate.resolve()
            if resolved.is_relative_to(folder) and resolved.is_file():
                return _read_capped(resolved)
        return None

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()


def _read_capped(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise InputError(f"{path}: larger than {MAX_FILE_BYTES // 1024**2} MiB; refused")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def decode_text(data: bytes) -> tuple[str, bool]:
    """``(text, was_utf8)``: UTF-8 (BOM allowed) as the standard says, else UTF-16 by its BOM,
    else cp1252 (what a Windows tool writes when it ignores the standard)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), False
    try:
        return data.decode("utf-8-sig"), True
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), False


# -- reading -------------------------------------------------------------------------------------
def read_package(path: Path, progress: Progress | None = None) -> Package:
    files = Files(path)
    try:
        where = f"{path}: {files.qde_name}" if files.archive else str(path)
        root = parse_xml(files.qde, where)
        if local(root) != "Project":
            raise InputError(f"{where}: root element <{local(root)}> is not a REFI-QDA <Project>")
        package = Package(path, where, origin=root.get("origin") or "")
        package.warnings += files.notices
        check_namespace(root, PROJECT_NS, where, package.warnings)
        package.creating_user = parse_guid(root.get("creatingUserGUID"))[0]
        _read_users(root, package)
        _read_codebook(root, package)
        _read_variables(root, package)
        _read_cases(root, package)
        _read_notes(root, package, files)
        _read_sources(root, package, files, progress)
        package.groups += read_sets(root, where, package.warnings)
        package.project_notes = _note_refs(root)
        package.description = child_text(root, "Description")
    finally:
        files.close()
    _drop_case_values(package)
    _resolve_positions(package)
    return package


def _drop_case_values(package: Package) -> None:
    """A source's variable values that repeat its case's (as kodeverk and others write them for
    tools that read only those) are the case's, not the document's own."""
    case_of = {source: case for case in package.cases for source in case.sources}
    for source in package.sources:
        case = case_of.get(source.guid)
        if case is not None and source.variables.items() <= case.values.items():
            source.variables = {}


def _with_guids(
    root: etree._Element, package: Package, group: str, tag: str
) -> Iterator[tuple[etree._Element, str]]:
    """Each ``<group><tag guid=…>`` element with its GUID; one without is a warning."""
    for elements in children(root, group):
        for element in children(elements, tag):
            guid, _ = parse_guid(element.get("guid"))
            if guid is None:
                package.warn(element, f"a {tag.lower()} without a GUID; skipped")
                continue
            yield element, guid


def _read_users(root: etree._Element, package: Package) -> None:
    for user, guid in _with_guids(root, package, "Users", "User"):
        name = (user.get("name") or user.get("id") or "").strip()
        package.users[guid] = name or f"user {guid[:8]}"


def _read_codebook(root: etree._Element, package: Package) -> None:
    seen: set[str] = set()
    for book in children(root, "CodeBook"):
        for codes in children(book, "Codes"):
            package.codes += read_code_tree(
                codes,
                package.where,
                package.warnings,
                seen,
                package.code_notes,
                "",
                package.code_memos,
            )
        package.groups += read_sets(book, package.where, package.warnings)


def _read_variables(root: etree._Element, package: Package) -> None:
    for variables in children(root, "Variables"):
        for variable in children(variables, "Variable"):
            guid, _ = parse_guid(variable.get("guid"))
            name = (variable.get("name") or "").strip()
            if guid is None or not name:
                package.warn(variable, "a variable without GUID or name; skipped")
                continue
            package.variables[guid] = name


def _values(element: etree._Element, package: Package) -> dict[str, str]:
    """Variable values of a case or source, by variable name."""
    values: dict[str, str] = {}
    for holder in children(element, "VariableValue"):
        ref = child(holder, "VariableRef")
        guid = parse_guid(ref.get("targetGUID"))[0] if ref is not None else None
        name = package.variables.get(guid or "")
        if name is None:
            package.warn(holder, f"value of an unknown variable {guid!r}; skipped")
            continue
        for tag in (*_VALUE_TAGS, "DateTimeValue"):
            value = read_value(tag, child_text(holder, tag))
            if value:
                values[name] = value
    return values


def _read_cases(root: etree._Element, package: Package) -> None:
    for cases in children(root, "Cases"):
        for number, case in enumerate(children(cases, "Case"), start=1):
            name = " ".join((case.get("name") or "").split()) or f"case {number}"
            refs = [parse_guid(r.get("targetGUID"))[0] for r in children(case, "SourceRef")]
            ignored = len(children(case, "SelectionRef")) + len(children(case, "CodeRef"))
            if ignored:
                package.warn(
                    case,
                    f"case {name!r}: {ignored} selection or code links not read "
                    "(kodeverk links a case to whole documents)",
                )
            description, memo = split_memo(child_text(case, "Description"))
            package.cases.append(
                Case(
                    parse_guid(case.get("guid"))[0],
                    name,
                    description,
                    _values(case, package),
                    [r for r in refs if r],
                    f"{package.where}: line {case.sourceline}",
                    memo,
                )
            )


def _read_notes(root: etree._Element, package: Package, files: Files) -> None:
    for note, guid in _with_guids(root, package, "Notes", "Note"):
        text = _inline_or_file(note, package, files, "note")
        if text is None:
            continue
        user = parse_guid(note.get("creatingUser"))[0]
        package.notes[guid] = Note((note.get("name") or "").strip(), text.strip(), user)


def _inline_or_file(
    element: etree._Element, package: Package, files: Files, what: str
) -> str | None:
    content = child(element, "PlainTextContent")
    if content is not None:
        return content.text or ""
    reference = element.get("plainTextPath")
    if not reference:
        package.warn(element, f"{what} {_label(element)} has no plain text; skipped")
        return None
    data, why = files.read(reference)
    if data is None:
        package.warn(element, f"{what} {_label(element)}: {why}; skipped")
        return None
    text, utf8 = decode_text(data)
    if not utf8:
        package.warn(element, f"{what} {reference!r} is not UTF-8; read by its BOM or as cp1252")
    return text


def _label(element: etree._Element) -> str:
    return repr(element.get("name") or element.get("guid") or "")


def _note_refs(element: etree._Element) -> list[str]:
    refs = [parse_guid(r.get("targetGUID"))[0] for r in children(element, "NoteRef")]
    return [r for r in refs if r]


def _read_sources(
    root: etree._Element, package: Package, files: Files, progress: Progress | None
) -> None:
    elements = [e for sources in children(root, "Sources") for e in sources]
    for done, element in enumerate(elements, start=1):
        kind = local(element)
        if kind == "TextSource":
            _read_text_source(element, package, files, element)
        elif kind == "PDFSource" and child(element, "Representation") is not None:
            _read_text_source(child(element, "Representation"), package, files, element)
        elif kind in (*_NON_TEXT, "PDFSource"):
            package.warn(element, f"{kind} {element.get('name')!r} is not text; skipped")
        if progress:
            progress("reading", done, len(elements))


def _read_text_source(
    element: etree._Element, package: Package, files: Files, outer: etree._Element
) -> None:
    name = (outer.get("name") or element.get("name") or "").strip()
    guid, valid = parse_guid(outer.get("guid") or element.get("guid"))
    reference = element.get("plainTextPath") or ""
    name = name or Path(reference.replace("internal://", "")).stem or (guid or "source")
    selections = children(element, "PlainTextSelection")
    package.selections += len(selections)
    text = _inline_or_file(element, package, files, "source")
    if text is None:
        if selections:
            package.warn(element, f"source {name!r}: its {len(selections)} selections skipped")
        _keep_memos(outer, selections, name, package)
        return
    if guid is None or not valid:
        package.warn(element, f"source {name!r} has no valid GUID; a new one was made")
        guid = guid or parse_guid(f"{package.where}#{name}")[0]
    assert guid is not None  # derived from a non-empty string above
    source = SourceText.of(text)
    if not source.text.strip():
        rich = "; its rich text (.docx) is not read" if element.get("richTextPath") else ""
        what = "is blank (its text is only white space)" if source.text else "has no plain text"
        package.warn(element, f"source {name!r} {what}{rich}; skipped")
        _keep_memos(outer, selections, name, package)
        return
    found = Source(
        guid,
        name,
        source,
        parse_guid(outer.get("creatingUser"))[0],
        f"{package.where}: line {element.sourceline}",
    )
    found.notes = _note_refs(outer)
    found.description = child_text(outer, "Description")
    found.variables = _values(outer, package)
    for selection in children(element, "PlainTextSelection"):
        read = _read_selection(selection, package)
        if read is not None:
            found.selections.append(read)
    whole = [_coding(c) for c in children(outer, "Coding")]
    if whole:
        selection = Selection(None, 0, 0, None, None, found.where, whole, whole=True)
        found.selections.append(selection)
    package.sources.append(found)


def _keep_memos(
    outer: etree._Element, selections: list[etree._Element], name: str, package: Package
) -> None:
    """Notes on a source whose text is missing still become (project) memos."""
    package.orphans.append((f"(on source {name!r})", "", _note_refs(outer)))
    for element in selections:
        read = _read_selection(element, package)
        if read and (read.description or read.notes):
            where = f"(on selection {read.start}–{read.end} of source {name!r})"
            package.orphans.append((where, read.description, read.notes))


def _coding(element: etree._Element) -> Coding:
    ref = child(element, "CodeRef")
    code = parse_guid(ref.get("targetGUID"))[0] if ref is not None else None
    user = parse_guid(element.get("creatingUser"))[0]
    return Coding(parse_guid(element.get("guid"))[0], code, user, element.get("creationDateTime"))


def _read_selection(element: etree._Element, package: Package) -> Selection | None:
    try:
        start = int(element.get("startPosition", ""))
        end = int(element.get("endPosition", ""))
    except ValueError:
        package.warn(element, "selection without whole-number start and end positions; skipped")
        return None
    found = Selection(
        parse_guid(element.get("guid"))[0],
        start,
        end,
        parse_guid(element.get("creatingUser"))[0],
        element.get("creationDateTime"),
        f"{package.where}: line {element.sourceline}",
    )
    found.codings = [_coding(c) for c in children(element, "Coding")]
    found.notes = [ref for c in children(element, "Coding") for ref in _note_refs(c)]
    found.notes += _note_refs(element)
    found.description = child_text(element, "Description")
    return found


# -- positions -----------------------------------------------------------------------------------
def _resolve_positions(package: Package) -> None:
    """Decide the position unit for the whole file, then map every selection."""
    evidence = [
        (s.text, sel.start, sel.end)
        for s in package.sources
        for sel in s.selections
        if not sel.whole
    ]
    hint = "nvivo" in package.origin.lower() and "windows" in package.origin.lower()
    package.unit, package.unit_scores = choose_unit(evidence, hint)
    for source in package.sources:
        for selection in source.selections:
            if selection.whole:
                selection.span = (0, len(source.text.text))
            else:
                selection.span = _span(source, selection, package)


def _span(source: Source, selection: Selection, package: Package) -> tuple[int, int] | None:
    start, end = sorted((selection.start, selection.end))
    begin = source.text.position(start, package.unit)
    stop = source.text.position(end, package.unit)
    length = len(source.text.text)
    where = f"{selection.where}: selection {selection.start}–{selection.end} in {source.name!r}"
    if begin is None or begin >= length:
        package.warnings.append(f"{where} lies outside the text (length {length}); skipped")
        return None
    if stop is None:
        package.warnings.append(f"{where} runs past the end of the text; cut at its end")
        stop = length
    if stop <= begin:
        package.warnings.append(f"{where} is empty; skipped")
        return None
    return begin, stop
