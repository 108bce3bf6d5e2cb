"""The arXiv watcher's poll: the orchestration of its steps, one module each.

    feeds (fetch, parse, feed health) -> dedup -> score (gates, model, ranking) -> caps -> store
    -> report

One poll is three phases so no transaction is ever held across network I/O:

1. read each feed's stored state (validators, health) in a short read-only unit of work;
2. fetch every feed (politely, through :class:`bot.watch.fetch.PoliteFetcher`) and parse the bytes;
3. one write unit of work: feed rows (health, validators on success only) and the papers.

The names callers used from here before the split are still importable from here.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.database import Database
from bot.watch.arxiv import FeedPaper
from bot.watch.caps import apply_caps
from bot.watch.dedup import existing_suggestions, load_catalog, merge_fetched, merge_papers
from bot.watch.feeds import (
    enable_feed,
    feed_urls,
    fetch_sources,
    is_url,
    list_feeds,
    make_fetcher,
    mark_health_announced,
    read_feed_states,
    record_health_announced,
    store_feed_states,
)
from bot.watch.fetch import PoliteFetcher
from bot.watch.report import Candidate, CandidateStatus, FeedStatus, PollReport
from bot.watch.score import propose_suggested_topics, rank_for_review, score_papers
from bot.watch.store import store_placement, store_suggestions

__all__ = [
    "Candidate",
    "CandidateStatus",
    "FeedStatus",
    "PollReport",
    "enable_feed",
    "feed_urls",
    "is_url",
    "list_feeds",
    "make_fetcher",
    "mark_health_announced",
    "merge_papers",
    "poll",
    "process_papers",
    "record_health_announced",
]

log = logging.getLogger(__name__)


async def poll(
    db: Database,
    config: Config,
    *,
    fetcher: PoliteFetcher | None,
    sources: Sequence[str] | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    all_topics: bool = False,
) -> PollReport:
    """Poll the configured feeds (or *sources*: URLs and local files) once; see the module docstring.

    Topics are proposed for the suggested papers (the only ones a moderator sees); *all_topics*
    proposes them for every candidate (``ptm-bot poll`` shows them all).

    *db* is a :class:`bot.database.Database`. Failures of single feeds are recorded and reported,
    never raised; the other feeds proceed.
    """
    now = now or datetime.now(UTC)
    sources = list(sources) if sources is not None else feed_urls(config)
    # Phase 1: stored state, read-only. Phase 2: network and parsing, no transaction open.
    states = await read_feed_states(db, [s for s in sources if is_url(s)])
    fetched = await fetch_sources(sources, states, fetcher, config)
    # Phase 3: one write unit of work.
    report = PollReport(feeds=[f.status for f in fetched], dry_run=dry_run)
    merged, first_poll_ids = merge_fetched(fetched)

    async def write(session: AsyncSession) -> list[Any]:
        if not dry_run:
            await store_feed_states(session, fetched, now, config.feeds.disable_after_failures)
        candidates = await process_papers(
            session,
            merged,
            config=config,
            first_poll_ids=first_poll_ids,
            now=now,
            dry_run=dry_run,
            all_topics=all_topics,
        )
        if dry_run:
            await session.rollback()
        return candidates

    # Retried from the start if the database is locked (an import writing): the poll is not lost.
    if hasattr(db, "run"):
        report.candidates = await db.run(write)
    else:
        async with db.sessions() as session, session.begin():
            report.candidates = await write(session)
    _log_summary(report)
    return report


def _log_summary(report: PollReport) -> None:
    counts = report.counts
    log.info(
        "poll: %d papers (%d new, %d duplicate, %d known, %d replacement), %d suggested, %d feed(s) failed, "
        "%d partial%s",
        counts["papers"],
        counts["new"],
        counts["duplicate"],
        counts["known"],
        counts["replacement"],
        counts["suggested"],
        counts["feeds_failed"],
        counts["feeds_partial"],
        " (dry run)" if report.dry_run else "",
    )


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
    ``feeds.backfill`` of them are suggested. The caller owns the unit of work; this function
    flushes but never commits.
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
    rank_for_review([*waited, *candidates], config.review.cards_per_poll)
    if not all_topics:
        propose_suggested_topics(candidates, papers)
    if not dry_run:
        await store_suggestions(session, papers, candidates, scoring.norm_titles, now)
        await store_placement(session, waited)
    return waited + candidates
