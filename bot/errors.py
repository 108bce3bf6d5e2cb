"""Errors whose message is meant for the person who ran the command."""

from __future__ import annotations

from discord import app_commands

__all__ = ["UserFacingError"]


class UserFacingError(app_commands.AppCommandError):
    """A user mistake (unknown topic, empty query, ...).

    The message is shown to the invoking user as one short ephemeral line by
    :class:`bot.client.tree.PTMCommandTree` (and printed by ``ptm-bot ask``); it is not logged as a failure.
    It subclasses :class:`~discord.app_commands.AppCommandError` so discord.py passes it to the tree's
    error handler as-is, without wrapping it in ``CommandInvokeError``.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
