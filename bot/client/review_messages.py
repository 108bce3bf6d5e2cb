"""Keeping a suggestion's review message in step with its state (Discord I/O, shared by the cogs)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.client.review_buttons import review_view
from bot.present.review import render_suggestion_embed
from bot.review import service as review

if TYPE_CHECKING:
    from bot.client.bot import PTMBot

log = logging.getLogger(__name__)

__all__ = ["refresh_message", "review_channel"]


async def refresh_message(bot: PTMBot, suggestion: review.SuggestionView) -> None:
    """Edit a suggestion's review message (embed and buttons) to match its state (after a command
    decided or undid it, a snooze ended, a new version arrived)."""
    if suggestion.channel_id is None or suggestion.message_id is None:
        return
    channel = bot.get_channel(suggestion.channel_id)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return
    try:
        await channel.get_partial_message(suggestion.message_id).edit(
            embed=render_suggestion_embed(suggestion), view=review_view(suggestion)
        )
    except discord.NotFound:
        log.info("the review message of arXiv %s is gone", suggestion.arxiv_id)
    except discord.HTTPException as exc:  # e.g. no permission: the change stands, its display is stale
        log.warning("could not edit the review message of arXiv %s: %s", suggestion.arxiv_id, exc)


def review_channel(bot: PTMBot) -> discord.TextChannel | None:
    """The configured review channel, by id or by name (case-insensitive, a leading '#' ignored;
    the configured guilds are searched first). One resolver for suggestions and announcements."""
    wanted = bot.config.discord.review_channel
    if wanted is None:
        return None
    if isinstance(wanted, int):
        channel = bot.get_channel(wanted)
        return channel if isinstance(channel, discord.TextChannel) else None
    name = wanted.lstrip("#").casefold()
    guild_ids = bot.config.discord.guild_ids
    for guild in sorted(bot.guilds, key=lambda g: (g.id not in guild_ids, g.id)):
        for channel in guild.text_channels:
            if channel.name.casefold() == name:
                return channel
    return None
