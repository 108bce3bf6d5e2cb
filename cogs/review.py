"""The review loop in Discord: post suggestions to the review channel, decide them by reaction.

Posting: the suggestion row exists before its message is sent (the watcher stored it), and the
message id is stored right after. A restart between the two is healed at start: the channel's
recent history is searched for the bot's own messages naming the suggestion's arXiv id in the
footer, and only suggestions without one are posted. Posts are paced
(``discord.post_interval_seconds``) so a big poll never bursts into the channel's rate limit.

Deciding: buttons on each card (:mod:`bot.client.review_buttons`: Approve, Reject with a reason,
Needs info, Edit; persistent dynamic items, registered here) and reactions, through
``on_raw_reaction_add``, so both work on messages sent before a restart. Guard clauses first (a
guild? the bot itself? a review emoji? a known suggestion message? a moderator?), then one service
call. A non-moderator's review reaction is removed and changes nothing.

Snoozed ("needs info") suggestions are woken by a loop started once the bot is ready; a new arXiv
version wakes one at once (``on_suggestions_replaced``, dispatched by the watcher).
"""

from __future__ import annotations

import asyncio
import logging
from typing import cast

import discord
from discord.ext import commands, tasks

from bot.client.bot import PTMBot
from bot.client.checks import is_moderator
from bot.client.review_buttons import ReviewButton, review_view
from bot.client.review_listing import PromoteSelect, listing_view, refresh_listing
from bot.client.review_messages import (
    ReviewChannel,
    post_decision_in_thread,
    refresh_message,
    review_destination,
    thread_name,
)
from bot.present.review import APPROVE_EMOJI, REJECT_EMOJI, render_listing, render_suggestion_embed
from bot.review import actions
from bot.review.actions import Actor
from bot.review.service import Decision, ReviewError, SuggestionView

log = logging.getLogger(__name__)


def _view_arg(view: discord.ui.View | None) -> discord.ui.View:
    """*view* as discord.py's overloads of ``send`` and ``ForumChannel.create_thread`` type their
    ``view=``: they leave out None, which the implementations take (``Optional[BaseView]``: no
    components, a card with no buttons). The cast is that gap in the stubs, nothing more."""
    return cast(discord.ui.View, view)


DECISIONS = {APPROVE_EMOJI: Decision.APPROVE, REJECT_EMOJI: Decision.REJECT}
HISTORY_SCANNED = 100
WAKE_EVERY_MINUTES = 60


class ReviewCog(commands.Cog):
    def __init__(self, bot: PTMBot) -> None:
        self.bot = bot
        self._post_lock = asyncio.Lock()
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
        """Snoozed suggestions whose time is up go back to the queue; their cards lose the mark."""
        try:
            woken = await actions.wake_due(self.bot.db, now=discord.utils.utcnow())
        except Exception:  # the next run tries again; the loop must not die
            log.exception("waking snoozed suggestions failed")
            return
        for s in woken:
            log.info("arXiv %s is back in the review queue (snooze over)", s.arxiv_id)
            await refresh_message(self.bot, s)

    @commands.Cog.listener()
    async def on_suggestions_replaced(self, suggestions: list[SuggestionView]) -> None:
        """Dispatched by the watcher: new arXiv versions of pending papers (refreshed, snooze ended)."""
        for s in suggestions:
            await refresh_message(self.bot, s)

    # ---------------------------------------------------------------------------------------
    # Posting

    async def _adopt_posted(self, channel: ReviewChannel, items: list[SuggestionView]) -> set[int]:
        """Find messages the bot posted before a crash cut it off from storing their ids."""
        if not isinstance(channel, discord.TextChannel):
            return set()  # a forum has no history of its own; its posts are threads
        wanted = {f"arXiv:{s.arxiv_id} ": s for s in items}
        adopted: set[int] = set()
        try:
            async for message in channel.history(limit=HISTORY_SCANNED):
                if self.bot.user is None or message.author.id != self.bot.user.id or not message.embeds:
                    continue
                footer = message.embeds[0].footer.text or ""
                for prefix, s in wanted.items():
                    if footer.startswith(prefix) and s.id not in adopted:
                        await actions.mark_posted(
                            self.bot.db, s.id, channel_id=channel.id, message_id=message.id
                        )
                        adopted.add(s.id)
        except discord.HTTPException as exc:
            log.warning("could not read the review channel's history: %s", exc)
        return adopted

    async def post_pending(self) -> int:
        """Post every pending suggestion that has no message yet. Returns how many were posted."""
        async with self._post_lock:
            channel = review_destination(self.bot)
            if channel is None:
                log.warning(
                    "no review channel configured or found (discord.review_channel); suggestions wait"
                )
                return 0
            items = await actions.unposted(self.bot.db)
            if not items:
                await self._post_listing(channel)
                return 0
            adopted = await self._adopt_posted(channel, items)
            posted = 0
            for item in items:
                if item.id in adopted:
                    continue
                if posted:
                    await asyncio.sleep(self.bot.config.discord.post_interval_seconds)
                message = await self._send_card(channel, item)
                await actions.mark_posted(
                    self.bot.db, item.id, channel_id=message.channel.id, message_id=message.id
                )
                if isinstance(channel, discord.TextChannel) and self.bot.config.review.threads:
                    try:  # the thread has the card's id: nothing more to store
                        await message.create_thread(name=thread_name(item))
                    except discord.HTTPException as exc:  # no Create Public Threads: the card stands
                        log.warning("could not open a thread for arXiv %s: %s", item.arxiv_id, exc)
                try:
                    for emoji in (APPROVE_EMOJI, REJECT_EMOJI):
                        await message.add_reaction(emoji)
                except discord.HTTPException as exc:  # no Add Reactions: moderators can still react
                    log.warning("could not add the review reactions for arXiv %s: %s", item.arxiv_id, exc)
                posted += 1
            log.info("posted %d suggestion(s) to #%s", posted, channel.name)
            await self._post_listing(channel)
            return posted

    async def _post_listing(self, channel: ReviewChannel) -> None:
        """The compact "also above the line" message: every listed suggestion not yet in one (after
        a poll: that poll's papers over its card budget), with the menu that promotes one to a card."""
        items = await actions.unposted_listed(self.bot.db)
        if not items:
            return
        embed, view = render_listing(items), listing_view(items)
        mentions = discord.AllowedMentions.none()
        if isinstance(channel, discord.ForumChannel):
            post = await channel.create_thread(
                name="Also above the line", embed=embed, view=_view_arg(view), allowed_mentions=mentions
            )
            message = post.message
        else:
            message = await channel.send(embed=embed, view=_view_arg(view), allowed_mentions=mentions)
        await actions.mark_listing_posted(
            self.bot.db, [s.id for s in items], channel_id=message.channel.id, message_id=message.id
        )
        log.info("listed %d suggestion(s) above the line in #%s", len(items), channel.name)

    async def _send_card(self, channel: ReviewChannel, item: SuggestionView) -> discord.Message:
        """A card in a text channel, or a post of its own in a forum (the card is its first message)."""
        embed, view = render_suggestion_embed(item), review_view(item)
        mentions = discord.AllowedMentions.none()
        if isinstance(channel, discord.ForumChannel):
            post = await channel.create_thread(
                name=thread_name(item), embed=embed, view=_view_arg(view), allowed_mentions=mentions
            )
            return post.message
        return await channel.send(embed=embed, view=_view_arg(view), allowed_mentions=mentions)

    @commands.Cog.listener()
    async def on_suggestions_ready(self, suggestion_ids: list[int] | None = None) -> None:
        """Dispatched by the watcher (cogs/watcher.py) after a poll stored new pending suggestions."""
        await self.post_pending()

    # ---------------------------------------------------------------------------------------
    # Deciding

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        if payload.guild_id is None or self.bot.user is None or payload.user_id == self.bot.user.id:
            return
        decision = DECISIONS.get(str(payload.emoji))
        if decision is None:
            return
        suggestion = await actions.suggestion_on_message(self.bot.db, payload.message_id)
        if suggestion is None:
            return
        channel = self.bot.get_channel(payload.channel_id)
        if not isinstance(channel, discord.TextChannel | discord.Thread):
            return
        message = channel.get_partial_message(payload.message_id)
        member = payload.member
        if member is None or not is_moderator(member, self.bot.config):
            log.info(
                "removed a review reaction by non-moderator %s on arXiv %s",
                payload.user_id,
                suggestion.arxiv_id,
            )
            await self._remove_reaction(message, payload)
            return
        try:
            outcome = await actions.decide_on_message(
                self.bot.db, payload.message_id, decision, Actor(member.id, str(member), via="reaction")
            )
        except ReviewError as exc:
            # Nothing was decided (the unit of work rolled back): take the reaction back so the
            # message does not look decided; the moderator can approve by command with another name.
            log.warning("could not %s arXiv %s by reaction: %s", decision, suggestion.arxiv_id, exc)
            await self._remove_reaction(message, payload)
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
        await post_decision_in_thread(self.bot, outcome.suggestion)
        await refresh_listing(self.bot, outcome.suggestion)

    async def _remove_reaction(
        self, message: discord.PartialMessage, payload: discord.RawReactionActionEvent
    ) -> None:
        try:
            await message.remove_reaction(payload.emoji, discord.Object(payload.user_id))
        except discord.HTTPException as exc:  # missing Manage Messages: the reaction stays, nothing changed
            log.warning("could not remove a review reaction by %s: %s", payload.user_id, exc)


async def setup(bot: PTMBot) -> None:
    await bot.add_cog(ReviewCog(bot))
