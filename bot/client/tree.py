"""The one error funnel for application commands (and the paging buttons).

User mistakes (:class:`~bot.errors.UserFacingError`, failed checks, values that cannot be converted)
get one short ephemeral line. Anything else is logged with its traceback and the user gets a generic
apology. Replies work whether or not the interaction was already answered (deferred commands).

Observers (:attr:`PTMCommandTree.observers`) hear how each interaction the tree dispatched ended:
``observer(command, outcome, seconds)`` once per slash command, with the outcome ``"ok"``,
``"user_error"`` or ``"error"`` (as the funnel judged it), and once per autocomplete request with
``"autocomplete"``. ``bot/ops/metrics.py`` counts and times them; the tree knows nothing of it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, Literal

import discord
from discord import app_commands

from bot.errors import UserFacingError

__all__ = [
    "APOLOGY",
    "CommandObserver",
    "CommandOutcome",
    "PTMCommandTree",
    "reply_ephemeral",
    "user_message",
]

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on our side. The error has been logged."
_DEFAULT_CHECK_MESSAGE = "You can't use this command here."
_MAX_LINE = 300
_ERROR_KEY = "ptm_bot_error"  # where on_error leaves the error for _call's observers

CommandOutcome = Literal["ok", "user_error", "error", "autocomplete"]
# (command's qualified name, outcome, seconds the tree spent on the interaction)
CommandObserver = Callable[[str, CommandOutcome, float], None]


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


def _observed_name(interaction: discord.Interaction) -> str:
    """The command's qualified name, or the name Discord sent when the tree does not know it."""
    command = interaction.command
    if command is not None:
        return command.qualified_name
    data: Any = interaction.data or {}
    return str(data.get("name", "?"))


def _outcome(error: BaseException | None) -> CommandOutcome:
    if error is None:
        return "ok"
    return "user_error" if user_message(error) is not None else "error"


def _context(interaction: discord.Interaction) -> dict[str, object]:
    """What ``--log-format json`` shows as fields: the command, the guild and the user."""
    return {"command": _command_name(interaction), "guild": interaction.guild_id, "user": interaction.user.id}


class PTMCommandTree(app_commands.CommandTree):
    """CommandTree whose ``on_error`` is the single place command errors end up, and which tells its
    :attr:`observers` how each interaction ended."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.observers: list[CommandObserver] = []

    async def _call(self, interaction: discord.Interaction) -> None:
        # The one place discord.py runs a command or an autocomplete callback. A command's error
        # does not come out of it: it goes to on_error, which leaves it in the interaction's extras.
        start = time.perf_counter()
        error: BaseException | None = None
        try:
            await super()._call(interaction)
        except Exception as exc:  # raised errors go on to on_error through discord.py's dispatch
            error = exc
            raise
        finally:
            if self.observers:
                seconds = time.perf_counter() - start
                outcome: CommandOutcome
                if interaction.type is discord.InteractionType.autocomplete:
                    outcome = "autocomplete"
                else:
                    outcome = _outcome(interaction.extras.get(_ERROR_KEY, error))
                self._tell(_observed_name(interaction), outcome, seconds)

    def _tell(self, command: str, outcome: CommandOutcome, seconds: float) -> None:
        for observer in self.observers:
            try:
                observer(command, outcome, seconds)
            except Exception:  # an observer never breaks a command
                log.exception("command observer %r failed", observer)

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        interaction.extras[_ERROR_KEY] = error
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
