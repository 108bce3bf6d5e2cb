"""Posting suggestions as review cards and keeping each card in step with its state.

Posting: the suggestion row exists before its card is sent (the watcher stored it), and the
message id is stored right after. A restart between the two is healed at start: the channel's
recent history is searched for the bot's own messages naming the suggestion's arXiv id in the
footer, and only suggestions without one are posted. Posts are paced
(``discord.post_interval_seconds``) so a big poll never bursts into the channel's rate limit. A
card in a text channel gets its thread (``review.threads``) and the ✅ ❌ reactions; in a forum it
is a post of its own. The poll's papers over its card budget go to the listing
(:mod:`bot.client.review.listing`).

Upkeep: a card is edited to match its state after a command decided or undid it, a snooze ended
(:func:`wake_snoozed`) or a new arXiv version arrived.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

import discord

from bot.client.review.buttons import review_view
from bot.client.review.channels import ReviewChannel, fetch_channel, review_destination, routed, view_arg
from bot.client.review.listing import post_listing, refresh_listing
from bot.client.review.notice import send_member_notice
from bot.client.review.threads import open_thread, post_decision_in_thread, thread_name
from bot.config import RouteConfig
from bot.present.review import APPROVE_EMOJI, REJECT_EMOJI, render_suggestion_embed
from bot.review import actions, route_store
from bot.review.service import SuggestionView

if TYPE_CHECKING:
    from bot.client.bot import PTMBot

log = logging.getLogger(__name__)

__all__ = ["CardPoster", "refresh_message", "refresh_messages", "send_card", "wake_snoozed"]

HISTORY_SCANNED = 100


class CardPoster:
    """Posts the pending suggestions that have no card yet, one run at a time."""

    def __init__(self, bot: PTMBot) -> None:
        self.bot = bot
        self._lock = asyncio.Lock()

    @property
    def lock(self) -> asyncio.Lock:
        """Held while cards are posted: whoever edits cards after a change waits for the posting
        under way, so a card sent with the old state is edited, not missed."""
        return self._lock

    async def post_pending(self) -> int:
        """Post every pending suggestion that has no message yet. Returns how many were posted."""
        async with self._lock:
            channel = review_destination(self.bot)
            if channel is None:
                log.warning(
                    "no review channel configured or found (discord.review_channel); suggestions wait"
                )
                return 0
            items = await actions.unposted(self.bot.db)
            if not items:
                await post_listing(self.bot, channel)
                return 0
            adopted = await adopt_posted(self.bot, channel, items)
            # [[routes]] and the routes moderators added: read once for this run's cards.
            routes = [r.route for r in await route_store.routes_in_force(self.bot.db, self.bot.config)]
            posted = 0
            for item in items:
                if item.id in adopted:
                    continue
                if posted:
                    await asyncio.sleep(self.bot.config.discord.post_interval_seconds)
                await self._post(channel, item, routes)
                posted += 1
            log.info("posted %d suggestion(s) to #%s", posted, channel.name)
            await post_listing(self.bot, channel)
            return posted

    async def _post(self, channel: ReviewChannel, item: SuggestionView, routes: list[RouteConfig]) -> None:
        route = routed(self.bot, item, routes)  # [[routes]]: a topic's own channel and role
        channel, role, tag = route if route is not None else (channel, None, "")
        message = await send_card(channel, item, role=role, tag=tag)
        await actions.mark_posted(self.bot.db, item.id, channel_id=message.channel.id, message_id=message.id)
        if isinstance(channel, discord.TextChannel) and self.bot.config.review.threads:
            await open_thread(message, item)
        try:
            for emoji in (APPROVE_EMOJI, REJECT_EMOJI):
                await message.add_reaction(emoji)
        except discord.HTTPException as exc:  # no Add Reactions: moderators can still react
            log.warning("could not add the review reactions for arXiv %s: %s", item.arxiv_id, exc)


async def adopt_posted(bot: PTMBot, channel: ReviewChannel, items: list[SuggestionView]) -> set[int]:
    """Find messages the bot posted before a crash cut it off from storing their ids."""
    if not isinstance(channel, discord.TextChannel):
        return set()  # a forum has no history of its own; its posts are threads
    wanted = {f"arXiv:{s.arxiv_id} ": s for s in items}
    adopted: set[int] = set()
    try:
        async for message in channel.history(limit=HISTORY_SCANNED):
            if bot.user is None or message.author.id != bot.user.id or not message.embeds:
                continue
            footer = message.embeds[0].footer.text or ""
            for prefix, s in wanted.items():
                if footer.startswith(prefix) and s.id not in adopted:
                    await actions.mark_posted(bot.db, s.id, channel_id=channel.id, message_id=message.id)
                    adopted.add(s.id)
    except discord.HTTPException as exc:
        log.warning("could not read the review channel's history: %s", exc)
    return adopted


async def send_card(
    channel: ReviewChannel, item: SuggestionView, *, role: discord.Role | None = None, tag: str = ""
) -> discord.Message:
    """A card in a text channel, or a post of its own in a forum (the card is its first message),
    with a route's forum *tag* when the forum has it. A route's *role* is mentioned, and only it: no
    other mention can ping."""
    embed, view = render_suggestion_embed(item), review_view(item)
    content = role.mention if role is not None else None
    mentions = (
        discord.AllowedMentions(everyone=False, users=False, roles=[role])
        if role
        else discord.AllowedMentions.none()
    )
    if isinstance(channel, discord.ForumChannel):
        tags = [t for t in channel.available_tags if tag and t.name.casefold() == tag.casefold()]
        if tag and not tags:
            log.warning("forum #%s has no tag %r; the card is posted without it", channel.name, tag)
        post = await channel.create_thread(
            name=thread_name(item),
            content=content,
            embed=embed,
            view=view_arg(view),
            allowed_mentions=mentions,
            applied_tags=tags,
        )
        return post.message
    return await channel.send(content, embed=embed, view=view_arg(view), allowed_mentions=mentions)


async def refresh_message(bot: PTMBot, suggestion: SuggestionView) -> None:
    """Edit a suggestion's review message (embed and buttons) to match its state (after a command
    decided or undid it, a snooze ended, a new version arrived); a listed paper's compact listing
    is re-rendered too."""
    await refresh_listing(bot, suggestion)
    if suggestion.channel_id is None or suggestion.message_id is None:
        return
    channel = await fetch_channel(bot, suggestion.channel_id)
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


async def refresh_messages(bot: PTMBot, suggestions: Iterable[SuggestionView]) -> None:
    for s in suggestions:
        await refresh_message(bot, s)


async def wake_snoozed(bot: PTMBot) -> None:
    """Snoozed suggestions whose time is up go back to the queue; their cards lose the mark."""
    try:
        woken = await actions.wake_due(bot.db, now=discord.utils.utcnow())
    except Exception:  # the next run tries again; the loop must not die
        log.exception("waking snoozed suggestions failed")
        return
    for s in woken:
        log.info("arXiv %s is back in the review queue (snooze over)", s.arxiv_id)
        await refresh_message(bot, s)


async def catch_up_member_notices(bot: PTMBot) -> int:
    """Members whose suggestion was decided without its card (``ptm-bot ask``, another process) are
    told now, and the card shows the decision. Each notice is claimed first: only the round (or
    process) that wins it redraws the card, posts in its thread and sends the DM. A row that fails
    is logged and skipped (it is claimed: never retried into a second DM). How many were told."""
    told = 0
    for suggestion in await actions.members_to_tell(bot.db):  # decisions carry the wall clock's time
        if not await actions.claim_member_notice(bot.db, suggestion.id):
            continue  # told by a card click or another round meanwhile
        try:
            await refresh_message(bot, suggestion)  # the card and its thread (the claim is taken)
            await send_member_notice(bot, suggestion)
        except Exception:
            log.exception("telling the member of the decision on arXiv %s failed", suggestion.arxiv_id)
            continue
        told += 1
    return told
