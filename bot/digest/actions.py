"""The one door for the digest and members' follows: each function is one unit of work on the
:class:`Database`.

The scheduled delivery (:mod:`bot.client.digest_delivery`), the follow notice after a command
(``cogs/digest.py``) and the handlers of ``/ptm digest``, ``follow``, ``unfollow``, ``following``
(:mod:`bot.commands.digest`, also run by ``ptm-bot ask``) read and write through here. Every unit of
work runs through :meth:`Database.run` (retried whole when the database is locked: nothing inside
sends a message); nothing here knows about Discord or renders anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actor import SYSTEM, Actor
from bot.database import Database
from bot.digest import follows as follow_service
from bot.digest import service as digest_service
from bot.digest.follows import FollowView
from bot.digest.service import Digest

log = logging.getLogger(__name__)

__all__ = [
    "DigestDue",
    "digest",
    "due",
    "follow",
    "follows_of",
    "pause_follows",
    "record_posted",
    "take_notice",
    "unfollow",
]


@dataclass(frozen=True, slots=True)
class DigestDue:
    """The digest of the window since the previous one, and who follows what (empty when the
    digest is)."""

    since: datetime
    until: datetime
    digest: Digest
    followers: dict[int, list[FollowView]]


async def due(db: Database, *, now: datetime, period: timedelta) -> DigestDue:
    """The digest of the period that ends at ``now`` (from where the previous one stopped)."""

    async def work(session: AsyncSession) -> DigestDue:
        last = await digest_service.last_posted(session)
        since, until = digest_service.next_window(last, now, period)
        found = await digest_service.digest_for(session, since, until)
        followers = await follow_service.active_follows(session) if found else {}
        return DigestDue(since, until, found, followers)

    return await db.run(work)


async def record_posted(db: Database, until: datetime, actor: Actor = SYSTEM) -> None:
    """The digest up to ``until`` is delivered: the next one starts there."""
    await db.run(lambda session: digest_service.record_posted(session, until))
    log.debug("digest recorded as posted until %s by %s via %s", until, actor.name or actor.id, actor.via)


async def pause_follows(db: Database, member_id: int, *, now: datetime, actor: Actor = SYSTEM) -> None:
    """Pause a member's follows (their DMs are closed); they are told at their next command."""
    await db.run(lambda session: follow_service.pause_member(session, member_id, now=now))
    log.debug("follows of member %s paused by %s via %s", member_id, actor.name or actor.id, actor.via)


async def take_notice(db: Database, member_id: int) -> bool:
    """Whether the member is to be told (once) that their follows were paused."""
    return await db.run(lambda session: follow_service.take_notice(session, member_id))


async def digest(db: Database, since: datetime, until: datetime) -> Digest:
    """The entries approved between ``since`` and ``until`` (a read)."""
    return await db.run(lambda session: digest_service.digest_for(session, since, until))


async def follows_of(db: Database, member_id: int) -> list[FollowView]:
    """A member's follows (a read)."""
    return await db.run(lambda session: follow_service.follows_of(session, member_id))


async def follow(
    db: Database, member_id: int, kind: str, value: str, actor: Actor
) -> tuple[FollowView, bool]:
    """Follow a topic, an author, an organisation or a query; ``True`` when the follow is new."""
    view, created = await db.run(lambda session: follow_service.add_follow(session, member_id, kind, value))
    log.debug("member %s follows %s %r (via %s)", member_id, kind, value, actor.via)
    return view, created


async def unfollow(db: Database, member_id: int, kind: str, value: str, actor: Actor) -> FollowView:
    """Stop one of a member's follows."""
    view = await db.run(lambda session: follow_service.remove_follow(session, member_id, kind, value))
    log.debug("member %s unfollowed %s %r (via %s)", member_id, kind, value, actor.via)
    return view
