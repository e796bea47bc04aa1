"""The codebook as a tree with counts (this document / the project) and a text filter."""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region
from textual.strip import Strip
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from coding.codes import CodeRow

TOGGLE = Style.from_meta({"toggle": True})  # a click on the arrow collapses or expands


def swatch(code: CodeRow, key: str | None = None) -> Text:
    """A coloured square plus the code's key (its shortcut digit, or two digits for a
    sub-code), so the code is findable without colour too."""
    key = key or code.shortcut
    label = Text("■ ", style=code.colour)
    label.append(key if key else "·", style="bold")
    return label


class CodeTree(Tree[int]):
    """Codes by parent. ``enter`` selects (the screen decides what that does); ``space``
    collapses or expands."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__("Codebook", **kwargs)
        self.show_root = False
        self.auto_expand = False
        self.guide_depth = 2
        self.codes: list[CodeRow] = []
        self.keys_of: dict[int, str] = {}  # code id -> its key ("1", "12"), tui.shortcuts
        self._code_by_id: dict[int, CodeRow] = {}
        self._code_nodes: dict[int, TreeNode[int]] = {}
        self._line_style: Style | None = None  # ``rich_style`` at the last paint
        self.document_counts: dict[int, int] = {}
        self.project_counts: dict[int, int] = {}
        self.show_counts = True
        self.per_document = True  # "here/total"; False: the project total only
        self._laid_out_width = 0
        self._drawn_width = 0  # the width of the labels drawn (shortened to fit it)

    def _on_resize(self, event: events.Resize) -> None:
        """Only taller or shorter (the panel above it grew), or the size the lines were just
        drawn at (the first resize event comes after the first frame): every line stays as it
        was drawn. Textual's ``Tree`` forgets all of them and asks for another layout
        (issues 13, 14)."""
        width = event.size.width
        if width == self._laid_out_width or (
            not self._laid_out_width and self._drawn_width == self.scrollable_content_region.width
        ):
            event.prevent_default()  # not Tree._on_resize
            self._line_cache.grow(event.size.height)
        self._laid_out_width = width

    def render_lines(self, crop: Region) -> list[Strip]:
        # the widget's style once per paint, not per line (``Tree.render_line`` asks for it at
        # each line, and ``rich_style`` walks every ancestor's styles): ``]`` draws every line
        self._line_style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        """``Tree.render_line`` with the style of this paint."""
        style = self.rich_style if self._line_style is None else self._line_style
        scroll_x, scroll_y = self.scroll_offset
        return self._render_line(y + scroll_y, scroll_x, scroll_x + self.size.width, style)

    def show_codes(self, codes: list[CodeRow], filter_text: str = "") -> None:
        """(Re)build the tree; with a filter, only matching codes and their ancestors."""
        self.codes = codes
        self._code_by_id = {c.id: c for c in codes}
        keep = _matching(codes, filter_text)
        self.clear()
        self._code_nodes = {}
        for code in codes:
            if code.id not in keep:
                continue
            parent = self._code_nodes.get(code.parent_id or 0, self.root)
            has_children = any(c.parent_id == code.id and c.id in keep for c in codes)
            node = parent.add(
                self._label(code), data=code.id, expand=True, allow_expand=has_children
            )
            self._code_nodes[code.id] = node
        if self.is_mounted:  # the cursor on the first code: its lines are built now, so the
            self._cursor_to_first()  # layout to come knows their number (issue 13)

    def on_mount(self) -> None:
        # the scrollbar's widget made (and mounted) before the screen's first layout, which
        # places it: else a second layout and frame follow the first (issue 13)
        _ = self.vertical_scrollbar

    def before_layout(self) -> None:
        """Build the lines now (their number is known to the first layout) and, when they
        are more than the screen has rows, show the scrollbar: Textual decides scrollbars only
        during a layout, after placing the widget, so a second layout and frame followed the
        first (issue 13)."""
        lines = self.last_line + 1  # builds the lines: the virtual size
        if lines > self.app.size.height and self.styles.overflow_y in ("auto", "scroll"):
            self.show_vertical_scrollbar = True
            self.vertical_scrollbar.display = True

    def _cursor_to_first(self) -> None:
        if self.cursor_node is None and self._code_nodes:
            self.cursor_line = 0

    def set_counts(self, document_counts: dict[int, int], project_counts: dict[int, int]) -> None:
        changed = {
            code.id
            for code in self.codes
            if document_counts.get(code.id) != self.document_counts.get(code.id)
            or project_counts.get(code.id) != self.project_counts.get(code.id)
        }
        self.document_counts, self.project_counts = dict(document_counts), dict(project_counts)
        # ``render_label`` draws the counts: repainting a node's line is enough. ``set_label``
        # queued a callback per code (60 after ``]``), each looking for the node's line.
        if len(changed) > self.size.height:  # another document: most lines change
            self._line_cache.clear()
            self.refresh()
            return
        for code_id in changed:
            node = self._code_nodes.get(code_id)
            if node is not None:
                node.refresh()

    def change_counts(
        self, code_ids: set[int], document_counts: dict[int, int], project_counts: dict[int, int]
    ) -> None:
        """``set_counts`` when only the codes ``code_ids`` may have changed (a key's coding):
        only their counts are compared, and only their lines drawn again."""
        for code_id in code_ids:
            here, total = document_counts.get(code_id), project_counts.get(code_id)
            if here == self.document_counts.get(code_id) and (
                total == self.project_counts.get(code_id)
            ):
                continue
            self.document_counts[code_id], self.project_counts[code_id] = here or 0, total or 0
            node = self._code_nodes.get(code_id)
            if node is not None:
                node.refresh()

    def _label(self, code: CodeRow, width: int | None = None) -> Text:
        """Swatch, name and counts; with a width, the name is shortened (…) so that the
        counts stay visible in a narrow side panel."""
        label = swatch(code, self.keys_of.get(code.id))
        counts = ""
        if self.show_counts:
            here = self.document_counts.get(code.id, 0)
            total = self.project_counts.get(code.id, 0)
            counts = f" {here}/{total}" if self.per_document else f" {total}"
        name = f" {code.name}"
        if width is not None:
            room = width - label.cell_len - len(counts)
            if len(name) > room:
                name = name[: max(room - 1, 2)] + "…"
        label.append(name)
        label.append(counts, style="dim")
        return label

    def render_label(self, node: TreeNode[int], base_style: Style, style: Style) -> Text:
        code = self._code_by_id.get(node.data) if node.data is not None else None
        width = self._drawn_width = self.scrollable_content_region.width
        if code is None or width <= 0:
            return super().render_label(node, base_style, style)
        depth, parent = 0, node.parent  # top-level codes (under the hidden root): no guide
        while parent is not None and parent is not self.root:
            depth, parent = depth + 1, parent.parent
        prefix = 2 if node.allow_expand else 0  # "▼ "
        label = self._label(code, width - depth * self.guide_depth - prefix)
        label.stylize(style)
        if node.allow_expand:
            icon = self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE
            return Text.assemble((icon, base_style + TOGGLE), label)
        return label

    def get_label_width(self, node: TreeNode[int]) -> int:
        """A code's label is shortened to the width the tree has: while it has none (lines
        built before the first layout), no label is wider than it (no horizontal scroll)."""
        codes = getattr(self, "_code_by_id", {})  # (Tree.__init__ builds lines too)
        if self.scrollable_content_region.width <= 0 and node.data in codes:
            return 0
        return super().get_label_width(node)

    @property
    def highlighted_code(self) -> int | None:
        node = self.cursor_node
        return node.data if node is not None else None

    def select_code(self, code_id: int) -> None:
        node = self._code_nodes.get(code_id)
        if node is not None:
            self.move_cursor(node)


def _matching(codes: list[CodeRow], filter_text: str) -> set[int]:
    needle = filter_text.strip().casefold()
    if not needle:
        return {c.id for c in codes}
    by_id = {c.id: c for c in codes}
    keep: set[int] = set()
    for code in codes:
        if needle in code.search_text.casefold():
            current: CodeRow | None = code
            while current is not None and current.id not in keep:
                keep.add(current.id)
                current = by_id.get(current.parent_id) if current.parent_id else None
    return keep
