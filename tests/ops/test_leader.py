"""One poller among many: three real processes share a database; exactly one polls at a time, and
when it is killed another takes over at its next scheduled run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.config import database_url_from_path
from bot.ops.leader import LeaderOnlyJob, PollerLock, lock_file_for, poller_holder

HELPER = Path(__file__).with_name("poller_process.py")
ROOT = Path(__file__).resolve().parents[2]
TICK = 0.1


def _pollers(log: Path, since: float) -> list[int]:
    if not log.exists():
        return []
    out = []
    for line in log.read_text().splitlines():
        pid, at = line.split()
        if float(at) >= since:
            out.append(int(pid))
    return out


def _wait_for(predicate, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError("timed out")


def _three_processes(url: str, tmp_path: Path) -> None:
    log = tmp_path / "polls.log"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, str(HELPER), url, str(log), str(TICK)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for _ in range(3)
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline().startswith("ready")
        start = time.time()
        time.sleep(1.0)
        first = set(_pollers(log, start))
        assert len(first) == 1, f"expected one poller, got {first}"
        (leader,) = first
        assert len(_pollers(log, start)) >= 3  # it kept polling at every tick

        os.kill(leader, signal.SIGKILL)  # dies without releasing anything
        next(p for p in procs if p.pid == leader).wait(timeout=10)
        killed_at = time.time()
        _wait_for(lambda: any(pid != leader for pid in _pollers(log, killed_at)))
        time.sleep(1.0)
        after = set(_pollers(log, killed_at + 0.5))
        assert len(after) == 1 and leader not in after, after
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
            if proc.stdout is not None:
                proc.stdout.close()


@pytest.mark.slow
def test_three_processes_elect_one_poller_on_sqlite(tmp_path: Path) -> None:
    url = database_url_from_path(str(tmp_path / "catalog.sqlite3"))
    _three_processes(url, tmp_path)
    assert lock_file_for(url) == tmp_path / "catalog.sqlite3.poller.lock"


@pytest.mark.skipif(
    not os.environ.get("PTM_BOT_TEST_POSTGRES_URL"), reason="PTM_BOT_TEST_POSTGRES_URL not set"
)
def test_three_processes_elect_one_poller_on_postgres(tmp_path: Path) -> None:
    _three_processes(os.environ["PTM_BOT_TEST_POSTGRES_URL"], tmp_path)


async def test_released_lock_is_taken_by_the_next_process(tmp_path: Path) -> None:
    url = database_url_from_path(str(tmp_path / "catalog.sqlite3"))
    first, second = PollerLock(url), PollerLock(url)
    runs: list[str] = []

    async def job() -> None:
        runs.append("polled")

    assert await first.acquire()
    assert await first.acquire()  # holding it: still the poller
    assert not await second.acquire()
    assert await LeaderOnlyJob(second, job)() is None and runs == []
    await first.release()
    await LeaderOnlyJob(second, job)()
    assert runs == ["polled"]
    await second.release()


async def test_a_deleted_lock_file_lets_no_second_poller_run(tmp_path: Path) -> None:
    """Issue 23: the lock file deleted while held. The next process to come locks a new file at the
    path; the old holder finds its file gone at its next scheduled run and steps down: one poller."""
    url = database_url_from_path(str(tmp_path / "catalog.sqlite3"))
    path = lock_file_for(url)
    assert path is not None
    first, second = PollerLock(url), PollerLock(url)
    runs: list[str] = []

    def job(name: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            runs.append(name)

        return run

    assert await first.acquire()
    path.unlink()
    assert await second.acquire()  # a new file: the path is free
    for name, lock in (("first", first), ("second", second)):
        await LeaderOnlyJob(lock, job(name))()
    assert runs == ["second"] and not first.held
    assert await poller_holder(url) == (True, f"pid {os.getpid()} (lock file {path.name})")
    await second.release()
    assert await first.acquire()  # and it can take over again when the other one stops
    await first.release()


async def test_the_holder_locks_its_deleted_file_again(tmp_path: Path) -> None:
    """The bot's keeper (every KEEP_SECONDS) restores a deleted lock file before anyone else comes:
    health sees the holder again and a newcomer does not get in."""
    url = database_url_from_path(str(tmp_path / "catalog.sqlite3"))
    path = lock_file_for(url)
    assert path is not None
    first, second = PollerLock(url), PollerLock(url)
    assert await first.acquire()
    path.unlink()
    assert (await poller_holder(url))[0] is False  # nobody can be seen holding it now
    await first.keep()
    assert path.exists() and first.held
    assert await poller_holder(url) == (True, f"pid {os.getpid()} (lock file {path.name})")
    assert not await second.acquire()
    # Replaced by another file (an editor, a restore): the same.
    path.unlink()
    path.write_text("someone else's\n", encoding="utf-8")
    await first.keep()
    assert first.held and not await second.acquire()
    assert path.read_text(encoding="utf-8") == f"{os.getpid()}\n"
    await first.release()
    await second.keep()  # not holding: nothing to keep
    assert not second.held


async def test_in_memory_database_always_polls() -> None:
    lock = PollerLock("sqlite+aiosqlite:///:memory:")
    assert await lock.acquire() and lock.held
    await lock.release()


async def test_the_watcher_schedules_the_poll_behind_the_poller_lock(tmp_path: Path) -> None:
    """Two bots on one catalog: both schedule the poll, only the lock holder's runs poll."""
    import aiohttp

    from bot.config import Config
    from bot.ops.leader import KEEP_SECONDS
    from bot.watch.schedule import POLL_JOB_ID, build_scheduler
    from cogs.watcher import KEEP_JOB_ID, WatcherCog

    url = database_url_from_path(str(tmp_path / "catalog.sqlite3"))
    config = Config().with_database_url(url)
    polled: list[str] = []

    class FakeBot:
        def __init__(self) -> None:
            self.config = config
            self.db = object()
            self.http_session = http
            self.scheduler = build_scheduler(config)
            self.scheduler.start(paused=True)

    async with aiohttp.ClientSession() as http:
        bots = [FakeBot(), FakeBot()]
        cogs = [WatcherCog(bot) for bot in bots]  # type: ignore[arg-type]
        for cog in cogs:
            await cog.cog_load()
        try:
            assert cogs[0].poller_lock is not None and cogs[0].poller_lock.held
            assert cogs[1].poller_lock is not None and not cogs[1].poller_lock.held
            for bot in bots:  # each keeps its lock file checked (issue 23)
                keeper = bot.scheduler.get_job(KEEP_JOB_ID)
                assert keeper is not None and keeper.trigger.interval.total_seconds() == KEEP_SECONDS
            for name, bot in zip("ab", bots, strict=True):
                gate = bot.scheduler.get_job(POLL_JOB_ID).func.__self__
                assert isinstance(gate, LeaderOnlyJob)

                async def poll(name: str = name) -> None:
                    polled.append(name)

                gate.job = poll
            for bot in bots:
                await bot.scheduler.get_job(POLL_JOB_ID).func()
            assert polled == ["a"]
            await cogs[0].cog_unload()  # the poller stops: the other takes over at its next run
            await bots[1].scheduler.get_job(POLL_JOB_ID).func()
            assert polled == ["a", "b"]
        finally:
            for cog, bot in zip(cogs, bots, strict=True):
                await cog.cog_unload()
                bot.scheduler.shutdown(wait=False)
