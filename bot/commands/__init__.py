"""The slash commands' handlers: :mod:`.member` (``/ptm ...``), :mod:`.digest` (``/ptm digest`` and
the follow commands), :mod:`.admin` (``/ptm-admin ...``) and :mod:`.gates` (``/ptm-admin gate ...``).

:data:`HANDLERS` is the one registry: each command's qualified name to the async function that
answers it (the open :class:`~bot.database.Database` first, then the slash command's options by
name). The cogs call the same functions; ``ptm-bot ask`` looks commands up here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.commands import admin, digest, gates, member
from bot.present.render import MessagePayload

__all__ = ["HANDLERS"]

HANDLERS: dict[str, Callable[..., Awaitable[MessagePayload]]] = {
    **member.HANDLERS,
    **admin.HANDLERS,
    **gates.HANDLERS,
    **digest.HANDLERS,
}
