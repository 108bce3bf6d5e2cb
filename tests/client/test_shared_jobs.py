"""Processes sharing one catalog do its scheduled work once: the digest, the Hub enrichment and the
link check run behind the poller lock (``bot.ops.leader``), like the arXiv poll. Driven through the
bot's own scheduler in the simulated Discord, another process standing in as a second lock holder
(the lock is per open file, so a second holder in this process is refused as another process is)."""

from __future__ import annotations

import dataclasses

import pytest

from bot.client.bot import create_bot
from bot.config import DigestConfig, LinksConfig, ScheduleConfig
from bot.links.job import LINKS_JOB_ID
from bot.ops.leader import STEPPED_DOWN, LeaderOnlyJob, PollerLock, lock_file_for
from bot.review import actions
from bot.review.actions import Actor
from bot.review.service import Decision
from tests.plugins.database import add_pending
from tests.plugins.discord import bot_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MOD = Actor(1, "mod", via="command")


@pytest.fixture
def simcord_bot(db, db_path):
    config = dataclasses.replace(
        bot_config().with_database_url(f"sqlite+aiosqlite:///{db_path}"),  # the lock sits by the catalog
        schedule=ScheduleConfig(enabled=True),  # the watcher takes part in the poller election
        digest=DigestConfig(channel="news", dm_interval_seconds=0.0),
        links=LinksConfig(enabled=True),
    )
    return create_bot(config, db)


async def test_the_scheduled_digest_is_posted_by_the_poller_only(simcord_env, world, db, db_path):
    news = world.guild.create_text_channel("news")
    bot = simcord_env.bot
    lock = bot.poller_lock()
    assert lock is not None and lock.held  # this bot's watcher holds the catalog's poller lock
    assert lock_file_for(lock.url) == db_path.with_name(db_path.name + ".poller.lock")
    await add_pending(db)
    await actions.decide(db, "2111.09296", Decision.APPROVE, MOD)
    await lock.release()
    other = PollerLock(lock.url)  # another process sharing the catalog becomes the poller
    assert await other.acquire()
    try:
        await bot.scheduler.get_job("digest").func()
        await simcord_env.settle()
        assert news.last_message is None  # left to the poller
    finally:
        await other.release()  # that process stops
    await bot.scheduler.get_job("digest").func()  # this one takes over at its next run
    await simcord_env.settle()
    assert news.last_message.embeds[0].title == "1 new entry in the catalog"
    assert lock.held


async def test_the_link_check_runs_behind_the_same_lock(simcord_env, world):
    bot = simcord_env.bot
    gate = bot.scheduler.get_job(LINKS_JOB_ID).func.__self__
    assert isinstance(gate, LeaderOnlyJob) and gate.lock() is bot.poller_lock()
    ran: list[str] = []

    async def check() -> None:
        ran.append("checked")

    gate.job = check
    lock = bot.poller_lock()
    await lock.release()
    other = PollerLock(lock.url)
    assert await other.acquire()
    try:
        await bot.scheduler.get_job(LINKS_JOB_ID).func()
        assert ran == []
    finally:
        await other.release()
    await bot.scheduler.get_job(LINKS_JOB_ID).func()
    assert ran == ["checked"]


async def test_a_bot_whose_watcher_left_the_election_leaves_the_work_to_the_poller(simcord_env, world):
    """Unloading the watcher releases the lock: the link check does not then run here beside the
    process that took the lock over (it would run twice)."""
    bot = simcord_env.bot
    gate = bot.scheduler.get_job(LINKS_JOB_ID).func.__self__
    ran: list[str] = []

    async def check() -> None:
        ran.append("checked")

    gate.job = check
    url = bot.poller_lock().url
    await bot.unload_extension("cogs.watcher")
    other = PollerLock(url)
    assert await other.acquire()
    try:
        assert bot.poller_lock() is STEPPED_DOWN
        await bot.scheduler.get_job(LINKS_JOB_ID).func()
        assert ran == []
    finally:
        await other.release()
