"""Read and write codebook files: YAML or JSON (nested ``children`` or flat ``id``/``parent``),
and REFI-QDA ``.qdc`` through ``codebooks.qdc``.

A codebook file is a mapping ``{name, version, codes: [...]}`` or just the list of codes. Each
code is a mapping with ``name`` and optionally ``goal`` (1–5), ``description``, ``include``,
``exclude``, ``colour`` (#rrggbb), ``shortcut``, ``keywords`` (list or comma-separated),
``guid`` and ``children``; in the flat form each code has an ``id`` and an optional ``parent``.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import yaml

from codebooks.model import DEFAULT_COLOUR, Codebook, CodeSpec, tree_from_flat, validate, where
from coding.codes import normalise_colour
from coding.errors import CodebookError
from coding.output import atomic_output

LINE_KEY = "__line__"
FIELDS = {
    "name",
    "goal",
    "description",
    "include",
    "exclude",
    "colour",
    "shortcut",
    "keywords",
    "children",
    "guid",
    "id",
    "parent",
}
ALIASES = {"color": "colour", "include_note": "include", "exclude_note": "exclude"}


MAX_DEPTH = 60  # nested mappings and lists; a code tree 25 levels deep still fits
MAX_NODES = 200_000  # values after aliases are expanded; the bundled codebook has ~2 000
_BRACKETS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


class _LineLoader(yaml.SafeLoader):
    """A safe YAML loader that remembers the line each mapping starts on, and refuses nesting
    deeper than ``MAX_DEPTH`` and aliases that expand to more than ``MAX_NODES`` values (the
    «billion laughs»: a 1 KB file whose aliases stand for 10⁹ values)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0  # values so far, each alias counted as the size of what it stands for
        self._sizes: dict[int, int] = {}  # id(anchored node) -> its expanded size

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            node = super().compose_node(parent, index)
            self._count(self._sizes.get(id(node), 1), event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Refused(event.start_mark, f"nested more than {MAX_DEPTH} levels deep")
        before = self._nodes
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._count(1, event.start_mark)
        if getattr(event, "anchor", None):
            self._sizes[id(node)] = self._nodes - before
        return node

    def _count(self, size: int, mark: yaml.Mark) -> None:
        self._nodes += size
        if self._nodes > MAX_NODES:
            raise _Refused(mark, f"more than {MAX_NODES:,} values once aliases are expanded")

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE_KEY] = node.start_mark.line + 1
        return mapping


class _Refused(Exception):
    def __init__(self, mark: yaml.Mark, problem: str) -> None:
        super().__init__(problem)
        self.mark, self.problem = mark, problem


def load_codebook(path: str | os.PathLike, *, check: bool = True) -> Codebook:
    """Read a codebook file and (with ``check``) validate it. Every problem is a one-line
    ``CodebookError`` naming the file and, where known, the line."""
    path = Path(path)
    if not path.is_file():
        raise CodebookError(f"{path}: no such codebook file")
    suffix = path.suffix.lower()
    if suffix == ".qdc":
        codebook = _read_qdc(path)
    elif suffix in (".yaml", ".yml", ".json"):
        data = _parse(path, suffix)
        codebook = codebook_from_data(data, source=str(path), default_name=path.stem)
    else:
        raise CodebookError(f"{path}: unknown codebook format; use .yaml, .yml, .json or .qdc")
    if check:
        validate(codebook)
    return codebook


def _read_qdc(path: Path) -> Codebook:
    from codebooks.qdc import read_qdc  # lxml loads only for .qdc files

    return read_qdc(path)  # its warnings in ``Codebook.warnings``


def _parse(path: Path, suffix: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodebookError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if suffix == ".json":
        _check_json_depth(text, str(path))
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CodebookError(
                f"{path}: line {exc.lineno}: malformed JSON: {exc.msg} (column {exc.colno})"
            ) from None
    return parse_yaml(text, str(path))


def _check_json_depth(text: str, source: str) -> None:
    """Refuse JSON nested deeper than ``MAX_DEPTH`` before parsing it (the parser recurses)."""
    depth = 0
    for match in _BRACKETS.finditer(text):
        bracket = match.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise CodebookError(
                    f"{source}: line {line}: nested more than {MAX_DEPTH} levels deep; refused"
                )
        elif bracket in "]}":
            depth -= 1


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML safely, each mapping carrying its line under ``LINE_KEY``."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except _Refused as exc:
        raise CodebookError(f"{source}: line {exc.mark.line + 1}: {exc.problem}; refused") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f"line {mark.line + 1}: " if mark else ""
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise CodebookError(f"{source}: {line}malformed YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise CodebookError(f"{source}: malformed YAML: {str(exc).splitlines()[0]}") from None


# -- from parsed data ---------------------------------------------------------------------------
def codebook_from_data(
    data: Any, *, source: str | None, default_name: str = "codebook"
) -> Codebook:
    """Build a (not yet validated) codebook from parsed YAML or JSON."""
    if isinstance(data, list):
        data = {"codes": data}
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise CodebookError(
            f"{where(source, _line(data))}: expected a mapping with a list under 'codes'"
        )
    items = [_item(raw, source) for raw in data["codes"]]
    flat = [item for item in items if "id" in item]
    if flat and len(flat) != len(items):
        raise CodebookError(f"{where(source, None)}: give every code an 'id' or none (flat form)")
    codes = tree_from_flat(items, source) if flat else [item["spec"] for item in items]
    return Codebook(
        name=str(data.get("name") or default_name),
        version=str(data.get("version") or "1"),
        codes=codes,
        source=source,
    )


def _line(raw: Any) -> int | None:
    return raw.get(LINE_KEY) if isinstance(raw, dict) else None


def _item(raw: Any, source: str | None) -> dict[str, Any]:
    """One code record: its spec (children built recursively), id, parent and line."""
    if not isinstance(raw, dict):
        raise CodebookError(f"{where(source, None)}: each code must be a mapping, got {raw!r}")
    line = raw.get(LINE_KEY)
    raw = {ALIASES.get(k, k): v for k, v in raw.items() if k != LINE_KEY}
    unknown = sorted(str(k) for k in raw if k not in FIELDS)
    if unknown:
        raise CodebookError(f"{where(source, line)}: unknown field {unknown[0]!r}")
    if "name" not in raw or raw["name"] is None:
        raise CodebookError(f"{where(source, line)}: a code has no name")
    name = str(raw["name"]).strip()
    children = raw.get("children") or []
    if not isinstance(children, list):
        raise CodebookError(f"{where(source, line, name)}: 'children' must be a list")
    spec = CodeSpec(
        name=name,
        goal=_goal(raw.get("goal"), source, line, name),
        description=_text(raw.get("description")),
        include=_text(raw.get("include")),
        exclude=_text(raw.get("exclude")),
        colour=_colour(_text(raw.get("colour")) or DEFAULT_COLOUR),
        shortcut=None if raw.get("shortcut") is None else str(raw["shortcut"]),
        keywords=_keywords(raw.get("keywords"), source, line, name),
        children=[_item(child, source)["spec"] for child in children],
        guid=None if raw.get("guid") is None else str(raw["guid"]),
        line=line,
    )
    item: dict[str, Any] = {"spec": spec, "line": line}
    if "id" in raw:
        item["id"] = raw["id"]
        item["parent"] = raw.get("parent")
    return item


def _text(value: Any) -> str:
    return "" if value is None else " ".join(str(value).split())


def _colour(value: str) -> str:
    """``#rrggbb`` from a hex value or a colour name; anything else is left for ``validate``
    to report with its line."""
    try:
        return normalise_colour(value)
    except CodebookError:
        return value


def _goal(value: Any, source: str | None, line: int | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    raise CodebookError(f"{where(source, line, name)}: goal {value!r} is not one of 1–5")


def _keywords(value: Any, source: str | None, line: int | None, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list):
        raise CodebookError(f"{where(source, line, name)}: keywords must be a list of words")
    return [str(word).strip() for word in value if str(word).strip()]


# -- writing ------------------------------------------------------------------------------------
def codebook_to_data(codebook: Codebook) -> dict[str, Any]:
    return {
        "name": codebook.name,
        "version": codebook.version,
        "codes": [_spec_to_data(code) for code in codebook.codes],
    }


def _spec_to_data(code: CodeSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"name": code.name, "goal": code.goal}
    for key in ("description", "include", "exclude", "colour", "shortcut", "guid"):
        value = getattr(code, key)
        if value not in (None, ""):
            data[key] = value
    if code.keywords:
        data["keywords"] = list(code.keywords)
    if code.children:
        data["children"] = [_spec_to_data(child) for child in code.children]
    return data


def dump_codebook(codebook: Codebook, path: str | os.PathLike) -> Path:
    """Write the codebook as YAML (``.yaml``/``.yml``) or JSON (``.json``)."""
    path = Path(path)
    data = codebook_to_data(codebook)
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif suffix in (".yaml", ".yml"):
        text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
    else:
        raise CodebookError(f"{path}: write codebooks as .yaml, .yml or .json")
    with atomic_output(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return path
