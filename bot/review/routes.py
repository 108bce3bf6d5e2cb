"""Which ``[[routes]]`` entry a paper's review card takes (issue 22, part 3): the first route whose
topic is among the paper's proposed topics, or whose query words are all in its title or abstract;
none: the review channel. Pure."""

from __future__ import annotations

from collections.abc import Sequence

from bot.config import RouteConfig
from db.normalize import fold

__all__ = ["route_for"]


def _matches(route: RouteConfig, topics: Sequence[str], text: str) -> bool:
    if route.topic:
        return route.topic in topics
    words = fold(route.query).split()
    return bool(words) and all(w in text for w in words)


def route_for(
    routes: Sequence[RouteConfig], *, topics: Sequence[str], title: str, abstract: str, purpose: str = "cards"
) -> RouteConfig | None:
    """The first route for *purpose* (``cards`` or ``digest``) the paper or entry takes, or None."""
    text = fold(f"{title} {abstract}")
    wanted = [r for r in routes if (r.cards if purpose == "cards" else r.digest)]
    return next((r for r in wanted if _matches(r, topics, text)), None)
