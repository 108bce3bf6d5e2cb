"""One async function per slash command: one read (or a door), render, return the payload.

Read-only commands call their query through :meth:`bot.database.Database.read` (on SQLite one
trip to a read thread for the whole query; elsewhere one connection); the catalog's (model,
recent, search, survey, org, author) through :mod:`bot.commands.reads`, the reads the query
subcommands (``ptm-bot search ...``) print as a table or JSON.

This is the shared code path for Discord (the cogs call these and send the result) and for
``ptm-bot ask`` (which calls them and prints the result). Handlers take the open
:class:`~bot.database.Database` plus the command's own parameters, under the same names as the
slash command's options (``ptm-bot ask`` relies on that: see :data:`HANDLERS`). List
handlers also take ``page`` (0-based), which the Prev/Next buttons use.

A user mistake raises :class:`~bot.errors.UserFacingError`; nothing here knows about interactions.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from bot.catalog import queries
from bot.catalog.queries import stats as catalog_stats
from bot.catalog.topics import TOPICS, parse_topic, topic_hint
from bot.commands import reads
from bot.commands.reads import MAX_QUERY, PER_PAGE, clean_text
from bot.database import Database
from bot.enrich.paper import hub_links
from bot.errors import UserFacingError
from bot.present import render
from bot.present.charts import render_chart_png
from bot.present.render import MessagePayload, safe
from db.counts import AtLeast

__all__ = [
    "HANDLERS",
    "PER_PAGE",
    "author",
    "cite",
    "clean_text",
    "model",
    "model_names",
    "org",
    "recent",
    "search",
    "stats",
    "survey",
    "topic_names",
]

log = logging.getLogger(__name__)

AUTOCOMPLETE_LIMIT = 25


def _page(page: int) -> int:
    if page < 0:
        raise UserFacingError("There is no such page.")
    return page


# --------------------------------------------------------------------------------------------
# /ptm model


async def model(db: Database, name: str) -> MessagePayload:
    """``/ptm model <name>``: the best match with its related entries, or a private "not found"."""
    name = clean_text(name, "model name")
    page, closest = await reads.model_card(db, name)
    if page is None:
        return render.render_not_found(name, closest)
    best, related = page
    hub = await db.read(hub_links, best.entry.arxiv_id) if best.entry.arxiv_id else None
    return render.render_model(best, related, hub)


async def model_names(db: Database, current: str) -> list[str]:
    """Autocomplete for ``/ptm model``: at most 25 names and aliases, best first."""
    current = " ".join(current.split())[:MAX_QUERY]
    names = await db.read(queries.suggest_names, current, limit=AUTOCOMPLETE_LIMIT)
    return list(dict.fromkeys(names))[:AUTOCOMPLETE_LIMIT]


async def org_names(db: Database, current: str) -> list[str]:
    """Autocomplete for ``/ptm org``: the catalog's organisations matching *current*, at most 25."""
    return await db.read(queries.org_names, " ".join(current.split())[:MAX_QUERY], limit=AUTOCOMPLETE_LIMIT)


async def author_names(db: Database, current: str) -> list[str]:
    """Autocomplete for ``/ptm author``: the catalog's authors matching *current*, at most 25."""
    return await db.read(
        queries.author_names, " ".join(current.split())[:MAX_QUERY], limit=AUTOCOMPLETE_LIMIT
    )


# --------------------------------------------------------------------------------------------
# /ptm cite


async def cite(db: Database, name: str) -> MessagePayload:
    """``/ptm cite <name>``: the best match's BibTeX (as ``/ptm model`` finds it), or "not found"."""
    name = clean_text(name, "model name")
    hits, closest = await reads.model_matches(db, name, limit=1)
    if not hits:
        return render.render_not_found(name, closest)
    return render.render_citation(hits[0].entry)


# --------------------------------------------------------------------------------------------
# /ptm recent


def topic_names(current: str) -> list[tuple[str, str]]:
    """Autocomplete for topics: ``(label, slug)`` pairs matching *current*, at most 25."""
    needle = current.strip().casefold()
    scored: list[tuple[int, str, str]] = []
    for slug, info in TOPICS.items():
        haystack = f"{slug} {info.label}".casefold()
        if not needle:
            rank = 1
        elif slug.startswith(needle) or info.label.casefold().startswith(needle):
            rank = 0
        elif needle in haystack or needle in info.description.casefold():
            rank = 1
        else:
            continue
        scored.append((rank, info.label, slug))
    scored.sort()
    return [(label, slug) for _, label, slug in scored[:AUTOCOMPLETE_LIMIT]]


def _topic(topic: str) -> tuple[str, str]:
    """Re-validate a topic (choices and autocomplete are only hints): ``(slug, label)``."""
    slug = parse_topic(clean_text(topic, "topic"))
    if slug is None:
        known = ", ".join(sorted(TOPICS))
        hint = topic_hint(topic[:60])
        raise UserFacingError(f"Unknown topic **{safe(topic[:60])}**{hint}. Topics: {known}.")
    return slug, TOPICS[slug].label


async def recent(db: Database, topic: str, count: int = PER_PAGE, *, page: int = 0) -> MessagePayload:
    """``/ptm recent <topic> [count]``: the newest entries of a topic, newest first, *count* a page."""
    slug, label = _topic(topic)
    count = max(1, min(int(count), 25))
    page = _page(page)
    try:
        hits, total = await reads.recent(db, slug, count, offset=page * count)
    except queries.UnknownTopic as exc:
        raise UserFacingError(f"Unknown topic **{safe(topic[:60])}**.") from exc
    if total == 0:
        return render.render_empty(f"No entries about {safe(label)} yet.")
    return render.render_entry_list(f"Newest in {safe(label)}", hits, total, page, count)


# --------------------------------------------------------------------------------------------
# /ptm search, survey, org, author


async def search(db: Database, query: str, *, page: int = 0) -> MessagePayload:
    """``/ptm search <query>``: full text over names, aliases, titles, authors, orgs, descriptions."""
    query = clean_text(query, "search query")
    page = _page(page)
    hits, total = await reads.search(db, query, offset=page * PER_PAGE)
    if total == 0:
        return render.render_empty(f"Nothing in the catalog matches **{safe(query)}**.")
    hint = None
    if isinstance(total, AtLeast):  # db.search.RANK_CAP
        cap = f"{int(total):,}"
        hint = (
            f"More than {cap} entries match: these are the best of the newest {cap}. Add words to narrow it."
        )
    return render.render_entry_list(f"Search: {safe(query)}", hits, total, page, PER_PAGE, description=hint)


async def survey(db: Database, query: str | None = None, *, page: int = 0) -> MessagePayload:
    """``/ptm survey [query]``: surveys of the field, optionally matching *query*."""
    query = clean_text(query, "query", required=False)
    page = _page(page)
    hits, total = await reads.survey(db, query, offset=page * PER_PAGE)
    if total == 0:
        what = f" matching **{safe(query)}**" if query else ""
        return render.render_empty(f"No surveys{what} in the catalog.")
    title = f"Surveys: {safe(query)}" if query else "Surveys"
    return render.render_entry_list(title, hits, total, page, PER_PAGE)


async def org(db: Database, org: str, *, page: int = 0) -> MessagePayload:
    """``/ptm org <org>``: entries released by an organisation, newest first."""
    name = clean_text(org, "organisation")
    page = _page(page)
    hits, total = await reads.org(db, name, offset=page * PER_PAGE)
    if total == 0:
        return render.render_empty(f"No entries from **{safe(name)}** in the catalog.")
    return render.render_entry_list(f"From {safe(name)}", hits, total, page, PER_PAGE)


async def author(db: Database, name: str, *, page: int = 0) -> MessagePayload:
    """``/ptm author <name>``: entries whose paper lists this author."""
    name = clean_text(name, "author name")
    page = _page(page)
    hits, total = await reads.author(db, name, offset=page * PER_PAGE)
    if total == 0:
        return render.render_empty(f"No entries by **{safe(name)}** in the catalog.")
    return render.render_entry_list(f"Papers by {safe(name)}", hits, total, page, PER_PAGE)


# --------------------------------------------------------------------------------------------
# /ptm stats


async def stats(db: Database, *, chart: bool = True) -> MessagePayload:
    """``/ptm stats``: counts by kind, topic and year, with the chart (rendered off the event loop)."""
    found = await db.read(catalog_stats.stats, chart=chart)
    undated = int(found.numbers.get("undated", 0))
    png = await _chart(found.chart, undated=undated) if found.chart is not None else None
    return render.render_stats(found.numbers, chart=png)


# The chart is drawn once per catalog change: the PNG of the last few distinct data sets (the
# numbers are re-read every time, cheaply; drawing is what takes long) is kept, keyed by the data.
_CHARTS: OrderedDict[str, bytes] = OrderedDict()
CHARTS_KEPT = 4


async def _chart(data: dict[int, dict[str, int]], *, undated: int = 0) -> bytes:
    key = json.dumps([data, undated], sort_keys=True)
    png = _CHARTS.get(key)
    if png is None:
        png = await render_chart_png(data, undated=undated)
        _CHARTS[key] = png
        while len(_CHARTS) > CHARTS_KEPT:
            _CHARTS.popitem(last=False)
    _CHARTS.move_to_end(key)
    return png


# The slash command each handler answers, by qualified name (merged into
# :data:`bot.commands.HANDLERS`). ``ptm-bot ask`` maps the command's options onto the handler's
# keyword arguments of the same names.
HANDLERS: dict[str, Callable[..., Awaitable[MessagePayload]]] = {
    "ptm model": model,
    "ptm recent": recent,
    "ptm search": search,
    "ptm survey": survey,
    "ptm org": org,
    "ptm author": author,
    "ptm stats": stats,
    "ptm cite": cite,
}
