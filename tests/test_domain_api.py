"""One domain API for the command line and the app: read models in the domain, the merge rule
stated once, caches owned by the Project, worker threads on connections of their own, screens
that talk to the app through messages."""

from __future__ import annotations

import ast
import random
import threading
from pathlib import Path

import pytest

from coding import operations as ops
from coding.codes import add_code, list_codes
from coding.store import Project
from coding.views import documents_overview, load_codings

ROOT = Path(__file__).resolve().parent.parent


def test_merged_by_says_which_codings_apply_coding_merged(small_project: Project) -> None:
    """The coding screen mirrors a committed apply with ``merged_by``: it must name exactly the
    codings the store merged away, for overlapping, touching and separate spans."""
    rng = random.Random(12)
    coder_id = small_project.coder_id("kari")
    length = len(small_project.conn.execute("SELECT text FROM documents").fetchone()[0])
    for _ in range(60):
        start = rng.randrange(0, length - 12)
        end = start + rng.randrange(1, 12)
        code_id = rng.choice([1, 3])
        before = load_codings(small_project, 1, coder_id)
        kept = ops.apply_coding(small_project, 1, code_id, "kari", start, end)
        after = {c.id for c in load_codings(small_project, 1, coder_id)}
        gone = {c.id for c in before if c.id not in after}
        predicted = {c.id for c in before if ops.merged_by(c, kept, start, end) and c.id != kept.id}
        assert predicted == gone


def test_code_tree_cache_belongs_to_the_project_and_a_rollback_forgets_it(
    small_project: Project,
) -> None:
    names = [c.name for c in list_codes(small_project)]
    with pytest.raises(RuntimeError), small_project.transaction():
        add_code(small_project, "Ny kode")
        assert "Ny kode" in [c.name for c in list_codes(small_project)]
        raise RuntimeError("roll back")
    assert small_project._caches == {}
    assert [c.name for c in list_codes(small_project)] == names
    other = Project.open(small_project.path)
    try:
        add_code(other, "Fra en annen")  # another connection commits: the key moves
    finally:
        other.close()
    assert "Fra en annen" in [c.name for c in list_codes(small_project)]


def test_documents_overview_reads_on_its_own_connection_in_a_thread(
    small_project: Project,
) -> None:
    ops.apply_coding(small_project, 1, 3, "kari", 12, 20)
    found: list = []
    worker = threading.Thread(
        target=lambda: found.extend(documents_overview(small_project, "kari"))
    )
    worker.start()
    worker.join(30)
    assert [(r.name, r.coded_segments > 0) for r in found] == [("intervju-oslo", True)]


# What a screen may call on ``self.app``: Textual's own API, and the role questions that answer
# at once (a message cannot return a value).
APP_API = {
    "push_screen",
    "pop_screen",
    "switch_screen",
    "screen_stack",
    "call_from_thread",
    "notify",
    "exit",
    "allowed",
    "hide_lead_keys",
    "write_problem",
}


def test_screens_ask_the_app_through_messages() -> None:
    calls = []
    for path in sorted((ROOT / "tui" / "screens").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and ast.unparse(node.value) == "self.app"
                and node.attr not in APP_API
            ):
                calls.append(f"{path.name}:{node.lineno} self.app.{node.attr}")
    assert calls == []


def test_screens_do_not_import_command_modules() -> None:
    imports = [
        f"{path.name}: {node.module}"
        for path in sorted((ROOT / "tui" / "screens").glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tui.commands")
    ]
    assert imports == []
