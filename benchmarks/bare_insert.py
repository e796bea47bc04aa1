"""The floor of a codings import, as a whole process: ``python -m benchmarks.bare_insert CSV
DB`` reads a codings CSV with the csv module and inserts its rows with one ``executemany`` into
a bare table (no indexes, no checks) of a new SQLite file, in one transaction, with the
project's durability (WAL, synchronous=FULL)."""

from __future__ import annotations

import csv
import sqlite3
import sys


def main(argv: list[str]) -> int:
    source, target = argv
    with open(source, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute(
        "CREATE TABLE codings(id INTEGER PRIMARY KEY, document, document_id, code, coder, start, "
        '"end", quote)'
    )
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany(
        'INSERT INTO codings(document, document_id, code, coder, start, "end", quote) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    conn.execute("COMMIT")
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
