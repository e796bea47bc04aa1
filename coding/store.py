"""The project file: one SQLite database per project.

Connection policy (see docs/schema.md): WAL so several coders can work at once, foreign keys on,
a busy timeout so a second writer waits instead of failing, and synchronous=FULL so a committed
action survives a power cut. Every user action is one short ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from coding.errors import ProjectError

if TYPE_CHECKING:
    import sqlite_utils

APPLICATION_ID = 0x6B6F6476  # "kodv": marks a SQLite file as a kodeverk project
BUSY_TIMEOUT_MS = 5000
WAIT_NOTICE_AFTER = 1.0  # seconds of waiting for the write lock before saying so

# Called once per write that has waited WAIT_NOTICE_AFTER seconds for the lock (the command line
# prints a line on stderr), so a waiting write does not look frozen. See ``on_lock_wait``.
_lock_wait_notice: Callable[[float], None] | None = None


def on_lock_wait(notice: Callable[[float], None] | None) -> None:
    """Call ``notice(seconds waited)`` when a write has waited for the write lock for
    ``WAIT_NOTICE_AFTER`` seconds (None: say nothing)."""
    global _lock_wait_notice
    _lock_wait_notice = notice


SCHEMA_VERSION = 2


def now() -> str:
    """UTC timestamp with microseconds, sortable as text."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def new_guid() -> str:
    return str(uuid.uuid4())


SCHEMA_V1 = """
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE coders (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE case_attributes (
    case_id INTEGER NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (case_id, name)
) WITHOUT ROWID;
CREATE INDEX case_attributes_by_name ON case_attributes(name, value);
CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    file_name TEXT NOT NULL,
    source_path TEXT NOT NULL,
    format TEXT NOT NULL,
    options TEXT NOT NULL DEFAULT '{}',
    imported_at TEXT NOT NULL
);
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('interview', 'survey', 'text')),
    text TEXT NOT NULL,
    length INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
    import_id INTEGER REFERENCES imports(id),
    source_meta TEXT NOT NULL DEFAULT '{}',
    imported_at TEXT NOT NULL
);
CREATE INDEX documents_by_case ON documents(case_id);
CREATE INDEX documents_by_hash ON documents(sha256);
-- Full-text search over document text (external content: the text is stored once, in documents).
CREATE VIRTUAL TABLE documents_fts USING fts5(
    text, content='documents', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
);
CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents
BEGIN
    INSERT INTO documents_fts(rowid, text) VALUES (NEW.id, NEW.text);
END;
CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents
BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text);
END;
CREATE TRIGGER documents_fts_update AFTER UPDATE OF text ON documents
BEGIN
    INSERT INTO documents_fts(documents_fts, rowid, text) VALUES ('delete', OLD.id, OLD.text);
    INSERT INTO documents_fts(rowid, text) VALUES (NEW.id, NEW.text);
END;
CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    -- OR, not IN: an IN-list CHECK doubles the cost of bulk segment inserts (measured).
    kind TEXT NOT NULL
        CHECK (kind = 'turn' OR kind = 'answer' OR kind = 'paragraph' OR kind = 'cue'),
    block INTEGER NOT NULL,
    speaker TEXT,
    CHECK (0 <= start AND start < "end")
);
CREATE UNIQUE INDEX segments_by_document ON segments(document_id, ordinal);
CREATE TABLE codes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    parent_id INTEGER REFERENCES codes(id) ON DELETE RESTRICT,
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    goal INTEGER CHECK (goal BETWEEN 1 AND 5),
    description TEXT NOT NULL DEFAULT '',
    include_note TEXT NOT NULL DEFAULT '',
    exclude_note TEXT NOT NULL DEFAULT '',
    colour TEXT NOT NULL DEFAULT '#888888',
    shortcut TEXT,
    keywords TEXT NOT NULL DEFAULT '[]',
    ordinal INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX codes_unique_name ON codes(coalesce(parent_id, 0), name);
CREATE INDEX codes_by_parent ON codes(parent_id);
CREATE TABLE codings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE RESTRICT,
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    case_id INTEGER REFERENCES cases(id) ON DELETE SET NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    CHECK (0 <= start AND start < "end")
);
CREATE INDEX codings_by_document ON codings(document_id, coder_id, start);
CREATE INDEX codings_by_code ON codings(code_id, document_id, coder_id, start);
CREATE INDEX codings_by_case ON codings(case_id, code_id, coder_id);
CREATE TABLE memos (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    target_kind TEXT NOT NULL
        CHECK (target_kind IN ('project', 'document', 'coding', 'code', 'case')),
    target_guid TEXT,
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX memos_by_target ON memos(target_kind, target_guid);
CREATE TABLE document_status (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    done INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (document_id, coder_id)
) WITHOUT ROWID;
CREATE TABLE coder_state (
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (coder_id, key)
) WITHOUT ROWID;
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    coder_id INTEGER REFERENCES coders(id),
    action TEXT NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    changes TEXT NOT NULL DEFAULT '[]',
    undoable INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'dead')),
    undone_by INTEGER REFERENCES events(id)
);
CREATE INDEX events_by_coder ON events(coder_id, undoable, state, id);
CREATE INDEX events_by_time ON events(at);
-- Deleting an event checks the events it undid (undone_by refers to events): unindexed, every
-- deleted event scanned the whole trail (a coder copy of 74 000 events took 516 s).
CREATE INDEX IF NOT EXISTS events_by_undone_by ON events(undone_by) WHERE undone_by IS NOT NULL;
CREATE TRIGGER documents_case_moves_codings AFTER UPDATE OF case_id ON documents
BEGIN
    UPDATE codings SET case_id = NEW.case_id WHERE document_id = NEW.id;
END;
"""

# Numbered migrations: MIGRATIONS[n] brings a file from version n to n + 1.
# A migration is a function taking the raw connection; it runs inside one transaction.
Migration = Callable[[sqlite3.Connection], None]


def migrate_events_undone_by_index(conn: sqlite3.Connection) -> None:
    """1 -> 2: index ``events(undone_by)``, so deleting events (coder copies) is linear."""
    conn.execute(
        "CREATE INDEX IF NOT EXISTS events_by_undone_by ON events(undone_by) "
        "WHERE undone_by IS NOT NULL"
    )


MIGRATIONS: dict[int, Migration] = {1: migrate_events_undone_by_index}


def connect(path: str | os.PathLike) -> sqlite3.Connection:
    """Open a connection with the project's policy. Autocommit mode: we issue BEGIN ourselves."""
    conn = sqlite3.connect(
        os.fspath(path),
        isolation_level=None,
        timeout=BUSY_TIMEOUT_MS / 1000,
        check_same_thread=False,
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    return conn


class Project:
    """An open project file. Use ``Project.create`` or ``Project.open``, close with ``close()``."""

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn
        self._coder_ids: dict[str, int] = {}
        self._reading = False  # inside read_snapshot()

    @cached_property
    def db(self) -> sqlite_utils.Database:
        """sqlite-utils view of the same connection (imported on first use: it loads slowly)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn)

    # -- opening -------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: str | os.PathLike, *, name: str | None = None) -> Project:
        """Create a new, empty project file readable by its owner only."""
        path = Path(path)
        if path.exists():
            raise ProjectError(f"{path}: file exists; choose another name or delete it first")
        if not path.parent.exists():
            raise ProjectError(f"{path.parent}: folder does not exist")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
        conn = connect(path)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            for statement in _statements(SCHEMA_V1):
                conn.execute(statement)
            stamp = now()
            conn.executemany(
                "INSERT INTO meta(key, value) VALUES (?, ?)",
                [
                    ("application", "kodeverk"),
                    ("schema_version", str(SCHEMA_VERSION)),
                    ("project_guid", new_guid()),
                    ("name", name or path.stem),
                    ("created_at", stamp),
                ],
            )
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            conn.execute("COMMIT")
        except BaseException:
            conn.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            raise
        return cls(path, conn)

    @classmethod
    def open(cls, path: str | os.PathLike, *, migrate: bool = True) -> Project:
        """Open an existing project; refuse files that are not kodeverk projects or too new."""
        path = Path(path)
        if not path.is_file():
            raise ProjectError(f"{path}: no such project file")
        _check_header(path)
        try:
            conn = connect(path)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            # A damaged schema page can even make SQLite's error text undecodable.
            reason = str(exc) if isinstance(exc, sqlite3.DatabaseError) else "unreadable schema"
            raise ProjectError(
                f"{path}: the file is damaged ({reason}); run `kodeverk check` or restore a backup"
            ) from None
        try:
            version = _check_identity(conn, path)
            conn.execute("PRAGMA journal_mode = WAL")
            project = cls(path, conn)
            if version < SCHEMA_VERSION:
                if not migrate:
                    raise ProjectError(f"{path}: schema version {version} needs migrating")
                project._migrate(version)
        except BaseException:
            conn.close()
            raise
        return project

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE (retried while another writer holds the lock),
        COMMIT on success, ROLLBACK on any error. Nested use joins the outer transaction."""
        if self._reading:
            raise ProjectError(f"{self.path}: cannot write while reading a snapshot of it")
        if self.conn.in_transaction:
            yield self.conn
            return
        _begin_immediate(self.conn)
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        _commit(self.conn)

    @contextmanager
    def read_snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction for a long read (an export): every query inside sees the
        project as it was at the first one, and no lock is taken that a writer would wait on
        (WAL: readers and writers do not block each other). Writing inside is refused. Nested
        use, or use inside a write transaction, joins the outer transaction."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN DEFERRED")
        self.conn.execute("SELECT 1 FROM meta LIMIT 1").fetchone()  # the snapshot starts here
        self._reading = True
        try:
            yield self.conn
        finally:
            self._reading = False
            self.conn.execute("COMMIT")

    # -- small shared look-ups -----------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def coder_id(self, name: str, *, create: bool = True) -> int:
        """The id of coder ``name``, created on first use (inside the caller's transaction)."""
        name = name.strip()
        if not name:
            raise ProjectError("coder name is empty")
        if name in self._coder_ids:
            return self._coder_ids[name]
        row = self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
        if row is None:
            if not create:
                raise ProjectError(f"{self.path}: no coder named {name!r}")
            with self.transaction():
                cur = self.conn.execute(
                    "INSERT INTO coders(guid, name, created_at) VALUES (?, ?, ?) "
                    "ON CONFLICT(name) DO NOTHING RETURNING id",
                    (new_guid(), name, now()),
                )
                row = (
                    cur.fetchone()
                    or self.conn.execute("SELECT id FROM coders WHERE name = ?", (name,)).fetchone()
                )
        self._coder_ids[name] = row[0]
        return row[0]

    def coder_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM coders ORDER BY name")]

    # -- migrations ----------------------------------------------------------------------------
    def _migrate(self, version: int) -> None:
        from coding.backup import backup_before  # local: backup is optional machinery

        backup_before(self, f"migration-v{version}")
        while version < SCHEMA_VERSION:
            step = MIGRATIONS[version]
            with self.transaction() as conn:
                step(conn)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")
                conn.execute(
                    "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(version),)
                )


def _statements(script: str) -> list[str]:
    """Split a schema script into statements; triggers contain inner semicolons."""
    statements: list[str] = []
    buffer = ""
    for line in script.strip().splitlines():
        buffer += line + "\n"
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    return statements


def _begin_immediate(conn: sqlite3.Connection) -> None:
    """BEGIN IMMEDIATE, polling every millisecond or two while another writer holds the lock.

    SQLite's own busy handler sleeps up to 100 ms between tries, so a waiter can miss many
    short transactions of busy writers and wait for most of a second (measured with four
    writer processes); short randomised polls keep every wait short. Gives up after the busy
    timeout with a one-line error."""
    conn.execute("PRAGMA busy_timeout = 0")
    try:
        started = time.monotonic()
        deadline = started + BUSY_TIMEOUT_MS / 1000
        noticed = False
        while True:
            try:
                conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if time.monotonic() > deadline:
                    raise ProjectError(
                        f"the project file is busy: another process has held its write lock "
                        f"for over {BUSY_TIMEOUT_MS // 1000} s; try again"
                    ) from None
                waited = time.monotonic() - started
                if not noticed and waited >= WAIT_NOTICE_AFTER and _lock_wait_notice:
                    noticed = True
                    _lock_wait_notice(waited)
                time.sleep(random.uniform(0.0005, 0.002))
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _commit(conn: sqlite3.Connection) -> None:
    for attempt in range(50):
        try:
            conn.execute("COMMIT")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) and "busy" not in str(exc):
                conn.execute("ROLLBACK")
                raise
            time.sleep(0.01 * (attempt + 1))
    conn.execute("COMMIT")


def _check_header(path: Path) -> None:
    with path.open("rb") as handle:
        header = handle.read(16)
    if header != b"SQLite format 3\x00":
        raise ProjectError(f"{path}: not a kodeverk project (not an SQLite database)")


def _check_identity(conn: sqlite3.Connection, path: Path) -> int:
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ProjectError(f"{path}: not a kodeverk project ({exc})") from None
    if app_id != APPLICATION_ID:
        raise ProjectError(f"{path}: not a kodeverk project (an SQLite file of another program)")
    if version > SCHEMA_VERSION:
        raise ProjectError(
            f"{path}: made by a newer kodeverk (schema version {version}, this one reads up to "
            f"{SCHEMA_VERSION}); upgrade kodeverk"
        )
    return version
