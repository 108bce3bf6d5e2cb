"""``/ptm top``: the entries with the most votes cast in a period (also ``ptm-bot ask '/ptm top
month speech'``). The read is :func:`bot.commands.reads.top` (``ptm-bot top`` prints it); the
votes themselves are cast by buttons, the digest's menu and 👍 reactions
(:mod:`bot.client.votes`), through the door :mod:`bot.votes.actions`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.catalog import queries
from bot.catalog.topics import TOPICS
from bot.commands import reads
from bot.commands.reads import PER_PAGE
from bot.database import Database
from bot.errors import UserFacingError
from bot.present.render import MessagePayload, safe
from bot.present.votes import render_top, render_top_empty
from bot.votes.periods import parse_period

__all__ = ["HANDLERS", "top"]


async def top(
    db: Database,
    period: str | None = None,
    topic: str | None = None,
    *,
    page: int = 0,
    now: datetime | None = None,
) -> MessagePayload:
    """``/ptm top [period] [topic]``: the most voted entries of the last week (or month), ranked."""
    word = parse_period(period)
    if page < 0:
        raise UserFacingError("There is no such page.")
    try:
        found = await reads.top(db, word, topic, limit=PER_PAGE, offset=page * PER_PAGE, now=now)
    except queries.UnknownTopic as exc:
        raise UserFacingError(
            f"Unknown topic **{safe((topic or '')[:60])}**. Topics: {', '.join(TOPICS)}."
        ) from exc
    label = TOPICS[queries.resolve_topic(topic)].label if topic and topic.strip() else None
    if found.total == 0:
        return render_top_empty(word, label)
    return render_top(found.rows, found.total, page, PER_PAGE, period=word, topic_label=label)


HANDLERS: dict[str, Callable[..., Awaitable[MessagePayload]]] = {"ptm top": top}
