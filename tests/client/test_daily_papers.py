"""Hugging Face Daily Papers in the simulated Discord (issue 22, part 4): ``/ptm-admin poll`` fetches a
local arXiv feed and a local stand-in of ``/api/daily_papers`` (tests/fixtures/hub/SOURCES.md): the
paper in both is one card showing both sources and its upvotes, the Daily-only paper gets its own;
``/ptm-admin feeds`` shows the source's health like a feed's; the next poll asks conditionally."""

from __future__ import annotations

import json
from pathlib import Path

import discord
import pytest
import pytest_asyncio

from bot.client.bot import create_bot
from bot.watch.daily_papers import SOURCE
from support.feedgen import Item, rss2
from tests.plugins.discord import polling_config, stand_in_feeds
from tests.plugins.http import Reply, ScriptedServer, conditional_feed

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

DAILY = Path(__file__).resolve().parents[1] / "fixtures" / "hub" / "daily-papers.json"
# The fixture's two papers (its third item, without an arXiv id, is tests/watch/test_daily_papers.py's).
DAY = json.dumps(json.loads(DAILY.read_bytes())[:2]).encode()
OTTER = Item(
    "2604.70001",
    "Otter-7B: An Open Pre-trained Language Model",
    "We introduce Otter-7B, a pre-trained language model, and release the weights.",
)


@pytest_asyncio.fixture
async def server():
    async with ScriptedServer() as s:
        s.script("/rss/cs.CL", Reply(200, rss2([OTTER]), headers={"Content-Type": "application/rss+xml"}))
        s.script(
            "/api/daily_papers",
            conditional_feed(DAY, etag='"day-1"', content_type="application/json"),
        )
        yield s


@pytest.fixture
def simcord_bot(db, server):  # overrides the shared fixture
    feeds = stand_in_feeds(server, daily_papers_url=server.url("/api/daily_papers"))
    return create_bot(polling_config(server, feeds=feeds), db)


def card_of(world, arxiv_id: str) -> discord.Message:
    return next(
        msg for msg in world.channel.history() if msg.embeds and arxiv_id in (msg.embeds[0].url or "")
    )


def field(message: discord.Message, name: str) -> str | None:
    return next((f.value for f in message.embeds[0].fields if f.name == name), None)


async def test_one_card_per_paper_with_both_sources_and_the_source_in_feeds(simcord_env, world, server):
    r = await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    assert "2 papers" in r.response.embeds[0].description  # the paper in both counted once
    why = field(card_of(world, OTTER.arxiv_id), "Why")
    assert why is not None and why.splitlines()[0] == f"• also on {SOURCE}: 42 upvotes"
    assert f"on {SOURCE}: 7 upvotes" in field(card_of(world, "2604.70002"), "Why")

    r = await world.admin.slash(world.channel, "ptm-admin feeds")
    names = [f.name for f in r.response.embeds[0].fields]
    (daily,) = [f for f in r.response.embeds[0].fields if server.url("/api/daily_papers") in f.name]
    assert len(names) == 2 and daily.name.startswith("✅") and daily.value.startswith("ok")

    await world.admin.slash(world.channel, "ptm-admin poll")  # asked again, conditionally: a 304
    await simcord_env.settle()
    assert server.requests_to("/api/daily_papers")[-1].headers["If-None-Match"] == '"day-1"'


async def test_a_later_listing_shows_on_the_pending_card(simcord_env, world, server):
    """arXiv announces the paper (its card shows no Daily Papers line); Daily Papers lists it the
    next day: still one card, now showing the listing and its upvotes first."""
    server.script("/api/daily_papers", Reply(200, b"[]", headers={"Content-Type": "application/json"}))
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    card = card_of(world, OTTER.arxiv_id)
    assert SOURCE not in (field(card, "Why") or "")

    server.script("/api/daily_papers", Reply(200, DAY, headers={"Content-Type": "application/json"}))
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    cards = [m for m in world.channel.history() if m.embeds and OTTER.arxiv_id in (m.embeds[0].url or "")]
    assert [m.id for m in cards] == [card.id]  # one card, redrawn
    assert field(cards[0], "Why").splitlines()[0] == f"• also on {SOURCE}: 42 upvotes"
