"""Accounts: hashed passwords, lockout, the audit trail, `kodeverk users`, roles in the terminal
and in the app (a coder is refused the lead's screens)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from coding import accounts
from coding.accounts import add_user, can, sign_in
from coding.store import Project
from tests.app_project import build_app_project
from tests.conftest import ROOT, run_kodeverk, table_dump

PASSWORD = "korrekt-hest-batteri"


def events(path: Path, action: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT summary FROM events WHERE action = ?", (action,)).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


@pytest.fixture
def team(tmp_path: Path) -> Path:
    path = build_app_project(tmp_path / "team.kodeverk")
    with Project.open(path) as project:
        add_user(project, "anna", PASSWORD, "coder")
        add_user(project, "lena", PASSWORD, "lead")
    return path


def test_passwords_are_stored_only_as_salted_scrypt_hashes(team: Path) -> None:
    raw = b"".join(
        Path(f"{team}{s}").read_bytes() for s in ("", "-wal") if Path(f"{team}{s}").exists()
    )
    assert PASSWORD.encode() not in raw
    conn = sqlite3.connect(team)
    hashes = [r[0] for r in conn.execute("SELECT password_hash FROM users ORDER BY name")]
    conn.close()
    assert all(h.startswith("scrypt$32768$8$1$") for h in hashes)
    assert hashes[0].split("$")[4] != hashes[1].split("$")[4]  # a random salt each
    assert accounts.verify_password(PASSWORD, hashes[0])
    assert not accounts.verify_password(PASSWORD + "x", hashes[0])


def test_sign_in_failures_lock_the_account_and_are_audited(team: Path) -> None:
    with Project.open(team) as project:
        assert sign_in(project, "anna", PASSWORD).user.role == "coder"
        for _ in range(accounts.MAX_FAILURES - 1):
            assert sign_in(project, "anna", "feil-passord").user is None
        assert accounts.get_user(project, "anna").failures == accounts.MAX_FAILURES - 1
        locked = sign_in(project, "anna", "feil-passord")
        assert locked.locked and locked.user is None
        refused = sign_in(project, "anna", PASSWORD)  # the right password, but locked
        assert refused.user is None and refused.locked
        assert sign_in(project, "nobody", PASSWORD).user is None
        accounts.set_password(project, "anna", "nytt-passord-1")  # a lead resets: unlocked
        assert sign_in(project, "anna", "nytt-passord-1").user is not None
    assert len(events(team, "sign-in")) == 2
    refusals = events(team, "sign-in-refused")
    assert len(refusals) == accounts.MAX_FAILURES + 2
    assert any("locked for" in s for s in refusals)
    assert any("unknown account 'nobody'" in s for s in refusals)


def test_roles_rule() -> None:
    for action in ("review", "all_coders", "agreement", "export", "prevalence", "codebook"):
        assert not can("coder", action) and can("lead", action) and can(None, action)
    assert can("coder", "code")


def test_an_old_project_gains_the_users_table(tmp_path: Path) -> None:
    path = build_app_project(tmp_path / "old.kodeverk")
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE users")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    conn.commit()
    conn.close()
    with Project.open(path) as project:
        assert project.schema_version == 2
        add_user(project, "anna", PASSWORD)
        assert accounts.has_accounts(project)


def test_users_commands(tmp_path: Path) -> None:
    path = build_app_project(tmp_path / "p.kodeverk")
    added = run_kodeverk(
        "users", "add", path, "lena", "--role", "lead", "--password-stdin", input=PASSWORD + "\n"
    )
    assert added.returncode == 0, added.stderr
    again = run_kodeverk("users", "add", path, "lena", "--password-stdin", input=PASSWORD + "\n")
    assert again.returncode == 1 and "exists already" in again.stderr
    before = table_dump(path)
    short = run_kodeverk("users", "add", path, "kim", "--password-stdin", input="kort\n")
    assert short.returncode == 1 and "password: use 8" in short.stderr
    bad = run_kodeverk("users", "add", path, "a b;rm", "--password-stdin", input=PASSWORD + "\n")
    assert bad.returncode == 1 and "account name" in bad.stderr
    assert table_dump(path) == before
    listed = run_kodeverk("users", "list", path, "--json")
    assert '"role": "lead"' in listed.stdout and "password" not in listed.stdout
    changed = run_kodeverk(
        "users", "passwd", path, "lena", "--password-stdin", input="annet-pass\n"
    )
    assert changed.returncode == 0, changed.stderr
    with Project.open(path) as project:
        assert sign_in(project, "lena", "annet-pass").user is not None
    assert run_kodeverk("users", "remove", path, "lena").returncode == 0
    gone = run_kodeverk("users", "remove", path, "lena")
    assert gone.returncode == 1 and "no account 'lena'" in gone.stderr


def test_a_coder_copy_carries_no_accounts(team: Path, tmp_path: Path) -> None:
    copied = run_kodeverk("copy", team, tmp_path / "anna.kodeverk", "--coder", "anna")
    assert copied.returncode == 0, copied.stderr
    conn = sqlite3.connect(tmp_path / "anna.kodeverk")
    assert conn.execute("SELECT COUNT(*) FROM users").fetchone() == (0,)
    conn.close()


def _kodeverk_as(name: str, *args: object, password: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KODEVERK_CODER": name}
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        input=password + "\n",
        env=env,
        timeout=120,
    )


def test_terminal_commands_need_a_lead_once_there_are_accounts(team: Path, tmp_path: Path) -> None:
    as_coder = _kodeverk_as("anna", "agreement", team, password=PASSWORD)
    assert as_coder.returncode == 1 and "only a lead may use agreement" in as_coder.stderr
    out = tmp_path / "x.md"
    export = _kodeverk_as("anna", "export", team, "--format", "md", "-o", out, password=PASSWORD)
    assert export.returncode == 1 and "only a lead may use export" in export.stderr
    assert not out.exists()
    wrong = _kodeverk_as("lena", "agreement", team, password="feil-passord")
    assert wrong.returncode == 1 and "wrong name or password" in wrong.stderr
    as_lead = _kodeverk_as("lena", "agreement", team, password=PASSWORD)
    assert "only a lead" not in as_lead.stderr and "wrong name" not in as_lead.stderr
    opened = _kodeverk_as("anna", "open", team, password="feil-passord")
    assert opened.returncode == 1 and "wrong name or password" in opened.stderr
    stranger = _kodeverk_as("kim", "open", team, password=PASSWORD)
    assert stranger.returncode == 1 and "'kim' is not one of them" in stranger.stderr
    assert any("terminal" in s for s in events(team, "sign-in-refused"))


async def test_a_coder_is_refused_the_leads_screens_in_the_app(team: Path) -> None:
    from tui.app import KodeverkApp
    from tui.screens.coding import CodingScreen
    from tui.screens.overview import OverviewScreen

    app = KodeverkApp(team, "anna", role="coder", resume=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, OverviewScreen)
        for key in ("r", "p", "e"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, OverviewScreen), key
        assert sum("only a lead may open" in n.message for n in app._notifications) == 3
        titles = [t for t, _, _ in app.palette_commands()]
        assert "Agreement review" not in titles and "Codebook editor" not in titles
        shown = {k for k, b in app.screen.active_bindings.items() if b.binding.show}
        assert not {"r", "p", "e"} & shown
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CodingScreen)
        await pilot.press("v")
        await pilot.pause()
        assert app.screen.blind


async def test_a_lead_opens_review(team: Path) -> None:
    from tui.app import KodeverkApp
    from tui.screens.overview import OverviewScreen

    app = KodeverkApp(team, "lena", role="lead", resume=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, OverviewScreen)


def test_exports_carry_no_accounts(team: Path, tmp_path: Path) -> None:
    import zipfile

    out = tmp_path / "team.qdpx"
    result = _kodeverk_as("lena", "export", team, "--format", "qdpx", "-o", out, password=PASSWORD)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        for member in archive.namelist():
            data = archive.read(member)
            assert b"scrypt$" not in data and b"password_hash" not in data, member
