"""The one error funnel for application commands (and the paging buttons).

User mistakes (:class:`~bot.errors.UserFacingError`, failed checks, values that cannot be converted)
get one short ephemeral line. Anything else is logged with its traceback and the user gets a generic
apology. Replies work whether or not the interaction was already answered (deferred commands).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from bot.errors import UserFacingError

__all__ = ["APOLOGY", "PTMCommandTree", "reply_ephemeral", "user_message"]

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on our side. The error has been logged."
_DEFAULT_CHECK_MESSAGE = "You can't use this command here."
_MAX_LINE = 300


def user_message(error: BaseException) -> str | None:
    """The line to show for a user mistake, or ``None`` when *error* is a bug to log."""
    if isinstance(error, app_commands.CommandInvokeError) and isinstance(error.original, UserFacingError):
        error = error.original
    if isinstance(error, UserFacingError):
        text = str(error)
    elif isinstance(error, app_commands.NoPrivateMessage):
        text = "This command only works in a server."
    elif isinstance(error, app_commands.CommandOnCooldown):
        text = f"Slow down: try again in {error.retry_after:.0f} s."
    elif isinstance(error, app_commands.CheckFailure):
        text = str(error) or _DEFAULT_CHECK_MESSAGE
    elif isinstance(error, app_commands.TransformerError):
        # In a code span markdown is literal (an escape would show its backslash) and only a
        # backtick could end the span early.
        value = str(error.value).replace("`", "'")
        text = f"`{value if len(value) <= 100 else value[:99] + '…'}` is not a valid value here."
    else:
        return None
    text = " ".join(text.split()) or _DEFAULT_CHECK_MESSAGE
    return text if len(text) <= _MAX_LINE else text[: _MAX_LINE - 1] + "…"


async def reply_ephemeral(interaction: discord.Interaction, text: str) -> None:
    """Send *text* privately, as a reply or a follow-up depending on the interaction's state."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True)
        else:
            await interaction.response.send_message(text, ephemeral=True)
    except discord.HTTPException as exc:  # the interaction may have expired; nothing more to do
        log.warning("could not deliver an error reply (%s %s)", exc.status, exc.text)


def _command_name(interaction: discord.Interaction) -> str:
    command = interaction.command
    return command.qualified_name if command is not None else "?"


def _context(interaction: discord.Interaction) -> dict[str, object]:
    """What ``--log-format json`` shows as fields: the command, the guild and the user."""
    return {"command": _command_name(interaction), "guild": interaction.guild_id, "user": interaction.user.id}


class PTMCommandTree(app_commands.CommandTree):
    """CommandTree whose ``on_error`` is the single place command errors end up."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        text = user_message(error)
        if text is None:
            original = getattr(error, "original", error)
            log.exception(
                "unhandled error in /%s (user %s, guild %s)",
                _command_name(interaction),
                interaction.user.id,
                interaction.guild_id,
                exc_info=original,
                extra=_context(interaction),
            )
            text = APOLOGY
        else:
            log.debug("/%s: user error: %s", _command_name(interaction), text, extra=_context(interaction))
        await reply_ephemeral(interaction, text)
