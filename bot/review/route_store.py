"""Routes a moderator adds or removes (``/ptm-admin route add|remove|list``, ``ptm-bot ask``), beside
the config's ``[[routes]]`` (which come first and cannot be removed here): the door of the
``routes`` table (migration 0022). :func:`routes_in_force` is what card posting and the digest use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actor import Actor
from bot.config import Config, RouteConfig
from bot.config.checks import Invalid, id_or_name, topic_slug
from bot.database import Database
from bot.errors import UserFacingError
from db import models as m

__all__ = ["RouteInForce", "add_route", "remove_route", "routes_in_force"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RouteInForce:
    """A route and where it comes from: ``config`` or a stored route's number (for ``remove``)."""

    route: RouteConfig
    number: int | None = None  # the stored route's id; None: from the config


def _of(row: m.Route) -> RouteConfig:
    convert_channel, convert_role = id_or_name("channel"), id_or_name("role")
    return RouteConfig(
        topic=row.topic or "",
        query=row.query or "",
        channel=convert_channel(row.channel),
        role=convert_role(row.role) if row.role else None,
        tag=row.tag or "",
        cards=row.cards,
        digest=row.digest,
    )


async def routes_in_force(db: Database, config: Config) -> list[RouteInForce]:
    """The config's routes, then the stored ones in the order they were added."""

    async def read(session: AsyncSession) -> list[RouteInForce]:
        rows = (await session.scalars(select(m.Route).order_by(m.Route.id))).all()
        return [RouteInForce(r) for r in config.routes] + [RouteInForce(_of(row), row.id) for row in rows]

    return await db.run(read)


def _checked(
    kind: str, value: str, channel: str, role: str | None
) -> tuple[str | None, str | None, str, str | None]:
    """(topic, query, channel, role) as stored, or a clear error."""
    try:
        topic = topic_slug(value) if kind == "topic" else None
        id_or_name("channel")(channel)
        if role:
            id_or_name("role")(role)
    except Invalid as exc:
        raise UserFacingError(f"Route not added: {exc}.") from None
    query = " ".join(value.split())[:200] if kind == "query" else None
    if kind not in ("topic", "query") or (kind == "query" and not query):
        raise UserFacingError("Route not added: give `topic <slug>` or `query <words>`.")
    return topic, query, channel.strip().removeprefix("#"), (role or "").strip().removeprefix("@") or None


async def add_route(
    db: Database,
    kind: str,
    value: str,
    channel: str,
    actor: Actor,
    *,
    role: str | None = None,
    tag: str | None = None,
    cards: bool = True,
    digest: bool = True,
) -> RouteInForce:
    """Add a route (after the config's and the stored ones): review cards and/or digest entries of
    a topic, or of papers with every word of a query, go to *channel*, mentioning *role*."""
    topic, query, channel, role = _checked(kind, value, channel, role)
    if not cards and not digest:
        raise UserFacingError("Route not added: it must take cards, the digest or both.")

    async def work(session: AsyncSession) -> RouteInForce:
        row = m.Route(
            topic=topic,
            query=query,
            channel=channel,
            role=role,
            tag=" ".join((tag or "").split())[:100] or None,
            cards=cards,
            digest=digest,
            added_by=str(actor.id) if actor.id is not None else f"cli:{actor.name or 'terminal'}",
            added_by_name=actor.name,
            added_at=datetime.now(UTC),
        )
        session.add(row)
        await session.flush()
        return RouteInForce(_of(row), row.id)

    added = await db.run(work)
    log.info("route %s added by %s via %s", added.number, actor.name or actor.id, actor.via)
    return added


async def remove_route(db: Database, number: int, actor: Actor) -> RouteInForce:
    """Remove stored route *number* (as ``route list`` numbers it); a config route cannot be."""

    async def work(session: AsyncSession) -> RouteInForce:
        row = await session.get(m.Route, number)
        if row is None:
            raise UserFacingError(
                f"No stored route {number}; `/ptm-admin route list` shows them (config routes are edited in the config)."
            )
        gone = RouteInForce(_of(row), row.id)
        await session.execute(delete(m.Route).where(m.Route.id == number))
        return gone

    removed = await db.run(work)
    log.info("route %s removed by %s via %s", number, actor.name or actor.id, actor.via)
    return removed
