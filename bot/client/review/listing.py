"""The compact "also above the line" message of a poll, and promoting a paper from it to a card.

A poll's papers above the line but over its card budget (``review.cards_per_poll``) are listed in
one message (:func:`bot.present.review.render_listing`) with a select menu of the papers still
waiting there. Picking one promotes it: authorized at run time like every review button
(:func:`bot.client.review.access.refuse_non_moderator`), one conditional update through
:func:`bot.review.actions.promote` (of two moderators picking the same paper, one promotes it), the
listing re-rendered from the database, and the card posted by :mod:`bot.client.review.cards`
(``suggestions_ready``). The select is a :class:`discord.ui.DynamicItem`: its custom id alone routes
a pick on a message sent before a restart; the papers come from the database, not from memory.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.client.review.access import button_actor, client_of, refuse_non_moderator
from bot.client.review.channels import ReviewChannel, view_arg
from bot.present.render import truncate
from bot.present.review import LISTING_SHOWN, render_listing
from bot.review import actions
from bot.review.service import ReviewError, SuggestionView
from db.models import SuggestionStatus

if TYPE_CHECKING:
    from bot.client.bot import PTMBot

log = logging.getLogger(__name__)

__all__ = ["PROMOTE_CUSTOM_ID", "PromoteSelect", "listing_view", "post_listing", "refresh_listing"]

PROMOTE_CUSTOM_ID = "ptm:promote"


def listing_view(items: Sequence[SuggestionView]) -> discord.ui.View | None:
    """The menu of a listing: the papers shown in it that are still listed (none left: no menu)."""
    waiting = [s for s in items[:LISTING_SHOWN] if s.status == SuggestionStatus.PENDING and s.listed]
    if not waiting:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(PromoteSelect(waiting))
    return view


def _option(s: SuggestionView) -> discord.SelectOption:
    rank = f"#{s.poll_rank} " if s.poll_rank is not None else ""
    # Option labels are plain text (no markdown), at most 100 characters.
    label = truncate(f"{rank}{s.score:.2f} · {' '.join(s.title.split())}", 100)
    return discord.SelectOption(
        label=label, value=str(s.id), description=truncate(f"arXiv {s.arxiv_id} · {s.proposed_name}", 100)
    )


class PromoteSelect(discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"ptm:promote"):
    def __init__(self, items: Sequence[SuggestionView] = ()) -> None:
        options = [_option(s) for s in items] or [discord.SelectOption(label="-", value="0")]
        super().__init__(
            discord.ui.Select(
                custom_id=PROMOTE_CUSTOM_ID,
                placeholder="Promote a paper to a review card…",
                min_values=1,
                max_values=1,
                options=options,
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> PromoteSelect:
        return cls()  # the chosen value is read from the interaction; the options from the database

    async def callback(self, interaction: discord.Interaction) -> None:
        if await refuse_non_moderator(interaction):
            return
        bot = client_of(interaction)
        values = self.item.values
        try:
            suggestion_id = int(values[0])
        except (IndexError, ValueError):
            await interaction.response.send_message("Pick a paper from the menu.", ephemeral=True)
            return
        try:
            outcome = await actions.promote(bot.db, suggestion_id, button_actor(interaction))
        except ReviewError as exc:
            await interaction.response.send_message(str(exc), ephemeral=True)
            return
        s = outcome.suggestion
        if not outcome.applied:
            state = (
                "already has a card" if s.status == SuggestionStatus.PENDING else f"was already {s.status}"
            )
            await interaction.response.send_message(
                f"arXiv {s.arxiv_id} {state}; nothing changed.", ephemeral=True
            )
            return
        items = await actions.listing(bot.db, s.listing_message_id) if s.listing_message_id else [s]
        if interaction.message is not None and interaction.message.id == s.listing_message_id:
            await interaction.response.edit_message(embed=render_listing(items), view=listing_view(items))
        else:
            await interaction.response.send_message("Promoted.", ephemeral=True)
        bot.dispatch("suggestions_ready", [s.id])  # the review cog has the card posted


async def refresh_listing(bot: PTMBot, suggestion: SuggestionView) -> None:
    """Re-render the listing message naming *suggestion* (after a decision by command or on its
    card), so it shows what became of each paper and offers only those still listed."""
    if suggestion.listing_channel_id is None or suggestion.listing_message_id is None:
        return
    channel = bot.get_channel(suggestion.listing_channel_id)
    if not isinstance(channel, discord.TextChannel | discord.Thread):
        return
    items = await actions.listing(bot.db, suggestion.listing_message_id)
    try:
        await channel.get_partial_message(suggestion.listing_message_id).edit(
            embed=render_listing(items), view=listing_view(items)
        )
    except discord.HTTPException as exc:  # the change stands; the listing's display is stale
        log.warning("could not edit the listing naming arXiv %s: %s", suggestion.arxiv_id, exc)


async def post_listing(bot: PTMBot, channel: ReviewChannel) -> None:
    """The compact "also above the line" message: every listed suggestion not yet in one (after
    a poll: that poll's papers over its card budget), with the menu that promotes one to a card."""
    items = await actions.unposted_listed(bot.db)
    if not items:
        return
    embed, view = render_listing(items), listing_view(items)
    mentions = discord.AllowedMentions.none()
    if isinstance(channel, discord.ForumChannel):
        post = await channel.create_thread(
            name="Also above the line", embed=embed, view=view_arg(view), allowed_mentions=mentions
        )
        message = post.message
    else:
        message = await channel.send(embed=embed, view=view_arg(view), allowed_mentions=mentions)
    await actions.mark_listing_posted(
        bot.db, [s.id for s in items], channel_id=message.channel.id, message_id=message.id
    )
    log.info("listed %d suggestion(s) above the line in #%s", len(items), channel.name)
