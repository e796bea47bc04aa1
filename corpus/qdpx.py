"""REFI-QDA projects (``.qdpx``): import. The public entry point is here; the work is in
``qdpx_read`` (lenient reading) and ``qdpx_import`` (writing what was read into the project, in
one transaction). Export is ``exports.qdpx_write.export_qdpx``.

``progress(stage, done, total)`` is called with stage ``"reading"``, ``"segmenting"`` or
``"writing"``, as in ``corpus.importer``.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from coding.documents import Segment
from coding.errors import InputError
from coding.store import Project
from corpus.importer import Progress
from corpus.qdpx_import import QdpxImportReport, write_package
from corpus.qdpx_read import Package, read_package

__all__ = ["QdpxImportReport", "import_qdpx"]


def import_qdpx(
    project: Project, path: str | os.PathLike, progress: Progress | None = None
) -> QdpxImportReport:
    """Import a ``.qdpx`` (or a bare ``.qde`` with its ``sources/`` folder beside it).
    Hostile or unreadable files raise ``InputError`` and change nothing; what cannot be read
    inside a readable file becomes a warning in the report."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    digest = _sha256(path)
    package = read_package(path, progress)
    segments = _segment(package, progress)
    return write_package(project, package, digest, segments, progress)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _segment(package: Package, progress: Progress | None) -> list[list[Segment]]:
    """Segments for each source, as for any imported transcript (turns, then sentences)."""
    from corpus.segment import TooManySentences, counting, split_sentences
    from corpus.transcripts import parse_transcript

    pairs = [(s.text.text, parse_transcript(s.text.text, s.where).blocks) for s in package.sources]
    advance = counting(progress, "segmenting", sum(len(blocks) for _, blocks in pairs))
    try:
        return split_sentences(pairs, advance) if pairs else []
    except TooManySentences as exc:
        raise InputError(f"{package.sources[exc.index].where}: {exc}") from None
