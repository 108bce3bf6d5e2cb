"""Who may moderate: configured moderator roles (by id or name), or Manage Server.

:func:`is_moderator` is pure (a member and the config in, a bool out) so the reaction listeners of
the review feature can use it too. :func:`moderator_only` wraps it as an application-command check;
it is the runtime half of "permissions twice" (the other half is ``default_permissions`` on the
admin group, which server admins can change).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import discord
from discord import app_commands

if TYPE_CHECKING:
    from bot.config import Config

__all__ = ["NotModerator", "is_moderator", "moderator_only"]


class _HasConfig(Protocol):
    config: Config


class NotModerator(app_commands.CheckFailure):
    """Raised by :func:`moderator_only`; its message is shown to the user."""

    def __init__(self) -> None:
        super().__init__("Only moderators can do that (a moderator role, or Manage Server).")


def is_moderator(member: discord.Member | discord.User | Any, config: Config) -> bool:
    """True for a server member with Manage Server or one of ``discord.moderator_roles``.

    Roles are matched by id, or by name without regard to case. Users outside a server (DMs) are
    never moderators.
    """
    permissions = getattr(member, "guild_permissions", None)
    if permissions is None:
        return False
    if permissions.manage_guild or permissions.administrator:
        return True
    wanted = config.discord.moderator_roles
    ids = {r for r in wanted if isinstance(r, int)}
    names = {r.casefold() for r in wanted if isinstance(r, str)}
    return any(role.id in ids or role.name.casefold() in names for role in getattr(member, "roles", ()))


def moderator_only() -> Any:
    """App-command check: the invoker must pass :func:`is_moderator` with the bot's config."""

    def predicate(interaction: discord.Interaction) -> bool:
        if interaction.guild is None:
            raise app_commands.NoPrivateMessage()
        client: _HasConfig = interaction.client  # type: ignore[assignment]
        if not is_moderator(interaction.user, client.config):
            raise NotModerator()
        return True

    return app_commands.check(predicate)
