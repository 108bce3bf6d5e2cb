"""The review loop in Discord, wired to its events; the card lifecycle is :mod:`bot.client.review`.

Pending suggestions are posted as cards (``cards``) at start and on ``suggestions_ready``; cards
are decided by persistent buttons (``buttons``, ``listing``: dynamic items, registered here) and by
reactions (``reactions``), both on cards sent before a restart. Snoozed ("needs info") suggestions
are woken by a loop started once the bot is ready; a new arXiv version wakes one at once
(``on_suggestions_replaced``, dispatched by the watcher). The same loop tells members whose suggestion
was decided from the terminal (``ptm-bot ask``), and shows the decision on its card.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import commands, tasks

from bot.client.bot import PTMBot
from bot.client.review import cards
from bot.client.review.buttons import ReviewButton
from bot.client.review.listing import PromoteSelect
from bot.client.review.reactions import decide_by_reaction
from bot.review.service import SuggestionView

log = logging.getLogger(__name__)

WAKE_EVERY_MINUTES = 60


class ReviewCog(commands.Cog):
    def __init__(self, bot: PTMBot) -> None:
        self.bot = bot
        self.cards = cards.CardPoster(bot)
        self._startup: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        # Clicks on cards posted before a restart are routed by custom id: no view state is kept.
        self.bot.add_dynamic_items(ReviewButton, PromoteSelect)
        self._startup = asyncio.create_task(self._post_when_ready(), name="review-startup-post")

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ReviewButton, PromoteSelect)
        self.wake_snoozed.cancel()
        if self._startup is not None:
            self._startup.cancel()

    async def _post_when_ready(self) -> None:
        await self.bot.wait_until_ready()
        if not self.wake_snoozed.is_running():
            self.wake_snoozed.start()
        try:
            await self.post_pending()
        except Exception:
            log.exception("posting pending suggestions at start failed")

    @tasks.loop(minutes=WAKE_EVERY_MINUTES)
    async def wake_snoozed(self) -> None:
        try:
            await cards.wake_snoozed(self.bot)
        except Exception:  # a card that cannot be redrawn must not stop the loop for good
            log.exception("waking snoozed suggestions failed")
        await self.tell_members()

    async def tell_members(self) -> None:
        """Members whose suggestion was decided from the terminal (``ptm-bot ask``) are told at the
        next round (hourly, and at start), and its card shows the decision (each member once: the
        notice is claimed before the DM)."""
        try:
            await cards.catch_up_member_notices(self.bot)
        except Exception:  # the next round tries again
            log.exception("telling members of decisions made elsewhere failed")

    async def post_pending(self) -> int:
        """Post every pending suggestion that has no card yet. Returns how many were posted."""
        return await self.cards.post_pending()

    @commands.Cog.listener()
    async def on_suggestions_ready(self, suggestion_ids: list[int] | None = None) -> None:
        """Dispatched by the watcher (cogs/watcher.py) after a poll stored new pending suggestions."""
        await self.post_pending()

    @commands.Cog.listener()
    async def on_suggestions_replaced(self, suggestions: list[SuggestionView]) -> None:
        """Dispatched by the watcher: new arXiv versions of pending papers (refreshed, snooze ended)."""
        await cards.refresh_messages(self.bot, suggestions)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await decide_by_reaction(self.bot, payload)


async def setup(bot: PTMBot) -> None:
    await bot.add_cog(ReviewCog(bot))
