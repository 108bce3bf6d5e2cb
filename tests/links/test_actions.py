"""The link check's door on a copy of the shipped catalog, every link pointed at a local server:
failing then dead only after two failed checks a day apart (the time injected), timeouts and
resets counted as failures, Retry-After honoured, a moved link's fix applied as a revision, and
the weekly job run by the scheduler."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.actor import Actor
from bot.catalog import actions as catalog_actions
from bot.config import Config
from bot.errors import UserFacingError
from bot.links import actions
from bot.links.actions import CheckReport
from bot.links.check import LinkChecker
from bot.links.job import LINKS_JOB_ID, LinkCheckJob, add_links_job
from db import models as m
from db.enums import LinkStatus
from support.localhosts import local_session
from tests.links.helpers import VirtualTime
from tests.plugins.http import Reply

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
MOD = Actor(42, "mod", via="button")


def checker(http, time: VirtualTime) -> LinkChecker:
    return LinkChecker(
        http,
        user_agent="ptm-bot/test",
        timeout=0.3,
        per_host_interval=3.0,
        clock=time.clock,
        sleep=time.sleep,
    )


async def check(db, http, time, now) -> CheckReport:
    return await actions.check_links(db, checker(http, time), now=now)


async def test_dead_only_after_two_failed_checks_a_day_apart(db, links_server, catalog_on_server) -> None:
    urls = {path: url for path, (_, _, url) in catalog_on_server.items()}
    time = VirtualTime()
    async with local_session() as http:
        first = await check(db, http, time, T0)
        states = first.states
        assert states[urls["missing"]].status is LinkStatus.FAILING
        assert (
            states[urls["missing"]].first_failed_at == T0
            and states[urls["missing"]].consecutive_failures == 1
        )
        # A timeout and a reset are failures too, never dead on the first.
        assert states[urls["slow"]].status is LinkStatus.FAILING and "timeout" in (
            states[urls["slow"]].error or ""
        )
        assert states[urls["reset"]].status is LinkStatus.FAILING
        assert states[urls["moved"]].status is LinkStatus.MOVED
        assert states[urls["moved"]].final_url == f"http://special.test:{links_server.port}/ok"
        # 429 with Retry-After: 7: waited 7 (virtual) seconds, asked again, fine.
        assert states[urls["busy"]].status is LinkStatus.OK and 7.0 in time.sleeps
        assert first.outcome_counts()["ok"] == len(first.results) - 4
        assert len(first.results) == len({link.url for link in first.links})  # each URL once

        second = await check(db, http, time, T0 + timedelta(hours=2))  # failed again, the same day
        assert second.states[urls["missing"]].status is LinkStatus.FAILING
        assert second.states[urls["missing"]].consecutive_failures == 2
        assert (await actions.report(db)).problems[0].check.status is LinkStatus.MOVED  # none dead yet

        third = await check(db, http, time, T0 + timedelta(hours=25))
        dead = third.states[urls["missing"]]
        assert (dead.status, dead.first_failed_at, dead.consecutive_failures) == (LinkStatus.DEAD, T0, 3)
        assert third.states[urls["slow"]].status is LinkStatus.DEAD

        report = await actions.report(db)
        listed = {(p.check.url, p.name, str(p.check.status)) for p in report.problems}
        assert listed == {
            (urls["missing"], catalog_on_server["missing"][1], "dead"),
            (urls["slow"], catalog_on_server["slow"][1], "dead"),
            (urls["reset"], catalog_on_server["reset"][1], "dead"),
            (urls["moved"], catalog_on_server["moved"][1], "moved"),
        }
        assert [str(p.check.status) for p in report.problems][:3] == ["dead"] * 3  # dead first
        assert report.counts["dead"] == 3 and report.counts["moved"] == 1

        links_server.script("/missing", Reply(200))  # the page is back
        fourth = await check(db, http, time, T0 + timedelta(hours=30))
        back = fourth.states[urls["missing"]]
        assert (back.status, back.first_failed_at, back.consecutive_failures) == (LinkStatus.OK, None, 0)
        assert urls["missing"] not in {p.check.url for p in (await actions.report(db)).problems}


async def test_a_moved_link_is_fixed_only_by_a_moderator_as_a_revision(
    db, links_server, catalog_on_server
) -> None:
    entry_id, name, old = catalog_on_server["moved"]
    new = f"http://special.test:{links_server.port}/ok"
    async with local_session() as http:
        await check(db, http, VirtualTime(), T0)
    # The check itself changed no entry: the moved link is only proposed.
    async with db.begin() as s:
        assert (await s.get(m.Entry, entry_id)).docs_url == old
    (problem,) = [p for p in (await actions.report(db)).problems if p.check.status is LinkStatus.MOVED]
    before = len(await catalog_actions.history(db))

    shown, applied = await actions.apply_move(db, problem.check_id, problem.entry_id, MOD)

    assert shown == name and applied.final_url == new
    async with db.begin() as s:
        assert (await s.get(m.Entry, entry_id)).docs_url == new
    history = await catalog_actions.history(db)
    assert len(history) == before + 1 and history[0].action == "edit"
    assert old in history[0].summary and new in history[0].summary and "mod" in history[0].summary
    # Fixed: the old URL is held by no entry any more, so it is not listed; a second click changes nothing.
    assert problem.check.url not in {p.check.url for p in (await actions.report(db)).problems}
    with pytest.raises(UserFacingError, match="no longer links to that URL"):
        await actions.apply_move(db, problem.check_id, problem.entry_id, MOD)
    assert len(await catalog_actions.history(db)) == before + 1


async def test_a_dead_link_has_no_fix_to_apply(db, links_server, catalog_on_server) -> None:
    async with local_session() as http:
        await check(db, http, VirtualTime(), T0)
    async with db.begin() as s:
        row = await s.scalar(select(m.LinkCheck).where(m.LinkCheck.url == catalog_on_server["missing"][2]))
    with pytest.raises(UserFacingError, match="no longer reported as moved"):
        await actions.apply_move(db, row.id, catalog_on_server["missing"][0], MOD)


async def test_the_weekly_job_runs_from_the_scheduler(db, links_server, catalog_on_server) -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    done: asyncio.Queue[CheckReport] = asyncio.Queue()
    time = VirtualTime()
    async with local_session() as http:
        job = LinkCheckJob(
            db,
            Config(),
            http,
            on_report=done.put,
            checker_factory=lambda session, config: checker(session, time),
        )
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.start()
        try:
            scheduled = add_links_job(scheduler, Config(), job)
            assert scheduled.trigger.interval == timedelta(days=7)  # links.interval_days
            assert scheduler.get_job(LINKS_JOB_ID).max_instances == 1
            scheduled.modify(next_run_time=datetime.now(UTC))
            scheduler.wakeup()
            report = await asyncio.wait_for(done.get(), 10)
        finally:
            scheduler.shutdown(wait=False)
    assert report.states[catalog_on_server["missing"][2]].status is LinkStatus.FAILING
    async with db.begin() as s:
        assert len((await s.scalars(select(m.LinkCheck))).all()) == len(report.results)
