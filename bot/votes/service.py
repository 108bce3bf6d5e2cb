"""Votes in the caller's unit of work (the door :mod:`bot.votes.actions` opens it; nothing here
commits). A vote is one row per (entry, member): casting twice is refused by the schema's unique
constraint (``INSERT ... ON CONFLICT DO NOTHING``), not by reading first; withdrawing deletes the
row. An entry's votes go with it (``ON DELETE CASCADE``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m
from db.dml import rowcount

__all__ = ["VoteOutcome", "cast_vote", "entry_votes", "toggle_vote", "withdraw_vote"]


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    """What a vote did: the entry, whether the member's vote stands now (``voted``), whether this
    call changed anything (``changed``), and the entry's votes in all."""

    entry_id: int
    name: str
    voted: bool
    changed: bool
    votes: int


def _insert(session: AsyncSession) -> Any:
    """INSERT that skips a vote the member already cast (the unique constraint decides)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(m.Vote).on_conflict_do_nothing(index_elements=["entry_id", "member_id"])
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(m.Vote).on_conflict_do_nothing(index_elements=["entry_id", "member_id"])


async def _entry_name(session: AsyncSession, entry_id: int) -> str | None:
    return await session.scalar(select(m.Entry.name).where(m.Entry.id == entry_id))


async def entry_votes(session: AsyncSession, entry_id: int) -> int:
    """How many members vote for the entry (all time)."""
    count = await session.scalar(select(func.count()).select_from(m.Vote).where(m.Vote.entry_id == entry_id))
    return int(count or 0)


async def _added(session: AsyncSession, entry_id: int, member_id: int, now: datetime) -> bool:
    result = await session.execute(
        _insert(session).values(entry_id=entry_id, member_id=member_id, voted_at=now)
    )
    return rowcount(result) > 0


async def _removed(session: AsyncSession, entry_id: int, member_id: int) -> bool:
    result = await session.execute(
        delete(m.Vote).where(m.Vote.entry_id == entry_id, m.Vote.member_id == member_id)
    )
    return rowcount(result) > 0


async def _outcome(
    session: AsyncSession, entry_id: int, name: str, *, voted: bool, changed: bool
) -> VoteOutcome:
    return VoteOutcome(entry_id, name, voted, changed, await entry_votes(session, entry_id))


async def cast_vote(
    session: AsyncSession, entry_id: int, member_id: int, now: datetime
) -> VoteOutcome | None:
    """The member votes for the entry (nothing changes when they already do); ``None`` when the
    entry is not in the catalog."""
    name = await _entry_name(session, entry_id)
    if name is None:
        return None
    changed = await _added(session, entry_id, member_id, now)
    return await _outcome(session, entry_id, name, voted=True, changed=changed)


async def withdraw_vote(session: AsyncSession, entry_id: int, member_id: int) -> VoteOutcome | None:
    """The member's vote for the entry withdrawn (nothing changes when there was none)."""
    name = await _entry_name(session, entry_id)
    if name is None:
        return None
    changed = await _removed(session, entry_id, member_id)
    return await _outcome(session, entry_id, name, voted=False, changed=changed)


async def toggle_vote(
    session: AsyncSession, entry_id: int, member_id: int, now: datetime
) -> VoteOutcome | None:
    """A vote withdrawn if the member had cast it, else cast: a button's click."""
    name = await _entry_name(session, entry_id)
    if name is None:
        return None
    if await _removed(session, entry_id, member_id):
        return await _outcome(session, entry_id, name, voted=False, changed=True)
    await _added(session, entry_id, member_id, now)
    return await _outcome(session, entry_id, name, voted=True, changed=True)
