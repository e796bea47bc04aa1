"""Accounts for the team server (and the terminal, once a project has any): names, roles,
passwords stored only as salted scrypt hashes, lockout after repeated failed sign-ins, and the
one rule of what each role may open (``can``).

Stored in the project's ``users`` table (schema version 2, ``store.migrate_add_users``). Coder
copies and exports never carry it: ``kodeverk copy`` empties it, exports read codings and
documents only."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import sqlite3
from dataclasses import dataclass

from coding import journal
from coding.errors import KodeverkError
from coding.store import Project, now

ROLES = ("coder", "lead")
# What only a lead may open: a coder works blind on their own codings.
LEAD_ONLY = frozenset(
    {"review", "all_coders", "agreement", "export", "prevalence", "codebook", "matrix", "goals"}
)
MAX_FAILURES = 5  # failed sign-ins in a row that lock the account
LOCK_MINUTES = 15
# scrypt cost: n=2**15 (32 MiB, ~0.1 s) is above the n=2**14 OWASP floor
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
NAME_RE = re.compile(r"^[\w.@-]{1,64}$")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


class AccountError(KodeverkError):
    """An account operation was refused (unknown name, weak password, ...)."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    failures: int
    locked_until: str | None


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: ``user`` when it succeeded, else a ``reason``."""

    user: User | None
    reason: str = ""
    locked: bool = False


def can(role: str | None, action: str) -> bool:
    """May ``role`` open ``action``? ``None``: a project without accounts, where all may."""
    return role is None or role == "lead" or action not in LEAD_ONLY


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time comparison against a stored ``scrypt$n$r$p$salt$hash``."""
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# -- the table ------------------------------------------------------------------------------------
def has_accounts(project: Project) -> bool:
    try:
        return project.conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
    except sqlite3.OperationalError:  # an old file opened without migrating
        return False


def list_users(project: Project) -> list[User]:
    rows = project.conn.execute(
        "SELECT name, role, failures, locked_until FROM users ORDER BY name"
    ).fetchall()
    return [User(*row) for row in rows]


def get_user(project: Project, name: str) -> User | None:
    row = project.conn.execute(
        "SELECT name, role, failures, locked_until FROM users WHERE name = ?", (name,)
    ).fetchone()
    return User(*row) if row else None


def check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise AccountError(
            f"account name {name[:40]!r}: use 1-64 letters, digits, '.', '_', '-' or '@'"
        )
    return name


def check_password(password: str) -> str:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise AccountError(f"password: use {MIN_PASSWORD} to {MAX_PASSWORD} characters")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"role {role!r}: use one of {', '.join(ROLES)}")
    return role


def add_user(project: Project, name: str, password: str, role: str = "coder") -> User:
    check_name(name), check_password(password), check_role(role)
    hashed = hash_password(password)
    with project.transaction() as conn:
        if get_user(project, name) is not None:
            raise AccountError(f"account {name!r} exists already (change it with users passwd)")
        conn.execute(
            "INSERT INTO users(name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
            (name, role, hashed, now()),
        )
        _audit(project, name, "account-add", f"account {name} added as {role}")
    return User(name, role, 0, None)


def set_password(project: Project, name: str, password: str) -> None:
    check_password(password)
    hashed = hash_password(password)
    with project.transaction() as conn:
        _require(project, name)
        conn.execute(
            "UPDATE users SET password_hash = ?, failures = 0, locked_until = NULL WHERE name = ?",
            (hashed, name),
        )
        _audit(project, name, "account-passwd", f"password of {name} changed")


def remove_user(project: Project, name: str) -> None:
    with project.transaction() as conn:
        _require(project, name)
        conn.execute("DELETE FROM users WHERE name = ?", (name,))
        _audit(project, name, "account-remove", f"account {name} removed")


def _require(project: Project, name: str) -> User:
    user = get_user(project, name)
    if user is None:
        raise AccountError(f"no account {name[:64]!r} in {project.path}")
    return user


# -- signing in -----------------------------------------------------------------------------------
def sign_in(project: Project, name: str, password: str, *, where: str = "") -> SignIn:
    """Check a password; count failures, lock after ``MAX_FAILURES`` in a row, and write the
    attempt (either way) to the audit trail. A locked account is refused even with the right
    password, without checking it."""
    user = get_user(project, name) if NAME_RE.match(name) else None
    suffix = f" from {where}" if where else ""
    if user is None:
        # hash anyway, so a missing name costs as long as a wrong password
        verify_password(password, hash_password("x" * MIN_PASSWORD))
        _record_refusal(project, None, f"sign-in refused: unknown account {name[:64]!r}{suffix}")
        return SignIn(None, "wrong name or password")
    if user.locked_until and user.locked_until > now():
        _record_refusal(project, name, f"sign-in refused: {name} is locked{suffix}")
        return SignIn(None, "account locked after repeated failed sign-ins; try later", True)
    if len(password) > MAX_PASSWORD or not verify_password(password, _hash_of(project, name)):
        return _failed(project, user, suffix)
    with project.transaction() as conn:
        conn.execute("UPDATE users SET failures = 0, locked_until = NULL WHERE name = ?", (name,))
        _audit(project, name, "sign-in", f"{name} signed in{suffix}")
    return SignIn(User(name, user.role, 0, None))


def sign_out(project: Project, name: str, *, where: str = "") -> None:
    with project.transaction():
        _audit(project, name, "sign-out", f"{name} signed out{' from ' + where if where else ''}")


def _failed(project: Project, user: User, suffix: str) -> SignIn:
    failures = user.failures + 1
    locked = failures >= MAX_FAILURES
    until = (
        (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=LOCK_MINUTES)).isoformat(
            timespec="microseconds"
        )
        if locked
        else None
    )
    with project.transaction() as conn:
        conn.execute(
            "UPDATE users SET failures = ?, locked_until = ? WHERE name = ?",
            (0 if locked else failures, until, user.name),
        )
        summary = f"sign-in refused: wrong password for {user.name}{suffix}"
        if locked:
            summary += f"; locked for {LOCK_MINUTES} minutes"
        _audit(project, user.name, "sign-in-refused", summary)
    if locked:
        return SignIn(None, "account locked after repeated failed sign-ins; try later", True)
    return SignIn(None, "wrong name or password")


def _hash_of(project: Project, name: str) -> str:
    row = project.conn.execute("SELECT password_hash FROM users WHERE name = ?", (name,))
    return row.fetchone()[0]


def _record_refusal(project: Project, name: str | None, summary: str) -> None:
    with project.transaction():
        _audit(project, name, "sign-in-refused", summary)


def _audit(project: Project, name: str | None, action: str, summary: str) -> None:
    """An audit event (not undoable), under the account's coder when it is one."""
    coder_id = project.coder_id(name, create=True) if name else None
    journal.record(project.conn, coder_id, action, summary, [], undoable=False)
