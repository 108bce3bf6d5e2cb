"""Hugging Face Hub enrichment in the simulated Discord (issue 20, part 2): ``/ptm-admin poll`` against a
local arXiv feed, the new card asked about on a local stand-in Hub (tests/fixtures/hub/SOURCES.md):
the card gains the Hub's badge and Weights / Code buttons; approving it makes the entry's docs link
its most downloaded Hub model (not the paper's arXiv page); a snoozed paper comes back to the queue
when the scheduled job (``hub-enrich``, run through the scheduler) first sees a model for it."""

from __future__ import annotations

import json
from pathlib import Path

import discord
import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.catalog import service as catalog
from bot.client.bot import create_bot
from bot.config import EnrichConfig
from cogs.enrich import ENRICH_JOB_ID
from db import models as m
from support.feedgen import Item, rss2
from tests.plugins.discord import polling_config
from tests.plugins.http import Reply, ScriptedServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "hub" / "paper-2106.07447.json"
PTM = "We pre-train a speech model on 60k hours and release the pretrained model and code."
RELEASED = Item("2604.40001", "Orca-Speech: Self-Supervised Speech Representations at Scale", PTM)
LATER = Item("2604.40002", "Narwhal-LM: Pre-training Language Models for Whale Song", PTM)


def hub_answer(models: list[str]) -> bytes:
    """The fixture's shape (documented answer), with these models linked."""
    data = json.loads(FIXTURE.read_bytes())
    data["linkedModels"] = [{"id": name, "downloads": 1000 - i, "likes": 1} for i, name in enumerate(models)]
    data["numTotalModels"] = len(models)
    return json.dumps(data).encode()


@pytest_asyncio.fixture
async def server():
    async with ScriptedServer() as s:
        rss = {"Content-Type": "application/rss+xml"}
        s.script("/rss/cs.CL", Reply(200, rss2([RELEASED, LATER]), headers=rss))
        s.script(
            f"/api/papers/{RELEASED.arxiv_id}",
            Reply(body=hub_answer(["orca/orca-speech-large", "orca/orca-speech-base"])),
        )
        # No model yet at first; the second answer (the scheduled run) lists one.
        s.script(
            f"/api/papers/{LATER.arxiv_id}",
            Reply(body=hub_answer([])),
            Reply(body=hub_answer([])),
            Reply(body=hub_answer(["narwhal/narwhal-lm-7b"])),
        )
        yield s


@pytest.fixture
def simcord_bot(db, server):  # overrides the shared fixture
    enrich = EnrichConfig(hub_url=server.base_url, min_interval_seconds=0.0)
    return create_bot(polling_config(server, enrich=enrich), db)


def card_of(world, arxiv_id: str) -> discord.Message:
    return next(
        msg for msg in world.channel.history() if msg.embeds and arxiv_id in (msg.embeds[0].url or "")
    )


def field(message: discord.Message, name: str) -> str | None:
    return next((f.value for f in message.embeds[0].fields if f.name == name), None)


def buttons(message: discord.Message) -> dict[str, str | None]:
    return {c.label: getattr(c, "url", None) for row in message.components for c in row.children}


async def poll_and_enrich(env, world):
    await world.admin.slash(world.channel, "ptm-admin poll")
    await env.settle()
    cog = env.bot.get_cog("Enrich")
    while cog._tasks:  # the poll's new cards are asked about in the background
        await next(iter(cog._tasks))
    await env.settle()


async def test_cards_gain_the_hubs_links_and_an_approval_links_the_weights(simcord_env, world, db, server):
    await poll_and_enrich(simcord_env, world)
    card = card_of(world, RELEASED.arxiv_id)
    badge = field(card, "🤗 Hugging Face Hub")
    assert (
        badge is not None
        and "Weights released" in badge
        and "2 models (top: orca/orca-speech-large)" in badge
    )
    links = buttons(card)
    assert links["Weights"] == f"{server.base_url}/orca/orca-speech-large"
    assert links["Code"] == "https://github.com/facebookresearch/fairseq"
    assert "Approve" in links  # the review buttons stay
    later = card_of(world, LATER.arxiv_id)
    assert "no model on the Hub yet" in field(later, "🤗 Hugging Face Hub") and "Weights" not in buttons(
        later
    )

    r = await world.mod.click(card, label="Approve")
    assert r.acknowledged
    async with db.begin() as s:
        entry = next(
            e for e in await catalog.load_entries(s, kind="model") if e.arxiv_id == RELEASED.arxiv_id
        )
    assert entry.docs_url == f"{server.base_url}/orca/orca-speech-large"  # not its own arXiv page
    assert entry.paper_url == f"https://arxiv.org/abs/{RELEASED.arxiv_id}"


async def test_a_snoozed_paper_wakes_when_the_hub_first_lists_a_model(simcord_env, world, db, server):
    await poll_and_enrich(simcord_env, world)
    await world.mod.click(card_of(world, LATER.arxiv_id), label="Needs info")
    async with db.begin() as s:
        row = await s.scalar(select(m.Suggestion).where(m.Suggestion.arxiv_id == LATER.arxiv_id))
        assert row.snoozed_until is not None
    job = simcord_env.bot.scheduler.get_job(ENRICH_JOB_ID)
    await job.func()  # the scheduled run: still no model
    await simcord_env.settle()
    async with db.begin() as s:
        row = await s.scalar(select(m.Suggestion).where(m.Suggestion.arxiv_id == LATER.arxiv_id))
        assert row.snoozed_until is not None
    await job.func()  # the Hub now lists a model: back in the queue
    await simcord_env.settle()
    async with db.begin() as s:
        row = await s.scalar(select(m.Suggestion).where(m.Suggestion.arxiv_id == LATER.arxiv_id))
        assert row.snoozed_until is None and row.status == "pending"
        audit = (
            await s.scalars(select(m.ReviewDecision).where(m.ReviewDecision.suggestion_id == row.id))
        ).all()
    assert [(a.action, a.reason) for a in audit][-1] == ("wake", "weights released on the Hugging Face Hub")
    card = card_of(world, LATER.arxiv_id)
    assert field(card, "⏸ Needs info") is None
    assert buttons(card)["Weights"] == f"{server.base_url}/narwhal/narwhal-lm-7b"
