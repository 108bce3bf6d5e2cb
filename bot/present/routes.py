"""``/ptm-admin route list|add|remove``: where review cards and digest entries go by topic (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.present.render import MessagePayload, make_payload
from bot.present.render.markup import safe

if TYPE_CHECKING:
    from bot.review.route_store import RouteInForce

__all__ = ["render_route_added", "render_route_removed", "render_routes"]


def _who(value: int | str | None, mark: str) -> str:
    """A configured channel or role as code (``#speech-review``, ``@id 123``): never a mention."""
    if value is None:
        return ""
    text = f"{mark}{value}" if isinstance(value, str) else f"{mark}id {value}"
    return f"`{text.replace('`', '')}`"


def _line(r: RouteInForce) -> str:
    route = r.route
    what = f"topic **{safe(route.topic)}**" if route.topic else f"papers with **{safe(route.query)}**"
    role = f", mentioning {_who(route.role, '@')}" if route.role is not None else ""
    role += f", tag {_who(route.tag, '')}" if route.tag else ""
    takes = " and ".join(t for t, on in (("cards", route.cards), ("digest", route.digest)) if on)
    origin = "config" if r.number is None else f"route {r.number}"
    return f"{what} -> {_who(route.channel, '#')}{role} ({takes}; {origin})"


def render_routes(routes: Sequence[RouteInForce]) -> MessagePayload:
    if not routes:
        return make_payload(
            "No routes: review cards go to the review channel and the digest to its channel "
            "(`/ptm-admin route add`, or `[[routes]]` in the config).",
            ephemeral=True,
        )
    lines = ["The first route that matches wins; other cards and entries go to their usual channel:"]
    lines += [f"{n}. {_line(r)}" for n, r in enumerate(routes, start=1)]
    return make_payload("\n".join(lines), ephemeral=True)


def render_route_added(r: RouteInForce) -> MessagePayload:
    return make_payload(
        f"Added: {_line(r)}. Remove it with `/ptm-admin route remove {r.number}`.", ephemeral=True
    )


def render_route_removed(r: RouteInForce) -> MessagePayload:
    return make_payload(f"Removed: {_line(r)}.", ephemeral=True)
