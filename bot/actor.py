"""Who asks for a change, and through which door: the audit's subject, shared by every room's doors.

A frozen value with no Discord and no SQLAlchemy in it, so that :mod:`bot.review.actions`,
:mod:`bot.catalog.actions`, :mod:`bot.digest.actions` and :mod:`bot.relevance.store` take the same
type whoever calls them (a reaction, a button, a slash command, the terminal, the bot itself).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SYSTEM", "TERMINAL", "Actor"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and through which door (``"reaction"``, ``"button"``, ``"command"``, ``"cli"`` or
    ``"bot"``): audited."""

    id: int | None
    name: str | None
    via: str = "command"


# The terminal user (``ptm-bot ...``) and the bot's own jobs (seeding a new catalog, the digest).
TERMINAL = Actor(None, "terminal", via="cli")
SYSTEM = Actor(None, "ptm-bot", via="bot")
