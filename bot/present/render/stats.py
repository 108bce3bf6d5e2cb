"""``/ptm stats``: the catalog's counts by kind, year and topic, with the chart attached."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import discord

from bot.catalog.topics import topic_label
from bot.present.render.markup import COLOUR, safe
from bot.present.render.payload import Attachment, MessagePayload, make_payload

__all__ = ["CHART_FILENAME", "render_stats"]

CHART_FILENAME = "ptm-stats.png"


def _counts(pairs: Iterable[tuple[str, int]], *, sep: str = " · ") -> str:
    return sep.join(f"{name} **{count}**" for name, count in pairs)


def render_stats(stats: Mapping[str, Any], *, chart: bytes | None = None) -> MessagePayload:
    """``/ptm stats``: counts by kind, topic and year; the chart (PNG bytes) as the embed's image."""
    kinds = stats.get("kinds", {})
    embed = discord.Embed(
        title="Catalog statistics",
        description=f"**{stats.get('total', 0)}** entries: "
        + ", ".join(f"{count} {kind}s" for kind, count in kinds.items()),
        colour=COLOUR,
    )
    years = stats.get("years", {})
    if years:
        embed.add_field(name="By year", value=_counts((str(y), c) for y, c in years.items()), inline=False)
    if stats.get("undated"):
        embed.add_field(name="Undated", value=str(stats["undated"]))
    topics = stats.get("topics", {})
    if topics:
        embed.add_field(
            name="By topic",
            value=_counts(((safe(topic_label(t)), c) for t, c in topics.items()), sep="\n"),
            inline=False,
        )
    files: list[Attachment] = []
    if chart is not None:
        files.append(Attachment(CHART_FILENAME, chart, "Entries per year, stacked by topic"))
        embed.set_image(url=f"attachment://{CHART_FILENAME}")
    return make_payload(embeds=[embed], files=files)
