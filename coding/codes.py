"""Codes in the project file: the codebook as stored, looked up and edited.

The tree is stored flat (``codes.parent_id``); ``list_codes`` reads it once and walks it in
memory, which is fast for codebooks of hundreds of codes. A code's *path* is its names from the
top joined by ``/``.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypedDict, Unpack

from coding import journal
from coding.errors import CodebookError, InputError
from coding.journal import Row
from coding.store import Project, inserted_id, new_guid, now

PATH_SEPARATOR = "/"
GUID_PATTERN = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


@dataclass
class CodeRow:
    id: int
    guid: str
    name: str
    parent_id: int | None
    goal: int | None  # the code's own goal (None: inherits)
    effective_goal: int | None  # own goal, else the nearest ancestor's
    description: str
    include_note: str
    exclude_note: str
    colour: str
    shortcut: str | None
    keywords: list[str] = field(default_factory=list)
    ordinal: int = 0
    path: str = ""
    depth: int = 0

    @property
    def search_text(self) -> str:
        """What the fuzzy picker and the tree filter match: name, description, keywords."""
        return " ".join([self.name, self.description, *self.keywords])


class CodeFields(TypedDict, total=False):
    """The optional fields of ``add_code`` that ``create_code`` passes on."""

    goal: int | None
    description: str
    include_note: str
    exclude_note: str
    colour: str
    shortcut: str | None
    keywords: Sequence[str]
    guid: str | None


def add_code(
    project: Project,
    name: str,
    *,
    parent_id: int | None = None,
    goal: int | None = None,
    description: str = "",
    include_note: str = "",
    exclude_note: str = "",
    colour: str = "#888888",
    shortcut: str | None = None,
    keywords: Sequence[str] = (),
    guid: str | None = None,
) -> int:
    """Add one code under ``parent_id`` (None: top level). Names are unique under a parent."""
    name = name.strip()
    with project.transaction() as conn:
        clash = conn.execute(
            "SELECT 1 FROM codes WHERE coalesce(parent_id, 0) = ? AND name = ?",
            (parent_id or 0, name),
        ).fetchone()
        if clash:
            raise CodebookError(f"a code named {name!r} exists already under that parent")
        ordinal = conn.execute(
            "SELECT coalesce(max(ordinal), -1) + 1 FROM codes WHERE coalesce(parent_id, 0) = ?",
            (parent_id or 0,),
        ).fetchone()[0]
        cur = conn.execute(
            "INSERT INTO codes(guid, parent_id, name, goal, description, include_note, "
            "exclude_note, colour, shortcut, keywords, ordinal, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guid or new_guid(),
                parent_id,
                name,
                goal,
                description,
                include_note,
                exclude_note,
                colour,
                shortcut,
                json.dumps(list(keywords), ensure_ascii=False),
                ordinal,
                now(),
            ),
        )
        return inserted_id(cur)


# -- reading the tree ---------------------------------------------------------------------------
_CODE_COLUMNS = (
    "id, guid, name, parent_id, goal, description, include_note, exclude_note, colour, "
    "shortcut, keywords, ordinal"
)


def list_codes(project: Project) -> list[CodeRow]:
    """All codes in tree order: depth first, siblings by ordinal (then name)."""
    return [replace(code, keywords=list(code.keywords)) for code in _tree(project)]


def _tree(project: Project) -> list[CodeRow]:
    """The tree, cached on the Project while the codes are unchanged; callers must not modify
    the rows."""
    return project.cached("code_tree", project.writes_version("codes"), lambda: _read_tree(project))


def _read_tree(project: Project) -> list[CodeRow]:
    rows = project.conn.execute(
        f"SELECT {_CODE_COLUMNS} FROM codes ORDER BY ordinal, name, id"
    ).fetchall()
    by_parent: dict[int | None, list[tuple]] = {}
    for row in rows:
        by_parent.setdefault(row[3], []).append(row)
    ordered: list[CodeRow] = []

    def walk(parent_id: int | None, prefix: str, depth: int, inherited: int | None) -> None:
        for row in by_parent.get(parent_id, []):
            code = _code_row(row, prefix, depth, inherited)
            ordered.append(code)
            walk(code.id, code.path + PATH_SEPARATOR, depth + 1, code.effective_goal)

    walk(None, "", 0, None)
    return ordered


def _code_row(row: tuple, prefix: str, depth: int, inherited: int | None) -> CodeRow:
    code_id, guid, name, parent_id, goal, description, include, exclude, colour, shortcut = row[:10]
    return CodeRow(
        id=code_id,
        guid=guid,
        name=name,
        parent_id=parent_id,
        goal=goal,
        effective_goal=goal if goal is not None else inherited,
        description=description,
        include_note=include,
        exclude_note=exclude,
        colour=colour,
        shortcut=shortcut,
        keywords=list(json.loads(row[10] or "[]")),
        ordinal=row[11],
        path=prefix + name,
        depth=depth,
    )


def get_code(project: Project, code_id: int) -> CodeRow:
    for code in _tree(project):
        if code.id == code_id:
            return replace(code, keywords=list(code.keywords))
    raise CodebookError(f"no code with id {code_id}")


def code_paths(project: Project) -> dict[int, str]:
    """Code id -> path such as ``Mål 4 Aktiv og meningsfull tilværelse/Bolig``."""
    return {code.id: code.path for code in _tree(project)}


def short_path(path: str, width: int) -> str:
    """«Mål 4 Aktiv og meningsfull tilværelse/Bolig/Oppfølging i bolig» -> «Mål 4/…/Oppfølging
    i bolig» when it does not fit: the leaf is what identifies a code."""
    if len(path) <= width or "/" not in path:
        return path
    parts = path.split("/")
    top = " ".join(parts[0].split()[:2]) if parts[0].startswith("Mål ") else parts[0].split()[0]
    middle = "/…/" if len(parts) > 2 else "/"
    return top + middle + parts[-1]


def code_path(project: Project, code_id: int) -> str:
    path = code_paths(project).get(code_id)
    if path is None:
        raise CodebookError(f"no code with id {code_id}")
    return path


def children_of(project: Project, code_id: int | None) -> list[int]:
    """Ids of the direct children of a code (None: the top-level codes), in order."""
    rows = project.conn.execute(
        "SELECT id FROM codes WHERE parent_id IS ? ORDER BY ordinal, name, id", (code_id,)
    ).fetchall()
    return [r[0] for r in rows]


_DESCENDANTS = (
    "WITH RECURSIVE below(id) AS (SELECT id FROM codes WHERE id = ? "
    "UNION SELECT c.id FROM codes c JOIN below b ON c.parent_id = b.id) SELECT id FROM below"
)


def descendants(project: Project, code_id: int) -> set[int]:
    """The code and everything below it."""
    rows = project.conn.execute(_DESCENDANTS, (code_id,)).fetchall()
    if not rows:
        raise CodebookError(f"no code with id {code_id}")
    return {r[0] for r in rows}


# -- finding a code from what a user typed ------------------------------------------------------
def resolve_code(project: Project, ref: str | int) -> int:
    """The id of the code ``ref`` names: an id, a GUID, a full path, a shortened path whose last
    parts match one code (each part by exact name, else by prefix; case-insensitive), or a bare
    name. Unknown or ambiguous references raise ``InputError`` with close matches."""
    codes = _tree(project)
    if isinstance(ref, int) or (isinstance(ref, str) and ref.strip().isdigit()):
        code_id = int(ref)
        if any(c.id == code_id for c in codes):
            return code_id
        if isinstance(ref, int):
            raise InputError(f"no code with id {code_id}")
    text = str(ref).strip()
    if not text:
        raise InputError("empty code reference")
    if GUID_PATTERN.match(text):
        for code in codes:
            if code.guid.lower() == text.lower():
                return code.id
    for code in codes:  # whole path first: names may contain the separator
        if code.path == text:
            return code.id
    return _match_parts(codes, text)


def _match_parts(codes: list[CodeRow], text: str) -> int:
    parts = [p.strip().casefold() for p in text.split(PATH_SEPARATOR) if p.strip()]
    by_id = {c.id: c for c in codes}
    scored: list[tuple[int, CodeRow]] = []
    for code in codes:
        exact = _suffix_score(code, parts, by_id)
        if exact is not None:
            scored.append((exact, code))
    if not scored:
        raise InputError(f"no code {text!r}{_close_matches(codes, text)}")
    best = max(score for score, _ in scored)
    winners = [code for score, code in scored if score == best]
    if len(winners) > 1:
        names = "; ".join(c.path for c in winners[:5])
        raise InputError(f"code {text!r} is ambiguous: it matches {names}")
    return winners[0].id


def _suffix_score(code: CodeRow, parts: list[str], by_id: dict[int, CodeRow]) -> int | None:
    """How many of ``parts`` match the code's last names exactly, or None if one part fails
    (neither the exact name nor a prefix of it)."""
    exact = 0
    node: CodeRow | None = code
    for part in reversed(parts):
        if node is None:
            return None
        name = node.name.casefold()
        if name == part:
            exact += 1
        elif not name.startswith(part):
            return None
        node = by_id.get(node.parent_id) if node.parent_id is not None else None
    return exact


def _close_matches(codes: list[CodeRow], text: str) -> str:
    from rapidfuzz import fuzz, process

    choices = {c.id: c.path for c in codes}
    found = process.extract(text, choices, scorer=fuzz.WRatio, limit=5, score_cutoff=50)
    if not found:
        return ""
    return "; close matches: " + "; ".join(match for match, _, _ in found)


def ensure_code_path(project: Project, path: str) -> int:
    """The code at the full ``path`` (names matched exactly, ignoring case), creating the
    missing parts as new codes. Used when importing codings with ``--create-codes``."""
    parts = [p.strip() for p in path.split(PATH_SEPARATOR) if p.strip()]
    if not parts:
        raise InputError(f"empty code path {path!r}")
    with project.transaction() as conn:
        parent_id: int | None = None
        for part in parts:
            siblings = conn.execute(
                "SELECT id, name FROM codes WHERE parent_id IS ?", (parent_id,)
            ).fetchall()
            found = [i for i, name in siblings if name == part] or [
                i for i, name in siblings if name.casefold() == part.casefold()
            ]
            parent_id = found[0] if found else add_code(project, part, parent_id=parent_id)
    assert parent_id is not None
    return parent_id


# -- editing the codebook -----------------------------------------------------------------------
# Each edit is one transaction and one event holding the changed ``codes`` rows (and codings and
# memos where they move), so it shows in the audit trail and the editing coder can undo it.
COLOUR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
# Common colour names (English and Norwegian); other names go through rich's colour names.
COLOUR_NAMES = {
    "red": "#d62728", "rød": "#d62728", "green": "#2ca02c", "grønn": "#2ca02c",
    "blue": "#1f77b4", "blå": "#1f77b4", "yellow": "#e6c229", "gul": "#e6c229",
    "orange": "#ff7f0e", "oransje": "#ff7f0e", "purple": "#9467bd", "lilla": "#9467bd",
    "pink": "#e377c2", "rosa": "#e377c2", "brown": "#8c564b", "brun": "#8c564b",
    "grey": "#7f7f7f", "gray": "#7f7f7f", "grå": "#7f7f7f", "teal": "#17becf",
    "turkis": "#17becf", "olive": "#bcbd22", "oliven": "#bcbd22", "black": "#000000",
    "svart": "#000000", "white": "#ffffff", "hvit": "#ffffff",
}  # fmt: skip


def _db_row(project: Project, code_id: int) -> Row:
    cur = project.conn.execute("SELECT * FROM codes WHERE id = ?", (code_id,))
    found = cur.fetchone()
    if found is None:
        raise CodebookError(f"no code with id {code_id}")
    return dict(zip([d[0] for d in cur.description], found, strict=True))


def _rows(project: Project, sql: str, params: Sequence[Any]) -> list[Row]:
    cur = project.conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def _record(project: Project, coder: str | None, action: str, summary: str, changes: list) -> None:
    coder_id = project.coder_id(coder) if coder else None
    journal.record(project.conn, coder_id, action, summary, changes, undoable=coder_id is not None)


def _edit(project: Project, code_id: int, coder: str | None, action: str, **updates: Any) -> None:
    """Change columns of one code as one journalled action (nothing happens if nothing changes)."""
    with project.transaction():
        before = _db_row(project, code_id)
        after = dict(before, **updates)
        if after == before:
            return
        changes = [journal.change("codes", before, after)]
        journal.apply_changes(project.conn, changes)
        summary = f"code {code_id} {before['name']!r}: " + ", ".join(
            f"{key} {before[key]!r} -> {value!r}" for key, value in updates.items()
        )
        _record(project, coder, action, summary, changes)


def _check_name_free(
    project: Project, name: str, parent_id: int | None, except_id: int | None = None
) -> None:
    if not name or PATH_SEPARATOR in name:
        raise CodebookError(f"code name {name!r} must be non-empty and without '/'")
    for sibling_id, sibling in project.conn.execute(
        "SELECT id, name FROM codes WHERE parent_id IS ?", (parent_id,)
    ):
        if sibling_id != except_id and sibling.casefold() == name.casefold():
            where = repr(code_path(project, parent_id)) if parent_id else "the top level"
            raise CodebookError(f"a code named {sibling!r} exists already under {where}")


def create_code(
    project: Project,
    name: str,
    *,
    parent_id: int | None = None,
    coder: str | None = None,
    **fields: Unpack[CodeFields],
) -> int:
    """``add_code`` as a journalled editor action (fields as in ``add_code``)."""
    name = name.strip()
    with project.transaction():
        if parent_id is not None:
            _db_row(project, parent_id)
        _check_name_free(project, name, parent_id)
        code_id = add_code(project, name, parent_id=parent_id, **fields)
        row = _db_row(project, code_id)
        _record(
            project,
            coder,
            "code.create",
            f"code {code_id} {name!r}",
            [journal.change("codes", None, row)],
        )
    return code_id


def rename_code(project: Project, code_id: int, name: str, *, coder: str | None = None) -> None:
    name = name.strip()
    with project.transaction():
        _check_name_free(project, name, _db_row(project, code_id)["parent_id"], code_id)
        _edit(project, code_id, coder, "code.rename", name=name)


def move_code(
    project: Project, code_id: int, new_parent_id: int | None, *, coder: str | None = None
) -> None:
    """Move a code (with everything below it) under ``new_parent_id`` (None: top level)."""
    with project.transaction():
        row = _db_row(project, code_id)
        if new_parent_id is not None and new_parent_id in descendants(project, code_id):
            raise CodebookError(
                f"cannot move {code_path(project, code_id)!r} under itself or its own descendant"
            )
        if row["parent_id"] == new_parent_id:
            return
        _check_name_free(project, row["name"], new_parent_id, code_id)
        _edit(
            project,
            code_id,
            coder,
            "code.move",
            parent_id=new_parent_id,
            ordinal=_next_ordinal(project, new_parent_id),
        )


def _next_ordinal(project: Project, parent_id: int | None) -> int:
    return project.conn.execute(
        "SELECT coalesce(max(ordinal), -1) + 1 FROM codes WHERE parent_id IS ?", (parent_id,)
    ).fetchone()[0]


def reorder_code(project: Project, code_id: int, index: int, *, coder: str | None = None) -> None:
    """Put a code at position ``index`` among its siblings (clamped), renumbering them."""
    with project.transaction():
        siblings = children_of(project, _db_row(project, code_id)["parent_id"])
        siblings.remove(code_id)
        siblings.insert(max(0, min(index, len(siblings))), code_id)
        changes = []
        for ordinal, sibling_id in enumerate(siblings):
            before = _db_row(project, sibling_id)
            if before["ordinal"] != ordinal:
                changes.append(journal.change("codes", before, dict(before, ordinal=ordinal)))
        if changes:
            journal.apply_changes(project.conn, changes)
            _record(project, coder, "code.reorder", f"code {code_id} to position {index}", changes)


def normalise_colour(colour: str) -> str:
    """``#rrggbb`` in lower case, from that form or a colour name such as ``teal``."""
    colour = (colour or "").strip()
    if COLOUR_PATTERN.match(colour):
        return colour.lower()
    if colour.casefold() in COLOUR_NAMES:
        return COLOUR_NAMES[colour.casefold()]
    from rich.color import Color, ColorParseError

    try:
        return Color.parse(colour.lower()).get_truecolor().hex
    except ColorParseError:
        raise CodebookError(f"colour {colour!r} is neither #rrggbb nor a colour name") from None


def set_code_colour(
    project: Project, code_id: int, colour: str, *, coder: str | None = None
) -> None:
    """Set a code's colour: ``#rrggbb`` or a colour name."""
    _edit(project, code_id, coder, "code.colour", colour=normalise_colour(colour))


def set_code_shortcut(
    project: Project, code_id: int, shortcut: str | None, *, coder: str | None = None
) -> None:
    """Give a code a shortcut key, unique in the codebook; None clears it."""
    if shortcut is not None:
        shortcut = shortcut.strip()
        if not shortcut or any(c.isspace() for c in shortcut):
            raise CodebookError(f"shortcut {shortcut!r} must be a key without spaces")
    with project.transaction():
        if shortcut is not None:
            taken = project.conn.execute(
                "SELECT id FROM codes WHERE lower(shortcut) = lower(?) AND id != ?",
                (shortcut, code_id),
            ).fetchone()
            if taken:
                raise CodebookError(
                    f"shortcut {shortcut!r} belongs to {code_path(project, taken[0])!r} already"
                )
        _edit(project, code_id, coder, "code.shortcut", shortcut=shortcut)


def set_code_goal(
    project: Project, code_id: int, goal: int | None, *, coder: str | None = None
) -> None:
    """Map a code to a main goal 1–5, or None to inherit its parent's."""
    if goal is not None and (isinstance(goal, bool) or goal not in range(1, 6)):
        raise CodebookError(f"goal {goal!r} is not one of 1–5 (or none)")
    _edit(project, code_id, coder, "code.goal", goal=goal)


def update_code(
    project: Project,
    code_id: int,
    *,
    description: str | None = None,
    include_note: str | None = None,
    exclude_note: str | None = None,
    keywords: Sequence[str] | None = None,
    coder: str | None = None,
) -> None:
    """Change a code's texts; arguments left as None stay as they are."""
    updates: dict[str, Any] = {
        key: value.strip()
        for key, value in (
            ("description", description),
            ("include_note", include_note),
            ("exclude_note", exclude_note),
        )
        if value is not None
    }
    if keywords is not None:
        words = [w.strip() for w in keywords if w.strip()]
        updates["keywords"] = json.dumps(words, ensure_ascii=False)
    if updates:
        _edit(project, code_id, coder, "code.update", **updates)


# -- merge and delete: never lose codings silently ------------------------------------------------
def merge_codes(project: Project, source_id: int, target_id: int, coder: str) -> int:
    """Merge ``source`` into ``target``: its codings become codings of the target (overlapping or
    adjacent spans of the same coder join), its children move under the target (same-named
    children are merged in turn), its memos follow, and the source code is deleted. A backup is
    made first. Returns the number of codings that now point at the target."""
    if source_id == target_id:
        raise CodebookError("cannot merge a code into itself")
    if target_id in descendants(project, source_id):
        raise CodebookError(
            f"cannot merge {code_path(project, source_id)!r} into its own descendant"
        )
    _db_row(project, target_id)
    source_path, target_path = code_path(project, source_id), code_path(project, target_id)
    from coding.backup import backup_before  # not at import: it loads the output helpers

    backup_before(project, "merge")
    with project.transaction():
        changes: list[dict[str, Any]] = []
        moved = _merge_into(project, source_id, target_id, changes)
        _record(project, coder, "code.merge", f"{source_path!r} into {target_path!r}", changes)
    return moved


def _apply(project: Project, changes: list, new: list) -> None:
    journal.apply_changes(project.conn, new)
    changes.extend(new)


def _merge_into(project: Project, source_id: int, target_id: int, changes: list) -> int:
    moved = _merge_codings(project, source_id, target_id, changes)
    target_children = {
        name.casefold(): child_id
        for child_id, name in project.conn.execute(
            "SELECT id, name FROM codes WHERE parent_id = ?", (target_id,)
        )
    }
    for child_id in children_of(project, source_id):
        child = _db_row(project, child_id)
        twin = target_children.get(child["name"].casefold())
        if twin is not None:
            moved += _merge_into(project, child_id, twin, changes)
        else:
            after = dict(child, parent_id=target_id, ordinal=_next_ordinal(project, target_id))
            _apply(project, changes, [journal.change("codes", child, after)])
    source = _db_row(project, source_id)
    target_guid = _db_row(project, target_id)["guid"]
    _apply(project, changes, _move_memos(project, "code", source["guid"], target_guid))
    _apply(project, changes, _move_group_members(project, source_id, target_id))
    _apply(project, changes, [journal.change("codes", source, None)])
    return moved


def _move_group_members(project: Project, from_id: int, to_id: int) -> list:
    """The code's places in code groups go to the code it is merged into."""
    new = []
    for member in _rows(project, "SELECT * FROM code_group_members WHERE code_id = ?", (from_id,)):
        new.append(journal.change("code_group_members", member, None))
        moved = {"group_id": member["group_id"], "code_id": to_id}
        if not journal.fetch_row(project.conn, "code_group_members", moved):
            new.append(journal.change("code_group_members", None, moved))
    return new


def _merge_codings(project: Project, source_id: int, target_id: int, changes: list) -> int:
    """Move the source's codings to the target, joining spans per document and coder."""
    rows = _rows(
        project,
        "SELECT * FROM codings WHERE code_id IN (?, ?) ORDER BY document_id, coder_id, start, "
        "code_id = ? DESC, id",
        (source_id, target_id, target_id),
    )
    groups: dict[tuple[int, int], list[Row]] = {}
    for row in rows:
        groups.setdefault((row["document_id"], row["coder_id"]), []).append(row)
    moved = 0
    alone: list[dict[str, Any]] = []  # a source coding touching nothing: only its code changes
    for group in groups.values():
        if not any(r["code_id"] == source_id for r in group):
            continue
        for cluster in _clusters(group):
            moved += sum(1 for r in cluster if r["code_id"] == source_id)
            if len(cluster) == 1 and cluster[0]["code_id"] == source_id:
                alone.append(
                    journal.change("codings", cluster[0], dict(cluster[0], code_id=target_id))
                )
            elif len(cluster) > 1:
                _apply(project, changes, _join_cluster(project, cluster, target_id))
    # in bulk: the stored rows equal the journalled ``after`` rows exactly
    project.conn.executemany(
        "UPDATE codings SET code_id = ? WHERE guid = ?",
        [(target_id, item["before"]["guid"]) for item in alone],
    )
    changes.extend(alone)
    return moved


def _clusters(rows: list[Row]) -> list[list[Row]]:
    """Rows sorted by start, grouped where spans overlap or touch."""
    clusters: list[list[Row]] = []
    end = -1
    for row in rows:
        if clusters and row["start"] <= end:
            clusters[-1].append(row)
            end = max(end, row["end"])
        else:
            clusters.append([row])
            end = row["end"]
    return clusters


def _join_cluster(project: Project, cluster: list[Row], target_id: int) -> list[dict[str, Any]]:
    """One coding of the target covering the cluster; a target coding keeps its GUID first."""
    keeper = next((r for r in cluster if r["code_id"] == target_id), cluster[0])
    grown = dict(
        keeper,
        code_id=target_id,
        start=min(r["start"] for r in cluster),
        end=max(r["end"] for r in cluster),
    )
    new = [journal.change("codings", keeper, grown)] if grown != keeper else []
    for row in cluster:
        if row is not keeper:
            new += _move_memos(project, "coding", row["guid"], keeper["guid"])
            new.append(journal.change("codings", row, None))
    return new


def _move_memos(project: Project, kind: str, from_guid: str, to_guid: str) -> list:
    """Memos on one target move to another; a coder's two memos on the same target are joined."""
    new = []
    for memo in _rows(
        project,
        "SELECT * FROM memos WHERE target_kind = ? AND target_guid = ?",
        (kind, from_guid),
    ):
        existing = _rows(
            project,
            "SELECT * FROM memos WHERE target_kind = ? AND target_guid = ? AND coder_id = ? "
            "ORDER BY id LIMIT 1",
            (kind, to_guid, memo["coder_id"]),
        )
        if existing:
            joined = dict(existing[0], text=existing[0]["text"] + "\n\n" + memo["text"])
            new += [
                journal.change("memos", existing[0], joined),
                journal.change("memos", memo, None),
            ]
        else:
            new.append(journal.change("memos", memo, dict(memo, target_guid=to_guid)))
    return new


def delete_impact(project: Project, code_id: int) -> tuple[int, int]:
    """(codes, codings) that ``delete_code`` would delete: ask the user with these numbers."""
    ids = descendants(project, code_id)
    marks = ",".join("?" * len(ids))
    codings = project.conn.execute(
        f"SELECT count(*) FROM codings WHERE code_id IN ({marks})", list(ids)
    ).fetchone()[0]
    return len(ids), codings


def delete_code(project: Project, code_id: int, coder: str) -> tuple[int, int]:
    """Delete a code, everything below it, and all their codings and memos, after a backup.
    The event holds every deleted row, so it is auditable and undoable. Returns (codes,
    codings) deleted."""
    path = code_path(project, code_id)
    from coding.backup import backup_before

    backup_before(project, "delete")
    with project.transaction() as conn:
        codes = _subtree_rows(project, code_id)
        ids = [code["id"] for code in codes]
        in_codes = f"IN ({','.join('?' * len(ids))})"
        codings = _rows(project, f"SELECT * FROM codings WHERE code_id {in_codes}", ids)
        memos = _rows(
            project,
            "SELECT * FROM memos WHERE (target_kind = 'coding' AND target_guid IN "
            f"(SELECT guid FROM codings WHERE code_id {in_codes})) OR (target_kind = 'code' "
            f"AND target_guid IN (SELECT guid FROM codes WHERE id {in_codes}))",
            ids + ids,
        )
        members = _rows(project, f"SELECT * FROM code_group_members WHERE code_id {in_codes}", ids)
        # Deleted in bulk (nothing to re-read); undo restores in reverse: codes parents first.
        conn.execute(f"DELETE FROM code_group_members WHERE code_id {in_codes}", ids)
        conn.executemany("DELETE FROM memos WHERE guid = ?", [(m["guid"],) for m in memos])
        conn.executemany("DELETE FROM codings WHERE guid = ?", [(c["guid"],) for c in codings])
        for code in reversed(codes):  # children before parents (parent_id is RESTRICT)
            conn.execute("DELETE FROM codes WHERE id = ?", (code["id"],))
        changes = [
            *(journal.change("code_group_members", m, None) for m in members),
            *(journal.change("memos", m, None) for m in memos),
            *(journal.change("codings", c, None) for c in codings),
            *(journal.change("codes", code, None) for code in reversed(codes)),
        ]
        summary = f"{path!r}: {len(codes)} codes, {len(codings)} codings"
        _record(project, coder, "code.delete", summary, changes)
    return len(codes), len(codings)


def _subtree_rows(project: Project, code_id: int) -> list[Row]:
    """The code and its descendants, parents before children."""
    rows = [_db_row(project, code_id)]
    for child_id in children_of(project, code_id):
        rows += _subtree_rows(project, child_id)
    return rows


# -- counts -------------------------------------------------------------------------------------
def code_counts(
    project: Project,
    document_id: int | None = None,
    coder: str | None = None,
    *,
    rollup: bool = False,
) -> dict[int, int]:
    """Codings per code id (codes without codings are 0), optionally for one document or one
    coder. With ``rollup`` each code also counts the codings of its descendants. Read from
    ``code_document_counts`` (kept by triggers: a few thousand rows, not every coding)."""
    sql = "SELECT code_id, sum(n) FROM code_document_counts WHERE 1 = 1"
    params: list[Any] = []
    if document_id is not None:
        sql += " AND document_id = ?"
        params.append(document_id)
    if coder is not None:
        sql += " AND coder_id = (SELECT id FROM coders WHERE name = ?)"
        params.append(coder)
    try:
        direct = dict(project.conn.execute(sql + " GROUP BY code_id", params).fetchall())
    except sqlite3.OperationalError:  # a version-1 file opened read-only: no table, count
        sql = sql.replace("sum(n) FROM code_document_counts", "count(*) FROM codings")
        direct = dict(project.conn.execute(sql + " GROUP BY code_id", params).fetchall())
    codes = _tree(project)
    counts = {code.id: direct.get(code.id, 0) for code in codes}
    if rollup:
        for code in reversed(codes):  # children come after parents in tree order
            if code.parent_id is not None:
                counts[code.parent_id] += counts[code.id]
    return counts
