"""The slash commands' handlers: :mod:`.member` (``/ptm ...``), :mod:`.digest` (``/ptm digest`` and
the follow commands), :mod:`.admin` (``/ptm-admin ...``) and :mod:`.gates` (``/ptm-admin gate ...``).

:data:`HANDLERS` is the one registry: each command's qualified name to the async function that
answers it (the open :class:`~bot.database.Database` first, then the slash command's options by
name). The cogs call the same functions; ``ptm-bot ask`` looks commands up here. The catalog's
handlers read through :mod:`.reads`, whose :data:`~bot.commands.reads.READS` (by the same names)
the query subcommands (``ptm-bot model|recent|search|survey|org|author``) run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.present.render import MessagePayload

    HANDLERS: dict[str, Callable[..., Awaitable[MessagePayload]]]

__all__ = ["HANDLERS"]

# The handlers are gathered on first use of HANDLERS, not on import of the package: the query
# subcommands import bot.commands.reads (the catalog reads the handlers are built on) without
# discord.py, the ORM or the services the other handlers need (start-up time, issue 19).


def __getattr__(name: str) -> Any:
    if name != "HANDLERS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from bot.commands import admin, digest, gates, member, routes, suggest, votes

    handlers = {
        **member.HANDLERS,
        **admin.HANDLERS,
        **gates.HANDLERS,
        **digest.HANDLERS,
        **suggest.HANDLERS,
        **votes.HANDLERS,
        **routes.HANDLERS,
    }
    globals()["HANDLERS"] = handlers
    return handlers
