"""The poll's first step: the feeds. Which sources to poll, their stored state, fetching and parsing
them, and each feed row's health afterwards.

No transaction is open while a feed is fetched: :func:`stored_feed_states` reads the stored state in a
short unit of work of its own (the watcher's door, :func:`bot.watch.actions.feed_states`),
:func:`fetch_sources` does the network and parsing, and :func:`store_feed_states` writes health and
validators inside the poll's write unit of work (:func:`bot.watch.actions.record_poll`). Nothing here
opens a unit of work.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypedDict
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.inputfile import InputRefused, read_input
from bot.watch.arxiv import FeedError, FeedPaper, parse_feed
from bot.watch.daily_papers import looks_like_json, parse_daily_papers
from bot.watch.fetch import FeedHealth, FetchOutcome, PoliteFetcher, Validators, next_health
from bot.watch.report import FeedStatus
from db import models as m
from db.dml import rowcount

__all__ = [
    "PARSE_IN_THREAD_BYTES",
    "FeedState",
    "Fetched",
    "enable_feed",
    "feed_urls",
    "fetch_sources",
    "is_url",
    "list_feeds",
    "make_fetcher",
    "mark_health_announced",
    "store_feed_states",
    "stored_feed_states",
]

# The watcher's log lines keep the logger name they had before the poll was split into steps:
# operators' log filters and alerts select on it.
log = logging.getLogger("bot.watch.poll")

# feedparser is CPU-bound; above this many bytes it runs in a worker thread so the bot's loop
# (heartbeats, interactions) keeps going.
PARSE_IN_THREAD_BYTES = 256 * 1024

#: A feed row's stored state: etag, last_modified, health, consecutive_failures, last_ok_at,
#: announced_health.
FeedState = tuple[Any, ...]


def feed_urls(config: Config) -> list[str]:
    """The configured feed URLs: one combined ``cat+cat`` feed, or one per category."""
    feeds = config.feeds
    extra = [feeds.daily_papers_url] if feeds.daily_papers_url else []  # a second source (issue 22)
    if not feeds.categories:
        return extra
    if feeds.combined:
        return [feeds.url_template.format(categories="+".join(feeds.categories)), *extra]
    return [*(feeds.url_template.format(categories=cat) for cat in feeds.categories), *extra]


def is_url(source: str) -> bool:
    """An http(s) URL (to fetch), not a file (to read). A malformed one is still a URL: the fetcher
    reports it as an invalid URL rather than urlsplit's ValueError stopping the poll."""
    try:
        return urlsplit(source).scheme in ("http", "https")
    except ValueError:  # "http://[::1": Invalid IPv6 URL
        return source.lower().startswith(("http://", "https://"))


class _Backoff(TypedDict, total=False):
    """:class:`PoliteFetcher`'s retry timing, when not its defaults."""

    backoff_base: float
    max_backoff: float


def make_fetcher(session: Any, config: Config, *, interactive: bool = False) -> PoliteFetcher:
    """The fetcher configured from ``[feeds]`` around the bot's (or the CLI's) aiohttp session.

    *interactive* (``ptm-bot poll``): someone is waiting, so retries back off for seconds, not minutes.
    """
    feeds = config.feeds
    extra: _Backoff = {"backoff_base": 1.0, "max_backoff": 5.0} if interactive else {}
    return PoliteFetcher(
        session,
        user_agent=config.user_agent,
        min_interval=feeds.min_interval_seconds,
        timeout=feeds.timeout_seconds,
        max_bytes=feeds.max_bytes,
        max_attempts=feeds.max_attempts,
        **extra,
    )


async def list_feeds(session: AsyncSession) -> list[m.Feed]:
    """Every feed row, for ``/ptm-admin feeds`` and ``ptm-bot feeds``."""
    return list((await session.scalars(select(m.Feed).order_by(m.Feed.url))).all())


async def enable_feed(session: AsyncSession, url: str) -> bool:
    """Reset a failing or disabled feed to ok (a moderator fixed the cause); False if unknown."""
    result = await session.execute(
        update(m.Feed)
        .where(m.Feed.url == url)
        .values(health=FeedHealth.OK, consecutive_failures=0, last_error=None)
    )
    return bool(rowcount(result))


async def mark_health_announced(session: AsyncSession, changes: Iterable[FeedStatus]) -> int:
    """Record that these health changes were announced (conditional: only if still current)."""
    done = 0
    for change in changes:
        if change.kind != "url":
            continue
        result = await session.execute(
            update(m.Feed)
            .where(m.Feed.url == change.source, m.Feed.health == change.health)
            .values(announced_health=change.health)
        )
        done += rowcount(result) or 0
    return done


@dataclass(slots=True)
class Fetched:
    """One source after fetching and parsing: its status and papers, and what to store for it."""

    status: FeedStatus
    papers: tuple[FeedPaper, ...] = ()
    validators: Validators | None = None  # new validators to store (successful fetch + parse only)
    succeeded: bool = False
    partial: bool = False  # answered, but lost papers (FeedStatus.error says what)


async def stored_feed_states(session: AsyncSession, urls: Sequence[str]) -> dict[str, FeedState]:
    """The stored state of the feed rows of *urls* (read before the poll fetches them)."""
    if not urls:
        return {}
    return {
        row.url: (
            row.etag,
            row.last_modified,
            row.health,
            row.consecutive_failures,
            row.last_ok_at,
            row.announced_health,
        )
        for row in (await session.scalars(select(m.Feed).where(m.Feed.url.in_(urls)))).all()
    }


async def fetch_sources(
    sources: Sequence[str],
    states: dict[str, FeedState],
    fetcher: PoliteFetcher | None,
    config: Config,
) -> list[Fetched]:
    """Fetch and parse every source in order (URLs through *fetcher*, anything else as a file)."""
    fetched: list[Fetched] = []
    for source in sources:
        if is_url(source):
            fetched.append(await _fetch_url(source, states.get(source), fetcher, config))
        else:
            fetched.append(await _read_file(source, config.feeds.max_bytes))
    return fetched


async def _fetch_url(
    url: str, state: FeedState | None, fetcher: PoliteFetcher | None, config: Config
) -> Fetched:
    etag, last_modified, health, failures, last_ok_at, announced = state or (
        None,
        None,
        FeedHealth.OK,
        0,
        None,
        FeedHealth.OK,
    )
    status = FeedStatus(
        source=url,
        kind="url",
        outcome="skipped",
        health=health,
        previous_health=health,
        consecutive_failures=failures,
        # A feed that never succeeded is new: what it first shows is a backlog, not today's news.
        first_poll=last_ok_at is None,
    )
    if health == FeedHealth.DISABLED:
        status.error = "disabled after repeated failures; re-enable it with /ptm-admin feeds"
        # Not stored this time, but a disable whose announcement failed is reported until it is made.
        status.announce = health != (announced or FeedHealth.OK)
        log.info("feed %s is disabled; skipped", url, extra={"feed": url})
        return Fetched(status)
    if fetcher is None:
        raise ValueError(f"polling {url} needs a fetcher")
    result = await fetcher.fetch(url, Validators(etag, last_modified))
    status.http_status = result.http_status
    if result.outcome is FetchOutcome.NOT_MODIFIED:
        status.outcome = "not_modified"
        return Fetched(status, succeeded=True)
    if result.outcome is FetchOutcome.FAILED:
        status.outcome, status.error = "failed", result.error
        status.unreachable = result.unreachable
        return Fetched(status)
    assert result.body is not None
    try:
        parsed = await _parse(result.body)
    except FeedError as exc:
        log.warning("feed %s: not a usable feed: %s", url, exc, extra={"feed": url})
        status.outcome, status.error = "failed", f"not a feed: {exc}"[:500]
        return Fetched(status)
    if _mark_partial(status, parsed, url):
        # The validators stay as they were: the next poll fetches the whole document again instead
        # of hearing "304 Not Modified" about the papers this one lost.
        return Fetched(status, parsed.papers, succeeded=True, partial=True)
    status.outcome, status.papers = "ok", len(parsed.papers)
    return Fetched(status, parsed.papers, validators=result.validators, succeeded=True)


def _mark_partial(status: FeedStatus, parsed: Any, source: str) -> bool:
    """Record what *parsed* lost on *status*; True when it lost anything."""
    status.papers = len(parsed.papers)
    lost = parsed.lost
    if lost is None:
        return False
    status.outcome, status.error, status.lost = "partial", lost[:500], len(parsed.skipped)
    log.warning("feed %s: partial: %s", source, lost)
    return True


async def _read_file(path: str, max_bytes: int) -> Fetched:
    status = FeedStatus(source=path, kind="file", outcome="failed")
    try:
        # A regular file only, within feeds.max_bytes: a FIFO or /dev/zero is one line, never a hang.
        data = await asyncio.to_thread(read_input, path, max_bytes, setting="feeds.max_bytes")
    except InputRefused as exc:
        problem = str(exc).removeprefix(f"cannot read {path}: ")
        log.warning("feed file %s: cannot read: %s", path, problem)
        status.error = f"cannot read: {problem}"
        return Fetched(status)
    try:
        parsed = await _parse(data)
    except FeedError as exc:
        log.warning("feed file %s: not a usable feed: %s", path, exc)
        status.error = f"not a feed: {exc}"[:500]
        return Fetched(status)
    if _mark_partial(status, parsed, path):
        return Fetched(status, parsed.papers, succeeded=True, partial=True)
    status.outcome, status.papers = "ok", len(parsed.papers)
    return Fetched(status, parsed.papers, succeeded=True)


async def _parse(data: bytes):  # type: ignore[no-untyped-def]
    if looks_like_json(data):  # Hugging Face Daily Papers (JSON); arXiv's feeds are XML
        return parse_daily_papers(data)
    if len(data) > PARSE_IN_THREAD_BYTES:
        return await asyncio.to_thread(parse_feed, data)
    return parse_feed(data)


async def store_feed_states(
    session: AsyncSession, fetched: Sequence[Fetched], now: datetime, disable_after: int
) -> None:
    """Each polled feed row's health (and validators, after a fetched-and-parsed body)."""
    for item in fetched:
        if item.status.kind == "url" and item.status.outcome != "skipped":
            await _store_feed_state(session, item, now, disable_after)


async def _store_feed_state(session: AsyncSession, item: Fetched, now: datetime, disable_after: int) -> None:
    status = item.status
    row = await session.scalar(select(m.Feed).where(m.Feed.url == status.source))
    if row is None:
        row = m.Feed(
            url=status.source,
            health=FeedHealth.OK,
            consecutive_failures=0,
            polls=0,
            announced_health=FeedHealth.OK,
        )
        session.add(row)
    health, failures = next_health(
        row.consecutive_failures or 0,
        item.succeeded,
        disable_after=disable_after,
    )
    if item.partial:
        health = FeedHealth.DEGRADED  # it answered (no failure counted) but lost papers
    row.health, row.consecutive_failures = str(health), failures
    row.polls = (row.polls or 0) + 1
    row.last_polled_at = now
    if item.succeeded:
        row.last_ok_at = now
        row.last_error = None
        if item.validators is not None:  # only a fetched-and-parsed body moves the validators
            row.etag, row.last_modified = item.validators.etag, item.validators.last_modified
        if item.partial:
            row.last_error = status.error
    else:
        row.last_error = status.error
    status.health, status.consecutive_failures = row.health, failures
    status.announce = row.health != (row.announced_health or FeedHealth.OK)
    if status.health != status.previous_health:
        log.warning(
            "feed %s: health %s -> %s (%d straight failure(s)%s)",
            status.source,
            status.previous_health,
            status.health,
            failures,
            f": {status.error}" if status.error else "",
            extra={"feed": status.source},
        )
