"""The read half of the catalog's slash commands: re-validate the options, read, return the hits.

``/ptm model``, ``recent``, ``search``, ``survey``, ``org`` and ``author`` are each one of these
reads plus a renderer (:mod:`bot.commands.member`, the payload Discord and ``ptm-bot ask`` show);
the query subcommands (``ptm-bot model|recent|search|survey|org|author``, :mod:`bot.cli.query`)
are the same read plus a table or ``{"entries": [...]}``. :data:`READS` is their registry, by the
slash command's qualified name, as :data:`bot.commands.HANDLERS` is the handlers'.

Nothing here renders or imports discord.py, the ORM or the importer: a read on a SQLite file runs
on a read thread's standard-library connection (:meth:`bot.database.Database.read`), and the
terminal starts without loading what it does not use (issue 19).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from datetime import datetime
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar

from bot.catalog import queries
from bot.catalog.model import EntryHit
from bot.errors import UserFacingError
from bot.votes.periods import cutoff, parse_period, stored_time
from bot.votes.queries import TopPage, top_voted

if TYPE_CHECKING:
    from db.reads import Reads

__all__ = [
    "MAX_QUERY",
    "PER_PAGE",
    "READS",
    "CatalogReads",
    "Listing",
    "author",
    "clean_text",
    "model_card",
    "model_matches",
    "org",
    "recent",
    "search",
    "survey",
    "top",
]

T = TypeVar("T")
P = ParamSpec("P")

PER_PAGE = 10
MAX_QUERY = 200

Listing = tuple[list[EntryHit], int]
"""A page of hits and how many there are in all (an :class:`db.counts.AtLeast` when capped)."""


class CatalogReads(Protocol):
    """What a read needs of the open catalog: :meth:`bot.database.Database.read`."""

    async def read(
        self,
        query: Callable[Concatenate[Reads, P], Coroutine[Any, Any, T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T: ...


def clean_text(value: str | None, what: str, *, required: bool = True) -> str:
    """*value* with its whitespace collapsed; a :class:`UserFacingError` when empty (if *required*)
    or longer than :data:`MAX_QUERY`."""
    text = " ".join((value or "").split())
    if required and not text:
        article = "an" if what[:1].lower() in "aeiou" else "a"  # an organisation, an author name
        raise UserFacingError(f"Please give {article} {what}.")
    if len(text) > MAX_QUERY:
        raise UserFacingError(f"That {what} is too long (at most {MAX_QUERY} characters).")
    return text


# --------------------------------------------------------------------------------------------
# model


async def model_card(db: CatalogReads, name: str) -> tuple[tuple[EntryHit, list[EntryHit]] | None, list[str]]:
    """``/ptm model``'s card: the best match and its related entries, or ``None`` and the closest
    names. find_model(limit=1) and related(limit=10), the two hits' entries loaded in one go, or
    the closest names: one read (on SQLite one trip to a read thread)."""
    name = clean_text(name, "model name")
    return await db.read(queries.model_answer, name, related_limit=10, closest_limit=5)


async def _matches(session: Reads, name: str, limit: int) -> tuple[list[EntryHit], list[str]]:
    hits = await queries.find_model(session, name, limit=limit)
    return hits, ([] if hits else await queries.closest_names(session, name))


async def model_matches(
    db: CatalogReads, name: str, *, limit: int = PER_PAGE
) -> tuple[list[EntryHit], list[str]]:
    """Every entry matching *name*, best first (at most *limit*), or none and the closest names:
    the list behind ``/ptm model``'s card (``ptm-bot model``). One read."""
    return await db.read(_matches, clean_text(name, "model name"), limit)


# --------------------------------------------------------------------------------------------
# recent, search, survey, org, author


async def recent(db: CatalogReads, topic: str, count: int = PER_PAGE, *, offset: int = 0) -> Listing:
    """The newest entries of *topic* (a slug, label or alias); :class:`queries.UnknownTopic`,
    which lists the topics, for one not in the taxonomy; :class:`UserFacingError` for an empty or
    overlong one (not echoed back)."""
    slug = queries.resolve_topic(clean_text(topic, "topic"))
    return await db.read(queries.recent, slug, count=count, offset=offset)


async def search(db: CatalogReads, query: str, *, limit: int = PER_PAGE, offset: int = 0) -> Listing:
    """Full text over names, aliases, titles, authors, orgs and descriptions, best first."""
    query = clean_text(query, "search query")
    return await db.read(queries.search_entries, query, limit=limit, offset=offset)


async def survey(
    db: CatalogReads, query: str | None = None, *, limit: int = PER_PAGE, offset: int = 0
) -> Listing:
    """Surveys, newest first, optionally only those matching *query*."""
    query = clean_text(query, "query", required=False)
    return await db.read(queries.surveys, query, limit=limit, offset=offset)


async def org(db: CatalogReads, org: str, *, limit: int = PER_PAGE, offset: int = 0) -> Listing:
    """Entries released by an organisation, newest first."""
    name = clean_text(org, "organisation")
    return await db.read(queries.by_org, name, limit=limit, offset=offset)


async def author(db: CatalogReads, name: str, *, limit: int = PER_PAGE, offset: int = 0) -> Listing:
    """Entries whose paper lists this author, newest first."""
    name = clean_text(name, "author name")
    return await db.read(queries.by_author, name, limit=limit, offset=offset)


# --------------------------------------------------------------------------------------------
# top (members' votes)


async def top(
    db: CatalogReads,
    period: str | None = None,
    topic: str | None = None,
    *,
    limit: int = PER_PAGE,
    offset: int = 0,
    now: datetime | None = None,
) -> TopPage:
    """The entries with the most votes cast in the last *period* (``week``: 7 days, ``month``:
    30 days) ending at *now*, of *topic* when given, most first; :class:`queries.UnknownTopic`
    for a topic not in the taxonomy, :class:`UserFacingError` for another period or a topic given
    empty (as ``recent`` says it: ``None`` is every topic)."""
    word = parse_period(period)
    slug = queries.resolve_topic(clean_text(topic, "topic")) if topic is not None else None
    since = stored_time(cutoff(word, now))
    return await db.read(top_voted, since, slug, limit=limit, offset=offset)


READS: dict[str, Callable[..., Awaitable[Any]]] = {
    "ptm model": model_matches,
    "ptm recent": recent,
    "ptm search": search,
    "ptm survey": survey,
    "ptm org": org,
    "ptm author": author,
    "ptm cite": model_matches,
    "ptm top": top,
}
"""The read behind each catalog slash command, by its qualified name (as in
:data:`bot.commands.HANDLERS`): the options under the slash command's names, then ``limit`` (for
``recent``: ``count``) and ``offset``. ``/ptm model``'s card reads :func:`model_card`, the best of
these matches with its relatives; ``/ptm cite`` reads the best match alone."""
