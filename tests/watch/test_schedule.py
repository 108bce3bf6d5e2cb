"""bot.watch.schedule: cron fire times across US Eastern DST changes, jitter bounds, job options, and the
poll job driven directly against the local test server (throttling and backoff in virtual time)."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import aiohttp
import pytest
from sqlalchemy import select

from bot.config import Config
from bot.watch.fetch import PoliteFetcher
from bot.watch.poll import PollReport
from bot.watch.schedule import (
    MISFIRE_GRACE_SECONDS,
    POLL_JOB_ID,
    PollJob,
    add_poll_job,
    build_scheduler,
    poll_trigger,
    remove_poll_job,
)
from db import models as m
from support.feedgen import Item, ptm_item, rss2
from tests.plugins.database import suggestion_rows
from tests.plugins.feeds import make_config
from tests.plugins.http import Reply, ScriptedServer, VirtualTime, conditional_feed

ET = ZoneInfo("America/New_York")


def _schedule(**changes: object):  # type: ignore[no-untyped-def]
    return replace(Config().schedule, **changes)


def _next(trigger, after: datetime) -> datetime:  # type: ignore[no-untyped-def]
    return trigger.get_next_fire_time(None, after)


@pytest.mark.parametrize(
    ("now_et", "expected_utc"),
    [
        # Spring forward on Sunday 2026-03-08: Friday fires at 00:30 EST, Monday at 00:30 EDT.
        (datetime(2026, 3, 5, 1, 0, tzinfo=ET), datetime(2026, 3, 6, 5, 30, tzinfo=UTC)),  # Thu -> Fri
        (datetime(2026, 3, 6, 1, 0, tzinfo=ET), datetime(2026, 3, 9, 4, 30, tzinfo=UTC)),  # Fri -> Mon
        (datetime(2026, 3, 7, 12, 0, tzinfo=ET), datetime(2026, 3, 9, 4, 30, tzinfo=UTC)),  # Sat -> Mon
        # Fall back on Sunday 2026-11-01.
        (datetime(2026, 10, 29, 1, 0, tzinfo=ET), datetime(2026, 10, 30, 4, 30, tzinfo=UTC)),  # Thu -> Fri
        (datetime(2026, 10, 31, 9, 0, tzinfo=ET), datetime(2026, 11, 2, 5, 30, tzinfo=UTC)),  # Sat -> Mon
    ],
)
def test_weekday_fire_times_across_dst(now_et: datetime, expected_utc: datetime) -> None:
    trigger = poll_trigger(_schedule(jitter_seconds=0))
    fire = _next(trigger, now_et)
    assert fire == expected_utc
    local = fire.astimezone(ET)
    assert (local.hour, local.minute) == (0, 30) and local.weekday() < 5


def test_weekend_days_can_be_configured() -> None:
    trigger = poll_trigger(_schedule(days="sat", hour=6, minute=0, jitter_seconds=0))
    fire = _next(trigger, datetime(2026, 3, 2, tzinfo=ET))  # a Monday
    assert fire.astimezone(ET) == datetime(2026, 3, 7, 6, 0, tzinfo=ET)


def test_jitter_stays_within_bounds() -> None:
    trigger = poll_trigger(_schedule(jitter_seconds=600))
    now = datetime(2026, 3, 6, 1, 0, tzinfo=ET)
    base = datetime(2026, 3, 9, 4, 30, tzinfo=UTC)
    offsets = [(_next(trigger, now) - base).total_seconds() for _ in range(300)]
    assert all(0 <= o <= 600 for o in offsets)
    assert max(offsets) - min(offsets) > 60  # it really varies


async def test_job_options_and_replacement() -> None:
    config = Config()

    async def job() -> None:
        return None

    scheduler = build_scheduler(config, job)
    scheduler.start(paused=True)
    try:
        add_poll_job(scheduler, config, job)  # adding again replaces, never duplicates
        jobs = scheduler.get_jobs()
    finally:
        scheduler.shutdown(wait=False)
    assert [j.id for j in jobs] == [POLL_JOB_ID]
    (j,) = jobs
    assert (j.max_instances, j.coalesce, j.misfire_grace_time) == (1, True, MISFIRE_GRACE_SECONDS)
    assert str(j.trigger.timezone) == "America/New_York"
    remove_poll_job(scheduler)
    remove_poll_job(scheduler)  # idempotent
    assert scheduler.get_jobs() == []
    disabled = replace(config, schedule=replace(config.schedule, enabled=False))
    assert build_scheduler(disabled, job).get_jobs() == []


async def test_running_scheduler_fires_the_job() -> None:
    fired = asyncio.Event()

    async def job() -> None:
        fired.set()

    scheduler = build_scheduler(Config(), job)
    scheduler.start()
    try:
        scheduler.get_job(POLL_JOB_ID).modify(next_run_time=datetime.now(UTC))
        scheduler.wakeup()
        await asyncio.wait_for(fired.wait(), 5)
    finally:
        scheduler.shutdown(wait=False)


# --- the job against the local test server ------------------------------------------------------


async def test_scheduled_job_200_304_429_500_then_disabled(db, db_path) -> None:
    async with ScriptedServer() as server, aiohttp.ClientSession() as http:
        config = make_config(
            db_path,
            categories=("cs.CL", "cs.LG"),
            combined=False,
            url_template=server.url("/rss/{categories}"),
            max_attempts=2,
            disable_after_failures=3,
        )
        cl_body = rss2([ptm_item("2604.50001", "LexLM"), Item("2604.50002", "Bounds")])
        lg_body = rss2([Item("2604.50003", "Other bounds", categories=("cs.LG",))], category="cs.LG")
        server.script("/rss/cs.CL", conditional_feed(cl_body, etag='"cl-1"'))
        server.script("/rss/cs.LG", conditional_feed(lg_body, etag='"lg-1"'))
        vt = VirtualTime()
        fetcher = PoliteFetcher(
            http,
            user_agent=config.user_agent,
            min_interval=3.0,
            max_attempts=2,
            clock=vt.clock,
            sleep=vt.sleep,
        )
        reports: list[PollReport] = []

        async def on_report(report: PollReport) -> None:
            reports.append(report)

        job = PollJob(db, config, fetcher, on_report=on_report)

        def states(report: PollReport) -> list[tuple[str, str]]:
            return [(f.outcome, f.health) for f in report.feeds]

        report = await job()  # 200
        assert states(report) == [("ok", "ok"), ("ok", "ok")]
        assert [(c.arxiv_id, c.suggest) for c in report.candidates] == [
            ("2604.50001", True),
            ("2604.50002", False),
            ("2604.50003", False),
        ]
        assert len(report.suggested_ids) == 1
        ua = server.requests_to("/rss/cs.CL")[0].headers["User-Agent"]
        assert ua.startswith("ptm-bot/") and "mailto:ops@example.org" in ua

        report = await job()  # 304: the stored ETag is sent
        assert states(report) == [("not_modified", "ok"), ("not_modified", "ok")]
        assert server.requests_to("/rss/cs.CL")[-1].headers["If-None-Match"] == '"cl-1"'
        assert report.candidates == []

        server.script("/rss/cs.CL", Reply(status=429, headers={"Retry-After": "120"}))
        report = await job()
        assert states(report) == [("failed", "failing"), ("not_modified", "ok")]
        assert 120 in vt.sleeps  # Retry-After honoured (in virtual time)
        assert [f.source for f in report.health_changes] == [server.url("/rss/cs.CL")]

        server.script("/rss/cs.CL", Reply(status=500))
        assert states(await job()) == [("failed", "failing"), ("not_modified", "ok")]
        assert states(await job()) == [("failed", "disabled"), ("not_modified", "ok")]
        assert states(await job()) == [("skipped", "disabled"), ("not_modified", "ok")]
        assert len(reports) == 6

    rows = await suggestion_rows(db)
    assert rows["2604.50001"][0] == "pending" and set(rows) == {"2604.50001", "2604.50002", "2604.50003"}
    async with db.begin() as session:
        feeds = {f.url.rsplit("/", 1)[-1]: f for f in (await session.scalars(select(m.Feed))).all()}
    assert (feeds["cs.CL"].health, feeds["cs.CL"].etag, feeds["cs.CL"].last_error) == (
        "disabled",
        '"cl-1"',
        "HTTP 500",
    )
    assert (feeds["cs.LG"].health, feeds["cs.LG"].consecutive_failures) == ("ok", 0)


async def test_job_logs_a_failed_run_and_never_raises(db_path, no_logged_errors) -> None:
    class BrokenDatabase:
        async def run(self, work):  # type: ignore[no-untyped-def]
            raise RuntimeError("database is gone")

    async with aiohttp.ClientSession() as http:
        config = make_config(db_path)
        job = PollJob(BrokenDatabase(), config, PoliteFetcher(http, user_agent="ptm-bot/test"))
        assert await job() is None
        with pytest.raises(RuntimeError):
            await job.run()
    errors = no_logged_errors.allow()  # expected
    assert [r.getMessage() for r in errors] == ["scheduled arXiv poll failed"]


async def test_job_tells_its_observers_how_each_run_ended(db_path, no_logged_errors) -> None:
    class BrokenDatabase:
        async def run(self, work):  # type: ignore[no-untyped-def]
            raise RuntimeError("database is gone")

    heard: list[str] = []

    async def observer(outcome: str, seconds: float) -> None:
        assert seconds >= 0
        heard.append(outcome)

    async def broken_observer(outcome: str, seconds: float) -> None:
        raise RuntimeError("observer bug")

    async with aiohttp.ClientSession() as http:
        job = PollJob(BrokenDatabase(), make_config(db_path), PoliteFetcher(http, user_agent="ptm-bot/test"))
        job.observers += [broken_observer, observer]
        with pytest.raises(RuntimeError, match="database is gone"):  # the poll's error, not the observer's
            await job.run()
        assert await job() is None
    assert heard == ["error", "error"]
    messages = [r.getMessage() for r in no_logged_errors.allow()]
    assert messages.count("scheduled arXiv poll failed") == 1
    assert sum("poll observer" in m for m in messages) == 2


async def test_job_skips_when_a_poll_is_running(db, db_path, tmp_path) -> None:
    started, release = asyncio.Event(), asyncio.Event()

    class SlowFetcher:
        async def fetch(self, url, validators):  # type: ignore[no-untyped-def]
            started.set()
            await release.wait()
            raise AssertionError("not reached")

    config = make_config(db_path, url_template="http://127.0.0.1:9/{categories}")
    job = PollJob(db, config, SlowFetcher())  # type: ignore[arg-type]
    first = asyncio.create_task(job())
    await started.wait()
    assert job.running
    assert await job() is None  # skipped, not queued
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_running_scheduler_awaits_a_poll_job_instance(db, db_path) -> None:
    """A PollJob is an object with ``async def __call__``: APScheduler's asyncio executor does not
    take that for a coroutine function and would run it in a worker thread, where calling it only
    creates a coroutine that is never awaited: the scheduled poll would silently never happen."""
    done = asyncio.Event()

    async def on_report(report: PollReport) -> None:
        done.set()

    async with aiohttp.ClientSession() as http:
        config = make_config(db_path, categories=())  # no feeds: the poll runs, fetches nothing
        job = PollJob(db, config, PoliteFetcher(http, user_agent="ptm-bot/test"), on_report=on_report)
        scheduler = build_scheduler(config, job)
        scheduler.start()
        try:
            scheduler.get_job(POLL_JOB_ID).modify(next_run_time=datetime.now(UTC))
            scheduler.wakeup()
            await asyncio.wait_for(done.wait(), 5)
        finally:
            scheduler.shutdown(wait=False)
