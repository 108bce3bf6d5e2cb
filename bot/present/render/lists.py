"""Lists of entries, a page at a time (``/ptm search``, ``recent``, ``org``, ...): numbered lines
that share the embed's room, and a "Showing a–b of n" footer."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import discord

from bot.present.render.entries import entry_line
from bot.present.render.limits import DESCRIPTION_LIMIT, fit_lines, truncate_lines
from bot.present.render.markup import COLOUR
from bot.present.render.payload import MessagePayload, make_payload
from db.counts import AtLeast

if TYPE_CHECKING:
    from bot.catalog.model import EntryHit

__all__ = ["page_count", "render_entry_list"]


def page_count(total: int, per_page: int) -> int:
    return max(1, math.ceil(total / max(1, per_page)))


def render_entry_list(
    title: str,
    hits: Sequence[EntryHit],
    total: int,
    page: int,
    per_page: int,
    *,
    description: str | None = None,
) -> MessagePayload:
    """A numbered list of entries (one page of *total*), with a "Showing a–b of n" footer.

    *title* and *description* are ours (callers escape user text they put into them).
    """
    pages = page_count(total, per_page)
    first = page * per_page
    if description:
        description = truncate_lines(description, DESCRIPTION_LIMIT // 4)
    lines = fit_lines(
        list(enumerate(hits)),
        lambda pair, limit: f"{first + pair[0] + 1}. {entry_line(pair[1].entry, limit=limit)}",
        room=DESCRIPTION_LIMIT,
        reserved=len(description) + 2 if description else 0,
    )
    body = "\n".join(lines) if lines else "Nothing on this page."
    if description:
        body = f"{description}\n\n{body}"
    embed = discord.Embed(title=title, description=body, colour=COLOUR)
    if hits:
        footer = f"Showing {first + 1}–{first + len(hits)} of {total}"  # "2000+" for an AtLeast count
        if pages > 1:
            footer += f" · page {page + 1}/{pages}"
        remaining = total - (first + len(hits))
        if remaining > 0:
            footer += f" · {remaining}{'+' if isinstance(total, AtLeast) else ''} more"
        embed.set_footer(text=footer)
    return make_payload(embeds=[embed], page=page, page_count=pages)
