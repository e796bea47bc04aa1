"""Transcript readers and sentence segmentation: real files, offsets into the stored text."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from coding.errors import InputError
from corpus.readers import read_transcript
from corpus.segment import sentence_pipeline, sentence_starts, split_sentences
from corpus.transcripts import parse_transcript

TRANSCRIPT = (
    "# Intervju, Vadsø kommune\n"
    "\n"
    "Intervjuer: Hvordan jobber dere med brukermedvirkning? Har dere et brukerråd?\n"
    "Informant 2: Ja. Vi har et brukerråd\n"
    "som møtes fire ganger i året.\n"
    "\n"
    "Det er ikke nok\n"
    "\n"
    "I: Og bolig?\n"
    "IP1: Det mangler boliger!\n"
)


def quotes(text: str, segments) -> list[tuple[str, str | None, int, str]]:
    return [(s.kind, s.speaker, s.block, text[s.start : s.end]) for s in segments]


def sentences(text: str, blocks) -> list:
    return split_sentences([(text, blocks)])[0]


def test_speaker_turns_split_into_sentences() -> None:
    transcript = parse_transcript(TRANSCRIPT)
    assert transcript.has_speakers
    assert quotes(TRANSCRIPT, sentences(TRANSCRIPT, transcript.blocks)) == [
        ("paragraph", None, 0, "# Intervju, Vadsø kommune"),
        ("turn", "Intervjuer", 1, "Hvordan jobber dere med brukermedvirkning?"),
        ("turn", "Intervjuer", 1, "Har dere et brukerråd?"),
        ("turn", "Informant 2", 2, "Ja."),
        ("turn", "Informant 2", 2, "Vi har et brukerråd\nsom møtes fire ganger i året."),
        ("turn", "Informant 2", 2, "Det er ikke nok"),
        ("turn", "I", 3, "Og bolig?"),
        ("turn", "IP1", 4, "Det mangler boliger!"),
    ]


def test_text_without_labels_is_paragraphs_and_rare_labels_are_text() -> None:
    text = "Første avsnitt. To setninger.\n\n\nMerk: bare én gang.\nFortsatt samme avsnitt."
    transcript = parse_transcript(text)
    assert not transcript.has_speakers
    assert quotes(text, sentences(text, transcript.blocks)) == [
        ("paragraph", None, 0, "Første avsnitt."),
        ("paragraph", None, 0, "To setninger."),
        ("paragraph", None, 1, "Merk: bare én gang."),
        ("paragraph", None, 1, "Fortsatt samme avsnitt."),
    ]


def test_names_used_twice_and_markdown_bold_labels(tmp_path: Path) -> None:
    path = tmp_path / "samtale.md"
    path.write_text(
        "**Kari:** Hei, Ola.\n**Ola:** Hei.\n**Kari:** Hva med rus?\n**Ola:** Tja.\n",
        encoding="utf-8",
    )
    transcript = read_transcript(path)
    assert [(b.speaker, transcript.text[b.start : b.end]) for b in transcript.blocks] == [
        ("Kari", "Hei, Ola."),
        ("Ola", "Hei."),
        ("Kari", "Hva med rus?"),
        ("Ola", "Tja."),
    ]


def test_cp1252_crlf_text_is_normalised(tmp_path: Path) -> None:
    path = tmp_path / "gammel.txt"
    path.write_bytes("Int.: Får dere hjelp?\r\nInformant: Nei, æøå.\r\n".encode("cp1252"))
    transcript = read_transcript(path)
    assert "\r" not in transcript.text
    assert [transcript.text[b.start : b.end] for b in transcript.blocks] == [
        "Får dere hjelp?",
        "Nei, æøå.",
    ]


def test_docx_paragraphs_and_table_rows(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Intervju Bodø", level=1)
    document.add_paragraph("Intervjuer: Hvordan er ventetiden?")
    document.add_paragraph("Informant 1: Lang. Altfor lang.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Intervjuer"
    table.rows[0].cells[1].text = "Takk."
    path = tmp_path / "bodo.docx"
    document.save(path)
    transcript = read_transcript(path)
    found = quotes(transcript.text, sentences(transcript.text, transcript.blocks))
    assert found == [
        ("paragraph", None, 0, "Intervju Bodø"),
        ("turn", "Intervjuer", 1, "Hvordan er ventetiden?"),
        ("turn", "Informant 1", 2, "Lang."),
        ("turn", "Informant 1", 2, "Altfor lang."),
        ("turn", "Intervjuer", 3, "Takk."),
    ]


def test_malformed_docx_is_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip file")
    with pytest.raises(InputError, match=r"broken\.docx: not a readable Word \.docx file"):
        read_transcript(path)


VTT = """WEBVTT

NOTE laget av Teams

1
00:00:01.000 --> 00:00:03.500
<v Kari Nordmann>Velkommen til intervjuet.</v>

2
00:00:03.500 --> 00:00:06.000
<v Kari Nordmann>Vi begynner med <i>bolig</i>.</v>

3
00:00:06.000 --> 00:00:09.000
<v.loud Ola Hansen>Boliger &amp; tjenester mangler.
Helt klart.</v>
"""


def test_vtt_voice_tags_merge_cues_and_keep_timestamps(tmp_path: Path) -> None:
    path = tmp_path / "mote.vtt"
    path.write_text(VTT, encoding="utf-8")
    transcript = read_transcript(path)
    text = transcript.text
    assert text == (
        "Kari Nordmann: Velkommen til intervjuet. Vi begynner med bolig.\n\n"
        "Ola Hansen: Boliger & tjenester mangler. Helt klart."
    )
    assert [(b.kind, b.speaker, b.block) for b in transcript.blocks] == [
        ("cue", "Kari Nordmann", 0),
        ("cue", "Ola Hansen", 1),
    ]
    cues = transcript.source_meta["cues"]
    assert [(text[s:e], t0, t1) for s, e, t0, t1 in cues] == [
        ("Velkommen til intervjuet.", "00:00:01.000", "00:00:03.500"),
        ("Vi begynner med bolig.", "00:00:03.500", "00:00:06.000"),
        ("Boliger & tjenester mangler. Helt klart.", "00:00:06.000", "00:00:09.000"),
    ]
    assert len(sentences(text, transcript.blocks)) == 4


def test_srt_with_label_prefixes(tmp_path: Path) -> None:
    path = tmp_path / "opptak.srt"
    path.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nI: Hei.\n\n"
        "2\n00:00:02,000 --> 00:00:04,000\nInformant: Hallo\nder.\n\n"
        "3\n00:00:04,000 --> 00:00:05,000\nInformant: Ja.\n",
        encoding="utf-8",
    )
    transcript = read_transcript(path)
    assert transcript.text == "I: Hei.\n\nInformant: Hallo der. Ja."
    assert [b.speaker for b in transcript.blocks] == ["I", "Informant"]


def test_subtitles_without_cues_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "tom.vtt"
    path.write_text("WEBVTT\n\nNOTE ingenting her\n", encoding="utf-8")
    with pytest.raises(InputError, match="no cues found"):
        read_transcript(path)


ALPHABET = st.sampled_from(
    ["Hei", "bolig", "NAV", "æøå", "3,5", ".", "!", "?", "...", "…", ",", ";", ":", "«", "»",
     "(", ")", "-", "–", '"', "'", " ", " ", " ", "  ", "\n", "\n\n", "\t", "Dr.", "f.eks.", "。"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=40).map("".join))
def test_sentence_starts_equal_spacy_sentencizer(text: str) -> None:
    nlp = sentence_pipeline()
    expected = [sentence.start_char for sentence in nlp(text).sents]
    assert sentence_starts(nlp.make_doc(text)) == expected


TRANSCRIPT_PIECES = st.sampled_from(
    ["Intervjuer: ", "I: ", "Kari: ", "Informant 2: ", "Hei", " ", "bolig", ". ", "? ", "!",
     "\n", "\n\n", "  \n \n", "…", "«sitat»", "Merk: ", "\t", "æøå"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(TRANSCRIPT_PIECES, max_size=40).map("".join))
@example("Intervjuer: …\n\nKari: ")  # a one-character sentence before a blank line
def test_segments_are_trimmed_ordered_and_inside_their_blocks(text: str) -> None:
    transcript = parse_transcript(text)
    segments = sentences(text, transcript.blocks)
    blocks = {b.block: b for b in transcript.blocks}
    previous_end = 0
    for segment in segments:
        quote = text[segment.start : segment.end]
        assert quote and quote == quote.strip() and "\n\n" not in quote
        assert previous_end <= segment.start < segment.end
        block = blocks[segment.block]
        assert block.start <= segment.start and segment.end <= block.end
        assert (segment.kind, segment.speaker) == (block.kind, block.speaker)
        previous_end = segment.end
    covered = "".join(text[s.start : s.end] for s in segments)
    blocks_text = "".join(text[b.start : b.end] for b in transcript.blocks)
    assert "".join(covered.split()) == "".join(blocks_text.split())  # no text lost


def test_chunking_for_spacy_does_not_change_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    text = TRANSCRIPT * 20
    blocks = parse_transcript(text).blocks
    whole = sentences(text, blocks)
    monkeypatch.setattr("corpus.segment.CHUNK_CHARS", 30)
    assert sentences(text, blocks) == whole


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join), st.integers(1, 12))
def test_long_blocks_cut_for_spacy_keep_their_sentences(text: str, chunk: int) -> None:
    """A block longer than CHUNK_CHARS is tokenized in pieces (so a 10 MB paragraph is never
    one spaCy Doc); the sentences are those of the whole block."""
    from unittest import mock

    from coding.documents import Segment

    blocks = [Segment(0, len(text), "paragraph", 0, None)] if text.strip() else []
    whole = sentences(text, blocks)
    with mock.patch("corpus.segment.CHUNK_CHARS", chunk):
        assert sentences(text, blocks) == whole
