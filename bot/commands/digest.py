"""Handlers of ``/ptm digest`` and the follow commands (``/ptm follow``, ``unfollow``, ``following``).

Like :mod:`bot.commands.member`: the open database first, then the command's options by name; the
follow handlers also take ``member_id``, the member the command acts for (a member sees and
changes only their own follows). ``ptm-bot ask`` passes ``--member`` there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.database import Database
from bot.digest import follows as follow_service
from bot.digest import service as digest_service
from bot.present.digest import render_digest, render_follow_result, render_following
from bot.present.render import MessagePayload

__all__ = ["HANDLERS", "digest", "follow", "following", "unfollow"]

PERIOD_DAYS = {"daily": 1, "weekly": 7}
PERIOD_WORDS = {"daily": "day", "weekly": "7 days"}


async def digest(db: Database, period: str | None = None, *, now: datetime | None = None) -> MessagePayload:
    """``/ptm digest``: what moderators approved into the catalog in the last day or week."""
    until = now or datetime.now(UTC)
    period = period or "weekly"
    since = until - timedelta(days=PERIOD_DAYS.get(period, 7))
    async with db.sessions() as session:
        result = await digest_service.digest_for(session, since, until)
    payload = render_digest(result, period=PERIOD_WORDS.get(period, "7 days"))
    payload.ephemeral = True  # on demand it is for the asker; the scheduled one is public
    return payload


async def follow(db: Database, kind: str, value: str, *, member_id: int) -> MessagePayload:
    """``/ptm follow``: DMs about new entries matching a topic, an author, an organisation or a query."""
    async with db.begin() as session:
        view, created = await follow_service.add_follow(session, member_id, kind, value)
    return render_follow_result(view, created=created)


async def unfollow(db: Database, kind: str, value: str, *, member_id: int) -> MessagePayload:
    """``/ptm unfollow``: stop one of your follows."""
    async with db.begin() as session:
        view = await follow_service.remove_follow(session, member_id, kind, value)
    return render_follow_result(view, created=False, removed=True)


async def following(db: Database, *, member_id: int) -> MessagePayload:
    """``/ptm following``: what you follow (and whether it is paused)."""
    async with db.sessions() as session:
        return render_following(await follow_service.follows_of(session, member_id))


HANDLERS: dict[str, Callable[..., Awaitable[MessagePayload]]] = {
    "ptm digest": digest,
    "ptm follow": follow,
    "ptm unfollow": unfollow,
    "ptm following": following,
}
