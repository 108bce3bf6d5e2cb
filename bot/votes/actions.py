"""The one door for members' votes: each function is one unit of work on the :class:`Database`
(:meth:`Database.run`, retried whole when SQLite is locked: nothing inside sends a message).

The vote button of ``/ptm model`` and the digest's vote menu (:mod:`bot.client.votes`) toggle; a
👍 reaction casts and its removal withdraws. Each returns a
:class:`~bot.votes.service.VoteOutcome`, or ``None`` when the entry is no longer in the catalog.
The :class:`~bot.actor.Actor` is the member; only their id is stored, never shown.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.actor import Actor
from bot.database import Database
from bot.votes import service
from bot.votes.service import VoteOutcome

log = logging.getLogger(__name__)

__all__ = ["VoteOutcome", "cast", "toggle", "withdraw"]


def _member(actor: Actor) -> int:
    if actor.id is None:
        raise ValueError("a vote is a member's: the actor needs an id")
    return actor.id


async def cast(
    db: Database, entry_id: int, actor: Actor, *, now: datetime | None = None
) -> VoteOutcome | None:
    """The member votes for the entry (a second vote changes nothing)."""
    member, when = _member(actor), now or datetime.now(UTC)
    outcome = await db.run(lambda session: service.cast_vote(session, entry_id, member, when))
    log.debug("vote for entry %s cast (via %s): %s", entry_id, actor.via, outcome)
    return outcome


async def withdraw(db: Database, entry_id: int, actor: Actor) -> VoteOutcome | None:
    """The member's vote for the entry withdrawn (none: nothing changes)."""
    member = _member(actor)
    outcome = await db.run(lambda session: service.withdraw_vote(session, entry_id, member))
    log.debug("vote for entry %s withdrawn (via %s): %s", entry_id, actor.via, outcome)
    return outcome


async def toggle(
    db: Database, entry_id: int, actor: Actor, *, now: datetime | None = None
) -> VoteOutcome | None:
    """Cast the member's vote, or withdraw it if they had cast it."""
    member, when = _member(actor), now or datetime.now(UTC)
    outcome = await db.run(lambda session: service.toggle_vote(session, entry_id, member, when))
    log.debug("vote for entry %s toggled (via %s): %s", entry_id, actor.via, outcome)
    return outcome
