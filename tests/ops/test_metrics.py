"""The Prometheus endpoint of ``ptm-bot run``, scraped over HTTP on 127.0.0.1 while the bot runs in
the simulated Discord."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import urllib.request
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from bot.client.bot import PTMBot, create_bot
from bot.config import MetricsConfig, listen_address
from bot.database import Database
from bot.ops.metrics import Metrics
from bot.watch import schedule
from bot.watch.schedule import PollJob
from db import models as m
from tests.plugins.discord import World, bot_config
from tests.plugins.feeds import make_config


@pytest.fixture
def simcord_bot(db: Database) -> PTMBot:
    config = dataclasses.replace(bot_config(), metrics=MetricsConfig(address="127.0.0.1:0"))
    return create_bot(config, db)


async def scrape(bot: PTMBot) -> str:
    url = f"http://127.0.0.1:{bot.metrics.port}/metrics"

    def get() -> str:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode()

    return await asyncio.to_thread(get)


def value(text: str, name: str, **labels: str) -> float:
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"^([a-z_]+)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(match.group(3))
    raise AssertionError(f"{name} {labels} not in the scrape")


async def test_commands_autocomplete_and_database_figures_are_scraped(
    world: World, simcord_env, db: Database
) -> None:
    bot: PTMBot = simcord_env.bot
    assert bot.metrics is not None and bot.metrics.port
    await world.alice.slash(world.channel, "ptm model", name="DeBERTa")
    await world.alice.slash(world.channel, "ptm model", name="debrta")  # not found: still "ok"
    r = await world.alice.slash(world.channel, "ptm search", query="   ")  # the user's mistake
    assert r.ephemeral and r.response.content.startswith("Please give")
    assert len(simcord_env.errors) == 1  # the one error funnel saw it (and answered the user)
    await world.alice.autocomplete(world.channel, "ptm model", "name", "deb")

    async with db.begin() as session:
        session.add(m.Feed(url="https://rss.arxiv.org/rss/cs.CL", health="failing"))
        session.add(m.Suggestion(arxiv_id="2401.00001", title="T", norm_title="t", url="u", status="pending"))
        decided = m.Suggestion(
            arxiv_id="2401.00002",
            title="U",
            norm_title="u",
            url="u2",
            status="approved",
            posted_at=datetime.now(UTC),
        )
        session.add(decided)
        await session.flush()
        session.add(m.ReviewDecision(suggestion_id=decided.id, action="approve", via="reaction"))
    await bot.metrics.refresh(db)  # the snapshot: one read through db.read

    text = await scrape(bot)
    assert value(text, "ptm_bot_commands_total", command="ptm model", outcome="ok") == 2
    assert value(text, "ptm_bot_commands_total", command="ptm search", outcome="user_error") == 1
    assert value(text, "ptm_bot_command_seconds_count", command="ptm model") == 2
    assert value(text, "ptm_bot_autocomplete_seconds_count", command="ptm model") == 1
    assert value(text, "ptm_bot_candidates", status="pending") == 1
    assert value(text, "ptm_bot_candidates", status="approved") == 1
    assert value(text, "ptm_bot_candidates", status="rejected") == 0
    assert value(text, "ptm_bot_suggestions_posted_total") == 1
    assert value(text, "ptm_bot_decisions_total", kind="approve", via="reaction") == 1
    feed = "https://rss.arxiv.org/rss/cs.CL"
    assert value(text, "ptm_bot_feed_health", feed=feed, state="failing") == 1
    assert value(text, "ptm_bot_feed_health", feed=feed, state="ok") == 0


async def test_polls_are_counted_by_outcome_with_their_duration(
    db: Database, db_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    metrics = Metrics(db)
    outcomes = iter([SimpleNamespace(failed=[]), SimpleNamespace(failed=["x"]), RuntimeError("arXiv down")])

    async def fake_poll(*args: object, **kwargs: object) -> object:
        result = next(outcomes)
        if isinstance(result, Exception):
            raise result
        return result

    monkeypatch.setattr(schedule, "poll", fake_poll)
    job = PollJob(db, make_config(db_path), None)  # type: ignore[arg-type]
    job.observers.append(metrics.observe_poll)
    await job.run()
    await job.run()
    with pytest.raises(RuntimeError):
        await job.run()
    metrics.serve("127.0.0.1:0")
    try:
        text = await asyncio.to_thread(
            lambda: (
                urllib.request.urlopen(f"http://127.0.0.1:{metrics.port}/metrics", timeout=10).read().decode()
            )
        )
    finally:
        await metrics.stop()
    for outcome in ("ok", "feed_failed", "error"):
        assert value(text, "ptm_bot_polls_total", outcome=outcome) == 1
    assert value(text, "ptm_bot_poll_seconds_count") == 3


def test_metrics_address_is_checked() -> None:
    assert listen_address("127.0.0.1:9108") == ("127.0.0.1", 9108)
    assert listen_address(":9108") == ("0.0.0.0", 9108)
    assert listen_address("[::1]:9108") == ("::1", 9108)
    with pytest.raises(ValueError):
        listen_address("localhost")
