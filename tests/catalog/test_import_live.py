"""The live bot keeps working during a big ``ptm-bot import``: a moderator's approval and the
scheduled poll, started while the import holds the write lock, both succeed (issue #10)."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli.main import main
from bot.commands import admin
from bot.config import Config, database_url_from_path
from bot.database import Database, open_database
from bot.review.service import Decision
from bot.watch.poll import poll
from db import models as m
from tests.plugins.database import add_pending

FEED = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "rss2-cs.CL-2026-04-27-trimmed.xml"


def big_list(n: int) -> str:
    lines = ["## PTM"]
    for i in range(n):
        yymm = f"{18 + i % 7:02d}{1 + i % 12:02d}"
        lines += [
            f"{yymm}: [LiveModel-{i:05d}](https://example.org/live-{i:05d}) (from Org {i % 97}) released with "
            f"the paper [LiveModel-{i:05d}: number {i}](https://arxiv.org/abs/{yymm}.{i:05d}) by "
            f"Author {i % 1009}, Writer {i % 313} and Scholar {i % 71}.",
            "",
        ]
    return "\n".join(lines)


def write_locked(path: Path) -> bool:
    """Whether another connection holds the write lock right now (the import is writing)."""
    conn = sqlite3.connect(path, timeout=0)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.rollback()
        return False
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc)
        return True
    finally:
        conn.close()


@pytest.mark.slow
async def test_an_approval_and_a_poll_during_a_10000_entry_import_both_succeed(db_path, tmp_path):
    # The bot's side gives up waiting for the lock after 0.2 s (the default is 5 s), so the test
    # sees its writers meet the lock and retry, whatever this machine's speed.
    db = await open_database(f"sqlite+aiosqlite:///{db_path}", busy_timeout_ms=200)
    try:
        await _approve_and_poll_while_importing(db, db_path, tmp_path)
    finally:
        await db.close()


async def _approve_and_poll_while_importing(db: Database, db_path: Path, tmp_path: Path) -> None:
    await add_pending(db)
    big = tmp_path / "big.md"
    big.write_text(big_list(10_000), encoding="utf-8")
    importing = asyncio.create_task(
        asyncio.to_thread(main, ["import", str(big), "--db", str(db_path), "--quiet"])
    )
    while not write_locked(db_path):
        assert not importing.done(), "the import finished before its write could be observed"
        await asyncio.sleep(0.002)
    # The import is writing now: a moderator approves and the scheduled poll runs.
    config = Config().with_database_url(database_url_from_path(str(db_path)))
    approval = asyncio.create_task(admin.decide(db, "2111.09296", Decision.APPROVE, admin.TERMINAL))
    polled = asyncio.create_task(poll(db, config, fetcher=None, sources=[str(FEED)], now=datetime.now(UTC)))
    (payload, view), report = await asyncio.gather(approval, polled)
    assert await importing == 0
    assert view is not None and view.status == "approved" and "XLS-R 2" in str(payload)
    assert report.candidates and not any(f.outcome == "failed" for f in report.feeds)
    async with db.begin() as s:
        assert await s.scalar(select(func.count()).select_from(m.Entry)) == 153 + 10_000 + 1
        assert await s.scalar(select(m.Entry.origin).where(m.Entry.name == "XLS-R 2")) == "review"
        stored = await s.scalar(select(func.count()).select_from(m.Suggestion))
    assert stored >= len(report.candidates)
