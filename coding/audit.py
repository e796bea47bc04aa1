"""The audit trail as a listing: who changed what, when (``kodeverk log``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from coding.errors import InputError
from coding.store import Project


@dataclass(frozen=True)
class LogEntry:
    id: int
    at: str
    coder: str | None
    action: str
    summary: str
    state: str  # done | undone | dead (undone, then replaced by a new action)
    merged: bool  # made in a coder copy and brought in by a merge

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_since(text: str) -> str:
    """A date (2024-05-01) or date and time (2024-05-01T13:00, local unless it has an offset)
    as a UTC timestamp comparable with ``events.at``."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InputError(
            f"--since: {text!r} is not a date; write YYYY-MM-DD or YYYY-MM-DDTHH:MM"
        ) from None
    if moment.tzinfo is None:
        moment = moment.astimezone()  # the user's local time
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def list_events(
    project: Project,
    *,
    coder: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[LogEntry]:
    """Events in time order, optionally only one coder's, only from ``since`` (see
    ``parse_since``) and only the latest ``limit``."""
    where: list[str] = []
    params: list[str | int] = []
    if coder is not None:
        where.append("u.name = ?")
        params.append(coder)
    if since is not None:
        where.append("e.at >= ?")
        params.append(parse_since(since))
    sql = (
        "SELECT e.id, e.at, u.name, e.action, e.summary, e.state, e.action LIKE 'merged:%' "
        "FROM events e LEFT JOIN coders u ON u.id = e.coder_id"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " ORDER BY e.at DESC, e.id DESC"
    )
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    rows = project.conn.execute(sql, params).fetchall()
    return [LogEntry(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in reversed(rows)]
