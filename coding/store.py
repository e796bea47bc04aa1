"""The project file: one SQLite database per project.

Connection policy (see docs/schema.md): WAL so several coders can work at once, foreign keys on,
a busy timeout so a second writer waits instead of failing, and synchronous=FULL so a committed
action survives a power cut. Every user action is one short ``BEGIN IMMEDIATE`` transaction.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import os
import sqlite3
import stat
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coding.errors import (
    DiskError,
    KodeverkError,
    ProjectBusy,
    ProjectError,
    ProjectGone,
    ProjectReadOnly,
)

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


def inserted_id(cur: sqlite3.Cursor) -> int:
    """The rowid of the row ``cur`` just inserted (sqlite3 types it Optional)."""
    rowid = cur.lastrowid
    if rowid is None:
        raise RuntimeError("INSERT did not report a rowid")
    return rowid


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
-- content="documents" in double quotes: how sqlite-utils and Datasette recognise the index.
CREATE VIRTUAL TABLE documents_fts USING fts5(
    text, content="documents", content_rowid="id", tokenize='unicode61 remove_diacritics 0'
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

# Version 2 (exchange): code groups (REFI-QDA Sets) and the views researchers query the file
# through (Datasette, R, pandas). New files get it after SCHEMA_V1; old ones in MIGRATIONS[1].
SCHEMA_EXCHANGE = """
CREATE TABLE IF NOT EXISTS code_groups (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS code_group_members (
    group_id INTEGER NOT NULL REFERENCES code_groups(id) ON DELETE CASCADE,
    code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, code_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS code_group_members_by_code ON code_group_members(code_id);
-- One row per coding with its quote; no column needs quoting ("end", "case" are keywords).
CREATE VIEW IF NOT EXISTS quotes AS
WITH RECURSIVE tree(id, path, goal) AS (
    SELECT id, name, goal FROM codes WHERE parent_id IS NULL
    UNION ALL
    SELECT c.id, t.path || '/' || c.name, coalesce(c.goal, t.goal)
    FROM codes c JOIN tree t ON c.parent_id = t.id
)
SELECT k.id AS coding_id, k.guid AS coding_guid, d.id AS document_id, d.name AS document,
    k.case_id AS case_id, s.name AS case_name, t.path AS code_path, t.goal AS goal,
    r.name AS coder, k.start AS start_offset, k."end" AS end_offset,
    substr(d.text, k.start + 1, k."end" - k.start) AS quote, k.created_at AS coded_at
FROM codings k
JOIN documents d ON d.id = k.document_id
JOIN tree t ON t.id = k.code_id
JOIN coders r ON r.id = k.coder_id
LEFT JOIN cases s ON s.id = k.case_id;
-- The case attributes of every quote, long: one row per coding and attribute.
CREATE VIEW IF NOT EXISTS quote_attributes AS
SELECT k.id AS coding_id, k.case_id AS case_id, a.name AS attribute, a.value AS value
FROM codings k JOIN case_attributes a ON a.case_id = k.case_id;
"""

# Version 2 (evaluation tables, issue 15): the researchers' cell summaries of the case × theme
# matrix and the team's assessment of each of the five goals. Both are journalled (undoable).
SCHEMA_EVALUATION = """
CREATE TABLE IF NOT EXISTS matrix_summaries (
    row_kind TEXT NOT NULL,
    row_key TEXT NOT NULL,
    column_kind TEXT NOT NULL CHECK (column_kind IN ('goal', 'code')),
    column_key TEXT NOT NULL,
    text TEXT NOT NULL,
    coder_id INTEGER REFERENCES coders(id),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (row_kind, row_key, column_kind, column_key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS goal_assessments (
    goal INTEGER PRIMARY KEY CHECK (goal BETWEEN 1 AND 5),
    rating TEXT NOT NULL DEFAULT '',
    assessment TEXT NOT NULL DEFAULT '',
    coder_id INTEGER REFERENCES coders(id),
    updated_at TEXT NOT NULL
);
"""

# Version 2 (anonymisation, issue 15): spans a coder marked «anonymiser» with their replacement
# («[navn]», «[kommune]», «[sted]» …), applied wherever an export produces quote text.
SCHEMA_ANONYMISATIONS = """
CREATE TABLE IF NOT EXISTS anonymisations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    guid TEXT NOT NULL UNIQUE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    replacement TEXT NOT NULL,
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    created_at TEXT NOT NULL,
    CHECK (0 <= start AND start < "end")
);
CREATE INDEX IF NOT EXISTS anonymisations_by_document ON anonymisations(document_id, start);
"""


def migrate_anonymisations(conn: sqlite3.Connection) -> None:
    """1 -> 2 (issue 15): the ``anonymisations`` table. Idempotent."""
    for statement in _statements(SCHEMA_ANONYMISATIONS):
        conn.execute(statement)


# Learned suggestions (issue 17): a coder's verdict on a suggested code for a unit; a
# rejection is a negative example for the coder's model. New files: after SCHEMA_EXCHANGE.
SCHEMA_SUGGESTIONS = """
CREATE TABLE IF NOT EXISTS suggestion_feedback (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    code_id INTEGER NOT NULL REFERENCES codes(id) ON DELETE CASCADE,
    coder_id INTEGER NOT NULL REFERENCES coders(id),
    verdict TEXT NOT NULL CHECK (verdict IN ('accepted', 'rejected')),
    confidence REAL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (document_id, start, "end", code_id, coder_id)
) WITHOUT ROWID;
"""


def migrate_suggestions(conn: sqlite3.Connection) -> None:
    """1 -> 2 (issue 17): the ``suggestion_feedback`` table. Idempotent."""
    for statement in _statements(SCHEMA_SUGGESTIONS):
        conn.execute(statement)


# Prevalence (issue 13): codings counted per (code, document, coder), kept exact by triggers on
# every insert, delete and move of a coding (cascades from a removed document included), so
# prevalence reads a few thousand rows instead of every coding. New files: after SCHEMA_V1.
SCHEMA_COUNTS = """
CREATE TABLE IF NOT EXISTS code_document_counts (
    code_id INTEGER NOT NULL,
    document_id INTEGER NOT NULL,
    coder_id INTEGER NOT NULL,
    n INTEGER NOT NULL CHECK (n > 0),
    PRIMARY KEY (code_id, document_id, coder_id)
) WITHOUT ROWID;
CREATE TRIGGER IF NOT EXISTS codings_count_insert AFTER INSERT ON codings
BEGIN
    INSERT INTO code_document_counts(code_id, document_id, coder_id, n)
    VALUES (NEW.code_id, NEW.document_id, NEW.coder_id, 1)
    ON CONFLICT(code_id, document_id, coder_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER IF NOT EXISTS codings_count_delete AFTER DELETE ON codings
BEGIN
    DELETE FROM code_document_counts WHERE code_id = OLD.code_id
        AND document_id = OLD.document_id AND coder_id = OLD.coder_id AND n = 1;
    UPDATE code_document_counts SET n = n - 1 WHERE code_id = OLD.code_id
        AND document_id = OLD.document_id AND coder_id = OLD.coder_id;
END;
CREATE TRIGGER IF NOT EXISTS codings_count_update
AFTER UPDATE OF code_id, document_id, coder_id ON codings
WHEN OLD.code_id != NEW.code_id OR OLD.document_id != NEW.document_id
    OR OLD.coder_id != NEW.coder_id
BEGIN
    DELETE FROM code_document_counts WHERE code_id = OLD.code_id
        AND document_id = OLD.document_id AND coder_id = OLD.coder_id AND n = 1;
    UPDATE code_document_counts SET n = n - 1 WHERE code_id = OLD.code_id
        AND document_id = OLD.document_id AND coder_id = OLD.coder_id;
    INSERT INTO code_document_counts(code_id, document_id, coder_id, n)
    VALUES (NEW.code_id, NEW.document_id, NEW.coder_id, 1)
    ON CONFLICT(code_id, document_id, coder_id) DO UPDATE SET n = n + 1;
END;
"""
RECOUNT_CODINGS = (
    "SELECT code_id, document_id, coder_id, count(*) FROM codings "
    "GROUP BY code_id, document_id, coder_id"
)


def migrate_code_counts(conn: sqlite3.Connection) -> None:
    """1 -> 2 (issue 13): the ``code_document_counts`` table and its triggers, filled by a
    recount of the codings. Idempotent (a second run recounts)."""
    for statement in _statements(SCHEMA_COUNTS):
        conn.execute(statement)
    conn.execute("DELETE FROM code_document_counts")
    conn.execute(
        f"INSERT INTO code_document_counts(code_id, document_id, coder_id, n) {RECOUNT_CODINGS}"
    )


# Numbered migrations: MIGRATIONS[n] brings a file from version n to n + 1.
# A migration is a function taking the raw connection; it runs inside one transaction.
Migration = Callable[[sqlite3.Connection], None]


def migrate_events_undone_by_index(conn: sqlite3.Connection) -> None:
    """1 -> 2: index ``events(undone_by)``, so deleting events (coder copies) is linear."""
    conn.execute(
        "CREATE INDEX IF NOT EXISTS events_by_undone_by ON events(undone_by) "
        "WHERE undone_by IS NOT NULL"
    )


def migrate_exchange(conn: sqlite3.Connection) -> None:
    """1 -> 2 (issue 16): FTS declared so Datasette and sqlite-utils detect it (rebuilt from
    the documents), code groups, the ``quotes`` views. Idempotent."""
    import sqlite_utils  # loads slowly: only when a file is migrated

    if sqlite_utils.Database(conn).table("documents").detect_fts() != "documents_fts":
        conn.execute("DROP TABLE IF EXISTS documents_fts")
        conn.execute(
            'CREATE VIRTUAL TABLE documents_fts USING fts5(text, content="documents", '
            "content_rowid=\"id\", tokenize='unicode61 remove_diacritics 0')"
        )
        conn.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
    for statement in _statements(SCHEMA_EXCHANGE):
        conn.execute(statement)
    refresh_views(conn)


def migrate_evaluation(conn: sqlite3.Connection) -> None:
    """1 -> 2 (issue 15): matrix cell summaries and goal assessments. Idempotent."""
    for statement in _statements(SCHEMA_EVALUATION):
        conn.execute(statement)


_RESERVED_COLUMNS = ("case_id", "case_name")


def case_attributes_wide_sql(conn: sqlite3.Connection) -> str:
    """The ``case_attributes_wide`` view for the attribute names there are now: one row per
    case, one column per attribute."""
    names = [r[0] for r in conn.execute("SELECT DISTINCT name FROM case_attributes ORDER BY name")]
    columns = "".join(
        f",\n    max(CASE WHEN a.name = {_quote(name, chr(39))} THEN a.value END) AS "
        f"{_quote('attr_' + name if name in _RESERVED_COLUMNS else name, chr(34))}"
        for name in names
    )
    return (
        "CREATE VIEW case_attributes_wide AS\nSELECT c.id AS case_id, c.name AS case_name"
        f"{columns}\nFROM cases c LEFT JOIN case_attributes a ON a.case_id = c.id\n"
        "GROUP BY c.id"
    )


def _quote(value: str, mark: str) -> str:
    return mark + value.replace(mark, mark * 2) + mark


def refresh_views(conn: sqlite3.Connection) -> bool:
    """Recreate ``case_attributes_wide`` when the attribute names changed (inside the caller's
    transaction). True when it was recreated."""
    wanted = case_attributes_wide_sql(conn)
    row = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'case_attributes_wide'"
    ).fetchone()
    if row and row[0] == wanted:
        return False
    conn.execute("DROP VIEW IF EXISTS case_attributes_wide")
    conn.execute(wanted)
    return True


USERS_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('coder', 'lead')),
    password_hash TEXT NOT NULL,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
) WITHOUT ROWID
"""


def migrate_add_users(conn: sqlite3.Connection) -> None:
    """Schema 1 → 2: the ``users`` table of accounts for the team server (idempotent)."""
    conn.execute(USERS_SCHEMA)


def migrate_to_v2(conn: sqlite3.Connection) -> None:
    """Schema 1 -> 2: every change of version 2, each idempotent."""
    migrate_exchange(conn)
    migrate_add_users(conn)
    migrate_evaluation(conn)
    migrate_events_undone_by_index(conn)
    migrate_anonymisations(conn)
    migrate_suggestions(conn)
    migrate_code_counts(conn)


MIGRATIONS: dict[int, Migration] = {1: migrate_to_v2}


CACHE_KIB = -65536  # negative: KiB, i.e. 64 MiB
# A worker's read connection (``Project.reader``) reads once and is closed: SQLite's default
# 2 MB. With the 64 MiB above, the review's read filled 56 MB of pages on the study only to
# free them at close, and each visit's pages grew the worker threads' malloc arena (issue 13).
# Its reads cost no more CPU with the small cache (the file is in the OS's cache).
READER_CACHE_KIB = -2000


def connect(
    path: str | os.PathLike, *, readonly: bool = False, immutable: bool = False
) -> sqlite3.Connection:
    """Open a connection with the project's policy. Autocommit mode: we issue BEGIN ourselves.

    ``readonly`` opens with ``mode=ro``: nothing can be written and, unlike a plain open, a
    missing file is not created (an empty file would appear where a project was removed).
    ``immutable`` reads a WAL file whose folder is read-only and has no -wal (SQLite cannot
    create the -shm it needs; with no -wal and no way to create one, nobody is writing)."""
    target: str | bytes
    if readonly:
        target = f"file:{urllib.parse.quote(os.fsencode(path))}?mode=ro"
        if immutable:
            target += "&immutable=1"
    else:
        target = os.fsencode(path)
    conn = sqlite3.connect(
        target,
        isolation_level=None,
        timeout=BUSY_TIMEOUT_MS / 1000,
        check_same_thread=True,  # one connection per thread: workers use ``reading()``
        uri=readonly,
    )
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = FULL")
    # 64 MiB of page cache (the default is 2 MB): a study's file stays in memory, so a merge
    # or import touching every coding does not re-read pages it evicted (growth stays linear).
    # Pages are allocated as used; small projects pay nothing.
    conn.execute(f"PRAGMA cache_size = {CACHE_KIB}")
    return conn


# Tables whose writes on a Project's own connection are counted (``Project.writes_version``):
# the derived reads cached on the Project (the code tree) depend on them.
WATCHED_TABLES = ("codes",)


def _watch_statements() -> list[str]:
    return [
        "CREATE TEMP TABLE IF NOT EXISTS kodeverk_writes (name TEXT PRIMARY KEY, n INTEGER)",
        *(
            f"INSERT OR IGNORE INTO kodeverk_writes VALUES ('{table}', 0)"
            for table in WATCHED_TABLES
        ),
        *(
            f"CREATE TEMP TRIGGER IF NOT EXISTS kodeverk_{table}_{op.lower()} AFTER {op} ON "
            f"main.{table} BEGIN UPDATE kodeverk_writes SET n = n + 1 WHERE name = '{table}'; END"
            for table in WATCHED_TABLES
            for op in ("INSERT", "UPDATE", "DELETE")
        ),
    ]


# What a review of two coders reads (``coding.review_tables``): writes to these tables on a
# Project's own connection are counted by ``Project.review_writes`` (codings per coder), once a
# review asked. Segments are written and removed only with their document (insert, cascade).
REVIEW_TABLES = ("documents", "codes", "coders", "document_status", "events")


def _review_watch_statements() -> list[str]:
    per_coder = (
        "INSERT OR IGNORE INTO kodeverk_coder_writes VALUES ({row}.coder_id, 0); "
        "UPDATE kodeverk_coder_writes SET n = n + 1 WHERE coder_id = {row}.coder_id;"
    )
    return [
        "CREATE TEMP TABLE IF NOT EXISTS kodeverk_review_writes (name TEXT PRIMARY KEY, n INTEGER)",
        "CREATE TEMP TABLE IF NOT EXISTS kodeverk_coder_writes "
        "(coder_id INTEGER PRIMARY KEY, n INTEGER)",
        *(f"INSERT OR IGNORE INTO kodeverk_review_writes VALUES ('{t}', 0)" for t in REVIEW_TABLES),
        *(
            f"CREATE TEMP TRIGGER IF NOT EXISTS kodeverk_review_{table}_{op.lower()} AFTER {op} "
            f"ON main.{table} BEGIN UPDATE kodeverk_review_writes SET n = n + 1 "
            f"WHERE name = '{table}'; END"
            for table in REVIEW_TABLES
            for op in ("INSERT", "UPDATE", "DELETE")
        ),
        "CREATE TEMP TRIGGER IF NOT EXISTS kodeverk_coder_insert AFTER INSERT ON main.codings "
        f"BEGIN {per_coder.format(row='NEW')} END",
        "CREATE TEMP TRIGGER IF NOT EXISTS kodeverk_coder_delete AFTER DELETE ON main.codings "
        f"BEGIN {per_coder.format(row='OLD')} END",
        "CREATE TEMP TRIGGER IF NOT EXISTS kodeverk_coder_update AFTER UPDATE ON main.codings "
        f"BEGIN {per_coder.format(row='OLD')} {per_coder.format(row='NEW')} END",
    ]


@dataclass(frozen=True)
class ReviewWrites:
    """Keys of what a review reads: each changes whenever what it names may have changed (this
    connection's writes, counted by TEMP triggers, and any other connection's commit)."""

    data_version: int
    tables: dict[str, int]  # REVIEW_TABLES -> writes on this connection
    coders: dict[int, int]  # coder id -> writes to their codings on this connection

    def table(self, *names: str) -> tuple[int, ...]:
        return (self.data_version, *(self.tables[name] for name in names))

    def coder(self, coder_id: int) -> tuple[int, int]:
        return (self.data_version, self.coders.get(coder_id, 0))


class Project:
    """An open project file. Use ``Project.create`` or ``Project.open``, close with ``close()``."""

    def __init__(
        self, path: Path, conn: sqlite3.Connection, *, readonly_reason: str | None = None
    ) -> None:
        self.path = path
        self.conn = conn
        # why writes are refused (a read-only file, folder, ...), None when writable
        self.readonly_reason = readonly_reason
        self._immutable = False  # read through immutable=1 (see connect)
        self._stat_path = path.absolute()  # the file checked before each write
        self._identity = _file_identity(self._stat_path)
        _OPEN_FILES[self._identity] += 1
        self._coder_ids: dict[str, int] = {}
        # coders found or created inside the open transaction: cached only once it commits
        self._tx_coder_ids: dict[str, int] = {}
        self._reading = False  # inside read_snapshot()

        # derived reads (the code tree) by name: (version key, value); see ``cached``
        self._caches: dict[str, tuple[object, Any]] = {}

    @property
    def readonly(self) -> bool:
        return self.readonly_reason is not None

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
        _check_utf8_name(path)
        if path.exists():
            raise ProjectError(f"{path}: file exists; choose another name or delete it first")
        if not path.parent.exists():
            raise ProjectError(f"{path.parent}: folder does not exist")
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except PermissionError:
            raise ProjectReadOnly(
                f"{path}: the folder {path.parent} is read-only; cannot create a project there"
            ) from None
        os.close(fd)
        conn = connect(path)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("BEGIN IMMEDIATE")
            for statement in (
                _statements(SCHEMA_V1)
                + _statements(SCHEMA_EXCHANGE)
                + _statements(SCHEMA_EVALUATION)
                + _statements(SCHEMA_ANONYMISATIONS)
                + _statements(SCHEMA_SUGGESTIONS)
                + _statements(SCHEMA_COUNTS)
            ):
                conn.execute(statement)
            refresh_views(conn)
            migrate_add_users(conn)  # schema 2
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
        except BaseException as exc:
            conn.close()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            if isinstance(exc, sqlite3.OperationalError):  # a full disk, ...
                raise _open_error(path, exc) from None
            raise
        return cls(path, conn)

    @classmethod
    def open(cls, path: str | os.PathLike, *, migrate: bool = True) -> Project:
        """Open an existing project; refuse files that are not kodeverk projects or too new.

        A project that cannot be written (read-only file or folder) opens read-only:
        reading works, every write is refused with the reason (``readonly_reason``)."""
        path = Path(path)
        if not path.is_file():
            raise ProjectError(f"{path}: no such project file")
        _check_header(path)
        reason = _readonly_reason(path)
        immutable = reason is not None and _frozen(path)
        try:
            conn = connect(path, readonly=reason is not None, immutable=immutable)
        except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:
            raise _open_error(path, exc) from None
        try:
            version = _check_identity(conn, path)
            if reason is None:
                conn.execute("PRAGMA journal_mode = WAL")
                _match_side_files(path)
            project = cls(path, conn, readonly_reason=reason)
            project._immutable = immutable
            if version < SCHEMA_VERSION:
                if not migrate:
                    raise ProjectError(f"{path}: schema version {version} needs migrating")
                if reason is not None:
                    raise ProjectReadOnly(
                        f"{path}: schema version {version} needs migrating, but {reason}"
                    )
                project._migrate(version)
            if reason is None:
                project._refresh_views()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise _open_error(path, exc) from None
        except BaseException:
            conn.close()
            raise
        return project

    @contextmanager
    def reading(self) -> Iterator[Project]:
        """This project on a read-only connection of its own, closed on leaving: what a worker
        thread uses (one connection per thread; the app's connection stays in its thread)."""
        reader = Project(self.path, self.reader(), readonly_reason="opened for reading only")
        reader._immutable = self._immutable
        try:
            yield reader
        finally:
            reader.close()

    def reader(self) -> sqlite3.Connection:
        """A second, read-only connection to the project (for a worker thread). Raises
        ``ProjectGone`` rather than creating an empty file where the project was."""
        self.check_identity()
        try:
            conn = connect(self.path, readonly=True, immutable=self._immutable)
            conn.execute(f"PRAGMA cache_size = {READER_CACHE_KIB}")
        except sqlite3.Error as exc:
            raise _open_error(self.path, exc) from None
        return conn

    def close(self) -> None:
        if self.conn is not None and _OPEN_FILES[self._identity]:
            _OPEN_FILES[self._identity] -= 1
        self.conn.close()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions --------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE (retried while another writer holds the lock),
        COMMIT on success, ROLLBACK on any error. Nested use joins the outer transaction.

        Refused before anything is written when the project is read-only or its file was
        removed or replaced on disk (checked again just before COMMIT). SQLite's write errors
        (read-only, disk full) become one-line ``KodeverkError``s naming the cause."""
        if self._reading:
            raise ProjectError(f"{self.path}: cannot write while reading a snapshot of it")
        if self.conn.in_transaction:
            yield self.conn
            return
        self.check_writable()
        try:
            _begin_immediate(self.conn)
        except sqlite3.OperationalError as exc:
            raise self._write_error(exc) from None
        try:
            yield self.conn
            self.check_identity()  # WAL would commit into a removed file's inode
            _commit(self.conn)
        except BaseException as exc:
            self._tx_coder_ids.clear()
            self._caches.clear()
            _rollback(self.conn)
            if isinstance(exc, sqlite3.OperationalError):
                raise self._write_error(exc) from None
            raise
        self._coder_ids.update(self._tx_coder_ids)
        self._tx_coder_ids.clear()

    def check_writable(self) -> None:
        """Raise ``ProjectReadOnly`` or ``ProjectGone`` when nothing may be written now."""
        if self.readonly_reason is not None:
            raise ProjectReadOnly(f"{self.path}: {self.readonly_reason}; nothing can be saved")
        self.check_identity()

    def check_identity(self) -> None:
        """Raise ``ProjectGone`` when the file at ``path`` is no longer the one opened."""
        try:
            current = _file_identity(self._stat_path)
        except FileNotFoundError:
            raise ProjectGone(
                f"{self.path}: the project file was removed or moved on disk since it was "
                "opened; nothing more is saved: reopen the project"
            ) from None
        except OSError:
            return  # cannot tell (e.g. folder not searchable): SQLite will say if writes fail
        if current != self._identity:
            raise ProjectGone(
                f"{self.path}: the project file was replaced on disk by another file since it "
                "was opened; nothing more is saved: reopen the project"
            )

    def _write_error(self, exc: sqlite3.OperationalError) -> Exception:
        """The honest one-line error for SQLite's refusal to write, or ``exc`` itself."""
        return _explain(self.path, exc) or exc

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

    def checkpoint(self) -> None:
        """Fold the write-ahead log into the file (an immutable reader sees only the file)."""
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # -- caches --------------------------------------------------------------------------------
    def data_version(self) -> int:
        """SQLite's data_version: changes when another connection commits to the file."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    def changes_key(self) -> tuple[int, int]:
        """A key that changes whenever the file may have changed: the rows this connection
        changed (SQLite's count, rolled back ones too) and other connections' commits."""
        return self.conn.total_changes, self.data_version()

    def writes_version(self, table: str) -> tuple[int, int] | None:
        """A key that changes whenever ``table`` (one of ``WATCHED_TABLES``) may have changed:
        this connection's writes to it (counted by a TEMP trigger this Project installs on its
        own connection; a rollback undoes the count too) and other connections' commits. None
        inside a transaction before the watch is set up (set up outside transactions only, so
        a rollback cannot remove it): then nothing is cached."""
        try:
            row = self.conn.execute(
                "SELECT n FROM temp.kodeverk_writes WHERE name = ?", (table,)
            ).fetchone()
        except sqlite3.OperationalError:
            row = None
        if row is None:
            if self.conn.in_transaction:
                return None
            for statement in _watch_statements():
                self.conn.execute(statement)
            row = (0,)
        return row[0], self.data_version()

    def review_writes(self) -> ReviewWrites | None:
        """The keys of a review's reads (``ReviewWrites``); None inside a transaction (its
        writes, counted already, may never be committed; and the counting is set up outside
        transactions only, so a rollback cannot remove it): then nothing may be reused."""
        if self.conn.in_transaction:
            return None
        try:
            tables = dict(self.conn.execute("SELECT name, n FROM temp.kodeverk_review_writes"))
        except sqlite3.OperationalError:
            for statement in _review_watch_statements():
                self.conn.execute(statement)
            tables = dict.fromkeys(REVIEW_TABLES, 0)
        coders = dict(self.conn.execute("SELECT coder_id, n FROM temp.kodeverk_coder_writes"))
        return ReviewWrites(self.data_version(), tables, coders)

    def cached(self, name: str, key: object, compute: Callable[[], Any]) -> Any:
        """``compute()``, reused while ``key`` is unchanged (a ``key`` of None: never cached).
        Owned by this Project: forgotten when a transaction rolls back or on ``forget_caches``."""
        if key is None:
            return compute()
        hit = self._caches.get(name)
        if hit is None or hit[0] != key:
            hit = (key, compute())
            self._caches[name] = hit
        return hit[1]

    def forget_caches(self) -> None:
        self._caches.clear()

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
        if name in self._tx_coder_ids:
            return self._tx_coder_ids[name]
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
                # owned by the transaction: forgotten if it rolls back
                self._tx_coder_ids[name] = row[0]
            return row[0]
        if self.conn.in_transaction:  # the row may be this transaction's own, uncommitted
            self._tx_coder_ids[name] = row[0]
        else:
            self._coder_ids[name] = row[0]
        return row[0]

    def coder_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM coders ORDER BY name")]

    def _refresh_views(self) -> None:
        """Bring ``case_attributes_wide`` up to date when attributes changed behind our back
        (a merge, an undo, an older kodeverk); a read-only file is left as it is."""
        if self.conn.execute(
            "SELECT sql FROM sqlite_master WHERE name = 'case_attributes_wide'"
        ).fetchone() == (case_attributes_wide_sql(self.conn),):
            return
        try:
            with self.transaction() as conn:
                refresh_views(conn)
        except sqlite3.OperationalError as exc:
            if "readonly" not in str(exc):
                raise

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


def insert_rows(
    conn: sqlite3.Connection, table: str, columns: Sequence[str], rows: Sequence[tuple]
) -> None:
    """INSERT ``rows`` a few hundred per statement. A table with triggers and a UNIQUE column
    (``codings``) makes SQLite open a statement journal for every statement, so
    ``executemany`` (one statement per row) pays it per row: 2× slower for codings."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    marks = "(" + ", ".join("?" * len(columns)) + ")"
    chunk = max(1, 4000 // max(1, len(columns)))  # well under SQLite's 32 766 variables
    for i in range(0, len(rows), chunk):
        part = rows[i : i + chunk]
        values = ", ".join([marks] * len(part))
        conn.execute(
            f"INSERT INTO {table}({quoted}) VALUES {values}", [v for row in part for v in row]
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
        while not _run_unless_locked(conn, "BEGIN IMMEDIATE"):
            if time.monotonic() > deadline:
                raise ProjectBusy(
                    f"the project file is busy: another process has held its write lock "
                    f"for over {BUSY_TIMEOUT_MS / 1000:g} s; try again"
                ) from None
            waited = time.monotonic() - started
            if not noticed and waited >= WAIT_NOTICE_AFTER and _lock_wait_notice:
                noticed = True
                _lock_wait_notice(waited)
            import random  # only when waiting: not at every start-up

            time.sleep(random.uniform(0.0005, 0.002))
    finally:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")


def _commit(conn: sqlite3.Connection) -> None:
    """COMMIT, retried while readers block it; any other failure propagates (the caller rolls
    back)."""
    for attempt in range(50):
        if _run_unless_locked(conn, "COMMIT"):
            return
        time.sleep(0.01 * (attempt + 1))
    conn.execute("COMMIT")


def _run_unless_locked(conn: sqlite3.Connection, sql: str) -> bool:
    """Run ``sql``; False when the file is locked or busy (any other failure propagates)."""
    try:
        conn.execute(sql)
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        return False
    return True


def _rollback(conn: sqlite3.Connection) -> None:
    """ROLLBACK if a transaction is still open: after some errors (disk full, I/O) SQLite has
    already rolled back, and a second ROLLBACK would replace the real error by «cannot
    rollback - no transaction is active»."""
    if conn.in_transaction:
        with contextlib.suppress(sqlite3.OperationalError):  # the original error is reported
            conn.execute("ROLLBACK")


def _file_identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def _check_utf8_name(path: Path) -> None:
    """Refuse a file name that is not valid UTF-8 (Python keeps its bytes as surrogates, which
    SQLite and every text we store would reject later)."""
    raw = os.fsencode(path)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = raw.decode("utf-8", "backslashreplace")
        raise ProjectError(
            f"{shown}: the file name is not valid UTF-8 (byte 0x{raw[exc.start]:02x}); "
            "rename it or choose a UTF-8 name"
        ) from None


def _readonly_reason(path: Path) -> str | None:
    """Why the project cannot be written, or None. WAL needs the file, a writable -shm and
    -wal beside it, and a writable folder to create them in when they do not exist."""
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "the disk it is on is mounted read-only"
    except OSError:
        pass
    if not os.access(path, os.W_OK):
        mode = stat.filemode(os.stat(path).st_mode)
        return f"the project file is read-only (permissions {mode})"
    folder = path.parent
    for suffix in ("-wal", "-shm"):
        side = Path(f"{path}{suffix}")
        if side.exists():
            if not os.access(side, os.W_OK):
                return f"{side.name} beside it is read-only; give it the project file's permissions"
        elif not os.access(folder, os.W_OK | os.X_OK):
            return (
                f"its folder {folder} is read-only (kodeverk must create {side.name} there "
                "to write)"
            )
    return None


def _frozen(path: Path) -> bool:
    """No -wal beside the project and none can be created: nobody can be writing to it."""
    wal = Path(f"{path}-wal")
    return not wal.exists() and not os.access(path.parent, os.W_OK | os.X_OK)


def _match_side_files(path: Path) -> None:
    """Give -wal and -shm the project file's permissions (SQLite copies them only when it
    creates the files; a -shm left read-only would make every later write fail)."""
    mode = stat.S_IMODE(os.stat(path).st_mode)
    for suffix in ("-wal", "-shm"):
        side = f"{path}{suffix}"
        try:
            st = os.stat(side)
            if stat.S_IMODE(st.st_mode) != mode and st.st_uid == os.geteuid():
                os.chmod(side, mode)
        except OSError:
            pass  # absent, or not ours: SQLite reports it if it matters


def _explain(path: Path, exc: sqlite3.Error | UnicodeDecodeError) -> KodeverkError | None:
    """An honest one-line error for what SQLite refused, by cause; None when not recognised.
    «Damaged» only when SQLite itself finds the file malformed."""
    if isinstance(exc, UnicodeDecodeError):  # a damaged schema page can garble SQLite's text
        return ProjectError(
            f"{path}: the file is damaged (unreadable schema); run `kodeverk check` or restore "
            "a backup"
        )
    message = str(exc)
    if "readonly" in message or "unable to open" in message:
        reason = _readonly_reason(path) if path.exists() else None
        if reason or "readonly" in message:
            reason = reason or f"it cannot be written ({message})"
            return ProjectReadOnly(f"{path}: {reason}; nothing can be saved")
        return ProjectError(f"{path}: cannot open the project file ({message})")
    if "locked" in message or "busy" in message:  # e.g. a COMMIT still blocked after retries
        return ProjectBusy(
            f"{path}: the project file is busy (another process holds its lock); nothing "
            "was saved: try again"
        )
    if "disk is full" in message:
        return DiskError(
            f"{path}: the disk is full (or the file size limit was reached); the last action "
            "was not saved: free some space and try again"
        )
    if "disk I/O error" in message:
        return DiskError(
            f"{path}: the disk refused a write ({message}: it may be full, the file too large "
            "for it, or the disk failing); the last action was not saved"
        )
    if "malformed" in message or "not a database" in message:
        return ProjectError(
            f"{path}: the file is damaged ({message}); run `kodeverk check` or restore a backup"
        )
    return None


def _open_error(path: Path, exc: sqlite3.Error | UnicodeDecodeError) -> KodeverkError:
    return _explain(path, exc) or ProjectError(f"{path}: cannot open the project ({exc})")


# (device, inode) -> Project objects open on that file in this process. Reading a file that
# SQLite has open through another descriptor is not safe: closing any descriptor of a file
# drops every POSIX lock this process holds on it, so another process would think nobody has
# the project open, checkpoint and reset its WAL under us, and our later commits would land in
# a WAL nobody else reads (found when the app's suggestion thread opened the project again).
_OPEN_FILES: collections.Counter[tuple[int, int]] = collections.Counter()


def open_here(path: str | os.PathLike) -> bool:
    """Is ``path`` a project this process has open? (Then never read it with ``open()``.)"""
    try:
        return _OPEN_FILES[_file_identity(Path(path).absolute())] > 0
    except OSError:
        return False


def _check_header(path: Path) -> None:
    """Refuse a file that is not SQLite. Skipped for a file this process has open already
    (known to be a project; see ``_OPEN_FILES``)."""
    if open_here(path):
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except PermissionError:
        mode = stat.filemode(os.stat(path).st_mode)
        raise ProjectError(f"{path}: you may not read this file (permissions {mode})") from None
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
