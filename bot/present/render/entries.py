"""Catalog entries: an entry's line in a list, its card (``/ptm model``), "not found", an empty
answer and the tag confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord

from bot.catalog.listformat import full_paper_title
from bot.present.hub import HUB_FIELD, hub_buttons, hub_text
from bot.present.render.limits import ELLIPSIS, truncate
from bot.present.render.markup import COLOUR, clean_url, link, safe, short_authors, topic_names
from bot.present.render.payload import MessagePayload, make_payload

if TYPE_CHECKING:
    from bot.catalog.model import EntryHit
    from bot.enrich.paper import HubPaper

__all__ = [
    "RELATED_SHOWN",
    "entry_line",
    "paper_link",
    "render_empty",
    "render_model",
    "render_model_embed",
    "render_not_found",
    "render_tagged",
]

RELATED_SHOWN = 10


def _date(entry: Any) -> str | None:
    return entry.date


def entry_line(entry: Any, *, with_title: bool = True, limit: int | None = None) -> str:
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
        return line.replace(f"**{name}**", f"**{link(cut(entry.name), paper_link(entry))}**", 1)
    room = 150 if limit is None else min(150, limit)
    if title:
        line += " — " + link(truncate(title, room), paper_link(entry))
    elif entry.description and not _same(entry.description, entry.name):
        line += " — " + safe(truncate(" ".join(entry.description.split()), room))
    return line


def paper_link(entry: Any) -> str | None:
    """The one link shown for an entry's paper: arXiv's abs page when the paper is on arXiv (whatever
    form the list used: ``.pdf``, a version), else the list's own URL. The export keeps the list's."""
    if entry.arxiv_id:
        return f"https://arxiv.org/abs/{entry.arxiv_id}"
    return clean_url(entry.paper_url)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def render_model_embed(hit: EntryHit, related: Sequence[EntryHit] = ()) -> discord.Embed:
    """One catalog entry as an embed: name, date, org, linked paper, authors, docs, topics, related."""
    entry = hit.entry
    paper = paper_link(entry)
    embed = discord.Embed(title=safe(entry.name), url=clean_url(entry.docs_url) or paper, colour=COLOUR)
    lines: list[str] = []
    title = full_paper_title(entry)
    if title:
        lines.append(link(title, paper))
    elif paper:
        lines.append(link("Paper", paper))
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
        embed.add_field(name="arXiv", value=entry.arxiv_id)  # the paper's link is above: one per paper
    if entry.authors:
        embed.add_field(name="Authors", value=safe(short_authors(entry.authors)), inline=False)
    if entry.docs_url and clean_url(entry.docs_url):
        embed.add_field(name="Docs", value=link("Documentation", entry.docs_url))
    if entry.topics:
        embed.add_field(name="Topics", value=topic_names(entry.topics), inline=False)
    # Not the entry's own name, nor another entry's (LED answers to "Longformer", its paper's name).
    taken = {entry.name.casefold(), *(r.entry.name.casefold() for r in related)}
    aliases = [a for a in entry.aliases if a.casefold() not in taken]
    if aliases:
        embed.add_field(name="Also known as", value=safe(", ".join(aliases)), inline=False)
    if related:
        shown = [entry_line(r.entry, with_title=False) for r in related[:RELATED_SHOWN]]
        if len(related) > RELATED_SHOWN:
            shown.append(f"{ELLIPSIS} and {len(related) - RELATED_SHOWN} more")
        embed.add_field(name="Related", value="\n".join(shown), inline=False)
    if entry.section:
        embed.set_footer(text=f"Section: {entry.section}")
    return embed


def render_model(
    hit: EntryHit, related: Sequence[EntryHit] = (), hub: HubPaper | None = None
) -> MessagePayload:
    """The answer to ``/ptm model``: one embed for the best match, with Paper and Docs link buttons,
    and what the Hugging Face Hub links to its paper (a badge, Weights / Code / Project buttons)."""
    embed = render_model_embed(hit, related)
    if hub is not None:
        embed.add_field(name=HUB_FIELD, value=hub_text(hub), inline=False)
    payload = make_payload(embeds=[embed])
    docs = clean_url(hit.entry.docs_url)
    links = [
        (label, url) for label, url in (("Paper", paper_link(hit.entry)), ("Docs", docs)) if url is not None
    ]
    seen = {url for _, url in links}
    payload.links = links + [(label, url) for label, url in hub_buttons(hub) if url not in seen]
    payload.vote_entry_id = hit.id  # a member votes for the entry with the answer's Vote button
    return payload


def render_not_found(name: str, suggestions: Sequence[str] = (), *, what: str = "model") -> MessagePayload:
    """Private "not found" line naming the closest matches."""
    text = f"No {what} called **{safe(truncate(name.strip(), 100))}** in the catalog."
    if suggestions:
        text += " Did you mean " + ", ".join(f"**{safe(s)}**" for s in suggestions[:5]) + "?"
    return make_payload(text, ephemeral=True)


def render_empty(text: str) -> MessagePayload:
    """A private one-line answer when there is nothing to show (*text* is ours, not escaped)."""
    return make_payload(text, ephemeral=True)


def render_tagged(hit: EntryHit) -> MessagePayload:
    """Confirmation for ``/ptm-admin tag``."""
    topics = topic_names(hit.entry.topics) or "no topics"
    return make_payload(f"Topics of **{safe(hit.entry.name)}** are now: {topics}.", ephemeral=True)
