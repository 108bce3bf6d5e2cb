"""Pure renderers: catalog data in, a :class:`MessagePayload` (content + embeds) out.

The same functions serve Discord (the cogs send the payload) and the terminal (``ptm-bot ask``
prints :func:`render_text` or :meth:`MessagePayload.to_dict`), so both show the same thing.

Everything that comes from the catalog or from a user is external text: it is escaped with
:func:`safe` (markdown and mentions) before it goes into a message, and every message respects
Discord's limits (:func:`fit_embed`, :func:`truncate`), shortening with an ellipsis.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import discord

from bot.catalog.listformat import full_paper_title
from bot.catalog.topics import topic_label
from db.counts import AtLeast

if TYPE_CHECKING:
    from bot.catalog.model import EntryHit

__all__ = [
    "CONTENT_LIMIT",
    "EMBED_TOTAL_LIMIT",
    "Attachment",
    "MessagePayload",
    "fit_embed",
    "link",
    "render_empty",
    "render_entry_list",
    "render_model",
    "render_model_embed",
    "render_not_found",
    "render_stats",
    "render_tagged",
    "render_text",
    "safe",
    "short_authors",
    "truncate",
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
COLOUR = discord.Colour(0x3B82F6)
SHOWN_AUTHORS = 3
RELATED_SHOWN = 10
CHART_FILENAME = "ptm-stats.png"


# --------------------------------------------------------------------------------------------
# The payload


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to attach, as plain bytes (a ``discord.File`` is single-use, so it is made at send time)."""

    filename: str
    data: bytes
    description: str | None = None

    def to_file(self) -> discord.File:
        return discord.File(io.BytesIO(self.data), filename=self.filename, description=self.description)


@dataclass(slots=True)
class MessagePayload:
    """What one reply shows: the shared result of a handler, for Discord and for ``ptm-bot ask``."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    ephemeral: bool = False
    files: list[Attachment] = field(default_factory=list)
    view: discord.ui.View | None = None
    # Paging: which page this is (0-based) and how many there are. The cog adds Prev/Next buttons
    # when ``page_count > 1``.
    page: int = 0
    page_count: int = 1

    def to_dict(self) -> dict[str, Any]:
        """``{content, embeds, ephemeral}`` (+ ``files`` when there are attachments), JSON-ready."""
        out: dict[str, Any] = {
            "content": self.content,
            "embeds": [embed.to_dict() for embed in self.embeds],
            "ephemeral": self.ephemeral,
        }
        if self.files:
            out["files"] = [{"filename": f.filename, "size": len(f.data)} for f in self.files]
        if self.page_count > 1:
            out["page"] = self.page + 1
            out["pages"] = self.page_count
        return out

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``InteractionResponse.send_message`` / ``Webhook.send``."""
        kwargs: dict[str, Any] = {"ephemeral": self.ephemeral}
        if self.content:
            kwargs["content"] = self.content
        if self.embeds:
            kwargs["embeds"] = self.embeds
        if self.files:
            kwargs["files"] = [f.to_file() for f in self.files]
        if self.view is not None:
            kwargs["view"] = self.view
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``InteractionResponse.edit_message`` (page turns)."""
        return {"content": self.content, "embeds": self.embeds, "view": self.view}


# --------------------------------------------------------------------------------------------
# Text helpers


def safe(text: str | None) -> str:
    """Escape markdown and neutralise @everyone/@here/user/role mentions in external text."""
    if not text:
        return ""
    return discord.utils.escape_mentions(discord.utils.escape_markdown(text))


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


_URL_OK = re.compile(r"^https?://[^\s<>\"]+$")


def clean_url(url: str | None) -> str | None:
    """*url* if Discord would accept it in a link or an embed's ``url``; otherwise ``None``."""
    if not url:
        return None
    url = url.strip()
    if not _URL_OK.match(url) or len(url) > 2000:
        return None
    return url


_BARE_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")


def link(text: str, url: str | None) -> str:
    """A markdown link with escaped text (or just the escaped text when the URL is unusable)."""
    # Brackets end the link text: escape those that safe() left bare (it escapes a "[" that
    # starts a markdown link itself, and escaping that one again would show a backslash).
    shown = _BARE_BRACKET.sub(r"\1\\\2", safe(text))
    target = clean_url(url)
    if target is None:
        return shown
    target = target.replace("(", "%28").replace(")", "%29")
    return f"[{shown}]({target})"


def short_authors(authors: Sequence[str], shown: int = SHOWN_AUTHORS) -> str:
    """``A, B, C et al. (12 authors)``: the first few names, then a count."""
    names = [a for a in authors if a]
    if not names:
        return ""
    if len(names) <= shown + 1:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} et al. ({len(names)} authors)"


def _topics(slugs: Iterable[str]) -> str:
    return ", ".join(safe(topic_label(s)) for s in slugs)


# --------------------------------------------------------------------------------------------
# Limits


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


def make_payload(
    content: str | None = None,
    embeds: Sequence[discord.Embed] = (),
    *,
    ephemeral: bool = False,
    files: Sequence[Attachment] = (),
    page: int = 0,
    page_count: int = 1,
) -> MessagePayload:
    return MessagePayload(
        content=truncate(content, CONTENT_LIMIT) if content else None,
        embeds=[fit_embed(e) for e in embeds],
        ephemeral=ephemeral,
        files=list(files),
        page=page,
        page_count=page_count,
    )


# --------------------------------------------------------------------------------------------
# Renderers


def _date(entry: Any) -> str | None:
    return entry.date


def _entry_line(entry: Any, *, with_title: bool = True, limit: int | None = None) -> str:
    """``**Name** · 2020-10 · Org — [Paper title](url)``, one line per entry in lists.

    *limit* (see :func:`fit_lines`) cuts the name, org and title before they are escaped; 0 gives
    the shortest form (no link, no title).
    """
    cut = (lambda text: text) if limit is None else (lambda text: truncate(text, max(limit, 8)))
    name = safe(cut(entry.name))
    parts = [f"**{name}**"]
    if date := _date(entry):
        parts.append(date)
    if entry.org:
        parts.append(safe(cut(entry.org)))
    line = " · ".join(parts)
    if not with_title or limit == 0:
        return line
    title = full_paper_title(entry)
    if title and _same(title, entry.name):
        # Surveys are named by their title: link the name instead of repeating it.
        return line.replace(f"**{name}**", f"**{link(cut(entry.name), entry.paper_url)}**", 1)
    room = 150 if limit is None else min(150, limit)
    if title:
        line += " — " + link(truncate(title, room), entry.paper_url)
    elif entry.description and not _same(entry.description, entry.name):
        line += " — " + safe(truncate(" ".join(entry.description.split()), room))
    return line


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def render_model_embed(hit: EntryHit, related: Sequence[EntryHit] = ()) -> discord.Embed:
    """One catalog entry as an embed: name, date, org, linked paper, authors, docs, topics, related."""
    entry = hit.entry
    embed = discord.Embed(
        title=safe(entry.name), url=clean_url(entry.docs_url) or clean_url(entry.paper_url), colour=COLOUR
    )
    lines: list[str] = []
    title = full_paper_title(entry)
    if title:
        lines.append(link(title, entry.paper_url))
    elif entry.paper_url:
        lines.append(link("Paper", entry.paper_url))
    if entry.description and str(entry.kind) != "model":
        lines.append(safe(entry.description))
    if lines:
        embed.description = "\n\n".join(lines)

    if entry.date:
        embed.add_field(name="Date", value=entry.date)
    if entry.org:
        embed.add_field(name="Organisation", value=safe(entry.org))
    if str(entry.kind) != "model":
        embed.add_field(name="Kind", value=str(entry.kind))
    if entry.arxiv_id:
        embed.add_field(name="arXiv", value=link(entry.arxiv_id, f"https://arxiv.org/abs/{entry.arxiv_id}"))
    if entry.authors:
        embed.add_field(name="Authors", value=safe(short_authors(entry.authors)), inline=False)
    if entry.docs_url and clean_url(entry.docs_url):
        embed.add_field(name="Docs", value=link("Documentation", entry.docs_url))
    if entry.topics:
        embed.add_field(name="Topics", value=_topics(entry.topics), inline=False)
    # Not the entry's own name, nor another entry's (LED answers to "Longformer", its paper's name).
    taken = {entry.name.casefold(), *(r.entry.name.casefold() for r in related)}
    aliases = [a for a in entry.aliases if a.casefold() not in taken]
    if aliases:
        embed.add_field(name="Also known as", value=safe(", ".join(aliases)), inline=False)
    if related:
        shown = [_entry_line(r.entry, with_title=False) for r in related[:RELATED_SHOWN]]
        if len(related) > RELATED_SHOWN:
            shown.append(f"{ELLIPSIS} and {len(related) - RELATED_SHOWN} more")
        embed.add_field(name="Related", value="\n".join(shown), inline=False)
    if entry.section:
        embed.set_footer(text=f"Section: {entry.section}")
    return embed


def render_model(hit: EntryHit, related: Sequence[EntryHit] = ()) -> MessagePayload:
    """The answer to ``/ptm model``: one embed for the best match."""
    return make_payload(embeds=[render_model_embed(hit, related)])


def render_not_found(name: str, suggestions: Sequence[str] = (), *, what: str = "model") -> MessagePayload:
    """Private "not found" line naming the closest matches."""
    text = f"No {what} called **{safe(truncate(name.strip(), 100))}** in the catalog."
    if suggestions:
        text += " Did you mean " + ", ".join(f"**{safe(s)}**" for s in suggestions[:5]) + "?"
    return make_payload(text, ephemeral=True)


def render_empty(text: str) -> MessagePayload:
    """A private one-line answer when there is nothing to show (*text* is ours, not escaped)."""
    return make_payload(text, ephemeral=True)


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
        lambda pair, limit: f"{first + pair[0] + 1}. {_entry_line(pair[1].entry, limit=limit)}",
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


def render_tagged(hit: EntryHit) -> MessagePayload:
    """Confirmation for ``/ptm-admin tag``."""
    topics = _topics(hit.entry.topics) or "no topics"
    return make_payload(f"Topics of **{safe(hit.entry.name)}** are now: {topics}.", ephemeral=True)


# --------------------------------------------------------------------------------------------
# Text rendering (what ``ptm-bot ask`` prints)

_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\((\S+?)\)")
_ESCAPE = re.compile(r"\\([\\*_`~|>\[\]()#@<:-])")


def _plain(text: str) -> str:
    """Markdown as a terminal shows it: links as ``text <url>``, escapes and zero-width spaces removed."""
    text = _LINK.sub(lambda m: f"{m.group(1)} <{m.group(2).replace('%28', '(').replace('%29', ')')}>", text)
    text = text.replace("**", "")
    text = _ESCAPE.sub(r"\1", text)
    return text.replace("\u200b", "")


def render_text(payload: MessagePayload) -> str:
    """A readable, plain-text rendering of *payload*: content, then each embed, then attachments."""
    out: list[str] = []
    if payload.content:
        out.append(_plain(payload.content))
    for embed in payload.embeds:
        if out:
            out.append("")
        if embed.title:
            title = _plain(embed.title)
            out.append(f"{title} <{embed.url}>" if embed.url else title)
            out.append("=" * min(len(title), 72))
        if embed.description:
            out.append(_plain(embed.description))
        for f in embed.fields:
            value = _plain(f.value or "")
            name = _plain(f.name or "")
            if "\n" in value or not name.strip():
                out.append(f"{name}:" if name.strip() else "")
                out.extend("  " + line for line in value.splitlines())
            else:
                out.append(f"{name}: {value}")
        if embed.image and embed.image.url:
            out.append(f"[image: {embed.image.url}]")
        if embed.footer and embed.footer.text:
            out.append(f"-- {_plain(embed.footer.text)}")
    for attachment in payload.files:
        out.append(f"[attachment: {attachment.filename}, {len(attachment.data)} bytes]")
    if payload.page_count > 1:
        out.append(f"[page {payload.page + 1}/{payload.page_count}: Prev/Next buttons in Discord]")
    if payload.ephemeral:
        out.append("(only you can see this)")
    return "\n".join(out).strip("\n")
