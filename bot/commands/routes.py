"""``/ptm-admin route add|remove|list`` (moderators; also ``ptm-bot ask``): routes of review cards
and digest entries by topic or query. The door is :mod:`bot.review.route_store`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.actor import TERMINAL, Actor
from bot.config import Config
from bot.database import Database
from bot.present.render import MessagePayload
from bot.present.routes import render_route_added, render_route_removed, render_routes
from bot.review import route_store

__all__ = ["HANDLERS", "route_add", "route_list", "route_remove"]


async def route_add(
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
) -> MessagePayload:
    added = await route_store.add_route(
        db, kind, value, channel, actor, role=role, tag=tag, cards=cards, digest=digest
    )
    return render_route_added(added)


async def route_remove(db: Database, number: int, actor: Actor) -> MessagePayload:
    return render_route_removed(await route_store.remove_route(db, number, actor))


async def route_list(db: Database, *, config: Config) -> MessagePayload:
    return render_routes(await route_store.routes_in_force(db, config))


async def ask_route_add(
    db: Database,
    kind: str,
    value: str,
    channel: str,
    role: str | None = None,
    tag: str | None = None,
    cards: bool = True,
    digest: bool = True,
) -> MessagePayload:
    return await route_add(db, kind, value, channel, TERMINAL, role=role, tag=tag, cards=cards, digest=digest)


async def ask_route_remove(db: Database, number: int) -> MessagePayload:
    return await route_remove(db, number, TERMINAL)


HANDLERS: dict[str, Callable[..., Awaitable[MessagePayload]]] = {
    "ptm-admin route add": ask_route_add,
    "ptm-admin route remove": ask_route_remove,
    "ptm-admin route list": route_list,
}
