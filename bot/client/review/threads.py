"""A card's discussion thread: opened beside a card in a text channel (``review.threads``; in a
forum the card's own post is its thread), told the decision, then archived."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.client.review.channels import fetch_channel
from bot.client.review.notice import tell_member
from bot.present.review import render_thread_decision
from bot.review.service import SuggestionView
from db.models import SuggestionStatus

if TYPE_CHECKING:
    from bot.client.bot import PTMBot

log = logging.getLogger(__name__)

__all__ = ["open_thread", "post_decision_in_thread", "thread_name"]


def thread_name(suggestion: SuggestionView) -> str:
    """A card's discussion thread: the arXiv id first (Discord allows 100 characters)."""
    name = f"{suggestion.arxiv_id} · {' '.join(suggestion.title.split())}"
    return name if len(name) <= 100 else name[:99] + "…"


async def open_thread(message: discord.Message, suggestion: SuggestionView) -> None:
    """A thread started from a card in a text channel; it has the card's id: nothing more to store."""
    try:
        await message.create_thread(name=thread_name(suggestion))
    except discord.HTTPException as exc:  # no Create Public Threads: the card stands
        log.warning("could not open a thread for arXiv %s: %s", suggestion.arxiv_id, exc)


async def post_decision_in_thread(bot: PTMBot, suggestion: SuggestionView) -> None:
    """A decided card's discussion thread gets the decision, then is archived.

    The thread is the forum post holding the card (its channel), or, with ``review.threads``, the
    thread started from the card in a text channel (same id as the card's message)."""
    if suggestion.status not in (SuggestionStatus.APPROVED, SuggestionStatus.REJECTED):
        return
    await tell_member(bot, suggestion)  # a member's suggestion: they are told too, once
    if suggestion.channel_id is None or suggestion.message_id is None:
        return
    thread = await fetch_channel(bot, suggestion.channel_id)
    if not isinstance(thread, discord.Thread):
        if not bot.config.review.threads:
            return
        thread = await fetch_channel(bot, suggestion.message_id)
        if not isinstance(thread, discord.Thread):
            return
    try:
        if thread.archived:
            await thread.edit(archived=False)
        await thread.send(render_thread_decision(suggestion), allowed_mentions=discord.AllowedMentions.none())
        await thread.edit(archived=True)
    except discord.HTTPException as exc:  # the decision stands; its thread stays as it was
        log.warning("could not post the decision of arXiv %s in its thread: %s", suggestion.arxiv_id, exc)
