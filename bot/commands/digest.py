"""Handlers of ``/ptm digest`` and the follow commands (``/ptm follow``, ``unfollow``, ``following``).

Like :mod:`bot.commands.member`: the open database first, then the command's options by name; the
follow handlers also take ``member_id``, the member the command acts for (a member sees and
changes only their own follows). ``ptm-bot ask`` passes ``--member`` there. Reads and writes go
through the digest's door, :mod:`bot.digest.actions`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from bot.actor import Actor
from bot.database import Database
from bot.digest import actions as digest_actions
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
    result = await digest_actions.digest(db, since, until)
    payload = render_digest(result, period=PERIOD_WORDS.get(period, "7 days"))
    payload.ephemeral = True  # on demand it is for the asker; the scheduled one is public
    return payload


async def follow(db: Database, kind: str, value: str, *, member_id: int) -> MessagePayload:
    """``/ptm follow``: DMs about new entries matching a topic, an author, an organisation or a query."""
    view, created = await digest_actions.follow(db, member_id, kind, value, Actor(member_id, None))
    return render_follow_result(view, created=created)


async def unfollow(db: Database, kind: str, value: str, *, member_id: int) -> MessagePayload:
    """``/ptm unfollow``: stop one of your follows."""
    view = await digest_actions.unfollow(db, member_id, kind, value, Actor(member_id, None))
    return render_follow_result(view, created=False, removed=True)


async def followed_values(db: Database, kind: str | None, current: str, *, member_id: int) -> list[str]:
    """Autocomplete for ``/ptm unfollow``'s value: the member's own follows (of *kind*, when chosen)
    that contain *current*, at most 25."""
    needle = current.strip().casefold()
    follows = await digest_actions.follows_of(db, member_id)
    return [f.value for f in follows if (not kind or f.kind == kind) and needle in f.value.casefold()][:25]


async def following(db: Database, *, member_id: int) -> MessagePayload:
    """``/ptm following``: what you follow (and whether it is paused)."""
    return render_following(await digest_actions.follows_of(db, member_id))


HANDLERS: dict[str, Callable[..., Awaitable[MessagePayload]]] = {
    "ptm digest": digest,
    "ptm follow": follow,
    "ptm unfollow": unfollow,
    "ptm following": following,
}
