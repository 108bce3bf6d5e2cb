"""Relevant papers over a cap wait for the next poll; concurrent polls report what each stored (issue 11)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

import bot.watch.actions as watch_actions
from bot.config import database_url_from_path
from bot.database import open_database
from bot.watch.poll import poll
from db import models as m
from support.feedgen import Item, ptm_item, write_feed
from tests.plugins.database import suggestion_rows
from tests.plugins.feeds import make_config

NOW = datetime(2026, 4, 27, 4, 30, tzinfo=UTC)


def relevant(prefix: str, n: int) -> list[Item]:
    return [ptm_item(f"2604.{prefix}{i:02d}", f"Lex{prefix}x{i}LM") for i in range(n)]


async def test_papers_over_the_per_poll_cap_are_suggested_by_later_polls_oldest_first(
    db, db_path, tmp_path
) -> None:
    config = make_config(db_path, per_poll_cap=2, daily_cap=100)
    first = relevant("71", 5)
    report = await poll(db, config, fetcher=None, sources=[write_feed(tmp_path, "a.xml", first)], now=NOW)
    assert sum(c.suggest for c in report.candidates) == 2
    held = {c.arxiv_id for c in report.candidates if c.why_not == "per-poll cap"}
    assert len(held) == 3
    rows = await suggestion_rows(db)
    assert {a for a, (status, _) in rows.items() if status == "waiting"} == held

    # The next day's feed brings 3 more relevant papers: the 2 places go to the oldest waiting ones.
    second = relevant("72", 3)
    report = await poll(
        db,
        config,
        fetcher=None,
        sources=[write_feed(tmp_path, "b.xml", second)],
        now=NOW + timedelta(hours=1),
    )
    taken = [c for c in report.candidates if c.suggest]
    assert len(taken) == 2 and all(c.status == "waiting" and c.arxiv_id in held for c in taken)
    assert all(c.suggestion_id is not None for c in taken)  # the bot posts them
    assert all(c.why_not == "per-poll cap" for c in report.candidates if c.arxiv_id.startswith("2604.72"))

    # Later polls drain the rest, the first feed's last paper before the second feed's.
    order = []
    for hour in range(2, 6):
        report = await poll(
            db,
            config,
            fetcher=None,
            sources=[write_feed(tmp_path, f"e{hour}.xml", [])],
            now=NOW + timedelta(hours=hour),
        )
        order += [c.arxiv_id for c in report.candidates if c.suggest]
    assert len(order) == 4 and order[0] in held and all(a.startswith("2604.72") for a in order[1:])
    rows = await suggestion_rows(db)
    assert not [a for a, (status, _) in rows.items() if status == "waiting"]
    assert sum(status == "pending" for status, _ in rows.values()) == 8


async def test_a_waiting_paper_that_reached_the_catalog_is_not_suggested(db, db_path, tmp_path) -> None:
    config = make_config(db_path, per_poll_cap=1, daily_cap=100)
    items = relevant("73", 2)
    await poll(db, config, fetcher=None, sources=[write_feed(tmp_path, "a.xml", items)], now=NOW)
    async with db.begin() as session:
        waiting = (await session.scalars(select(m.Suggestion).where(m.Suggestion.status == "waiting"))).one()
        entry = (await session.scalars(select(m.Entry).limit(1))).one()
        entry.arxiv_id = waiting.arxiv_id
    report = await poll(
        db, config, fetcher=None, sources=[write_feed(tmp_path, "b.xml", [])], now=NOW + timedelta(hours=1)
    )
    assert not any(c.suggest for c in report.candidates)
    assert (await suggestion_rows(db))[waiting.arxiv_id][0] == "seen"


async def test_two_concurrent_polls_report_only_what_each_stored(db_path, tmp_path, monkeypatch) -> None:
    """Both read before either writes (a barrier makes sure); each then reports only its own rows."""
    config = make_config(db_path, per_poll_cap=15, daily_cap=100)
    feed = write_feed(tmp_path, "same.xml", relevant("74", 15))
    barrier = asyncio.Barrier(2)
    real = watch_actions.existing_suggestions

    async def read_then_wait(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = await real(*args, **kwargs)
        await barrier.wait()
        return found

    monkeypatch.setattr(watch_actions, "existing_suggestions", read_then_wait)
    url = database_url_from_path(str(db_path))
    one, two = await open_database(url), await open_database(url)
    try:
        a, b = await asyncio.gather(
            poll(one, config, fetcher=None, sources=[feed], now=NOW),
            poll(two, config, fetcher=None, sources=[feed], now=NOW),
        )
    finally:
        await one.close()
        await two.close()
    ids_a, ids_b = set(a.suggested_ids), set(b.suggested_ids)
    assert a.counts["suggested"] + b.counts["suggested"] == 15
    assert len(ids_a) == a.counts["suggested"] and len(ids_b) == b.counts["suggested"]
    assert not ids_a & ids_b
    loser = a if a.counts["suggested"] == 0 else b
    assert {c.status for c in loser.candidates} == {"duplicate"}
    assert {c.why_not for c in loser.candidates} == {"stored by a concurrent poll"}
