"""Hostile and broken exchange files: a one-line InputError and the project unchanged; and the
lenient side: real-world quirks are read with warnings that say where."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from codebooks.safe_zip import MAX_UNPACKED_BYTES, check_entries
from coding.errors import InputError
from coding.store import Project
from corpus.qdpx import import_qdpx
from tests.conftest import run_kodeverk, table_dump

NS = "urn:QDA-XML:project:1.0"
MINIMAL = f'<?xml version="1.0" encoding="UTF-8"?><Project xmlns="{NS}" name="x"/>'


def _zip(path: Path, entries: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _refused(project: Project, path: Path, pattern: str) -> None:
    before = table_dump(project.path)
    with pytest.raises(InputError, match=pattern) as error:
        import_qdpx(project, path)
    message = str(error.value)
    assert "\n" not in message and str(path) in message
    assert table_dump(project.path) == before


def test_zip_entry_escaping_the_folder(small_project, tmp_path):
    for name in ("../evil.txt", "/etc/evil.txt", "sources/../../evil.txt", "C:/evil.txt"):
        path = _zip(tmp_path / "slip.qdpx", {"project.qde": MINIMAL, name: "x"})
        _refused(small_project, path, "escapes the archive's folder")


def test_entity_bomb_and_external_entity(small_project, tmp_path):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        f'<Project xmlns="{NS}" name="&lol3;"/>'
    )
    _refused(small_project, _zip(tmp_path / "bomb.qdpx", {"project.qde": bomb}), "DTD")
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    external = (
        f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY x SYSTEM "file://{secret}">]>'
        f'<Project xmlns="{NS}" name="&x;"/>'
    )
    _refused(small_project, _zip(tmp_path / "xxe.qdpx", {"project.qde": external}), "DTD")
    # the DTD hidden after a long comment is still found by the parser check
    late = f'<?xml version="1.0"?><!--{"x" * 5000}--><!DOCTYPE p [<!ENTITY x "y">]>' + (
        f'<Project xmlns="{NS}" name="&x;"/>'
    )
    _refused(small_project, _zip(tmp_path / "late.qdpx", {"project.qde": late}), "DTD")


def test_zip_bomb_by_ratio_and_by_total_size(small_project, tmp_path):
    zeros = b"\0" * (40 * 1024**2)  # compresses about 1000-fold
    path = _zip(tmp_path / "zbomb.qdpx", {"project.qde": MINIMAL, "sources/a.txt": zeros})
    _refused(small_project, path, "ZIP bomb")
    infos = []
    for i in range(3):
        info = zipfile.ZipInfo(f"sources/{i}.txt")
        info.file_size, info.compress_size = MAX_UNPACKED_BYTES // 2, MAX_UNPACKED_BYTES // 4
        infos.append(info)
    with pytest.raises(InputError, match="unpacks to more than"):
        check_entries(tmp_path / "huge.qdpx", infos)


def test_missing_project_qde_and_malformed_xml(small_project, tmp_path):
    path = _zip(tmp_path / "empty.qdpx", {"sources/a.txt": "hei"})
    _refused(small_project, path, "no project.qde")
    path = _zip(tmp_path / "bad.qdpx", {"project.qde": f'<Project xmlns="{NS}" name="x">'})
    _refused(small_project, path, "line 1: not well-formed XML")
    path = _zip(tmp_path / "wrong.qdpx", {"project.qde": "<CodeBook/>"})
    _refused(small_project, path, "not a REFI-QDA <Project>")
    garbage = tmp_path / "garbage.qdpx"
    garbage.write_bytes(b"PK\x03\x04 not really a zip at all")
    _refused(small_project, garbage, "not a ZIP archive")
    text = tmp_path / "notes.qdpx"
    text.write_text("Intervjuer: Hei.\n")
    _refused(small_project, text, "notes.qdpx: not a ZIP archive, so not a REFI-QDA project")


def test_cli_import_of_hostile_file_is_one_line_and_changes_nothing(small_project, tmp_path):
    path = small_project.path
    small_project.close()
    slip = _zip(tmp_path / "slip.qdpx", {"project.qde": MINIMAL, "../x": "x"})
    before = table_dump(path)
    done = run_kodeverk("import", path, slip)
    assert done.returncode == 1
    assert done.stderr.startswith("kodeverk: error:") and done.stderr.count("\n") == 1
    assert table_dump(path) == before


# -- lenient reading -----------------------------------------------------------------------------
QUIRKY = """\ufeff<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1:0" name="quirks" origin="Some Tool 1.0"
    creatingUserGUID="{AAAAAAAA-0000-0000-0000-000000000001}">
  <Users><User guid="{AAAAAAAA-0000-0000-0000-000000000001}" name="Anne"/></Users>
  <CodeBook><Codes>
    <Code guid="BBBBBBBB-0000-0000-0000-000000000001" name="Bolig" isCodable="true"
          color="rgb(255, 0, 0)">
      <Code guid="bbbbbbbb-0000-0000-0000-000000000002" name="Husbanken" isCodable="true"
            color="red-ish"/>
    </Code>
    <Code guid="k7" name="Rus/psykisk helse" isCodable="true"/>
  </Codes></CodeBook>
  <Variables><Variable guid="cccccccc-0000-0000-0000-000000000001" name="innbyggere"
      typeOfVariable="Integer"/></Variables>
  <Cases><Case guid="dddddddd-0000-0000-0000-000000000001" name="Vadsø">
    <VariableValue><VariableRef targetGUID="CCCCCCCC-0000-0000-0000-000000000001"/>
      <IntegerValue>5700</IntegerValue></VariableValue>
    <SourceRef targetGUID="eeeeeeee-0000-0000-0000-000000000001"/>
  </Case></Cases>
  <Sources>
    <TextSource guid="EEEEEEEE-0000-0000-0000-000000000001" name="Intervju"
        plainTextPath="intervju.txt">
      <PlainTextSelection guid="ffffffff-0000-0000-0000-000000000001" startPosition="7"
          endPosition="17">
        <Coding guid="ffffffff-0000-0000-0000-0000000000c1">
          <CodeRef targetGUID="{BBBBBBBB-0000-0000-0000-000000000002}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="ffffffff-0000-0000-0000-000000000002" startPosition="27"
          endPosition="33"><Description>Bare et memo</Description></PlainTextSelection>
      <PlainTextSelection guid="ffffffff-0000-0000-0000-000000000003" startPosition="x"
          endPosition="9"/>
      <PlainTextSelection guid="ffffffff-0000-0000-0000-000000000004" startPosition="900"
          endPosition="990"><Coding guid="ffffffff-0000-0000-0000-0000000000c4">
          <CodeRef targetGUID="bbbbbbbb-0000-0000-0000-000000000001"/></Coding>
      </PlainTextSelection>
    </TextSource>
    <TextSource guid="eeeeeeee-0000-0000-0000-000000000002" name="Notat">
      <PlainTextContent>Kort notat om rus.</PlainTextContent>
      <Coding guid="ffffffff-0000-0000-0000-0000000000c5"><CodeRef targetGUID="k7"/></Coding>
    </TextSource>
  </Sources>
  <Notes/>
  <Sets/>
</Project>"""
INTERVIEW = "\ufeffVi har Husbanken-lån.\r\nMen det er lite.\r\n"


def test_real_world_quirks_are_read_with_located_warnings(project, tmp_path):
    path = _zip(
        tmp_path / "quirks.qdpx",
        {"Quirks/Quirks.qde": QUIRKY.encode("utf-8"), "Sources/intervju.txt": INTERVIEW},
    )
    report = import_qdpx(project, path)
    assert report.documents == 2 and report.codings == 2
    paths = {r[0]: r[1] for r in project.conn.execute("SELECT name, colour FROM codes")}
    assert paths == {"Bolig": "#ff0000", "Husbanken": "#888888", "Rus∕psykisk helse": "#888888"}
    quote = project.conn.execute(
        'SELECT substr(d.text, k.start + 1, k."end" - k.start), c.name FROM codings k '
        "JOIN documents d ON d.id = k.document_id JOIN coders c ON c.id = k.coder_id "
        "WHERE d.name = 'Intervju'"
    ).fetchone()
    assert quote == ("Husbanken-", "Anne")  # after the BOM, as the tool counted
    whole = project.conn.execute(
        'SELECT k.start, k."end", d.length FROM codings k JOIN documents d '
        "ON d.id = k.document_id WHERE d.name = 'Notat'"
    ).fetchone()
    assert whole[0] == 0 and whole[1] == whole[2]
    case = project.conn.execute(
        "SELECT c.name, a.name, a.value FROM cases c JOIN case_attributes a ON a.case_id = c.id"
    ).fetchone()
    assert case == ("Vadsø", "innbyggere", "5700")
    linked = project.conn.execute(
        "SELECT c.name FROM documents d JOIN cases c ON c.id = d.case_id WHERE d.name = 'Intervju'"
    ).fetchone()
    assert linked == ("Vadsø",)
    memo = project.conn.execute("SELECT target_kind, text FROM memos").fetchone()
    assert memo[0] == "document" and "Bare et memo" in memo[1] and "«det er»" in memo[1]
    text = "\n".join(report.warnings)
    assert "project read from 'Quirks/Quirks.qde'" in text
    assert "namespace 'urn:QDA-XML:project:1:0'" in text
    assert "colour 'red-ish'" in text and "'k7' is not a GUID" in text
    assert "whole-number" in text and "lies outside the text" in text
    assert all(w.startswith(str(path)) for w in report.warnings)


def test_same_file_twice_is_refused(project, tmp_path):
    path = _zip(tmp_path / "a.qdpx", {"project.qde": MINIMAL})
    import_qdpx(project, path)
    _refused(project, path, "already imported")
