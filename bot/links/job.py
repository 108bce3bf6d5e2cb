"""The scheduled link check: every ``links.interval_days`` days (default 7), one job with a stable
id on the bot's APScheduler, never overlapping itself, a missed run done once when the bot is back.

:class:`LinkCheckJob` runs :func:`bot.links.actions.check_links` with a checker built from
``[links]`` (:func:`make_checker`) and hands the report to a callback (the cog announces dead and
moved links in the review channel). Calling it never raises: a failed run is logged and the next
one tries again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import aiohttp
from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.config import Config
from bot.database import Database
from bot.links.actions import CheckReport, check_links
from bot.links.check import LinkChecker
from bot.ops.leader import LeaderOnlyJob

__all__ = ["LINKS_JOB_ID", "LinkCheckJob", "add_links_job", "make_checker", "remove_links_job"]

log = logging.getLogger(__name__)

LINKS_JOB_ID = "link-check"
# A bot that was down when the check was due still checks when it comes back within a day.
MISFIRE_GRACE_SECONDS = 24 * 3600


def make_checker(session: aiohttp.ClientSession, config: Config) -> LinkChecker:
    """A checker with ``[links]``'s timeout, pacing, concurrency and User-Agent."""
    links = config.links
    return LinkChecker(
        session,
        user_agent=config.links_user_agent,
        timeout=links.timeout_seconds,
        per_host_interval=links.per_host_interval_seconds,
        concurrency=links.concurrency,
        per_host_concurrency=links.per_host_concurrency,
        max_attempts=links.max_attempts,
        max_retry_after=links.max_retry_after_seconds,
    )


ReportCallback = Callable[[CheckReport], Awaitable[None]]


class LinkCheckJob:
    """One check of every catalog link, never two at once."""

    def __init__(
        self,
        db: Database,
        config: Config,
        session: aiohttp.ClientSession,
        *,
        on_report: ReportCallback | None = None,
        checker_factory: Callable[[aiohttp.ClientSession, Config], LinkChecker] = make_checker,
    ) -> None:
        self._db = db
        self._config = config
        self._session = session
        self._on_report = on_report
        self._checker_factory = checker_factory
        self._lock = asyncio.Lock()

    async def run(self) -> CheckReport:
        async with self._lock:
            checker = self._checker_factory(self._session, self._config)
            report = await check_links(
                self._db, checker, dead_after=timedelta(hours=self._config.links.dead_after_hours)
            )
        if self._on_report is not None:
            try:
                await self._on_report(report)
            except Exception:
                log.exception("handling the link check's report failed")
        return report

    async def __call__(self) -> CheckReport | None:
        if self._lock.locked():
            log.info("a link check is already running; skipping this scheduled run")
            return None
        try:
            return await self.run()
        except Exception:
            log.exception("scheduled link check failed")
            return None


def add_links_job(scheduler: AsyncIOScheduler, config: Config, job: LinkCheckJob | LeaderOnlyJob) -> Job:
    """Add (or replace) the link check on *scheduler*: every ``links.interval_days`` days (*job*: the
    check, or the check behind the poller lock, :class:`bot.ops.leader.LeaderOnlyJob`)."""
    return scheduler.add_job(
        job.__call__,  # a coroutine function: APScheduler's asyncio executor awaits it on the loop
        trigger=IntervalTrigger(days=config.links.interval_days),
        id=LINKS_JOB_ID,
        name="link check",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )


def remove_links_job(scheduler: AsyncIOScheduler) -> None:
    if scheduler.get_job(LINKS_JOB_ID) is not None:
        scheduler.remove_job(LINKS_JOB_ID)
