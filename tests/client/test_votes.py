"""Votes in the simulated Discord (issue 22, part 2): the Vote button of ``/ptm model``, 👍
reactions, the digest's vote menu, and ``/ptm top`` by period and topic on virtual time."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import discord
import pytest
from sqlalchemy import func, select

from bot.actor import Actor
from bot.catalog import actions as catalog_actions
from bot.client.bot import create_bot
from bot.config import DigestConfig
from bot.review import actions as review_actions
from bot.review.service import Decision
from db import models as m
from tests.plugins.database import add_pending
from tests.plugins.discord import World, bot_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

THUMBS_UP = "\N{THUMBS UP SIGN}"
MOD = Actor(1, "mod", via="command")


async def age_votes(db, *, days: int) -> None:
    """Every vote stored so far as cast *days* earlier (the simulated clock does not run for weeks:
    simcord's advance_time gives up settling a bot over days)."""

    async def work(session):
        votes = (await session.scalars(select(m.Vote))).all()
        for vote in votes:
            vote.voted_at = vote.voted_at - timedelta(days=days)

    await db.run(work)


@pytest.fixture
def simcord_bot(db):
    config = dataclasses.replace(bot_config(), digest=DigestConfig(channel="news", dm_interval_seconds=0.0))
    return create_bot(config, db)


async def vote_rows(db) -> list[tuple[str, int]]:
    async def work(session):
        rows = await session.execute(
            select(m.Entry.name, m.Vote.member_id)
            .join(m.Entry, m.Entry.id == m.Vote.entry_id)
            .order_by(m.Vote.id)
        )
        return [tuple(r) for r in rows.all()]

    return await db.run(work)


async def model_answer(world: World, name: str) -> discord.Message:
    r = await world.alice.slash(world.channel, "ptm model", name=name)
    assert not r.ephemeral
    return world.channel.last_message


def vote_button_id(message: discord.Message) -> str:
    ids = [c.custom_id for row in message.components for c in row.children if getattr(c, "custom_id", None)]
    (custom_id,) = [i for i in ids if i.startswith("ptm:vote:")]
    return custom_id


async def test_the_vote_button_toggles_one_vote_per_member(simcord_env, world, db):
    answer = await model_answer(world, "BERT")
    assert vote_button_id(answer).startswith("ptm:vote:")
    r = await world.alice.click(answer, label="Vote")
    assert r.ephemeral and r.response.content.startswith("Your vote for **BERT** is counted (1 vote).")
    assert "<@" not in r.response.content  # a vote never mentions anyone
    r = await world.bob.click(answer, label="Vote")
    assert r.ephemeral and "is counted (2 votes)" in r.response.content
    assert await vote_rows(db) == [("BERT", world.alice.id), ("BERT", world.bob.id)]
    # The same member again: the vote is withdrawn, never counted twice.
    r = await world.alice.click(answer, label="Vote")
    assert r.ephemeral and r.response.content == "Your vote for **BERT** is withdrawn (1 vote)."
    assert await vote_rows(db) == [("BERT", world.bob.id)]
    r = await world.alice.click(answer, label="Vote")
    assert "is counted (2 votes)" in r.response.content


async def test_a_click_after_a_restart_still_votes(simcord_env, world, db):
    answer = await model_answer(world, "RoBERTa")
    new_bot = create_bot(simcord_env.bot.config, db)
    await simcord_env.restart_bot(new_bot)
    r = await world.bob.click(answer, label="Vote")
    assert r.ephemeral and "Your vote for **RoBERTa** is counted (1 vote)" in r.response.content


async def test_a_thumbs_up_votes_and_removing_it_withdraws(simcord_env, world, db):
    answer = await model_answer(world, "GPT")
    await world.alice.react(answer, THUMBS_UP)
    await world.bob.react(answer, THUMBS_UP)
    await world.bob.react(answer, THUMBS_UP)  # the same reaction twice: still one vote
    assert sorted(await vote_rows(db)) == sorted([("GPT", world.alice.id), ("GPT", world.bob.id)])
    # A thumbs-up after the button: still one vote (a reaction casts, it does not toggle).
    r = await world.alice.click(answer, label="Vote")
    assert "withdrawn (1 vote)" in r.response.content
    await world.alice.react(answer, "\N{HEAVY BLACK HEART}")  # another emoji: nothing
    await world.bob.unreact(answer, THUMBS_UP)
    assert await vote_rows(db) == []
    # A thumbs-up on somebody else's message is not a vote.
    plain = await simcord_env.bot.get_channel(world.channel.id).send("hello")  # the bot's, no vote button
    await world.alice.react(plain, THUMBS_UP)
    assert await vote_rows(db) == []


async def approve(db, arxiv_id: str, name: str, topics: str) -> None:
    sid = await add_pending(db, arxiv_id=arxiv_id, title=f"{name}: a model", name=name)
    await review_actions.edit_proposal(db, sid, MOD, name=name, kind="model", topics=topics, org="Lab")
    await review_actions.decide(db, arxiv_id, Decision.APPROVE, MOD)


async def test_the_digest_menu_votes_for_the_chosen_entry(simcord_env, world, db):
    news = world.guild.create_text_channel("news")
    await approve(db, "2401.00011", "SpeechNet", "speech")
    await approve(db, "2401.00012", "VisionNet", "vision")
    run = await simcord_env.bot.get_cog("Digest").run_digest()
    await simcord_env.settle()
    assert run.entries == 2
    digest = news.last_message
    (row,) = digest.components
    (menu,) = row.children
    assert menu.custom_id == "ptm:vote:digest:0" and menu.placeholder == "Vote for an entry of this digest"
    by_name = {o.label: o.value for o in menu.options}
    assert set(by_name) == {"SpeechNet", "VisionNet"}
    r = await world.alice.select(digest, [by_name["VisionNet"]])
    assert r.ephemeral and "Your vote for **VisionNet** is counted (1 vote)" in r.response.content
    await world.bob.select(digest, [by_name["VisionNet"]])
    await world.bob.select(digest, [by_name["SpeechNet"]])
    assert sorted(await vote_rows(db)) == sorted(
        [("VisionNet", world.alice.id), ("VisionNet", world.bob.id), ("SpeechNet", world.bob.id)]
    )
    # A digest of two entries: a thumbs-up cannot say which, so it is no vote.
    await world.alice.react(digest, THUMBS_UP)
    assert len(await vote_rows(db)) == 3
    r = await world.alice.slash(world.channel, "ptm top")
    lines = r.response.embeds[0].description.splitlines()
    assert lines[0].startswith(f"1. {THUMBS_UP} 2 · **VisionNet**") and lines[1].startswith(
        f"2. {THUMBS_UP} 1 · **SpeechNet**"
    )


async def test_a_digest_of_one_entry_takes_a_thumbs_up(simcord_env, world, db):
    news = world.guild.create_text_channel("news")
    await approve(db, "2401.00013", "SoloNet", "speech")
    await simcord_env.bot.get_cog("Digest").run_digest()
    await simcord_env.settle()
    await world.alice.react(news.last_message, THUMBS_UP)
    assert await vote_rows(db) == [("SoloNet", world.alice.id)]


async def test_top_counts_votes_of_the_period_and_topic(simcord_env, world, db):
    r = await world.alice.slash(world.channel, "ptm top")
    assert r.ephemeral and "No votes for entries in the last 7 days" in r.response.content
    wav2vec = await model_answer(world, "wav2vec 2.0")
    bert = await model_answer(world, "BERT")
    await world.alice.click(wav2vec, label="Vote")
    await age_votes(db, days=10)  # alice's vote for wav2vec 2.0: cast 10 days ago
    await world.bob.click(wav2vec, label="Vote")
    await world.alice.click(bert, label="Vote")
    await world.bob.click(bert, label="Vote")
    await world.mod.click(bert, label="Vote")

    r = await world.alice.slash(world.channel, "ptm top", period="week")
    (embed,) = r.response.embeds
    assert not r.ephemeral and embed.title == "Most voted, last 7 days"
    first, second = embed.description.splitlines()
    assert first.startswith(f"1. {THUMBS_UP} 3 · **BERT**")
    assert second.startswith(f"2. {THUMBS_UP} 1 · **Wav2Vec2**")  # alice's vote is 10 days old
    assert embed.footer.text.startswith("Showing 1–2 of 2 voted entries")

    r = await world.alice.slash(world.channel, "ptm top", period="month", topic="speech")
    (embed,) = r.response.embeds
    assert embed.title == "Most voted in Speech (audio), last 30 days"
    (only,) = embed.description.splitlines()  # BERT is not about speech
    assert only.startswith(f"1. {THUMBS_UP} 2 · **Wav2Vec2**")  # both votes in a month

    await age_votes(db, days=31)  # every vote older than a month
    r = await world.alice.slash(world.channel, "ptm top", period="month")
    assert r.ephemeral and "No votes for entries in the last 30 days" in r.response.content


async def test_an_entry_removed_takes_its_votes_with_it(simcord_env, world, db):
    answer = await model_answer(world, "ALBERT")
    await world.alice.click(answer, label="Vote")
    await world.bob.click(answer, label="Vote")
    assert len(await vote_rows(db)) == 2
    await catalog_actions.remove(db, "ALBERT", MOD)

    async def count(session):
        return await session.scalar(select(func.count()).select_from(m.Vote))

    assert await db.run(count) == 0  # ON DELETE CASCADE
    r = await world.alice.slash(world.channel, "ptm top")
    assert r.ephemeral and "No votes" in r.response.content
    r = await world.bob.click(answer, label="Vote")  # the old answer's button
    assert r.ephemeral and r.response.content == "That entry is no longer in the catalog."
