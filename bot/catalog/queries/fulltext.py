"""Full-text reads: ``/ptm search``, ``org`` and ``author`` through :func:`db.search.search`."""

from __future__ import annotations

from bot.catalog.model import EntryHit
from bot.catalog.queries.load import load
from db import search as fts
from db.reads import Reads

__all__ = ["by_author", "by_org", "search_entries"]


async def search_entries(
    session: Reads, query: str, *, limit: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """Full text over names, aliases, titles, authors, orgs and descriptions, best first."""
    ids, total = await fts.search(session, query, limit=limit, offset=offset)
    return await load(session, ids), total


async def by_org(session: Reads, org: str, *, limit: int = 10, offset: int = 0) -> tuple[list[EntryHit], int]:
    """Entries from an organisation, newest first. Word match, so "google" finds "Google
    Research", "Google AI" and "Google/CMU"; case and diacritics do not matter."""
    ids, total = await fts.search(session, org, columns=("org",), order="date", limit=limit, offset=offset)
    return await load(session, ids), total


async def by_author(
    session: Reads, name: str, *, limit: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """Entries with an author matching every word of ``name`` ("Kaiming He"), newest first."""
    # No any-term fallback: "Kaiming Zzyzx" is nobody, not every Kaiming (PostgreSQL agrees).
    ids, total = await fts.search(
        session, name, columns=("authors",), order="date", limit=limit, offset=offset, any_term=False
    )
    return await load(session, ids), total
