"""The arXiv watcher's poll: the orchestration of its steps, one module each.

    feeds (fetch, parse, feed health) -> dedup -> score (gates, model, ranking) -> caps -> store
    -> report

One poll is three phases so no transaction is ever held across network I/O:

1. read each feed's stored state (validators, health) in a short unit of work
   (:func:`bot.watch.actions.feed_states`);
2. fetch every feed (politely, through :class:`bot.watch.fetch.PoliteFetcher`) and parse the bytes;
3. one write unit of work (:func:`bot.watch.actions.record_poll`): feed rows (health, validators on
   success only) and the papers (:func:`bot.watch.actions.process_papers`: dedup, score, caps, store).

The names callers used from here before the split are still importable from here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from bot.actor import SYSTEM, Actor
from bot.config import Config
from bot.database import Database
from bot.watch import actions
from bot.watch.actions import process_papers, record_health_announced
from bot.watch.dedup import merge_fetched, merge_papers
from bot.watch.feeds import (
    enable_feed,
    feed_urls,
    fetch_sources,
    is_url,
    list_feeds,
    make_fetcher,
    mark_health_announced,
)
from bot.watch.fetch import PoliteFetcher
from bot.watch.report import Candidate, CandidateStatus, FeedStatus, PollReport

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
    actor: Actor = SYSTEM,
) -> PollReport:
    """Poll the configured feeds (or *sources*: URLs and local files) once; see the module docstring.

    Topics are proposed for the suggested papers (the only ones a moderator sees); *all_topics*
    proposes them for every candidate (``ptm-bot poll`` shows them all).

    *db* is a :class:`bot.database.Database`; every read and write goes through the watcher's door
    (:mod:`bot.watch.actions`) on behalf of *actor* (the bot's schedule, or the terminal). Failures of single feeds are recorded and reported,
    never raised; the other feeds proceed.
    """
    now = now or datetime.now(UTC)
    sources = list(sources) if sources is not None else feed_urls(config)
    # Phase 1: stored state, read-only. Phase 2: network and parsing, no transaction open.
    states = await actions.feed_states(db, [s for s in sources if is_url(s)])
    fetched = await fetch_sources(sources, states, fetcher, config)
    # Phase 3: one write unit of work, through the watcher's door.
    report = PollReport(feeds=[f.status for f in fetched], dry_run=dry_run)
    merged, first_poll_ids = merge_fetched(fetched)
    report.candidates = await actions.record_poll(
        db,
        fetched,
        merged,
        config=config,
        first_poll_ids=first_poll_ids,
        now=now,
        dry_run=dry_run,
        all_topics=all_topics,
        actor=actor,
    )
    _log_summary(report)
    return report


def _log_summary(report: PollReport) -> None:
    counts = report.counts
    log.info(
        "poll: %d papers (%d new, %d duplicate, %d known, %d same title, %d replacement), %d suggested, "
        "%d feed(s) failed, "
        "%d partial%s",
        counts["papers"],
        counts["new"],
        counts["duplicate"],
        counts["known"],
        counts["same_title"],
        counts["replacement"],
        counts["suggested"],
        counts["feeds_failed"],
        counts["feeds_partial"],
        " (dry run)" if report.dry_run else "",
    )
