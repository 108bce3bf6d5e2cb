"""``/ptm-admin routes``: the ``[[routes]]`` review cards follow (pure)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import RouteConfig
from bot.present.render import MessagePayload, make_payload
from bot.present.render.markup import safe

__all__ = ["render_routes"]


def _who(value: int | str | None, mark: str) -> str:
    """A configured channel or role as code (``#speech-review``, ``@id 123``): never a mention."""
    if value is None:
        return ""
    text = f"{mark}{value}" if isinstance(value, str) else f"{mark}id {value}"
    return f"`{text.replace('`', '')}`"


def render_routes(routes: Sequence[RouteConfig]) -> MessagePayload:
    if not routes:
        return make_payload(
            "No routes: every review card goes to the review channel (`[[routes]]` in the config).",
            ephemeral=True,
        )
    lines = ["Review cards follow the first route that matches; the others go to the review channel:"]
    for n, r in enumerate(routes, start=1):
        what = f"topic **{safe(r.topic)}**" if r.topic else f"papers with **{safe(r.query)}**"
        role = f", mentioning {_who(r.role, '@')}" if r.role is not None else ""
        lines.append(f"{n}. {what} -> {_who(r.channel, '#')}{role}")
    return make_payload("\n".join(lines), ephemeral=True)
