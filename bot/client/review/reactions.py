"""Deciding by reaction: ✅ or ❌ on a card, through ``on_raw_reaction_add`` so it works on cards
sent before a restart. Guard clauses first (the bot itself? a review emoji? a known suggestion
message? a moderator?), then one call to :func:`bot.review.actions.decide_on_message`. A
non-moderator's review reaction is removed and changes nothing."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.client.checks import is_moderator
from bot.client.review.buttons import review_view
from bot.client.review.listing import refresh_listing
from bot.client.review.threads import post_decision_in_thread
from bot.present.review import APPROVE_EMOJI, REJECT_EMOJI, render_suggestion_embed
from bot.review import actions
from bot.review.actions import Actor
from bot.review.service import Decision, ReviewError

if TYPE_CHECKING:
    from bot.client.bot import PTMBot

log = logging.getLogger(__name__)

__all__ = ["DECISIONS", "decide_by_reaction"]

DECISIONS = {APPROVE_EMOJI: Decision.APPROVE, REJECT_EMOJI: Decision.REJECT}


async def decide_by_reaction(bot: PTMBot, payload: discord.RawReactionActionEvent) -> None:
    if payload.guild_id is None or bot.user is None or payload.user_id == bot.user.id:
        return
    decision = DECISIONS.get(str(payload.emoji))
    if decision is None:
        return
    suggestion = await actions.suggestion_on_message(bot.db, payload.message_id)
    if suggestion is None:
        return
    channel = bot.get_channel(payload.channel_id)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return
    message = channel.get_partial_message(payload.message_id)
    member = payload.member
    if member is None or not is_moderator(member, bot.config):
        log.info(
            "removed a review reaction by non-moderator %s on arXiv %s",
            payload.user_id,
            suggestion.arxiv_id,
        )
        await _remove_reaction(message, payload)
        return
    try:
        outcome = await actions.decide_on_message(
            bot.db, payload.message_id, decision, Actor(member.id, str(member), via="reaction")
        )
    except ReviewError as exc:
        # Nothing was decided (the unit of work rolled back): take the reaction back so the
        # message does not look decided; the moderator can approve by command with another name.
        log.warning("could not %s arXiv %s by reaction: %s", decision, suggestion.arxiv_id, exc)
        await _remove_reaction(message, payload)
        return
    if outcome is None or not outcome.applied:
        return  # someone decided first; the message already shows it
    try:
        await message.edit(
            embed=render_suggestion_embed(outcome.suggestion), view=review_view(outcome.suggestion)
        )
    except discord.HTTPException as exc:  # the decision stands; only its display is stale
        log.warning(
            "arXiv %s was decided but its review message was not edited: %s", suggestion.arxiv_id, exc
        )
    await post_decision_in_thread(bot, outcome.suggestion)
    await refresh_listing(bot, outcome.suggestion)


async def _remove_reaction(message: discord.PartialMessage, payload: discord.RawReactionActionEvent) -> None:
    try:
        await message.remove_reaction(payload.emoji, discord.Object(payload.user_id))
    except discord.HTTPException as exc:  # missing Manage Messages: the reaction stays, nothing changed
        log.warning("could not remove a review reaction by %s: %s", payload.user_id, exc)
