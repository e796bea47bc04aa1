"""Full-text search: FTS5 finds documents, hits carry exact code-point offsets."""

from __future__ import annotations

import pytest

from coding.documents import Segment, add_document, normalise_text
from coding.search import parse_query, search
from coding.store import Project

TEXTS = {
    "vadso": "Intervjuer: Hva med bolig?\nInformant: Boliger mangler. BOLIG er nøkkelen.",
    "bodo": "Samarbeid i Nord-Norge er godt. Bølge av nye brukere; «bolig først».",
    "oslo": 'Han sa "ja" til brukerråd_møtet (og til brukerrådet).',
}


@pytest.fixture
def searchable(project: Project) -> Project:
    for name, raw in TEXTS.items():
        text = normalise_text(raw)
        add_document(project, name, text, "text", [Segment(0, len(text), "paragraph", 0)])
    return project


def found(project: Project, query: str) -> list[tuple[str, str]]:
    hits = search(project, query)
    texts = {name: normalise_text(text) for name, text in TEXTS.items()}
    return [(h.document_name, texts[h.document_name][h.start : h.end]) for h in hits]


def test_words_are_case_insensitive_and_whole(searchable: Project) -> None:
    assert sorted(found(searchable, "bolig")) == [
        ("bodo", "bolig"),
        ("vadso", "BOLIG"),
        ("vadso", "bolig"),
    ]


def test_diacritics_are_kept_apart(searchable: Project) -> None:
    assert found(searchable, "bølge") == [("bodo", "Bølge")]
    assert found(searchable, "bolge") == []


def test_prefix_phrase_and_all_words(searchable: Project) -> None:
    assert sorted(found(searchable, "bolig*")) == [
        ("bodo", "bolig"),
        ("vadso", "BOLIG"),
        ("vadso", "Boliger"),
        ("vadso", "bolig"),
    ]
    assert found(searchable, '"nord norge"') == [("bodo", "Nord-Norge")]
    assert found(searchable, "Nord-Norge") == [("bodo", "Nord-Norge")]
    # All words must occur in the document; each occurrence of either word is a hit.
    assert found(searchable, "samarbeid bølge") == [("bodo", "Samarbeid"), ("bodo", "Bølge")]
    assert found(searchable, "samarbeid brukerråd") == []


@pytest.mark.parametrize(
    "query",
    ['"', '"ja', "ja\"'", "AND", "OR NOT", "NEAR(", "*", "col:ja", "(ja)", "^ja", "ja -nei", "{}"],
)
def test_odd_queries_never_crash(searchable: Project, query: str) -> None:
    hits = search(searchable, query)
    assert all(0 <= h.start < h.end for h in hits)


def test_fts_syntax_words_are_plain_words(searchable: Project) -> None:
    assert found(searchable, '"ja') == [("oslo", "ja")]
    assert found(searchable, "brukerråd") == [("oslo", "brukerråd")]  # «_» separates words


def test_snippet_and_limit(searchable: Project) -> None:
    hit = search(searchable, "nøkkelen")[0]
    assert hit.snippet.startswith("…") and "nøkkelen." in hit.snippet
    assert "\n" not in hit.snippet
    assert len(search(searchable, "bolig*", limit=2)) == 2
    assert search(searchable, "   ") == []
    assert parse_query('a "b c" d*')[2].prefix


def test_deleted_documents_leave_the_index(searchable: Project) -> None:
    with searchable.transaction() as conn:
        conn.execute("DELETE FROM documents WHERE name = 'bodo'")
    assert found(searchable, "samarbeid") == []
    integrity = "INSERT INTO documents_fts(documents_fts) VALUES ('integrity-check')"
    searchable.conn.execute(integrity)
