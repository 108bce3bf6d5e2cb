"""APScheduler wiring for the arXiv poll: one cron job with a stable id, never overlapping itself.

arXiv rebuilds its feeds around midnight US Eastern on announcement days; the default schedule
(``[schedule]`` in the config) polls shortly after, with jitter so bots do not arrive together.
The job itself is a :class:`PollJob`: it runs :func:`bot.watch.poll.poll` under a lock and hands the
report to a callback (the cog posts suggestions and announces feed health), then tells its observers
(:attr:`PollJob.observers`, ``await observer(outcome, seconds)``) how the poll ended: ``"ok"``,
``"feed_failed"`` (a feed could not be read) or ``"error"`` (the poll raised). ``bot/ops/metrics.py``
counts and times polls that way.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import time as clock
from collections.abc import Awaitable, Callable
from datetime import datetime, time, timedelta
from typing import Any, Literal, Protocol
from zoneinfo import ZoneInfo

from apscheduler.job import Job
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.config import Config, ScheduleConfig
from bot.watch.fetch import PoliteFetcher
from bot.watch.poll import poll
from bot.watch.report import PollReport

__all__ = [
    "MISFIRE_GRACE_SECONDS",
    "POLL_JOB_ID",
    "DSTSafeCronTrigger",
    "PollJob",
    "PollObserver",
    "PollOutcome",
    "add_poll_job",
    "build_scheduler",
    "poll_trigger",
    "remove_poll_job",
]

log = logging.getLogger(__name__)

POLL_JOB_ID = "arxiv-poll"
# A bot that was down at the scheduled time still polls when it comes back within this window
# (the feed stays the same all day); later than that, the next scheduled run will do.
MISFIRE_GRACE_SECONDS = 6 * 3600


class DSTSafeCronTrigger(CronTrigger):
    """A :class:`CronTrigger` that does not skip the first matching day after a DST change.

    APScheduler 3.11's CronTrigger, searching from before a spring-forward change with a
    ``zoneinfo`` zone, jumps one day too far: from Friday 2026-03-06 (US Eastern) a mon-fri 00:30
    job's next run came out as Tuesday 03-10, silently dropping Monday's poll. This subclass asks the
    parent again from each local midnight between the search start and its answer and keeps the
    earliest, then applies the jitter once. Cheap: a few extra calls per scheduled run.
    """

    jitter: int | None  # the parent's (APScheduler ships no types)

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime | None:
        jitter, self.jitter = self.jitter, None
        try:
            fire = super().get_next_fire_time(previous_fire_time, now)
            if fire is not None:
                start = now if previous_fire_time is None else min(now, previous_fire_time)
                day = start.astimezone(self.timezone).date() + timedelta(days=1)
                last = fire.astimezone(self.timezone).date()
                while day < last:
                    midnight = datetime.combine(day, time(0), tzinfo=self.timezone)
                    probe = super().get_next_fire_time(None, midnight)
                    if probe is not None and probe < fire:
                        fire = probe
                        break
                    day += timedelta(days=1)
        finally:
            self.jitter = jitter
        return self._apply_jitter(fire, jitter, now)


def poll_trigger(schedule: ScheduleConfig, *, timezone: str | None = None) -> CronTrigger:
    """The cron trigger for ``[schedule]``: days, hour and minute in its time zone, plus jitter."""
    return DSTSafeCronTrigger(
        day_of_week=schedule.days,
        hour=schedule.hour,
        minute=schedule.minute,
        timezone=ZoneInfo(timezone or schedule.timezone),
        jitter=schedule.jitter_seconds or None,
    )


def add_poll_job(
    scheduler: AsyncIOScheduler,
    config: Config,
    job: Callable[[], Awaitable[Any]],
    *,
    timezone: str | None = None,
) -> Job:
    """Add (or replace) the poll job on *scheduler*: stable id, one instance, missed runs coalesced."""
    return scheduler.add_job(
        _coroutine_function(job),
        trigger=poll_trigger(config.schedule, timezone=timezone),
        id=POLL_JOB_ID,
        name="arXiv poll",
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=MISFIRE_GRACE_SECONDS,
    )


class _Job(Protocol):
    """A poll job: a coroutine function or an object with ``async def __call__``. (A Protocol, not a
    ``Callable``: mypy cannot read ``__call__`` off a ``Callable`` type.)"""

    def __call__(self) -> Awaitable[Any]: ...


def _coroutine_function(job: _Job) -> _Job:
    """*job* in a form APScheduler's asyncio executor awaits on the loop.

    The executor tells coroutine functions from plain callables with ``iscoroutinefunction``, which
    is False for an object with ``async def __call__`` (a :class:`PollJob`): such a job would be run
    in a worker thread, where calling it only creates a coroutine that is never awaited, and the
    scheduler would log the run as successful. Its bound ``__call__`` is a coroutine function.
    """
    if not inspect.iscoroutinefunction(job):
        call = job.__call__
        if inspect.iscoroutinefunction(call):
            return call
    return job


def remove_poll_job(scheduler: AsyncIOScheduler) -> None:
    if scheduler.get_job(POLL_JOB_ID) is not None:
        scheduler.remove_job(POLL_JOB_ID)


def build_scheduler(
    config: Config, job: Callable[[], Awaitable[Any]] | None = None, *, timezone: str | None = None
) -> AsyncIOScheduler:
    """A (not yet started) scheduler in the schedule's time zone, with the poll job when *job* is
    given and the schedule is enabled."""
    scheduler = AsyncIOScheduler(timezone=ZoneInfo(timezone or config.schedule.timezone))
    if job is not None and config.schedule.enabled:
        add_poll_job(scheduler, config, job, timezone=timezone)
    return scheduler


ReportCallback = Callable[[PollReport], Awaitable[None]]
PollOutcome = Literal["ok", "feed_failed", "error"]
# (how the poll ended, its duration in seconds); awaited after the report callback
PollObserver = Callable[[PollOutcome, float], Awaitable[None]]


class PollJob:
    """One poll of the configured feeds, never two at once (the schedule and ``/ptm-admin poll``).

    Calling it (what the scheduler does) never raises: a failed run is logged with its traceback
    and the next run tries again. :meth:`run` is for a moderator asking now: it waits for a running
    poll to finish, then polls, and lets errors reach the command's error handler. Every run (dry
    runs too) is told to :attr:`observers`, which never change its result.
    """

    def __init__(
        self,
        db: Any,
        config: Config,
        fetcher: PoliteFetcher,
        *,
        on_report: ReportCallback | None = None,
    ) -> None:
        self._db = db
        self._config = config
        self._fetcher = fetcher
        self._on_report = on_report
        self._lock = asyncio.Lock()
        self.observers: list[PollObserver] = []

    @property
    def running(self) -> bool:
        return self._lock.locked()

    async def __call__(self) -> PollReport | None:
        if self._lock.locked():
            log.info("a poll is already running; skipping this scheduled run")
            return None
        try:
            return await self.run()
        except Exception:
            log.exception("scheduled arXiv poll failed")
            return None

    async def run(self, *, dry_run: bool = False) -> PollReport:
        start = clock.perf_counter()
        outcome: PollOutcome = "error"
        try:
            report = await self._run(dry_run=dry_run)
            outcome = "feed_failed" if report.failed else "ok"
            return report
        finally:
            await self._tell(outcome, clock.perf_counter() - start)

    async def _tell(self, outcome: PollOutcome, seconds: float) -> None:
        for observer in self.observers:
            try:
                await observer(outcome, seconds)
            except Exception:  # an observer never changes how the poll ended
                log.exception("poll observer %r failed", observer)

    async def _run(self, *, dry_run: bool) -> PollReport:
        async with self._lock:
            report = await poll(self._db, self._config, fetcher=self._fetcher, dry_run=dry_run)
        if self._on_report is not None and not dry_run:
            try:
                await self._on_report(report)
            except Exception:
                log.exception("handling the poll report failed")
        return report
