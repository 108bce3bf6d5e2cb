"""Keeping a suggestion's review message in step with its state (Discord I/O, shared by the cogs)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.client.review_buttons import review_view
from bot.client.review_listing import refresh_listing
from bot.present.review import render_suggestion_embed, render_thread_decision
from bot.review import service as review
from db.models import SuggestionStatus

if TYPE_CHECKING:
    from bot.client.bot import PTMBot

log = logging.getLogger(__name__)

__all__ = [
    "ReviewChannel",
    "post_decision_in_thread",
    "refresh_message",
    "review_channel",
    "review_destination",
    "thread_name",
]

ReviewChannel = discord.TextChannel | discord.ForumChannel


async def refresh_message(bot: PTMBot, suggestion: review.SuggestionView) -> None:
    """Edit a suggestion's review message (embed and buttons) to match its state (after a command
    decided or undid it, a snooze ended, a new version arrived); a listed paper's compact listing
    is re-rendered too."""
    await refresh_listing(bot, suggestion)
    if suggestion.channel_id is None or suggestion.message_id is None:
        return
    channel = await _channel(bot, suggestion.channel_id)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return
    try:
        await channel.get_partial_message(suggestion.message_id).edit(
            embed=render_suggestion_embed(suggestion), view=review_view(suggestion)
        )
    except discord.NotFound:
        log.info("the review message of arXiv %s is gone", suggestion.arxiv_id)
        return
    except discord.HTTPException as exc:  # e.g. no permission: the change stands, its display is stale
        log.warning("could not edit the review message of arXiv %s: %s", suggestion.arxiv_id, exc)
    await post_decision_in_thread(bot, suggestion)


async def _channel(bot: PTMBot, channel_id: int) -> object:
    """A channel or thread by id: from the cache, else from Discord (an archived thread is not cached)."""
    channel = bot.get_channel(channel_id)
    if channel is not None:
        return channel
    try:
        return await bot.fetch_channel(channel_id)
    except discord.HTTPException:
        return None


def thread_name(suggestion: review.SuggestionView) -> str:
    """A card's discussion thread: the arXiv id first (Discord allows 100 characters)."""
    name = f"{suggestion.arxiv_id} · {' '.join(suggestion.title.split())}"
    return name if len(name) <= 100 else name[:99] + "…"


async def post_decision_in_thread(bot: PTMBot, suggestion: review.SuggestionView) -> None:
    """A decided card's discussion thread gets the decision, then is archived.

    The thread is the forum post holding the card (its channel), or, with ``review.threads``, the
    thread started from the card in a text channel (same id as the card's message)."""
    if suggestion.status not in (SuggestionStatus.APPROVED, SuggestionStatus.REJECTED):
        return
    if suggestion.channel_id is None or suggestion.message_id is None:
        return
    thread = await _channel(bot, suggestion.channel_id)
    if not isinstance(thread, discord.Thread):
        if not bot.config.review.threads:
            return
        thread = await _channel(bot, suggestion.message_id)
        if not isinstance(thread, discord.Thread):
            return
    try:
        if thread.archived:
            await thread.edit(archived=False)
        await thread.send(render_thread_decision(suggestion), allowed_mentions=discord.AllowedMentions.none())
        await thread.edit(archived=True)
    except discord.HTTPException as exc:  # the decision stands; its thread stays as it was
        log.warning("could not post the decision of arXiv %s in its thread: %s", suggestion.arxiv_id, exc)


def review_channel(bot: PTMBot) -> discord.TextChannel | None:
    """The configured review channel, by id or by name (case-insensitive, a leading '#' ignored;
    the configured guilds are searched first), when it is a text channel. One resolver for
    suggestions and announcements."""
    channel = review_destination(bot)
    return channel if isinstance(channel, discord.TextChannel) else None


def review_destination(bot: PTMBot) -> ReviewChannel | None:
    """The configured review channel: a text channel or a forum (one post per card)."""
    wanted = bot.config.discord.review_channel
    if wanted is None:
        return None
    if isinstance(wanted, int):
        channel = bot.get_channel(wanted)
        return channel if isinstance(channel, discord.TextChannel | discord.ForumChannel) else None
    name = wanted.lstrip("#").casefold()
    guild_ids = bot.config.discord.guild_ids
    for guild in sorted(bot.guilds, key=lambda g: (g.id not in guild_ids, g.id)):
        named: list[ReviewChannel] = [*guild.text_channels, *guild.forums]
        for candidate in named:
            if candidate.name.casefold() == name:
                return candidate
    return None
