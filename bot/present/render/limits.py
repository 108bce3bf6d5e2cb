"""Discord's limits and keeping within them: text cut with an ellipsis (:func:`truncate`,
:func:`truncate_lines`), list lines that share a room (:func:`fit_lines`) and a whole embed
shortened part by part (:func:`fit_embed`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import discord

__all__ = [
    "AUTHOR_LIMIT",
    "CONTENT_LIMIT",
    "DESCRIPTION_LIMIT",
    "ELLIPSIS",
    "EMBED_TOTAL_LIMIT",
    "FIELD_COUNT_LIMIT",
    "FIELD_NAME_LIMIT",
    "FIELD_VALUE_LIMIT",
    "FOOTER_LIMIT",
    "KEPT_DESCRIPTION",
    "SHORT_FOOTER",
    "TITLE_LIMIT",
    "fit_embed",
    "fit_lines",
    "truncate",
    "truncate_lines",
]

# Discord's limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits).
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_COUNT_LIMIT = 25
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FOOTER_LIMIT = 2048
AUTHOR_LIMIT = 256
EMBED_TOTAL_LIMIT = 6000
CONTENT_LIMIT = 2000

ELLIPSIS = "…"
# What fit_embed keeps of a footer and a description when an embed is over the total.
SHORT_FOOTER = 200
KEPT_DESCRIPTION = 2000


def truncate(text: str, limit: int) -> str:
    """*text* cut to at most *limit* characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    if limit <= 0:
        return ""
    cut = text[: limit - 1]
    # Do not leave a dangling escape backslash before the ellipsis.
    if cut.endswith("\\") and not cut.endswith("\\\\"):
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def truncate_lines(text: str, limit: int) -> str:
    """Like :func:`truncate`, but cut at a line break when one is close, so list lines stay whole."""
    if len(text) <= limit:
        return text
    head = text[: limit - 2]
    newline = head.rfind("\n")
    if newline >= limit // 2:
        return head[:newline] + "\n" + ELLIPSIS
    return truncate(text, limit)


def fit_lines(
    items: Sequence[Any], render_item: Callable[[Any, int], str], *, room: int = 4096, reserved: int = 0
) -> list[str]:
    """One line per item, every item shown, together within *room* characters (minus *reserved*).

    *render_item(item, limit)* builds an item's line with each piece of external text cut to *limit*
    characters before it is escaped; a *limit* of 0 means "no link, shortest form". Each item gets
    an equal share of the room and is rendered again with a smaller limit until it fits, so a cut is
    always inside plain text, never inside markdown (a link, bold, an escape).
    """
    if not items:
        return []
    share = (room - reserved - (len(items) - 1)) // len(items)  # newlines between lines
    lines = []
    for item in items:
        limit = max(share, 1)
        line = render_item(item, limit)
        while len(line) > share and limit > 8:
            limit = max(8, limit - max(len(line) - share, limit // 4))
            line = render_item(item, limit)
        if len(line) > share:
            line = render_item(item, 0)
        if len(line) > share:  # not even the shortest form fits: plain text, cut
            line = truncate(render_item(item, 0).replace("*", "").replace("[", "").replace("]", ""), share)
        lines.append(line)
    return lines


def _embed_length(embed: discord.Embed) -> int:
    # The same accounting Discord does: title, description, field names and values, footer, author.
    return len(embed)


def fit_embed(embed: discord.Embed) -> discord.Embed:
    """Shorten *embed* in place (and return it) so Discord accepts it.

    Per-part limits first (title 256, description 4096, 25 fields of name 256 / value 1024, footer
    2048, author 256), then the 6000-character total: the description gives way first, then the
    last fields, each cut marked with an ellipsis.
    """
    if embed.title:
        embed.title = truncate(embed.title, TITLE_LIMIT)
    if embed.description:
        embed.description = truncate_lines(embed.description, DESCRIPTION_LIMIT)
    if embed.author and embed.author.name:
        embed.set_author(
            name=truncate(embed.author.name, AUTHOR_LIMIT),
            url=embed.author.url,
            icon_url=embed.author.icon_url,
        )
    fields = [(f.name or "", f.value or "", bool(f.inline)) for f in embed.fields]
    dropped = max(0, len(fields) - FIELD_COUNT_LIMIT)
    if dropped:
        fields = fields[: FIELD_COUNT_LIMIT - 1]
        dropped += 1
    embed.clear_fields()
    for name, value, inline in fields:
        embed.add_field(
            name=truncate(name, FIELD_NAME_LIMIT) or "\u200b",
            value=truncate_lines(value, FIELD_VALUE_LIMIT) or "\u200b",
            inline=inline,
        )
    if dropped:
        embed.add_field(name="\u200b", value=f"{ELLIPSIS} and {dropped} more", inline=False)
    if embed.footer and embed.footer.text:
        embed.set_footer(text=truncate(embed.footer.text, FOOTER_LIMIT), icon_url=embed.footer.icon_url)

    # Over the total: shorten the footer, then the description (keeping a useful part of it), then
    # the last fields, and finally whatever of the description is still too long.
    excess = _embed_length(embed) - EMBED_TOTAL_LIMIT
    footer = embed.footer.text if embed.footer else None
    if excess > 0 and footer and len(footer) > SHORT_FOOTER:
        embed.set_footer(
            text=truncate(footer, max(SHORT_FOOTER, len(footer) - excess)), icon_url=embed.footer.icon_url
        )
        excess = _embed_length(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description and len(embed.description) > KEPT_DESCRIPTION:
        keep = max(KEPT_DESCRIPTION, len(embed.description) - excess - 1)
        embed.description = truncate_lines(embed.description, keep)
        excess = _embed_length(embed) - EMBED_TOTAL_LIMIT
    while excess > 0 and embed.fields:
        last = embed.fields[-1]
        value = last.value or ""
        if len(value) > excess + 2:
            embed.set_field_at(
                len(embed.fields) - 1,
                name=last.name,
                value=truncate_lines(value, len(value) - excess - 1),
                inline=bool(last.inline),
            )
        else:
            embed.remove_field(len(embed.fields) - 1)
        excess = _embed_length(embed) - EMBED_TOTAL_LIMIT
    if excess > 0 and embed.description:
        embed.description = truncate(embed.description, max(1, len(embed.description) - excess - 1))
    if excess > 0 and embed.footer and embed.footer.text:
        embed.set_footer(text=truncate(embed.footer.text, max(1, len(embed.footer.text) - excess)))
    return embed
