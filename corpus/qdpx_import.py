"""Write a read REFI-QDA project (``corpus.qdpx_read.Package``) into a kodeverk project, in
one transaction: any error leaves the project as it was.

Users become coders (matched by name), codes merge into the codebook (by GUID, then path),
cases merge by name and take their variables as attributes, each source becomes a document
(segmented like any import), each selection's codings become codings, notes become memos.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from codebooks.qdc import merge_codes
from codebooks.refi_common import DATETIME, same_text
from coding import journal
from coding.documents import Segment, record_import, sha256_text
from coding.groups import merge_groups
from coding.store import Project, inserted_id, new_guid, now, refresh_views
from corpus.qdpx_read import Package, Selection, Source

if TYPE_CHECKING:
    from corpus.importer import Progress

_KODEVERK_NOTE_NAME = re.compile(r"^Memo( \(\w+\))?$")
_CASE_NOTE_NAME = re.compile(r"^Memo on case (?P<case>.+)$")
SHOWN_WARNINGS = 20  # the summary lists this many; --json has them all


@dataclass
class QdpxImportReport:
    """What an import did, for the user and for ``--json``."""

    file: str
    origin: str = ""
    documents: int = 0
    documents_matched: int = 0
    codes_added: int = 0
    codes_matched: int = 0
    codes_skipped: int = 0
    coders_added: int = 0
    coders_matched: int = 0
    cases_added: int = 0
    cases_matched: int = 0
    attributes: int = 0
    code_groups_added: int = 0
    selections: int = 0
    codings: int = 0
    duplicate_codings: int = 0
    codings_matched: int = 0
    merged_codings: int = 0
    memos: int = 0
    position_unit: str = "codepoints"
    position_scores: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        unit = "UTF-16 code units (converted)" if self.position_unit == "utf16" else "code points"
        lines = [
            f"{self.file} ({self.origin or 'unknown tool'}): {self.documents} documents, "
            f"{self.codings} codings from {self.selections} selections (positions in {unit}), "
            f"{self.memos} memos",
            *self._already(),
            f"codes: {self.codes_added} added, {self.codes_matched} matched, "
            f"{self.codes_skipped} skipped; coders: {self.coders_added} added, "
            f"{self.coders_matched} matched; cases: {self.cases_added} added, "
            f"{self.cases_matched} matched, {self.attributes} attribute values",
        ]
        if self.code_groups_added:
            lines.append(f"code groups: {self.code_groups_added} added")
        if self.merged_codings:
            lines.append(
                f"{self.merged_codings} codings overlapping or touching another of the same code "
                "by the same coder were merged into it (one coded passage, as kodeverk keeps them)"
            )
        if self.warnings:
            lines.append(f"{len(self.warnings)} warnings:")
            lines += [f"  {w}" for w in self.warnings[:SHOWN_WARNINGS]]
            if len(self.warnings) > SHOWN_WARNINGS:
                lines.append(
                    f"  … and {len(self.warnings) - SHOWN_WARNINGS} more (--json lists them all)"
                )
        return "\n".join(lines)

    def _already(self) -> list[str]:
        if not (self.documents_matched or self.codings_matched):
            return []
        return [
            f"already in the project: {self.documents_matched} documents (same GUID and text; "
            f"not imported again), {self.codings_matched} codings (same span, code and coder)"
        ]

    def to_dict(self) -> dict:
        return asdict(self)


CodingKey = tuple[int, int, int, int, int]  # document, code and coder ids, start, end


class _CodingRow(NamedTuple):
    """A coding as inserted (the INSERT's columns, in order)."""

    guid: str
    document_id: int
    code_id: int
    coder_id: int
    case_id: int | None
    start: int
    end: int
    created_at: str


class _Writer:
    """Holds the id maps while one package is written."""

    def __init__(self, project: Project, package: Package, report: QdpxImportReport) -> None:
        self.project = project
        self.conn = project.conn
        self.package = package
        self.report = report
        self.coders: dict[str, int] = {}  # user GUID -> coder id
        self.codes: dict[str, int] = {}  # file code GUID -> code id
        self.code_guids: dict[int, str] = {}
        self.cases: dict[str, int] = {}  # case name -> id
        self.document_case: dict[str, int] = {}  # source GUID -> case id
        self.memos: dict[tuple[int, str, str | None], list[str]] = defaultdict(list)
        self._fallback: int | None = None
        self._used: set[str] = set()  # note GUIDs linked somewhere
        self.found: str | None = None
        self.merged_into: dict[str, str] = {}  # coding GUID merged away -> GUID kept
        self.matched: set[int] = set()  # ids of documents the project had already
        self.existing: dict[CodingKey, str] = {}  # their codings -> GUID

    # -- coders ----------------------------------------------------------------------------------
    def users(self) -> None:
        for guid, name in self.package.users.items():
            self.coders[guid] = self._coder(guid, name)

    def _coder(self, guid: str, name: str) -> int:
        row = self.conn.execute(
            "SELECT id FROM coders WHERE name = ? OR guid = ? ORDER BY name = ? DESC",
            (name, guid, name),
        ).fetchone()
        if row:
            self.report.coders_matched += 1
            return row[0]
        self.report.coders_added += 1
        cur = self.conn.execute(
            "INSERT INTO coders(guid, name, created_at) VALUES (?, ?, ?)", (guid, name, now())
        )
        return inserted_id(cur)

    def coder_of(self, *guids: str | None) -> int:
        """The first known user among ``guids``; an unknown GUID becomes a coder of its own."""
        for guid in guids:
            if guid is None:
                continue
            if guid not in self.coders:
                self.coders[guid] = self._coder(guid, f"user {guid[:8]}")
            return self.coders[guid]
        return self.fallback_coder()

    def fallback_coder(self) -> int:
        """For codings that name no user: the project's creator, the only user, or a coder
        named after the tool that wrote the file."""
        if self._fallback is None:
            users = self.package.users
            if self.package.creating_user in users:
                self._fallback = self.coders[self.package.creating_user]
            elif len(users) == 1:
                self._fallback = self.coders[next(iter(users))]
            else:
                name = f"{self.package.origin or 'REFI-QDA'} import"
                self._fallback = self._coder(new_guid(), name)
        return self._fallback

    # -- codes and cases -------------------------------------------------------------------------
    def codebook(self) -> None:
        merged = merge_codes(
            self.project, self.package.codes, self.report.warnings, self.package.where
        )
        self.codes = merged.ids
        self.report.codes_added = len(merged.added)
        self.report.codes_matched = len(merged.matched)
        self.report.codes_skipped = len(merged.skipped)
        self.code_guids = dict(self.conn.execute("SELECT id, guid FROM codes").fetchall())
        for file_guid, notes in self.package.code_notes.items():
            if file_guid in self.codes:
                target = self.code_guids[self.codes[file_guid]]
                self._notes(notes, "code", target, f"{self.package.where}: code {file_guid}")
        for file_guid, memo in self.package.code_memos.items():
            if file_guid in self.codes and not self._repeats_notes(
                memo, self.package.code_notes.get(file_guid, [])
            ):
                target = self.code_guids[self.codes[file_guid]]
                self.memos[(self.fallback_coder(), "code", target)].append(memo)
        self.report.code_groups_added = merge_groups(
            self.project, self.package.groups, self.codes, self.report.warnings, self.package.where
        )

    def _repeats_notes(self, text: str, refs: list[str]) -> bool:
        """A Description that only repeats the element's notes (kodeverk writes memos both
        ways, for tools that read one or the other)."""
        notes = [self.package.notes[r].text for r in refs if r in self.package.notes]
        return bool(notes) and same_text(text, "\n\n".join(notes))

    def cases_(self) -> None:
        for case in self.package.cases:
            case_id = self._case(case.guid, case.name, case.description)
            for name, value in case.values.items():
                self.conn.execute(
                    "INSERT INTO case_attributes(case_id, name, value) VALUES (?, ?, ?) "
                    "ON CONFLICT(case_id, name) DO UPDATE SET value = excluded.value",
                    (case_id, name, value),
                )
                self.report.attributes += 1
            for source in case.sources:
                if source in self.document_case and self.document_case[source] != case_id:
                    self.report.warnings.append(
                        f"{case.where}: source {source} belongs to an earlier case already; "
                        f"not linked to {case.name!r}"
                    )
                    continue
                self.document_case[source] = case_id
            self._case_memo(case.name, case.memo, case_id)
        refresh_views(self.conn)

    def _case_memo(self, name: str, memo: str, case_id: int) -> None:
        """A case's memo from its Description, unless it repeats kodeverk's own case Notes."""
        notes = [n.text for n in self.package.notes.values() if n.name == f"Memo on case {name}"]
        if not memo or (notes and same_text(memo, "\n\n".join(notes))):
            return
        guid = self.conn.execute("SELECT guid FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
        self.memos[(self.fallback_coder(), "case", guid)].append(memo)

    def _case(self, guid: str | None, name: str, description: str) -> int:
        row = self.conn.execute("SELECT id FROM cases WHERE name = ?", (name,)).fetchone()
        if row:
            self.report.cases_matched += 1
            self.cases[name] = row[0]
            return row[0]
        taken = guid and self.conn.execute("SELECT 1 FROM cases WHERE guid = ?", (guid,)).fetchone()
        cur = self.conn.execute(
            "INSERT INTO cases(guid, name, description, created_at) VALUES (?, ?, ?, ?)",
            (guid if guid and not taken else new_guid(), name, description, now()),
        )
        self.report.cases_added += 1
        self.cases[name] = inserted_id(cur)
        return self.cases[name]

    # -- documents and codings -------------------------------------------------------------------
    def documents(
        self, import_id: int, segments: list[list[Segment]], progress: Progress | None
    ) -> None:
        coding_rows: list[_CodingRow] = []
        segment_rows: list[tuple[int, int, int, int, str, int, str | None]] = []
        seen: set[CodingKey] = set()
        taken_guids = {r[0] for r in self.conn.execute("SELECT guid FROM codings")}
        total = len(self.package.sources)
        for done, (source, segs) in enumerate(zip(self.package.sources, segments, strict=True), 1):
            document_id, document_guid = self._same_document(source) or self._document(
                source, segs, import_id
            )
            if document_id in self.matched:
                self.existing.update(self._coding_keys(document_id))
            else:
                segment_rows += [
                    (document_id, i, s.start, s.end, s.kind, s.block, s.speaker)
                    for i, s in enumerate(segs)
                ]
            self._notes(source.notes, "document", document_guid, source.where)
            if source.description and not self._repeats_notes(source.description, source.notes):
                coder = self.coder_of(source.user)
                self.memos[(coder, "document", document_guid)].append(source.description)
            case_id = self.document_case.get(source.guid)
            made_here: list[_CodingRow] = []
            for selection in source.selections:
                made = self._codings(source, selection, document_id, case_id, taken_guids, seen)
                made_here += made
                target = made[0].guid if made else self.found
                self._selection_memos(source, selection, document_guid, target)
            coding_rows += self._merge_overlaps(made_here)
            if progress and (done % 50 == 0 or done == total):
                progress("writing", done, total)
        self.conn.executemany(
            'INSERT INTO segments(document_id, ordinal, start, "end", kind, block, speaker) '
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            segment_rows,
        )
        self.conn.executemany(
            "INSERT INTO codings(guid, document_id, code_id, coder_id, case_id, start, "
            '"end", created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
            coding_rows,
        )
        self.report.codings = len(coding_rows)

    def _merge_overlaps(self, rows: list[_CodingRow]) -> list[_CodingRow]:
        """One document's coding rows with overlapping or touching spans of one code by one
        coder merged into one, as ``operations.apply_coding`` does: the earliest keeps its GUID
        and the earliest creation time; memos on the others move to it."""
        kept: list[_CodingRow] = []
        for row in sorted(rows, key=lambda r: (r.code_id, r.coder_id, r.start, r.end)):
            last = kept[-1] if kept else None
            if (
                last
                and (last.code_id, last.coder_id) == (row.code_id, row.coder_id)
                and row.start <= last.end
            ):
                end, created = max(last.end, row.end), min(last.created_at, row.created_at)
                kept[-1] = last._replace(end=end, created_at=created)
                self.merged_into[row.guid] = last.guid
                self.report.merged_codings += 1
            else:
                kept.append(row)
        return kept

    def _same_document(self, source: Source) -> tuple[int, str] | None:
        """The project's document with this source's GUID and text (a file exported from this
        project, or coded elsewhere and brought back): its new codings go to it."""
        row = self.conn.execute(
            "SELECT id, sha256 FROM documents WHERE guid = ?", (source.guid,)
        ).fetchone()
        if row is None or row[1] != sha256_text(source.text.text):
            return None
        self.matched.add(row[0])
        self.report.documents_matched += 1
        return row[0], source.guid

    def _coding_keys(self, document_id: int) -> dict[CodingKey, str]:
        rows = self.conn.execute(
            'SELECT document_id, code_id, coder_id, start, "end", guid FROM codings '
            "WHERE document_id = ?",
            (document_id,),
        )
        return {(r[0], r[1], r[2], r[3], r[4]): r[5] for r in rows}

    def _document(self, source: Source, segs: list[Segment], import_id: int) -> tuple[int, str]:
        guid = source.guid
        if self.conn.execute("SELECT 1 FROM documents WHERE guid = ?", (guid,)).fetchone():
            self.report.warnings.append(
                f"{source.where}: source {source.name!r}: a document with GUID {guid} but "
                "another text exists already; imported as a new document with a new GUID"
            )
            guid = new_guid()
        text = source.text.text
        meta: dict[str, object] = {
            "file": self.package.path.name,
            "refi_origin": self.package.origin,
        }
        if source.variables:
            meta["variables"] = source.variables
        kind = "interview" if any(s.speaker for s in segs) else "text"
        cur = self.conn.execute(
            "INSERT INTO documents(guid, name, kind, text, length, sha256, case_id, import_id, "
            "source_meta, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guid,
                source.name,
                kind,
                text,
                len(text),
                sha256_text(text),
                self.document_case.get(source.guid),
                import_id,
                json.dumps(meta, ensure_ascii=False),
                now(),
            ),
        )
        self.report.documents += 1
        return inserted_id(cur), guid

    def _codings(
        self,
        source: Source,
        selection: Selection,
        document_id: int,
        case_id: int | None,
        taken: set[str],
        seen: set[CodingKey],
    ) -> list[_CodingRow]:
        self.found = None  # the project's coding matched, for the selection's memos
        if selection.span is None:
            return []
        rows: list[_CodingRow] = []
        start, end = selection.span
        for coding in selection.codings:
            code_id = self.codes.get(coding.code or "")
            if code_id is None:
                self.report.warnings.append(
                    f"{selection.where}: coding with unknown code {coding.code!r}; skipped"
                )
                continue
            coder_id = self.coder_of(coding.user, selection.user, source.user)
            key = (document_id, code_id, coder_id, start, end)
            if key in self.existing:
                self.report.codings_matched += 1
                self.found = self.found or self.existing[key]
                continue
            if key in seen:
                self.report.duplicate_codings += 1
                continue
            seen.add(key)
            guid = coding.guid if coding.guid and coding.guid not in taken else new_guid()
            taken.add(guid)
            created = next(
                (t for t in (coding.created, selection.created) if t and DATETIME.match(t)), now()
            )
            rows.append(
                _CodingRow(guid, document_id, code_id, coder_id, case_id, start, end, created)
            )
        return rows

    # -- memos -----------------------------------------------------------------------------------
    def _selection_memos(
        self, source: Source, selection: Selection, document_guid: str, coding: str | None
    ) -> None:
        if not (selection.notes or selection.description):
            return
        if self._repeats_notes(selection.description, selection.notes):
            selection.description = ""
        if coding:
            kind, target, prefix = "coding", coding, ""
        else:
            kind, target = "document", document_guid
            if selection.span:
                quote = source.text.text[slice(*selection.span)]
                quote = quote if len(quote) <= 200 else quote[:199] + "…"
                prefix = f"«{quote}» ({selection.span[0]}–{selection.span[1]})\n\n"
            else:
                prefix = f"(selection {selection.start}–{selection.end})\n\n"
        if selection.description:
            coder = self.coder_of(selection.user, source.user)
            self.memos[(coder, kind, target)].append(prefix + selection.description)
            prefix = ""
        self._notes(selection.notes, kind, target, selection.where, prefix)

    def _notes(
        self, refs: list[str], kind: str, target: str | None, where: str, prefix: str = ""
    ) -> None:
        for ref in refs:
            note = self.package.notes.get(ref)
            if note is None:
                self.report.warnings.append(f"{where}: note {ref} was not read; not linked")
                continue
            self._used.add(ref)
            coder = self.coder_of(note.user)
            self.memos[(coder, kind, target)].append(prefix + _note_text(note.name, note.text))
            prefix = ""

    def project_notes(self) -> None:
        """Project-level and unlinked notes; kodeverk's own case memos go back to their case."""
        for where, text, notes in self.package.orphans:
            if text:
                self.memos[(self.fallback_coder(), "project", None)].append(f"{where}\n\n{text}")
            self._notes(notes, "project", None, self.package.where, f"{where}\n\n")
        own = [r for r in self.package.project_notes if r in self.package.notes]
        own = [r for r in own if not _CASE_NOTE_NAME.match(self.package.notes[r].name)]
        if self.package.description and not self._repeats_notes(self.package.description, own):
            self.memos[(self.fallback_coder(), "project", None)].append(self.package.description)
        unlinked = [g for g in self.package.notes if g not in self._used]
        for guid in dict.fromkeys(self.package.project_notes + unlinked):
            note = self.package.notes.get(guid)
            match = _CASE_NOTE_NAME.match(note.name) if note else None
            if match and match["case"] in self.cases:
                target = self.conn.execute(
                    "SELECT guid FROM cases WHERE id = ?", (self.cases[match["case"]],)
                ).fetchone()[0]
                self._notes([guid], "case", target, self.package.where)
            else:
                self._notes([guid], "project", None, self.package.where)

    def write_memos(self) -> None:
        memos: dict[tuple[int, str, str | None], list[str]] = defaultdict(list)
        for (coder_id, kind, target), texts in self.memos.items():
            if kind == "coding" and target in self.merged_into:
                target = self.merged_into[target]
            memos[(coder_id, kind, target)] += texts
        for (coder_id, kind, target), texts in memos.items():
            text = "\n\n".join(t for t in texts if t.strip())
            if not text:
                continue
            row = self.conn.execute(
                "SELECT id, text FROM memos WHERE coder_id = ? AND target_kind = ? "
                "AND target_guid IS ?",
                (coder_id, kind, target),
            ).fetchone()
            stamp = now()
            if row and text in row[1]:
                continue  # imported before (a file exported from this project, say)
            if row:
                self.conn.execute(
                    "UPDATE memos SET text = ?, updated_at = ? WHERE id = ?",
                    (row[1] + "\n\n" + text, stamp, row[0]),
                )
            else:
                self.conn.execute(
                    "INSERT INTO memos(guid, coder_id, target_kind, target_guid, text, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (new_guid(), coder_id, kind, target, text, stamp, stamp),
                )
            self.report.memos += 1


def _note_text(name: str, text: str) -> str:
    if not name or _KODEVERK_NOTE_NAME.match(name) or _CASE_NOTE_NAME.match(name):
        return text
    return f"{name}\n\n{text}" if text else name


def write_package(
    project: Project,
    package: Package,
    file_sha256: str,
    segments: list[list[Segment]],
    progress: Progress | None = None,
) -> QdpxImportReport:
    """Write everything in one transaction and one (not undoable) event."""
    report = QdpxImportReport(
        str(package.path),
        origin=package.origin,
        selections=package.selections,
        position_unit=package.unit,
        position_scores=package.unit_scores,
        warnings=package.warnings,
    )
    fmt = package.path.suffix.lower().lstrip(".") or "qdpx"
    with project.transaction() as conn:
        import_id = record_import(
            project, file_sha256, package.path.name, str(package.path.resolve()), fmt
        )
        writer = _Writer(project, package, report)
        writer.users()
        writer.codebook()
        writer.cases_()
        writer.documents(import_id, segments, progress)
        writer.project_notes()
        writer.write_memos()
        journal.record(
            conn,
            None,
            "import.qdpx",
            f"imported {package.path.name}: {report.documents} documents, "
            f"{report.codings} codings, {report.codes_added} new codes",
            [],
            undoable=False,
        )
    return report
