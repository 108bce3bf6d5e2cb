"""A member who suggested a paper (``/ptm suggest``) is told the moderators' decision by DM, once
(:func:`bot.review.actions.claim_member_notice` before sending), if their DMs are open."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord

from bot.present.member import render_member_notice
from bot.review import actions
from db.models import SuggestionStatus

if TYPE_CHECKING:
    from bot.client.bot import PTMBot
    from bot.review.service import SuggestionView

log = logging.getLogger(__name__)

__all__ = ["send_member_notice", "tell_member"]


async def tell_member(bot: PTMBot, s: SuggestionView) -> None:
    if s.suggested_by is None or s.status not in (SuggestionStatus.APPROVED, SuggestionStatus.REJECTED):
        return
    if not await actions.claim_member_notice(bot.db, s.id):
        return  # told already (or not a member's suggestion any more)
    await send_member_notice(bot, s)


async def send_member_notice(bot: PTMBot, s: SuggestionView) -> None:
    """The DM itself, for a caller that claimed the notice (:func:`tell_member` does both)."""
    if s.suggested_by is None:
        return
    try:
        user = bot.get_user(s.suggested_by) or await bot.fetch_user(s.suggested_by)
        await user.send(render_member_notice(s), allowed_mentions=discord.AllowedMentions.none())
    except discord.HTTPException as exc:  # DMs closed, or the member left: the decision stands
        log.info("could not tell member %s the decision on arXiv %s: %s", s.suggested_by, s.arxiv_id, exc)
