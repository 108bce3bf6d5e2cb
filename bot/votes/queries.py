"""The votes' reads (through ``db.read``, :mod:`db.reads`): the entries with the most votes cast
in a period, optionally of one topic, a page at a time. No ORM: statements are module-level
constants, the cut-off one text parameter (:func:`bot.votes.periods.stored_time`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog.model import EntryHit
from bot.catalog.queries.load import load
from db.reads import Reads, Spelled

__all__ = ["TopPage", "VotedHit", "top_voted"]

# The period's votes per entry, most first (ties: the most recent vote first, then the entry id),
# with the number of voted entries in the period (a window over the groups) on every row. SQLite
# stores a DateTime column as text (UTC, ``YYYY-MM-DD HH:MM:SS.ffffff``), compared as text;
# PostgreSQL reads the same text as a UTC timestamp (a TEXT parameter, so asyncpg takes a str).
_SINCE = Spelled(
    sqlite="v.voted_at >= :since",
    postgresql="v.voted_at >= (CAST(CAST(:since AS TEXT) AS TIMESTAMP) AT TIME ZONE 'UTC')",
)
_SELECT = (
    "SELECT v.entry_id AS entry_id, COUNT(*) AS votes, MAX(v.voted_at) AS last_vote, "
    "COUNT(*) OVER () AS total FROM votes AS v "
)
_TOPIC_JOIN = "JOIN entry_topics AS t ON t.entry_id = v.entry_id AND t.topic_slug = :slug "
_ORDER = "GROUP BY v.entry_id ORDER BY votes DESC, last_vote DESC, v.entry_id LIMIT :limit OFFSET :offset"

# Assembled once, at import, from the fixed fragments above (db/reads.py: never at run time).
_TOP_SQL = Spelled(
    sqlite=f"{_SELECT}WHERE {_SINCE.sqlite} {_ORDER}",
    postgresql=f"{_SELECT}WHERE {_SINCE.postgresql} {_ORDER}",
)
_TOP_TOPIC_SQL = Spelled(
    sqlite=f"{_SELECT}{_TOPIC_JOIN}WHERE {_SINCE.sqlite} {_ORDER}",
    postgresql=f"{_SELECT}{_TOPIC_JOIN}WHERE {_SINCE.postgresql} {_ORDER}",
)


@dataclass(frozen=True, slots=True)
class VotedHit:
    """An entry and the votes it got in the period."""

    hit: EntryHit
    votes: int


@dataclass(frozen=True, slots=True)
class TopPage:
    """One page of the most voted entries, and how many entries got a vote in the period."""

    rows: list[VotedHit]
    total: int


async def top_voted(
    reads: Reads, since: str, slug: str | None = None, *, limit: int = 10, offset: int = 0
) -> TopPage:
    """The entries with the most votes cast since *since* (:func:`~bot.votes.periods.stored_time`),
    of topic *slug* when given, most first: one page (*limit*, *offset*)."""
    params: dict[str, object] = {"since": since, "limit": limit, "offset": offset}
    if slug is not None:
        params["slug"] = slug
    rows = await reads.rows(_TOP_TOPIC_SQL if slug is not None else _TOP_SQL, params)
    if not rows:
        return TopPage([], 0)
    votes = {int(row["entry_id"]): int(row["votes"]) for row in rows}
    hits = await load(reads, list(votes))
    return TopPage([VotedHit(hit, votes[hit.id]) for hit in hits], int(rows[0]["total"]))
