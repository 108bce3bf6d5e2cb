"""The catalog's links and their stored checks: read-only queries (``db.read``, or a door's
``SessionReads``) and the one write, :func:`save`, run inside the door's unit of work
(:mod:`bot.links.actions`).

A link is where an entry points: its ``docs_url``, its ``paper_url``, each of its extra links
(``entry_links``). The same URL on several entries is one ``link_checks`` row (migration 0020),
joined back to every entry that holds it when the problems are listed; a URL no entry holds any
more is never listed (a fixed link leaves the report by itself).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.links.state import StoredCheck
from db import models as m
from db.enums import LinkStatus
from db.reads import Reads, Row

__all__ = [
    "CatalogLink",
    "LinkProblem",
    "catalog_links",
    "check_by_id",
    "problems",
    "save",
    "status_counts",
    "stored_checks",
]

# Every link of the catalog: (entry, which field, URL). One statement for every backend.
_LINKS = (
    "SELECT e.id AS entry_id, e.name AS name, e.kind AS kind, 'docs_url' AS field, e.docs_url AS url, "
    "0 AS position FROM entries e WHERE e.docs_url IS NOT NULL AND e.docs_url <> '' "
    "UNION ALL "
    "SELECT e.id, e.name, e.kind, 'paper_url', e.paper_url, 0 FROM entries e "
    "WHERE e.paper_url IS NOT NULL AND e.paper_url <> '' "
    "UNION ALL "
    "SELECT e.id, e.name, e.kind, 'link', l.url, l.position + 1 FROM entry_links l "
    "JOIN entries e ON e.id = l.entry_id"
)
_CATALOG_LINKS_SQL = f"SELECT * FROM ({_LINKS}) l ORDER BY entry_id, position"
_CHECK_COLUMNS = (
    "c.id AS check_id, c.url AS url, c.status AS status, c.http_status AS http_status, "
    "c.final_url AS final_url, c.error AS error, c.first_failed_at AS first_failed_at, "
    "c.last_checked_at AS last_checked_at, c.consecutive_failures AS consecutive_failures"
)
_STORED_SQL = f"SELECT {_CHECK_COLUMNS} FROM link_checks c"
_BY_ID_SQL = f"SELECT {_CHECK_COLUMNS} FROM link_checks c WHERE c.id = :id"
# Dead links first, then moves; by entry name. (A URL nobody holds any more is not listed.)
_PROBLEMS_SQL = (
    f"SELECT {_CHECK_COLUMNS}, l.entry_id AS entry_id, l.name AS name, l.kind AS kind, "
    f"l.field AS field FROM link_checks c JOIN ({_LINKS}) l ON l.url = c.url "
    "WHERE c.status IN ('dead', 'moved') "
    "ORDER BY CASE c.status WHEN 'dead' THEN 0 ELSE 1 END, l.name, c.url, l.entry_id, l.field"
)
_COUNTS_SQL = (
    "SELECT c.status AS status, count(*) AS n FROM link_checks c "
    f"WHERE c.url IN (SELECT l.url FROM ({_LINKS}) l) GROUP BY c.status"
)


@dataclass(frozen=True, slots=True)
class CatalogLink:
    """One place an entry points to: ``field`` is ``docs_url``, ``paper_url`` or ``link``."""

    entry_id: int
    name: str
    kind: str
    field: str
    url: str


@dataclass(frozen=True, slots=True)
class LinkProblem:
    """A dead or moved link, on one entry that holds it (``check_id``: its ``link_checks`` row)."""

    check_id: int
    check: StoredCheck
    entry_id: int
    name: str
    kind: str
    field: str


def _when(value: Any) -> datetime | None:
    """A stored timestamp as UTC, whatever the driver hands back (SQLite: text; PostgreSQL: datetime)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _stored(row: Row) -> StoredCheck:
    checked = _when(row["last_checked_at"])
    assert checked is not None  # NOT NULL
    return StoredCheck(
        url=row["url"],
        status=LinkStatus(row["status"]),
        http_status=row["http_status"],
        final_url=row["final_url"],
        error=row["error"],
        first_failed_at=_when(row["first_failed_at"]),
        last_checked_at=checked,
        consecutive_failures=row["consecutive_failures"],
    )


async def catalog_links(reads: Reads) -> list[CatalogLink]:
    """Every link of the catalog, entry by entry (a URL appears once per place that holds it)."""
    rows = await reads.rows(_CATALOG_LINKS_SQL)
    return [CatalogLink(r["entry_id"], r["name"], r["kind"], r["field"], r["url"]) for r in rows]


async def stored_checks(reads: Reads) -> dict[str, StoredCheck]:
    """Every stored check, by URL."""
    return {row["url"]: _stored(row) for row in await reads.rows(_STORED_SQL)}


async def check_by_id(reads: Reads, check_id: int) -> StoredCheck | None:
    rows = await reads.rows(_BY_ID_SQL, {"id": check_id})
    return _stored(rows[0]) if rows else None


async def problems(reads: Reads) -> list[LinkProblem]:
    """The dead and moved links the catalog holds now, once per entry holding each."""
    return [
        LinkProblem(row["check_id"], _stored(row), row["entry_id"], row["name"], row["kind"], row["field"])
        for row in await reads.rows(_PROBLEMS_SQL)
    ]


async def status_counts(reads: Reads) -> dict[str, int]:
    """How many of the catalog's checked URLs are in each state."""
    return {row["status"]: row["n"] for row in await reads.rows(_COUNTS_SQL)}


async def save(session: AsyncSession, checks: Iterable[StoredCheck]) -> None:
    """Write each check's state, inserting the URLs checked for the first time (in the caller's
    unit of work; safe to run again when it is retried)."""
    wanted = {check.url: check for check in checks}
    urls = list(wanted)
    for start in range(0, len(urls), 500):
        batch = urls[start : start + 500]
        found = await session.scalars(select(m.LinkCheck).where(m.LinkCheck.url.in_(batch)))
        rows = {row.url: row for row in found}
        for url in batch:
            row = rows.get(url)
            if row is None:
                row = m.LinkCheck(url=url)
                session.add(row)
            _copy(wanted[url], row)
    await session.flush()


def _copy(check: StoredCheck, row: m.LinkCheck) -> None:
    row.status = str(check.status)
    row.http_status = check.http_status
    row.final_url = check.final_url
    row.error = check.error
    row.first_failed_at = check.first_failed_at
    row.last_checked_at = check.last_checked_at
    row.consecutive_failures = check.consecutive_failures
