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
from typing import TYPE_CHECKING

import discord

from bot.client.review.channels import view_arg
from bot.client.votes import digest_vote_view
from bot.digest import actions as digest_actions
from bot.digest import follows as follow_service
from bot.digest import service as digest_service
from bot.present.digest import render_digest, render_follow_dm

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
    if digest:
        channel = digest_channel(bot)
        if config.channel is not None and channel is None:
            log.warning("digest.channel %r not found; the digest waits for the next run", config.channel)
            return run
        if channel is not None:
            role = digest_role(channel, config.role)
            if config.role is not None and role is None:
                log.warning(
                    "digest.role %r not found in %s; posting without a mention", config.role, channel.guild
                )
            payload = render_digest(
                digest, period=PERIOD_WORDS[config.every], role_id=role.id if role else None
            )
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
            except discord.HTTPException as exc:  # not recorded: the next run posts it
                log.warning("could not post the digest in #%s: %s", channel, exc)
                return run
    await digest_actions.record_posted(bot.db, until)
    if digest:
        log.info("digest of %d entries posted", len(digest.entries))
        await _send_dms(bot, digest, followers, run)
    return run


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
