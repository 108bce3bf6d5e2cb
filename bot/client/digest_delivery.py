"""Delivering the digest (Discord I/O): the public post, then one DM per follower.

One run covers the window since the previous digest (``digest.posted_until`` in the ``meta``
table), so every approved entry is in exactly one digest and reaches each follower at most once.
Nothing is posted when nothing was added. The digest's role mention is the only mention the bot
ever makes: allowed explicitly for that one role, nothing else. DMs are paced
(``digest.dm_interval_seconds``); a member whose DMs are closed has their follows paused (and is
told at their next command, see ``cogs/digest.py``). What it reads and records goes through the
digest's door, :mod:`bot.digest.actions`.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord

from bot.client.review.channels import channel_named, route_role, view_arg
from bot.client.votes import digest_vote_view
from bot.config import RouteConfig
from bot.digest import actions as digest_actions
from bot.digest import follows as follow_service
from bot.digest import service as digest_service
from bot.present.digest import render_digest, render_follow_dm
from bot.review import route_store
from bot.review.routes import route_for

if TYPE_CHECKING:
    from bot.client.bot import PTMBot

log = logging.getLogger(__name__)

__all__ = ["DigestRun", "deliver_digest", "digest_channel", "digest_role"]

PERIOD_WORDS = {"daily": "day", "weekly": "7 days"}
CANNOT_DM = 50007  # Discord: "Cannot send messages to this user" (DMs closed, or no shared server)


@dataclass
class DigestRun:
    entries: int = 0
    posted: discord.Message | None = None
    dms: list[int] = field(default_factory=list)  # members DMed
    paused: list[int] = field(default_factory=list)  # members whose DMs were closed


def digest_channel(bot: PTMBot) -> discord.TextChannel | None:
    """``digest.channel`` by id or by name (case-insensitive, a leading '#' ignored)."""
    wanted = bot.config.digest.channel
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


def digest_role(channel: discord.TextChannel, wanted: int | str | None) -> discord.Role | None:
    if wanted is None:
        return None
    if isinstance(wanted, int):
        return channel.guild.get_role(wanted)
    name = wanted.lstrip("@").casefold()
    return discord.utils.find(lambda r: r.name.casefold() == name, channel.guild.roles)


async def deliver_digest(bot: PTMBot, *, now: datetime | None = None) -> DigestRun:
    """Post the digest of the period that just ended and DM the followers; see the module doc."""
    config = bot.config.digest
    until = now or datetime.now(UTC)
    due = await digest_actions.due(bot.db, now=until, period=timedelta(days=config.period_days))
    digest, followers, until = due.digest, due.followers, due.until
    run = DigestRun(entries=len(digest.entries))
    if digest and not await _post_all(bot, digest, run):
        return run  # not recorded: the next run posts it
    await digest_actions.record_posted(bot.db, until)
    if digest:
        log.info("digest of %d entries posted", len(digest.entries))
        await _send_dms(bot, digest, followers, run)
    return run


async def _post_all(bot: PTMBot, digest: digest_service.Digest, run: DigestRun) -> bool:
    """The digest posted: each ``[[routes]]`` part (a topic's entries) in its route's channel with
    its role, the rest in ``digest.channel``. False when the digest channel is missing or a post
    failed (nothing recorded: the next run posts it again)."""
    config = bot.config.digest
    routes = [r.route for r in await route_store.routes_in_force(bot.db, bot.config)]
    parts = _route_parts(bot, digest, routes)
    rest = digest_service.Digest(digest.since, digest.until, *_rest(digest, parts))
    for routed_channel, routed_role, part in parts:
        if not await _post(routed_channel, part, routed_role, config.every, run):
            return False
    if not rest:
        return True
    channel = digest_channel(bot)
    if config.channel is not None and channel is None:
        log.warning("digest.channel %r not found; the digest waits for the next run", config.channel)
        return False
    if channel is None:
        return True
    role = digest_role(channel, config.role)
    if config.role is not None and role is None:
        log.warning("digest.role %r not found in %s; posting without a mention", config.role, channel.guild)
    return await _post(channel, rest, role, config.every, run)


def _route_parts(
    bot: PTMBot, digest: digest_service.Digest, routes: list[RouteConfig]
) -> list[tuple[discord.TextChannel, discord.Role | None, digest_service.Digest]]:
    """The digest's entries by the first route each takes (routes whose channel is found)."""
    chosen: dict[int, list[int]] = {}
    for n, entry in enumerate(digest.entries):
        text = " ".join(filter(None, (entry.name, entry.paper_title, entry.description)))
        route = route_for(routes, topics=entry.topics, title=text, abstract="", purpose="digest")
        if route is not None:
            chosen.setdefault(routes.index(route), []).append(n)
    parts = []
    for index, positions in chosen.items():
        route = routes[index]
        channel = channel_named(bot, route.channel)
        if not isinstance(channel, discord.TextChannel):
            log.warning(
                "route %r: channel %r not found; its entries go to the digest channel",
                route.topic or route.query,
                route.channel,
            )
            continue
        entries = tuple(digest.entries[n] for n in positions)
        ids = tuple(digest.ids[n] for n in positions) if digest.ids else ()
        parts.append(
            (
                channel,
                route_role(channel.guild, route.role),
                digest_service.Digest(digest.since, digest.until, entries, ids),
            )
        )
    return parts


def _rest(
    digest: digest_service.Digest,
    parts: list[tuple[discord.TextChannel, discord.Role | None, digest_service.Digest]],
) -> tuple[tuple[Any, ...], tuple[int, ...]]:
    routed_ids = {id(e) for _, _, part in parts for e in part.entries}
    keep = [n for n, e in enumerate(digest.entries) if id(e) not in routed_ids]
    ids = tuple(digest.ids[n] for n in keep) if digest.ids else ()
    return tuple(digest.entries[n] for n in keep), ids


async def _post(
    channel: discord.TextChannel,
    digest: digest_service.Digest,
    role: discord.Role | None,
    every: str,
    run: DigestRun,
) -> bool:
    payload = render_digest(digest, period=PERIOD_WORDS[every], role_id=role.id if role else None)
    # The one mention the bot makes: this role, explicitly, and nothing else.
    mentions = (
        discord.AllowedMentions(everyone=False, users=False, replied_user=False, roles=[role])
        if role is not None
        else discord.AllowedMentions.none()
    )
    try:
        run.posted = await channel.send(
            content=payload.content,
            embeds=payload.embeds,
            allowed_mentions=mentions,
            view=view_arg(digest_vote_view(digest.hits())),  # members vote for its entries here
        )
    except discord.HTTPException as exc:
        log.warning("could not post the digest in #%s: %s", channel, exc)
        return False
    return True


async def _send_dms(
    bot: PTMBot,
    digest: digest_service.Digest,
    followers: dict[int, list[follow_service.FollowView]],
    run: DigestRun,
) -> None:
    for member_id, follows in followers.items():
        entries = follow_service.matching_entries(follows, digest.entries)
        if not entries:
            continue
        if run.dms or run.paused:
            await asyncio.sleep(bot.config.digest.dm_interval_seconds)
        payload = render_follow_dm(entries, follows)
        try:
            user = bot.get_user(member_id) or await bot.fetch_user(member_id)
            await user.send(embeds=payload.embeds, allowed_mentions=discord.AllowedMentions.none())
        except discord.Forbidden as exc:
            if exc.code != CANNOT_DM:
                log.warning("could not DM member %s their follows: %s", member_id, exc)
                continue
            log.info("DMs of member %s are closed; their follows are paused", member_id)
            await digest_actions.pause_follows(bot.db, member_id, now=datetime.now(UTC))
            run.paused.append(member_id)
            continue
        except discord.HTTPException as exc:
            log.warning("could not DM member %s their follows: %s", member_id, exc)
            continue
        run.dms.append(member_id)
