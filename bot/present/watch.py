"""Pure renderers for the watcher's Discord output: poll reports, feed health, health changes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord

from bot.present.render import MessagePayload, fit_embed, safe, truncate
from bot.redact import redact
from bot.watch.report import FeedStatus, PollReport
from db.enums import FeedHealth

__all__ = ["render_feeds", "render_health_changes", "render_poll_report"]

_HEALTH_ICON: dict[str, str] = {  # looked up by a feed's health as stored (a str)
    FeedHealth.OK: "✅",
    FeedHealth.DEGRADED: "🟡",
    FeedHealth.FAILING: "⚠️",
    FeedHealth.DISABLED: "⛔",
}
_SHOWN = 10


def render_poll_report(report: PollReport) -> MessagePayload:
    """What ``/ptm-admin poll`` answers: counts, the suggested papers, and any failed feed."""
    c = report.counts
    embed = discord.Embed(
        title="arXiv poll" + (" (dry run)" if report.dry_run else ""),
        description=(
            f"{c['papers']} papers: {c['new']} new, {c['duplicate']} duplicate, {c['known']} known, "
            + (f"{c['same_title']} same title as an entry, " if c["same_title"] else "")
            + f"{c['replacement']} replacement\n{c['relevant']} relevant, **{c['suggested']} suggested**: "
            f"{c['cards']} as cards, {c['listed']} listed above the line" + _gated_text(c)
        ),
    )
    suggested = sorted((x for x in report.candidates if x.suggest), key=lambda x: -x.score)
    if suggested:
        embed.add_field(name="Suggested", value=_suggested_lines(suggested), inline=False)
    for feed in report.feeds:
        if feed.outcome in ("failed", "partial", "skipped"):
            embed.add_field(
                name=truncate(f"{_HEALTH_ICON.get(feed.health, '•')} {redact(feed.source)}", 256),
                value=truncate(safe(redact(feed.error or feed.outcome)), 1024),
                inline=False,
            )
    return MessagePayload(embeds=[fit_embed(embed)], ephemeral=True)


def _gated_text(c: dict[str, int]) -> str:
    """How the moderators' gates changed this poll (nothing when no gate matched)."""
    parts = []
    if c.get("gated"):
        parts.append(f"{c['gated']} kept out by a never-gate")
    if c.get("gated_always"):
        parts.append(f"{c['gated_always']} put forward by an always-gate")
    return f"\ngates: {', '.join(parts)}" if parts else ""


def _suggested_lines(suggested: Sequence[Any], limit: int = 1024) -> str:
    """One whole line per paper (never cut inside its link), then how many did not fit."""
    lines: list[str] = []
    used = 0
    for index, x in enumerate(suggested[:_SHOWN]):
        rank = f"#{x.rank} " if x.rank is not None else ""
        listed = " (listed)" if x.placement == "listed" else ""
        line = f"{rank}`{x.score:.2f}` [{safe(truncate(x.title, 120))}]({x.url}) — {safe(truncate(x.name, 80))}{listed}"
        rest = len(suggested) - index - 1
        # Room for this line and, if papers remain after it, for the "… and N more" line.
        tail = len(f"\n… and {rest} more") if rest else 0
        separator = 1 if lines else 0
        if used + separator + len(line) + tail > limit:
            break
        lines.append(line)
        used += separator + len(line)
    if len(lines) < len(suggested):
        lines.append(f"… and {len(suggested) - len(lines)} more")
    return truncate("\n".join(lines), limit)


def render_feeds(feeds: Sequence[Any]) -> MessagePayload:
    """What ``/ptm-admin feeds`` answers: every feed row's health."""
    if not feeds:
        return MessagePayload(content="No feed has been polled yet.", ephemeral=True)
    embed = discord.Embed(title="Feeds (arXiv, and Hugging Face Daily Papers when configured)")
    for f in feeds[:25]:
        last_ok = discord.utils.format_dt(f.last_ok_at, "R") if f.last_ok_at else "never"
        value = f"{f.health}; last success {last_ok}; {f.polls} polls"
        if f.consecutive_failures:
            value += f"; {f.consecutive_failures} straight failure(s)"
        if f.last_error:
            value += f"\nlast error: {safe(redact(f.last_error))}"
        embed.add_field(
            name=truncate(f"{_HEALTH_ICON.get(f.health, '•')} {redact(f.url)}", 256),
            value=truncate(value, 1024),
            inline=False,
        )
    return MessagePayload(embeds=[fit_embed(embed)], ephemeral=True)


def render_health_changes(changes: Sequence[FeedStatus]) -> str:
    """The one-time announcement in the review channel when feeds change health."""
    lines = ["arXiv feed health changed:"]
    for change in changes:
        line = f"{_HEALTH_ICON.get(change.health, '•')} `{redact(change.source)}` is now **{change.health}**"
        error = redact(change.error or "")
        if change.health == FeedHealth.DEGRADED and error:
            line += f" (papers lost: {safe(truncate(error, 200))})"
        elif change.health != FeedHealth.OK and error:
            line += (
                f" ({change.consecutive_failures} straight failure(s); last: {safe(truncate(error, 200))})"
            )
        lines.append(line)
    if any(c.health == FeedHealth.DISABLED for c in changes):
        lines.append("Disabled feeds are no longer polled; see `/ptm-admin feeds`.")
    return truncate("\n".join(lines), 2000)
