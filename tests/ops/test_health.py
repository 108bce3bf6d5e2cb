"""``ptm-bot health`` through the real entry point: each check, its one line, the exit status."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli.main import main
from bot.config import CONFIG_PATH_ENV, load_config
from bot.database import open_database
from bot.ops.health import last_due_poll
from bot.ops.leader import PollerLock
from bot.watch.poll import feed_urls
from db import models as m
from db.session import head_revision

GOOD_CONFIG = """
[discord]
review_channel = "ptm-review"

[schedule]
days = "*"
"""


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(CONFIG_PATH_ENV, raising=False)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(GOOD_CONFIG, encoding="utf-8")
    return path


@pytest.fixture
def poller(db_path: Path):  # type: ignore[no-untyped-def]
    """A running bot's poller lock on the catalog, as ``ptm-bot run`` holds it."""
    lock = PollerLock(f"sqlite+aiosqlite:///{db_path}")
    assert asyncio.run(lock.acquire())
    yield lock
    asyncio.run(lock.release())


def health(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    code = main(["health", "--json", *argv])
    return code, json.loads(capsys.readouterr().out)


def set_feed(db_path: Path, config_file: Path, **values: object) -> None:
    url = feed_urls(load_config(config_file))[0]

    async def write() -> None:
        db = await open_database(f"sqlite+aiosqlite:///{db_path}", seed=False)
        try:
            async with db.begin() as session:
                session.add(m.Feed(url=url, **values))
        finally:
            await db.close()

    asyncio.run(write())


def test_healthy_deployment_exits_0(db_path: Path, config_file: Path, capsys, poller) -> None:
    # Polled 5 minutes ago: after any scheduled time whose window (jitter + 1 h grace) has closed.
    set_feed(db_path, config_file, last_ok_at=datetime.now(UTC) - timedelta(minutes=5), health="ok")
    code = main(["health", "--config", str(config_file), "--db", str(db_path)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0, out
    assert out[-1] == "healthy"
    assert out[0].startswith("ok       database: reachable, at the newest migration")
    assert any(line.startswith("ok       catalog: 17 surveys, 102 models, 34 resources") for line in out)
    assert any(line.startswith("ok       poll: last successful poll 5 min ago") for line in out)
    assert f"ok       poller: polling is done by pid {os.getpid()} (lock file t.sqlite3.poller.lock)" in out


def test_no_running_poller_is_a_problem(db_path: Path, config_file: Path, capsys) -> None:
    code, report = health(capsys, "--config", str(config_file), "--db", str(db_path))
    assert code == 1
    assert report["problems"] == [
        "poller: no process holds t.sqlite3.poller.lock: no bot is running with the schedule on, so nothing "
        "polls arXiv ('ptm-bot run')"
    ]
    # The probe let the lock go: a bot starting now still becomes the poller.
    lock = PollerLock(f"sqlite+aiosqlite:///{db_path}")
    assert asyncio.run(lock.acquire())
    asyncio.run(lock.release())


def test_every_problem_is_one_line_and_exit_1(db_path: Path, config_file: Path, capsys, poller) -> None:
    config_file.write_text('[schedule]\ndays = "*"\n', encoding="utf-8")  # no review channel
    set_feed(
        db_path,
        config_file,
        last_ok_at=datetime.now(UTC) - timedelta(days=5),
        health="disabled",
        consecutive_failures=5,
        last_error="HTTP 503 Service Unavailable\nretry later",
    )
    code, report = health(capsys, "--config", str(config_file), "--db", str(db_path))
    assert code == 1 and not report["healthy"]
    problems = report["problems"]
    assert len(problems) == 3, problems
    assert problems[0].startswith("poll: last successful poll 5 days ago")
    assert "disabled after 5 failed polls in a row: HTTP 503 Service Unavailable" in problems[1]
    assert problems[2].startswith("review channel: discord.review_channel is not set")
    assert all("\n" not in p for p in problems)


def test_fresh_catalog_is_healthy_until_its_first_poll_is_due(
    db_path: Path, config_file: Path, capsys, poller
) -> None:
    code, report = health(capsys, "--config", str(config_file), "--db", str(db_path))
    assert code == 0, report["problems"]
    poll = next(c for c in report["checks"] if c["name"] == "poll")
    assert poll["detail"] == "never polled yet; the first scheduled poll is not due"
    # Make the catalog two days old: a daily poll was due and none succeeded.
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE catalog_revisions SET at = datetime('now', '-2 days')")
    code, report = health(capsys, "--config", str(config_file), "--db", str(db_path))
    assert code == 1
    assert report["problems"][0].startswith("poll: never polled successfully; a poll was due at")


def test_unscheduled_polling_is_not_a_problem(db_path: Path, config_file: Path, capsys) -> None:
    config_file.write_text(GOOD_CONFIG.replace('days = "*"', "enabled = false"), encoding="utf-8")
    code, report = health(capsys, "--config", str(config_file), "--db", str(db_path))
    assert code == 0
    assert any(c["detail"].startswith("not scheduled (schedule.enabled = false)") for c in report["checks"])


def test_database_behind_the_newest_migration(db_path: Path, config_file: Path, capsys, poller) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0004'")
    says = f"the catalog at {db_path} needs migrating (revision 0004); run ptm-bot init first"
    code = main(["health", "--config", str(config_file), "--db", str(db_path)])
    # In the words of the commands that must not migrate (issue 23), but a problem line: health
    # answers 0 or 1, never 2 (issue 21).
    out, err = capsys.readouterr()
    assert code == 1 and err == ""
    assert f"PROBLEM  database: {says}" in out.splitlines()
    code, report = health(capsys, "--config", str(config_file), "--db", str(db_path))
    assert code == 1 and f"database: {says}" in report["problems"]
    assert head_revision() != "0004"
    assert sqlite3.connect(db_path).execute("SELECT version_num FROM alembic_version").fetchone() == ("0004",)


def test_missing_database_file_is_not_created(tmp_path: Path, config_file: Path, capsys) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    code, report = health(capsys, "--config", str(config_file), "--db", str(missing))
    assert code == 1
    assert report["problems"] == [f"database: {missing} does not exist (run 'ptm-bot init')"]
    assert not missing.exists()


def test_unreachable_database_is_one_line(config_file: Path, capsys) -> None:
    url = "postgresql+asyncpg://ptm:hunter2@127.0.0.1:9/ptm"
    code = main(["health", "--config", str(config_file), "--db", url])
    out = capsys.readouterr().out
    assert code == 1
    line = next(line for line in out.splitlines() if line.startswith("PROBLEM  database"))
    assert "cannot connect to postgresql+asyncpg://ptm:***@127.0.0.1:9/ptm" in line
    assert "hunter2" not in out


def test_a_config_health_cannot_use_is_a_problem_line_not_exit_2(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Session 8: a bad config file, variable or --db made health exit 2 without its JSON."""
    bad = tmp_path / "bad.toml"
    bad.write_text('[relevance]\nthreshold = "high"\n')
    code, report = health(capsys, "--config", str(bad))
    assert code == 1 and report["healthy"] is False
    assert report["problems"] == [
        f"config: cannot use the configuration: {bad}:2: relevance.threshold: must be a number between 0 "
        "and 1, got 'high'"
    ]
    code, report = health(capsys, "--db", "")
    assert code == 1 and report["problems"] == [
        "config: cannot use the configuration: --db is empty: give a database file or URL"
    ]
    monkeypatch.setenv("PTM_BOT_SCHEDULE_MINUTE", "61")
    assert main(["health"]) == 1
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("PROBLEM  config: cannot use the configuration: environment: ")
    assert main(["stats"]) == 2  # the other commands keep their usage error


def test_last_due_poll_follows_the_schedule_and_its_window() -> None:
    config = load_config(env={})  # mon-fri 00:30 New York, jitter 600 s
    ny = ZoneInfo("America/New_York")
    tuesday_3am = datetime(2026, 12, 1, 3, 0, tzinfo=ny)
    assert last_due_poll(config, tuesday_3am) == datetime(2026, 12, 1, 0, 30, tzinfo=ny)
    tuesday_1am = datetime(2026, 12, 1, 1, 0, tzinfo=ny)  # today's poll may still be running
    assert last_due_poll(config, tuesday_1am) == datetime(2026, 11, 30, 0, 30, tzinfo=ny)
    sunday = datetime(2026, 12, 6, 12, 0, tzinfo=ny)  # no poll on weekends: Friday's counts
    assert last_due_poll(config, sunday) == datetime(2026, 12, 4, 0, 30, tzinfo=ny)


@pytest.mark.skipif(
    not os.environ.get("PTM_BOT_TEST_POSTGRES_URL"), reason="PTM_BOT_TEST_POSTGRES_URL not set"
)
async def test_poller_on_postgres_is_read_from_pg_locks() -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    from bot.ops.leader import poller_holder

    url = os.environ["PTM_BOT_TEST_POSTGRES_URL"]
    engine = create_async_engine(url)
    lock = PollerLock(url)
    try:
        assert await lock.acquire()
        held, detail = await poller_holder(url, engine)
        assert held and detail.startswith("PostgreSQL backend pid ")
        await lock.release()
        held, detail = await poller_holder(url, engine)
        assert held is False and detail == "no process holds the advisory lock"
    finally:
        await lock.release()
        await engine.dispose()


def test_damaged_database_is_a_problem_line_with_json(db_path: Path, config_file: Path, capsys) -> None:
    """A catalog whose pages are damaged: exit 1 and JSON with a problem line, not exit 2 (issue 21)."""
    with sqlite3.connect(db_path) as conn:
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE name = 'ix_entries_kind_year_month'"
        ).fetchone()
        (page_size,) = conn.execute("PRAGMA page_size").fetchone()
    with db_path.open("r+b") as f:  # the index the catalog's counts read: garbage
        f.seek((root - 1) * page_size)
        f.write(b"\xde\xad" * (page_size // 2))
    code, report = health(capsys, "--config", str(config_file), "--db", str(db_path))
    assert code == 1 and not report["healthy"]
    assert (
        f"database: cannot read sqlite+aiosqlite:///{db_path}: database disk image is malformed"
        in report["problems"]
    )


async def test_stale_poll_line_shows_times_in_the_zone_it_names(db_path: Path, config_file: Path) -> None:
    from bot.ops.health import check_health

    config = load_config(config_file).with_database_url(f"sqlite+aiosqlite:///{db_path}")
    assert config.schedule.timezone == "America/New_York"
    db = await open_database(f"sqlite+aiosqlite:///{db_path}", seed=False)
    try:
        async with db.begin() as session:
            url = feed_urls(config)[0]
            session.add(m.Feed(url=url, health="ok", last_ok_at=datetime(2026, 11, 27, 6, 0, tzinfo=UTC)))
    finally:
        await db.close()
    # Tuesday noon UTC: that day's 00:30 New York poll (05:30 UTC) did not succeed.
    report = await check_health(config, now=datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    poll = next(check for check in report.checks if check.name == "poll")
    assert not poll.ok
    assert poll.detail == (
        "last successful poll 4 days ago (2026-11-27 06:00 UTC, 01:00 America/New_York); the schedule's poll "
        "at 2026-12-01 05:30 UTC, 00:30 America/New_York did not succeed"
    )
    assert datetime.fromisoformat(poll.data["due"]) == datetime(2026, 12, 1, 5, 30, tzinfo=UTC)
