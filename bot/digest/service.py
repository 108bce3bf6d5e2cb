"""The digest: catalog entries approved by moderators in a period, and when the last one was posted.

Functions take an open session and never commit. A period is the half-open window
``(since, until]`` on the suggestions' decision time: every approval falls in exactly one digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import service as catalog
from bot.catalog.model import Entry, EntryHit
from db import models as m
from db.models import SuggestionStatus

__all__ = ["Digest", "approved_between", "digest_for", "last_posted", "record_posted"]

POSTED_KEY = "digest.posted_until"


@dataclass(frozen=True, slots=True)
class Digest:
    since: datetime
    until: datetime
    entries: tuple[Entry, ...]
    # The entries' ids, in the same order (the digest's vote menu names entries by id).
    ids: tuple[int, ...] = ()

    def hits(self) -> list[EntryHit]:
        return [EntryHit(i, e) for i, e in zip(self.ids, self.entries, strict=True)]

    def __bool__(self) -> bool:
        return bool(self.entries)


async def approved_between(session: AsyncSession, since: datetime, until: datetime) -> list[EntryHit]:
    """Entries approved in ``(since, until]`` and still in the catalog, in the order approved."""
    rows = await session.execute(
        select(m.Suggestion.entry_id)
        .where(
            m.Suggestion.status == SuggestionStatus.APPROVED,
            m.Suggestion.entry_id.is_not(None),
            m.Suggestion.decided_at > since,
            m.Suggestion.decided_at <= until,
        )
        .order_by(m.Suggestion.decided_at, m.Suggestion.id)
    )
    ids = [entry_id for (entry_id,) in rows.all()]
    if not ids:
        return []
    loaded = await session.scalars(
        select(m.Entry).where(m.Entry.id.in_(ids)).options(*catalog.entry_load_options())
    )
    by_id = {row.id: catalog.to_domain(row) for row in loaded}
    return [EntryHit(i, by_id[i]) for i in ids if i in by_id]


async def digest_for(session: AsyncSession, since: datetime, until: datetime) -> Digest:
    hits = await approved_between(session, since, until)
    return Digest(since, until, tuple(h.entry for h in hits), tuple(h.id for h in hits))


async def last_posted(session: AsyncSession) -> datetime | None:
    """The end of the window of the last digest the bot posted (None before the first)."""
    row = await session.get(m.Meta, POSTED_KEY)
    return datetime.fromisoformat(row.value) if row else None


async def record_posted(session: AsyncSession, until: datetime) -> None:
    row = await session.get(m.Meta, POSTED_KEY)
    if row is None:
        session.add(m.Meta(key=POSTED_KEY, value=until.isoformat()))
    else:
        row.value = until.isoformat()
    await session.flush()


def next_window(last: datetime | None, now: datetime, period: timedelta) -> tuple[datetime, datetime]:
    """The window a scheduled digest covers: from the last one (or one period back) to now."""
    return (last if last is not None and last < now else now - period), now
