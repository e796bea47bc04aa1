"""`kodeverk serve` over real HTTP and websockets on a free local port: sign-in, every refusal,
and a coding made through textual-serve's websocket protocol, found in SQLite under the
signed-in coder's name."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from yarl import URL

from coding import operations as ops
from coding.accounts import add_user
from coding.store import Project
from tests.app_project import build_app_project
from tests.conftest import run_kodeverk, table_dump
from tests.serve_helpers import Served, codings_by

PASSWORD = "korrekt-hest-batteri"


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = build_app_project(tmp_path_factory.mktemp("serve") / "team.kodeverk")
    with Project.open(path) as project:
        for name, role in (("anna", "coder"), ("lena", "lead"), ("olav", "coder")):
            add_user(project, name, PASSWORD, role)
        ops.remember(project, "anna", "last_document", "1")  # the app opens on a document
    return path


@pytest.fixture(scope="module")
def server(team: Path) -> Iterator[Served]:
    served = Served(team, "--fail-delay", "0.05")
    try:
        yield served
    finally:
        served.stop()


def client() -> aiohttp.ClientSession:
    # cookies are sent by hand: the test decides exactly what the server sees
    return aiohttp.ClientSession(
        cookie_jar=aiohttp.DummyCookieJar(), timeout=aiohttp.ClientTimeout(total=30)
    )


async def sign_in(url: str, name: str, password: str = PASSWORD) -> tuple[int, str | None, str]:
    async with (
        client() as http,
        http.post(
            f"{url}/login", data={"name": name, "password": password}, allow_redirects=False
        ) as response,
    ):
        morsel = response.cookies.get("kodeverk_session")
        header = response.headers.get("Set-Cookie", "")
        return response.status, morsel.value if morsel else None, header


def cookie(token: str) -> dict[str, str]:
    return {"Cookie": f"kodeverk_session={token}"}


def events(path: Path, action: str) -> list[str]:
    conn = sqlite3.connect(path, timeout=10)
    try:
        rows = conn.execute("SELECT summary FROM events WHERE action = ?", (action,)).fetchall()
    finally:
        conn.close()
    return [r[0] for r in rows]


async def get(url: str, token: str | None = None, **kwargs) -> tuple[int, str, dict]:
    async with (
        client() as http,
        http.get(url, headers=cookie(token) if token else {}, allow_redirects=False, **kwargs) as r,
    ):
        return r.status, await r.text(errors="replace"), dict(r.headers)


async def ws_refused(url: str, headers: dict[str, str]) -> int:
    async with client() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(f"{url}/ws", headers=headers)
    return refused.value.status


# -- signing in -------------------------------------------------------------------------------
async def test_sign_in_sets_a_strict_httponly_session_cookie(server: Served, team: Path) -> None:
    status, token, header = await sign_in(server.url, "lena")
    assert status == 303 and token
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Max-Age=28800" in header
    status, page, headers = await get(f"{server.url}/", token)
    assert status == 200 and f"ws://127.0.0.1:{server.port}/ws" in page
    assert "fonts.googleapis.com" not in page and headers["Cache-Control"] == "no-store"
    assert any("lena signed in from web" in s for s in events(team, "sign-in"))
    status, _, _ = await get(f"{server.url}/logout", token)
    assert status == 303
    assert any("lena signed out" in s for s in events(team, "sign-out"))
    status, _, headers = await get(f"{server.url}/", token)  # the old cookie no longer works
    assert status == 302 and headers["Location"] == "/login"


async def test_requests_without_a_valid_session_are_refused_and_write_nothing(
    server: Served, team: Path
) -> None:
    before = table_dump(team)
    for token in (None, "forged-" + "x" * 40, ""):
        status, _, headers = await get(f"{server.url}/", token)
        assert status == 302 and headers["Location"] == "/login"
        for path in ("/static/js/textual.js", "/download/abc", "/logout", "/nowhere"):
            status, _, _ = await get(f"{server.url}{path}", token)
            assert status == 401, path
        assert await ws_refused(server.url, cookie(token) if token else {}) == 401
    assert table_dump(team) == before
    assert "refused GET /ws from 127.0.0.1: 401" in server.log()


async def test_an_expired_session_is_refused(team: Path, tmp_path: Path) -> None:
    short = Served(
        team, "--session-hours", "0.0003", "--behind-tls-proxy", log=tmp_path / "short.log"
    )  # sessions of ~1 s, as behind Caddy or nginx
    try:
        status, token, header = await sign_in(short.url, "lena")
        assert status == 303 and "Secure" in header
        status, page, _ = await get(f"{short.url}/", token)
        assert status == 200 and f"wss://127.0.0.1:{short.port}/ws" in page
        async with (
            client() as http,
            http.post(
                f"{short.url}/login",
                data={"name": "lena", "password": "feil-passord"},
                headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.9"},
            ) as r,
        ):
            assert r.status == 401
        assert "sign-in refused for 'lena' from 203.0.113.9" in short.log()
        await asyncio.sleep(1.5)
        status, _, headers = await get(f"{short.url}/", token)
        assert status == 302 and headers["Location"] == "/login"
        assert await ws_refused(short.url, cookie(token)) == 401
    finally:
        short.stop()


async def test_wrong_passwords_are_slowed_logged_audited_and_lock_the_account(
    server: Served, team: Path
) -> None:
    started = time.monotonic()
    statuses = [(await sign_in(server.url, "olav", "feil-passord"))[0] for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 423]
    assert time.monotonic() - started >= 0.05 * (1 + 2 + 3 + 4 + 5)  # slowed down
    status, token, _ = await sign_in(server.url, "olav")  # right password, locked account
    assert status == 423 and token is None
    refusals = [s for s in events(team, "sign-in-refused") if "olav" in s]
    assert len(refusals) == 6 and any("locked for" in s for s in refusals)
    assert "sign-in refused for 'olav' from 127.0.0.1" in server.log()
    status, token, _ = await sign_in(server.url, "ukjent")
    assert status == 401 and token is None


async def test_hostile_sign_in_bodies_are_refused_and_write_nothing(
    server: Served, team: Path
) -> None:
    before = table_dump(team)
    async with client() as http:
        long = "name=anna&password=" + "x" * 20_000
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        async with http.post(f"{server.url}/login", data=long, headers=form) as r:
            assert r.status == 413

        async def chunks():  # no Content-Length: the limit holds while reading
            yield b"name=anna&password="
            for _ in range(20):
                yield b"x" * 1000

        async with http.post(f"{server.url}/login", data=chunks(), headers=form) as r:
            assert r.status == 413
        for body, kind in (
            (b"\x00\xff\xfe binary \x89PNG", "application/octet-stream"),
            (b"name=anna&password=\xff\xfe\x00", "application/x-www-form-urlencoded"),
            (b"name=anna%00&password=x", "application/x-www-form-urlencoded"),
            (b'{"name": "anna"}', "application/json"),
            (b"nothing here", "application/x-www-form-urlencoded"),
        ):
            async with http.post(
                f"{server.url}/login", data=body, headers={"Content-Type": kind}
            ) as r:
                assert r.status == 400, body
        async with http.post(
            f"{server.url}/login",
            data={"name": "anna", "password": PASSWORD},
            headers={"Origin": "https://evil.example"},
        ) as r:
            assert r.status == 403
    assert table_dump(team) == before


async def test_no_file_outside_the_static_folder_is_served(server: Served) -> None:
    _, token, _ = await sign_in(server.url, "lena")
    for path in (
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2f..%2fetc%2fpasswd",
        "/static/js/..%2f..%2f..%2f..%2f..%2fetc/passwd",
        "/static/%252e%252e/%252e%252e/etc/passwd",
        "/static/../../../../../../proc/self/environ",
        "/static/",
        "/static/js/",
    ):
        async with (
            client() as http,
            http.get(URL(f"{server.url}{path}", encoded=True), headers=cookie(token)) as r,
        ):
            body = await r.text(errors="replace")
            assert r.status in (403, 404), path
            assert "root:" not in body and "PATH=" not in body and "textual.js" not in body


async def test_a_cross_site_websocket_is_refused(server: Served) -> None:
    _, token, _ = await sign_in(server.url, "lena")
    headers = {**cookie(token), "Origin": "https://evil.example"}
    assert await ws_refused(server.url, headers) == 403


async def test_hostile_websocket_messages_close_only_that_connection(server: Served) -> None:
    _, token, _ = await sign_in(server.url, "lena")
    async with (
        client() as http,
        http.ws_connect(f"{server.url}/ws", headers=cookie(token)) as ws,
    ):
        await ws.send_bytes(b"\x00\xff" * 100)  # binary: ignored
        await ws.send_str("not json")
        await ws.send_json({"stdin": "q"})
        await ws.send_json(["resize", {"width": "huge", "height": -1}])
        await ws.send_json(["ping", "still here"])
        message = await _next_text(ws)
        assert message == '["pong", "still here"]'
        await ws.send_str("x" * 100_000)  # over the message limit: this connection closes
        while (await ws.receive(timeout=10)).type not in (
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSED,
            aiohttp.WSMsgType.ERROR,
        ):
            pass
        assert ws.close_code == 1009
    assert (await get(f"{server.url}/", token))[0] == 200  # the server goes on


async def _next_text(ws: aiohttp.ClientWebSocketResponse) -> str:
    while True:
        message = await ws.receive(timeout=20)
        if message.type == aiohttp.WSMsgType.TEXT:
            return message.data
        assert message.type == aiohttp.WSMsgType.BINARY, message


# -- coding through the websocket ------------------------------------------------------------
async def test_a_coding_through_the_websocket_is_committed_as_the_signed_in_coder(
    server: Served, team: Path
) -> None:
    status, token, _ = await sign_in(server.url, "anna")
    assert status == 303
    assert codings_by(team, "anna") == 0
    async with (
        client() as http,
        http.ws_connect(
            f"{server.url}/ws?width=120&height=40&coder=lena", headers=cookie(token)
        ) as ws,
    ):
        await ws.send_json(["resize", {"width": 120, "height": 40}])
        received = await _code_by_keys(ws, team, "anna")
        assert received > 0  # the app drew its screen
        await ws.send_json(["ping", "x"])
    assert codings_by(team, "anna") == 1
    assert codings_by(team, "lena") == 0  # the query string cannot choose the coder


async def _code_by_keys(ws: aiohttp.ClientWebSocketResponse, path: Path, coder: str) -> int:
    """Press 1 (apply the code with shortcut 1 to the selected segment) until the coding is in
    the file; applying it again to the same span changes nothing."""
    received = 0
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        try:
            message = await ws.receive(timeout=0.5)
            if message.type == aiohttp.WSMsgType.BINARY:
                received += len(message.data)
            elif message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                break
        except TimeoutError:
            pass
        if received and codings_by(path, coder):
            return received
        if received > 2000:  # the coding screen is up: a key press
            await ws.send_json(["stdin", "1"])
    raise AssertionError(f"no coding by {coder} within 45 s ({received} bytes received)")


async def test_keys_typed_before_the_screen_is_up_do_not_end_the_app(
    server: Served, team: Path
) -> None:
    """A coder who types at once (a shortcut digit every 0.1 s from the moment the socket is
    open, as the team benchmark does): keys that come while the coding screen is still being
    built are passed over, not a crash that closes the browser's app (it then undoes)."""
    with Project.open(team) as project:
        add_user(project, "per", PASSWORD, "coder")  # a coder of this test alone
        ops.remember(project, "per", "last_document", "1")
    status, token, _ = await sign_in(server.url, "per")
    assert status == 303
    assert codings_by(team, "per") == 0
    async with (
        client() as http,
        http.ws_connect(f"{server.url}/ws?width=120&height=40", headers=cookie(token)) as ws,
    ):
        for key, wanted in (("1", 1), ("u", 0)):
            deadline = time.monotonic() + 45
            while codings_by(team, "per") != wanted and time.monotonic() < deadline:
                await ws.send_json(["stdin", key])
                with contextlib.suppress(TimeoutError):
                    message = await ws.receive(timeout=0.1)
                    assert message.type not in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
            assert codings_by(team, "per") == wanted


def test_serve_refuses_a_project_without_accounts(tmp_path: Path) -> None:
    path = build_app_project(tmp_path / "open.kodeverk")
    result = run_kodeverk("serve", path, "--port", "1")
    assert result.returncode == 1 and "has no accounts" in result.stderr
