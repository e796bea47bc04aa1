"""`kodeverk serve`: the coding app in a browser, behind kodeverk's own sign-in.

textual-serve runs the app per browser connection as a subprocess (`kodeverk open … --web-role`)
and relays its terminal over a websocket. It has no sign-in, so the aiohttp application is built
here from its parts (``AppService``, its page template and static files) with a middleware in
front of every route: without a valid session cookie nothing but the sign-in page answers. The
signed-in name and role go into the subprocess's command line, built here per session; the
browser never chooses them."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import secrets
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import jinja2
from aiohttp import WSMsgType, web
from aiohttp.typedefs import Handler
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from coding.accounts import SignIn, sign_in, sign_out
from coding.store import Project

log = logging.getLogger("kodeverk.serve")

COOKIE = "kodeverk_session"
MAX_BODY = 8 * 1024  # a sign-in form is a few hundred bytes
MAX_WS_MESSAGE = 64 * 1024
PUBLIC_PATHS = frozenset({"/login"})
_SERVE_INIT = __import__("textual_serve").__file__
assert _SERVE_INIT is not None  # a regular package, not a namespace one
TEXTUAL_SERVE = Path(_SERVE_INIT).resolve().parent
STATIC = TEXTUAL_SERVE / "static"


@dataclass
class Session:
    name: str
    role: str
    expires: float


@dataclass
class Settings:
    project: Path
    host: str = "127.0.0.1"
    port: int = 8000
    session_seconds: float = 8 * 3600
    behind_tls_proxy: bool = False  # cookies Secure, websocket URL wss://
    fail_delay: float = 1.0  # seconds added per failed sign-in in a row (from one address)


@dataclass
class State:
    settings: Settings
    sessions: dict[str, Session] = field(default_factory=dict)
    failures: dict[str, int] = field(default_factory=dict)  # by remote address
    signing_in: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(2))
    downloads: DownloadManager = field(default_factory=DownloadManager)

    def session(self, request: web.Request) -> Session | None:
        token = request.cookies.get(COOKIE, "")
        session = self.sessions.get(token) if token else None
        if session is not None and session.expires < time.time():
            del self.sessions[token]
            return None
        return session


# -- the guard ----------------------------------------------------------------------------------
@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every route but the sign-in page needs a valid session; bodies are small and text."""
    state: State = request.app["state"]
    if request.content_length is not None and request.content_length > MAX_BODY:
        _refused(request, 413, "request body too large")
        raise web.HTTPRequestEntityTooLarge(MAX_BODY, request.content_length)
    if request.path in PUBLIC_PATHS:
        return await handler(request)
    session = state.session(request)
    if session is None:
        if request.method == "GET" and request.path == "/" and not _is_upgrade(request):
            _refused(request, 302, "no session: sent to sign in")
            raise web.HTTPFound("/login")
        _refused(request, 401, "no valid session")
        raise web.HTTPUnauthorized(text="sign in first\n")
    if not _same_origin(request):
        _refused(request, 403, "cross-site request")
        raise web.HTTPForbidden(text="cross-site request refused\n")
    request["session"] = session
    return await handler(request)


def _is_upgrade(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def _same_origin(request: web.Request) -> bool:
    """No Origin header (a plain navigation, a script) or the server's own host."""
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _refused(request: web.Request, status: int, why: str) -> None:
    log.warning(
        "refused %s %s from %s: %d %s", request.method, request.path, _peer(request), status, why
    )


def _peer(request: web.Request) -> str:
    """The client's address; behind our own TLS proxy (on this machine), the address the proxy
    appended to X-Forwarded-For (earlier entries come from the client and are not trusted)."""
    remote = request.remote or "?"
    forwarded = request.headers.get("X-Forwarded-For", "")
    if (
        forwarded
        and remote in ("127.0.0.1", "::1")
        and request.app["state"].settings.behind_tls_proxy
    ):
        return forwarded.split(",")[-1].strip()[:64] or remote
    return remote


# -- sign-in and sign-out -------------------------------------------------------------------------
LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>kodeverk: sign in</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;background:#0c181f;color:#eee;display:flex;
justify-content:center;margin-top:10vh}}form{{background:#12232d;padding:2em;border-radius:6px;
min-width:18em}}label,input,button{{display:block;width:100%;margin:.4em 0;font-size:1.1em}}
.error{{color:#ff8a80}}</style></head>
<body><form method="post" action="/login"><h1>kodeverk</h1><p>{project}</p>
<p class="error" role="alert">{message}</p>
<label for="name">Name</label><input id="name" name="name" autocomplete="username" required
autofocus>
<label for="password">Password</label><input id="password" name="password" type="password"
autocomplete="current-password" required>
<button type="submit" id="sign-in">Sign in</button></form></body></html>
"""


def login_page(state: State, message: str = "", status: int = 200) -> web.Response:
    body = LOGIN_PAGE.format(
        project=html.escape(state.settings.project.name), message=html.escape(message)
    )
    return web.Response(text=body, status=status, content_type="text/html", headers=_NO_STORE)


_NO_STORE = {"Cache-Control": "no-store", "X-Frame-Options": "DENY"}


async def handle_login_page(request: web.Request) -> web.Response:
    return login_page(request.app["state"])


async def handle_login(request: web.Request) -> web.Response:
    state: State = request.app["state"]
    if not _same_origin(request):
        _refused(request, 403, "sign-in from another site")
        raise web.HTTPForbidden(text="cross-site sign-in refused\n")
    name, password = await _read_form(request)
    async with state.signing_in:  # scrypt is slow on purpose: at most two at once
        result = await asyncio.to_thread(
            _sign_in, state.settings.project, name, password, _peer(request)
        )
    peer = _peer(request)
    if result.user is None:
        state.failures[peer] = state.failures.get(peer, 0) + 1
        log.warning("sign-in refused for %r from %s: %s", name[:64], peer, result.reason)
        await asyncio.sleep(min(state.settings.fail_delay * state.failures[peer], 10.0))
        return login_page(state, result.reason, 423 if result.locked else 401)
    state.failures.pop(peer, None)
    _forget_expired(state)
    token = secrets.token_urlsafe(32)
    state.sessions[token] = Session(
        result.user.name, result.user.role, time.time() + state.settings.session_seconds
    )
    log.info("%s (%s) signed in from %s", result.user.name, result.user.role, peer)
    response = web.HTTPSeeOther("/")
    response.set_cookie(
        COOKIE,
        token,
        max_age=int(state.settings.session_seconds),
        path="/",
        httponly=True,
        samesite="Strict",
        secure=state.settings.behind_tls_proxy,
    )
    raise response


def _forget_expired(state: State) -> None:
    moment = time.time()
    for token in [t for t, s in state.sessions.items() if s.expires < moment]:
        del state.sessions[token]
    if len(state.failures) > 10_000:  # many addresses: start counting afresh
        state.failures.clear()


async def _read_form(request: web.Request) -> tuple[str, str]:
    """The name and password of a sign-in form; anything else is a 400 (or 413 when long)."""
    if request.content_type != "application/x-www-form-urlencoded":
        _refused(request, 400, f"sign-in body of type {request.content_type!r}")
        raise web.HTTPBadRequest(text="expected a sign-in form\n")
    raw = await request.read()  # over client_max_size (chunked or not): 413
    try:
        text = raw.decode("ascii")  # a form body is percent-encoded ASCII
        fields = parse_qs(text, keep_blank_values=True, strict_parsing=bool(text))
        name, password = fields["name"][0], fields["password"][0]
    except (UnicodeDecodeError, ValueError, KeyError, IndexError):
        _refused(request, 400, "malformed sign-in body")
        raise web.HTTPBadRequest(text="malformed sign-in form\n") from None
    if "\x00" in name or "\x00" in password:
        _refused(request, 400, "NUL in sign-in form")
        raise web.HTTPBadRequest(text="malformed sign-in form\n")
    return name.strip(), password


def _sign_in(project_path: Path, name: str, password: str, peer: str) -> SignIn:
    with Project.open(project_path) as project:
        return sign_in(project, name, password, where=f"web {peer}")


async def handle_logout(request: web.Request) -> web.Response:
    state: State = request.app["state"]
    session: Session = request["session"]
    state.sessions.pop(request.cookies.get(COOKIE, ""), None)
    await asyncio.to_thread(_sign_out, state.settings.project, session.name, _peer(request))
    log.info("%s signed out from %s", session.name, _peer(request))
    response = web.HTTPSeeOther("/login")
    response.del_cookie(COOKIE, path="/")
    raise response


def _sign_out(project_path: Path, name: str, peer: str) -> None:
    with Project.open(project_path) as project:
        sign_out(project, name, where=f"web {peer}")


# -- the app page and its websocket ---------------------------------------------------------------
_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEXTUAL_SERVE / "templates"), autoescape=True
)
SIGN_OUT = (
    '<a href="/logout" id="sign-out" style="position:fixed;right:8px;bottom:4px;z-index:30;'
    'color:#ccc;font:12px system-ui">sign out {name}</a></body>'
)


async def handle_index(request: web.Request) -> web.Response:
    state: State = request.app["state"]
    session: Session = request["session"]
    secure = state.settings.behind_tls_proxy or request.secure
    page = _TEMPLATES.get_template("app_index.html").render(
        font_size=16,
        app_websocket_url=f"{'wss' if secure else 'ws'}://{request.host}/ws",
        config={"static": {"url": "/static/"}},
        application={"name": f"kodeverk · {state.settings.project.name} · {session.name}"},
        ping_url="",
    )
    # no third-party requests from a page showing sensitive data (the template links a font)
    page = "\n".join(line for line in page.splitlines() if "fonts.googleapis.com" not in line)
    page = page.replace("</body>", SIGN_OUT.format(name=html.escape(session.name)), 1)
    return web.Response(text=page, content_type="text/html", headers=_NO_STORE)


def app_command(project: Path, session: Session) -> str:
    """The subprocess for one browser: the signed-in coder and role, fixed on the command line
    (account names are restricted to letters, digits and `._-@`, and quoted anyway)."""
    return " ".join(
        [
            shlex.quote(sys.executable),
            "-m",
            "tui.cli",
            "open",
            shlex.quote(str(project)),
            "--coder",
            shlex.quote(session.name),
            "--web-role",
            shlex.quote(session.role),
        ]
    )


async def handle_websocket(request: web.Request) -> web.WebSocketResponse:
    state: State = request.app["state"]
    session: Session = request["session"]
    websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_WS_MESSAGE)
    width = _int(request.query.get("width"), 80, 20, 500)
    height = _int(request.query.get("height"), 24, 10, 300)
    await websocket.prepare(request)

    async def close() -> None:  # AppService wants no arguments and no result
        await websocket.close()

    service = AppService(
        app_command(state.settings.project, session),
        write_bytes=websocket.send_bytes,
        write_str=websocket.send_str,
        close=close,
        download_manager=state.downloads,
    )
    log.info("%s opened the app from %s", session.name, _peer(request))
    try:
        await service.start(width, height)
        await _relay(websocket, service)
    except asyncio.CancelledError:
        await websocket.close()
    finally:
        await service.stop()
    return websocket


async def _relay(websocket: web.WebSocketResponse, service: AppService) -> None:
    """The browser's messages (textual-serve's protocol: ["stdin", text], ["resize", {...}],
    ["ping", x], ["blur"], ["focus"]); anything else is ignored."""
    async for message in websocket:
        if message.type != WSMsgType.TEXT:
            continue
        try:
            envelope = json.loads(message.data)
        except ValueError:
            continue
        if not isinstance(envelope, list) or not envelope:
            continue
        kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
        if kind == "stdin" and isinstance(data, str):
            await service.send_bytes(data.encode("utf-8"))
        elif kind == "resize" and isinstance(data, dict):
            await service.set_terminal_size(
                _int(data.get("width"), 80, 20, 500), _int(data.get("height"), 24, 10, 300)
            )
        elif kind == "ping":
            await websocket.send_json(["pong", data])
        elif kind == "blur":
            await service.blur()
        elif kind == "focus":
            await service.focus()


def _int(value: object, default: int, low: int, high: int) -> int:
    try:
        # any query or JSON value: what int() refuses is caught below
        number = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


async def handle_download(request: web.Request) -> web.StreamResponse:
    """Files the app delivers (screenshots), by their one-time key."""
    state: State = request.app["state"]
    key = request.match_info["key"]
    try:
        meta = await state.downloads.get_download_metadata(key)
    except KeyError:
        raise web.HTTPNotFound() from None
    response = web.StreamResponse(headers={"Content-Type": meta.mime_type})
    response.headers["Content-Disposition"] = "attachment"
    await response.prepare(request)
    async for chunk in state.downloads.download(key):
        await response.write(chunk)
    await response.write_eof()
    return response


# -- the application ------------------------------------------------------------------------------
def make_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[guard], client_max_size=MAX_BODY)
    app["state"] = State(settings)
    app.add_routes(
        [
            web.get("/login", handle_login_page),
            web.post("/login", handle_login),
            web.get("/logout", handle_logout),
            web.post("/logout", handle_logout),
            web.get("/", handle_index),
            web.get("/ws", handle_websocket),
            web.get("/download/{key}", handle_download),
            # aiohttp resolves the path and refuses anything outside this folder
            web.static("/static", STATIC, show_index=False, follow_symlinks=False),
        ]
    )
    return app


def serve(settings: Settings) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    with Project.open(settings.project):  # refuse a missing or damaged project before listening
        pass
    print(
        f"kodeverk serve: {settings.project} on http://{settings.host}:{settings.port}/ "
        "(ctrl+c to stop)",
        flush=True,
    )
    web.run_app(
        make_app(settings), host=settings.host, port=settings.port, print=None, access_log=None
    )
