"""Pure renderers for the digest and for members' follows (Discord and ``ptm-bot ask`` alike)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import discord

from bot.catalog.listformat import render_entry
from bot.catalog.model import Entry
from bot.present.render import MessagePayload, make_payload, safe, truncate_lines
from bot.words import counted

if TYPE_CHECKING:
    from bot.digest.follows import FollowView
    from bot.digest.service import Digest

__all__ = [
    "render_digest",
    "render_follow_dm",
    "render_follow_result",
    "render_following",
    "render_paused_notice",
]

DIGEST_COLOUR = discord.Colour(0x3B82F6)
DESCRIPTION_LIMIT = 4000
KIND_NAMES = {"topic": "topic", "author": "author", "org": "organisation", "query": "query"}


def _lines(entries: Sequence[Entry]) -> str:
    """The entries in the list's own line format, cut at a whole line with "… and N more"."""
    blocks = ["\n".join(render_entry(e)) for e in entries]
    out: list[str] = []
    used = 0
    for shown, block in enumerate(blocks):
        more = len(blocks) - shown
        tail = f"… and {more} more (/ptm search)"
        if used + len(block) + 1 > DESCRIPTION_LIMIT - len(tail) - 1 and more > 0:
            out.append(tail)
            break
        out.append(block)
        used += len(block) + 1
    return truncate_lines("\n".join(out), DESCRIPTION_LIMIT)


def _day(moment: datetime) -> str:
    return f"<t:{int(moment.timestamp())}:D>"


def render_digest(digest: Digest, *, period: str, role_id: int | None = None) -> MessagePayload:
    """The digest message: the new lines in the list's format in one short embed; the configured
    role's mention, if any, is the message's only content."""
    if not digest:
        return make_payload(f"Nothing was added to the catalog in the last {period}.", ephemeral=True)
    count = len(digest.entries)
    embed = discord.Embed(
        title=f"{counted(count, 'new entry', 'new entries')} in the catalog",
        description=_lines(digest.entries),
        colour=DIGEST_COLOUR,
    )
    embed.add_field(name="Period", value=f"{_day(digest.since)} – {_day(digest.until)}", inline=False)
    embed.set_footer(text="/ptm model NAME for details · /ptm follow to hear about a topic, author or lab")
    return make_payload(f"<@&{role_id}>" if role_id else None, [embed])


def render_follow_dm(entries: Sequence[Entry], follows: Sequence[FollowView]) -> MessagePayload:
    """One DM per follower per digest period: the matching entries, and what they follow."""
    embed = discord.Embed(
        title=f"New in the catalog for what you follow ({len(entries)})",
        description=_lines(entries),
        colour=DIGEST_COLOUR,
    )
    following = ", ".join(f"{KIND_NAMES[f.kind]} {safe(f.shown)}" for f in follows)
    embed.add_field(name="You follow", value=following[:1024], inline=False)
    embed.set_footer(text="/ptm following to see your follows · /ptm unfollow to stop")
    return make_payload(embeds=[embed])


def render_follow_result(follow: FollowView, *, created: bool, removed: bool = False) -> MessagePayload:
    what = f"{KIND_NAMES[follow.kind]} **{safe(follow.shown)}**"
    if removed:
        text = f"You no longer follow {what}."
    elif created:
        text = (
            f"You now follow {what}: new catalog entries that match reach you by DM, "
            "at most one message per digest period."
        )
    else:
        text = f"You already follow {what}."
    return make_payload(text, ephemeral=True)


def render_following(follows: Sequence[FollowView]) -> MessagePayload:
    if not follows:
        return make_payload(
            "You follow nothing yet. /ptm follow topic speech, /ptm follow author Kaiming He, "
            "/ptm follow org Google or /ptm follow query distillation.",
            ephemeral=True,
        )
    lines = [
        f"• {KIND_NAMES[f.kind]} **{safe(f.shown)}**"
        + (" (paused: your DMs were closed)" if f.paused else "")
        for f in follows
    ]
    embed = discord.Embed(
        title=f"You follow ({len(follows)})", description="\n".join(lines), colour=DIGEST_COLOUR
    )
    if any(f.paused for f in follows):
        embed.set_footer(text="Open your DMs for this server, then /ptm follow anything to resume.")
    return make_payload(embeds=[embed], ephemeral=True)


def render_paused_notice() -> str:
    return (
        "I could not DM you the catalog entries you follow (your DMs are closed), so your follows "
        "are paused. Allow DMs from this server's members, then /ptm follow anything to resume."
    )
