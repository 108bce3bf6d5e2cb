"""Where review cards go: the configured review channel (a text channel, or a forum with one post
per card), and a channel or thread looked up by id."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

import discord

from bot.config import RouteConfig
from bot.review.routes import route_for

if TYPE_CHECKING:
    from bot.client.bot import PTMBot
    from bot.review.service import SuggestionView

log = logging.getLogger(__name__)

__all__ = [
    "ReviewChannel",
    "channel_named",
    "fetch_channel",
    "review_channel",
    "review_destination",
    "route_role",
    "routed",
    "view_arg",
]

ReviewChannel = discord.TextChannel | discord.ForumChannel


def view_arg(view: discord.ui.View | None) -> discord.ui.View:
    """*view* as discord.py's overloads of ``send`` and ``ForumChannel.create_thread`` type their
    ``view=``: they leave out None, which the implementations take (``Optional[BaseView]``: no
    components, a card with no buttons). The cast is that gap in the stubs, nothing more."""
    return cast(discord.ui.View, view)


async def fetch_channel(bot: PTMBot, channel_id: int) -> object:
    """A channel or thread by id: from the cache, else from Discord (an archived thread is not cached)."""
    channel = bot.get_channel(channel_id)
    if channel is not None:
        return channel
    try:
        return await bot.fetch_channel(channel_id)
    except discord.HTTPException:
        return None


def review_channel(bot: PTMBot) -> discord.TextChannel | None:
    """The configured review channel, by id or by name (case-insensitive, a leading '#' ignored;
    the configured guilds are searched first), when it is a text channel. One resolver for
    suggestions and announcements."""
    channel = review_destination(bot)
    return channel if isinstance(channel, discord.TextChannel) else None


def review_destination(bot: PTMBot) -> ReviewChannel | None:
    """The configured review channel: a text channel or a forum (one post per card)."""
    return channel_named(bot, bot.config.discord.review_channel)


def routed(
    bot: PTMBot, item: SuggestionView, routes: Sequence[RouteConfig]
) -> tuple[ReviewChannel, discord.Role | None, str] | None:
    """Where ``[[routes]]`` sends this paper's card, and the route's role to mention; None: the
    review channel (no route matches, or the route's channel is not found: logged)."""
    route = route_for(
        routes,
        topics=item.proposed_topics,
        title=item.title,
        abstract=item.abstract,
        purpose="cards",
    )
    if route is None:
        return None
    channel = channel_named(bot, route.channel)
    if channel is None:
        log.warning(
            "route %r: channel %r not found; the card goes to the review channel",
            route.topic or route.query,
            route.channel,
        )
        return None
    return channel, route_role(channel.guild, route.role), route.tag


def route_role(guild: discord.Guild, wanted: int | str | None) -> discord.Role | None:
    if wanted is None:
        return None
    if isinstance(wanted, int):
        return guild.get_role(wanted)
    name = wanted.lstrip("@").casefold()
    return next((r for r in guild.roles if r.name.casefold() == name), None)


def channel_named(bot: PTMBot, wanted: int | str | None) -> ReviewChannel | None:
    """A text channel or forum by id, or by name (case-insensitive, a leading '#' ignored; the
    configured guilds are searched first)."""
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
