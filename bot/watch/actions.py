"""The one door for the watcher's reads and writes: each function is one unit of work on the
:class:`Database`.

The poll (:mod:`bot.watch.poll`) reads the feeds' stored state here before it fetches, and stores
what it fetched here afterwards, in one unit of work (feed rows and suggestions together);
``/ptm-admin feeds`` and ``ptm-bot feeds`` list (and re-enable) the feed rows here; the watcher cog
records here that a health change was announced. Every unit of work runs through
:meth:`Database.run` (one transaction, retried whole when the database is locked: nothing inside
sends a message or touches the network); nothing here knows about Discord or renders anything.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actor import SYSTEM, Actor
from bot.config import Config
from bot.database import Database
from bot.errors import UserFacingError
from bot.watch.arxiv import FeedPaper
from bot.watch.caps import apply_caps
from bot.watch.dedup import existing_suggestions, load_catalog, merge_papers, note_related
from bot.watch.feeds import (
    FeedState,
    Fetched,
    enable_feed,
    list_feeds,
    mark_health_announced,
    store_feed_states,
    stored_feed_states,
)
from bot.watch.report import Candidate, FeedStatus
from bot.watch.score import propose_suggested_topics, rank_for_review, score_papers
from bot.watch.store import store_later_listings, store_placement, store_suggestions
from db import models as m

__all__ = [
    "enable_feeds",
    "feed_states",
    "feeds",
    "process_papers",
    "record_health_announced",
    "record_poll",
]

# The watcher's log lines keep the logger name they had before the poll was split into steps.
log = logging.getLogger("bot.watch.poll")


async def feed_states(db: Database, urls: Sequence[str]) -> dict[str, FeedState]:
    """The stored state (validators, health) of the feed rows of *urls*: a short unit of work
    before the poll fetches, so no transaction is open across the network."""
    if not urls:
        return {}
    return await db.run(lambda session: stored_feed_states(session, urls))


async def record_poll(
    db: Database,
    fetched: Sequence[Fetched],
    papers: Sequence[FeedPaper],
    *,
    config: Config,
    first_poll_ids: Collection[str] = (),
    now: datetime,
    dry_run: bool = False,
    all_topics: bool = False,
    actor: Actor = SYSTEM,
) -> list[Candidate]:
    """The poll's one write unit of work: each polled feed's health and validators, then the papers
    deduplicated, scored, capped and stored (:func:`process_papers`). A *dry_run* computes the same
    candidates and rolls back. Retried from the start when the database is locked (an import
    writing): the poll is not lost."""

    async def write(session: AsyncSession) -> list[Candidate]:
        if not dry_run:
            await store_feed_states(session, fetched, now, config.feeds.disable_after_failures)
        candidates = await process_papers(
            session,
            papers,
            config=config,
            first_poll_ids=first_poll_ids,
            now=now,
            dry_run=dry_run,
            all_topics=all_topics,
        )
        if dry_run:
            await session.rollback()
        return candidates

    candidates = await db.run(write)
    if not dry_run:
        log.debug("poll stored by %s via %s", actor.name or actor.id, actor.via)
    return candidates


async def process_papers(
    session: AsyncSession,
    papers: Sequence[FeedPaper],
    *,
    config: Config,
    first_poll_ids: Collection[str] = (),
    now: datetime | None = None,
    dry_run: bool = False,
    all_topics: bool = False,
) -> list[Candidate]:
    """Dedup, score, cap and (unless *dry_run*) store *papers*; one :class:`Candidate` per paper,
    after the waiting papers an earlier poll held back for a cap and this one suggests.

    *first_poll_ids* are the papers seen only in feeds polled for the first time; at most
    ``feeds.backfill`` of them are suggested. The caller owns the unit of work (:func:`record_poll`);
    this function flushes but never commits.
    """
    now = now or datetime.now(UTC)
    papers = merge_papers(papers)
    catalog = await load_catalog(session)
    existing = await existing_suggestions(session, [p.arxiv_id for p in papers])
    scoring = await score_papers(session, papers, catalog, existing, config=config, all_topics=all_topics)
    candidates = scoring.candidates
    waited = await apply_caps(
        session,
        candidates,
        catalog,
        scoring.gates,
        config=config,
        first_poll_ids=first_poll_ids,
        now=now,
        dry_run=dry_run,
    )
    rank_for_review([*waited, *candidates], config.review.cards_per_poll, config.review.card_min_score)
    if not all_topics:
        propose_suggested_topics(candidates, papers)
    await note_related(session, [*waited, *candidates])
    if not dry_run:
        await store_suggestions(session, papers, candidates, scoring.norm_titles, now)
        await store_placement(session, waited)
    await store_later_listings(session, papers, candidates, dry_run=dry_run)
    return waited + candidates


async def feeds(db: Database) -> list[m.Feed]:
    """Every feed row, by URL (``/ptm-admin feeds``, ``ptm-bot feeds``)."""
    return await db.run(list_feeds)


async def enable_feeds(db: Database, urls: Sequence[str], actor: Actor) -> list[m.Feed]:
    """Reset failing or disabled feeds to ok (a moderator fixed the cause), then every feed row.
    An unknown URL enables none of them (:class:`UserFacingError`)."""

    async def work(session: AsyncSession) -> list[m.Feed]:
        for url in urls:
            if not await enable_feed(session, url):
                raise UserFacingError(f"no such feed: {url}")
        return await list_feeds(session)

    rows = await db.run(work)
    for url in urls:
        log.info(
            "feed %s re-enabled by %s via %s", url, actor.name or actor.id, actor.via, extra={"feed": url}
        )
    return rows


async def record_health_announced(db: Database, changes: Iterable[FeedStatus], actor: Actor = SYSTEM) -> int:
    """Record that these health changes were announced (after the announcement was sent; only the
    ones still current): how many feed rows it marked."""
    changes = list(changes)
    done = await db.run(lambda session: mark_health_announced(session, changes))
    log.debug(
        "%d feed health change(s) recorded as announced by %s via %s", done, actor.name or actor.id, actor.via
    )
    return done
