"""Members suggest papers (issue 22, part 1) in the simulated Discord: ``/ptm suggest`` brings a paper a
poll scored below the line (or one it never saw: read from a stand-in arXiv API on 127.0.0.1) to the
review channel as a card marked "suggested by" the member with their note; known papers are answered
with their state; a daily limit per member; moderators turn it off; the member is told the decision
by DM, once."""

from __future__ import annotations

import asyncio
import dataclasses

import discord
import pytest
import pytest_asyncio
import simcord
from sqlalchemy import select

from bot.cli.ask import ask
from bot.client.bot import create_bot
from bot.client.review.cards import catch_up_member_notices
from bot.config import RelevanceConfig, ReviewConfig
from bot.errors import UserFacingError
from db import models as m
from support.feedgen import Item, rss2
from tests.plugins.discord import polling_config, stand_in_feeds
from tests.plugins.http import Reply, ScriptedServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LOW = Item("2604.60001", "Orchard: Pre-training a Speech Model on Bird Song", "We pre-train a speech model.")
ELSE = Item("2604.60002", "Kestrel: Masked Pre-training for Audio", "We release the pretrained model.")
UNSEEN = Item(
    "2604.60003", "Heron-LM: A Language Model for Wetland Surveys", "We pre-train a language model."
)


def api_answer(item: Item) -> bytes:
    """An arXiv API answer (Atom) for one paper, as tests/review/test_loop.py's stand-in gives it."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <id>https://arxiv.org/api/x</id><title>arXiv Query</title><updated>2026-04-28T00:00:00-04:00</updated>
  <entry>
    <id>http://arxiv.org/abs/{item.arxiv_id}v1</id>
    <updated>2026-04-27T17:00:00Z</updated><published>2026-04-27T17:00:00Z</published>
    <title>{item.title}</title><summary>{item.abstract}</summary>
    <author><name>Ada Lovelace</name></author>
    <arxiv:primary_category term="cs.CL"/><category term="cs.CL"/>
  </entry>
</feed>""".encode()


@pytest_asyncio.fixture
async def server():
    async with ScriptedServer() as s:
        s.script("/rss/cs.CL", Reply(200, rss2([LOW, ELSE]), headers={"Content-Type": "application/rss+xml"}))
        s.script("/api", Reply(200, api_answer(UNSEEN), headers={"Content-Type": "application/atom+xml"}))
        yield s


@pytest.fixture
def simcord_bot(db, server):  # overrides the shared fixture
    config = polling_config(
        server,
        feeds=stand_in_feeds(server, api_url_template=server.url("/api") + "?id_list={id}"),
        # Everything below the line: the poll suggests nothing by itself.
        relevance=RelevanceConfig(exploration=False, threshold=1.0),
        review=ReviewConfig(member_suggestions_per_day=2),
    )
    return create_bot(config, db)


async def row(db, arxiv_id: str) -> m.Suggestion | None:
    async with db.begin() as s:
        return await s.scalar(select(m.Suggestion).where(m.Suggestion.arxiv_id == arxiv_id))


def cards(world) -> list[discord.Message]:
    return [
        msg
        for msg in world.channel.history()
        if msg.embeds and (msg.embeds[0].url or "").startswith("https://arxiv.org/abs/")
    ]


def field(message: discord.Message, name: str) -> str | None:
    return next((f.value for f in message.embeds[0].fields if f.name == name), None)


async def suggest(env, actor, channel, paper: str, note: str | None = None):
    options = {"paper": paper} if note is None else {"paper": paper, "note": note}
    r = await actor.slash(channel, "ptm suggest", **options)
    await env.settle()
    return r


async def test_a_member_suggests_a_paper_the_poll_left_below_the_line(simcord_env, world, db, server):
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    assert (await row(db, LOW.arxiv_id)).status == "seen" and cards(world) == []

    r = await suggest(
        simcord_env, world.alice, world.channel, f"https://arxiv.org/abs/{LOW.arxiv_id}v2", "weights are out"
    )
    assert r.ephemeral and "is in the review queue" in r.response.content and "DM" in r.response.content
    stored = await row(db, LOW.arxiv_id)
    assert stored.status == "pending" and stored.suggested_by == world.alice.id
    assert stored.member_note == "weights are out" and stored.reasons[0] == "suggested by a member"
    (card,) = cards(world)
    who = field(card, "💡 Suggested by a member")
    assert who == f"{world.alice.mention}\n“weights are out”"
    assert card.content in ("", None) and card.mentions == []  # nobody pinged

    # Known papers are answered with their state; nothing changes.
    r = await suggest(simcord_env, world.bob, world.channel, LOW.arxiv_id)
    assert "already waiting for the moderators' review" in r.response.content
    r = await suggest(simcord_env, world.bob, world.channel, "1810.04805")
    assert "already in the catalog as **BERT**" in r.response.content
    assert len(cards(world)) == 1

    # The moderators' decision reaches alice by DM, once.
    r = await world.mod.click(card, label="Reject")
    await world.mod.submit_modal(r, {"reason": "not a pre-trained model"})
    await simcord_env.settle()
    (dm,) = world.alice.user.dm_channel.history()
    assert f"arXiv {LOW.arxiv_id}" in dm.content and "not added" in dm.content
    assert "Reason: not a pre-trained model" in dm.content
    await world.admin.slash(world.channel, "ptm-admin undo", arxiv_id=LOW.arxiv_id)
    await world.admin.slash(world.channel, "ptm-admin approve", arxiv_id=LOW.arxiv_id)
    await simcord_env.settle()
    assert len(world.alice.user.dm_channel.history()) == 1  # told once


async def test_an_unseen_paper_is_read_from_arxiv_and_the_daily_limit_holds(simcord_env, world, db, server):
    r = await suggest(simcord_env, world.alice, world.channel, UNSEEN.arxiv_id)
    assert "is in the review queue" in r.response.content
    assert server.requests_to("/api")  # read from the (stand-in) arXiv API
    assert (await row(db, UNSEEN.arxiv_id)).suggested_by == world.alice.id
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    r = await suggest(simcord_env, world.alice, world.channel, ELSE.arxiv_id)
    assert "is in the review queue" in r.response.content
    r = await suggest(simcord_env, world.alice, world.channel, LOW.arxiv_id)
    assert "in the last 24 hours, the most this server allows (2)" in r.response.content
    simcord.assert_error(simcord_env, UserFacingError, contains="the most this server allows")
    assert (await row(db, LOW.arxiv_id)).status == "seen"
    r = await suggest(simcord_env, world.bob, world.channel, LOW.arxiv_id)  # bob has his own count
    assert "is in the review queue" in r.response.content


async def test_moderators_turn_member_suggestions_off_and_on(simcord_env, world, db, server):
    r = await world.admin.slash(world.channel, "ptm-admin member-suggestions", state="off")
    assert "**off** (turned off by admin" in r.response.content
    r = await suggest(simcord_env, world.alice, world.channel, UNSEEN.arxiv_id)
    assert "turned off on this server" in r.response.content
    simcord.assert_error(simcord_env, UserFacingError, contains="turned off")
    assert await row(db, UNSEEN.arxiv_id) is None and cards(world) == []
    r = await world.admin.slash(world.channel, "ptm-admin member-suggestions", state="on")
    assert "are **on**" in r.response.content
    r = await suggest(simcord_env, world.alice, world.channel, UNSEEN.arxiv_id)
    assert "is in the review queue" in r.response.content


async def test_a_decision_made_from_the_terminal_reaches_the_member_once(simcord_env, world, db, server):
    """``ptm-bot ask '/ptm-admin approve ID'`` decides without the bot's gateway: the bot's next
    hourly round (virtual time) tells the member by DM and shows the decision on the card; later
    rounds send nothing."""
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    await suggest(simcord_env, world.alice, world.channel, LOW.arxiv_id, "weights are out")
    (card,) = cards(world)
    payload, status = await ask(simcord_env.bot.config, db, f"/ptm-admin approve {LOW.arxiv_id}")
    assert status == 0, payload.content
    assert (await row(db, LOW.arxiv_id)).status == "approved"
    assert world.alice.user.dm_channel is None or world.alice.user.dm_channel.history() == []

    await simcord_env.advance_time(3600)  # the review cog's hourly round
    (dm,) = world.alice.user.dm_channel.history()
    assert f"arXiv {LOW.arxiv_id}" in dm.content and "was approved" in dm.content
    assert (await row(db, LOW.arxiv_id)).member_notified_at is not None
    (refreshed,) = cards(world)
    assert refreshed.id == card.id and refreshed.embeds[0].to_dict() != card.embeds[0].to_dict()
    assert "approved" in str(refreshed.embeds[0].to_dict()).casefold()

    await simcord_env.advance_time(3600)
    assert len(world.alice.user.dm_channel.history()) == 1  # told once


async def test_two_rounds_at_once_tell_and_post_in_the_thread_once(simcord_env, world, db, server):
    """Two catch-up rounds at once (two processes sharing the catalog): the one that claims the
    notice redraws the card, posts the decision in its thread and DMs the member; the other, nothing."""
    bot = simcord_env.bot
    bot.config = dataclasses.replace(bot.config, review=dataclasses.replace(bot.config.review, threads=True))
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    await suggest(simcord_env, world.alice, world.channel, LOW.arxiv_id, "weights are out")
    (card,) = cards(world)
    _, status = await ask(bot.config, db, f"/ptm-admin approve {LOW.arxiv_id}")
    assert status == 0
    told = await asyncio.gather(catch_up_member_notices(bot), catch_up_member_notices(bot))
    await simcord_env.settle()
    assert sorted(told) == [0, 1]
    assert len(world.alice.user.dm_channel.history()) == 1
    thread = await bot.fetch_channel(card.id)
    posts = [msg.content async for msg in thread.history(limit=50)]
    assert sum("approved" in (text or "").casefold() for text in posts) == 1, posts
