"""Discussion threads on review cards (``review.threads``) and a forum as the review channel."""

from __future__ import annotations

import dataclasses

import pytest

from bot.client.bot import create_bot
from bot.config import ReviewConfig
from db import models as m
from tests.plugins.database import add_pending
from tests.plugins.discord import bot_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def config(channel: str, *, threads: bool):
    base = bot_config(review_channel=channel, post_interval_seconds=0.0)
    return dataclasses.replace(base, review=ReviewConfig(threads=threads))


async def post(env, db):
    sid = await add_pending(db)
    assert await env.bot.get_cog("ReviewCog").post_pending() == 1
    await env.settle()
    return sid


def card_in(channel):
    (card,) = [msg for msg in channel.history() if msg.embeds]
    return card


def archived(thread) -> bool:
    return thread._channel.thread_metadata.archived


class TestThreads:
    @pytest.fixture
    def simcord_bot(self, db):
        return create_bot(config("models", threads=True), db)

    async def test_each_card_opens_a_thread_that_gets_the_decision_and_is_archived(
        self, simcord_env, world, db
    ):
        await post(simcord_env, db)
        card = card_in(world.channel)
        (thread,) = world.channel.threads
        assert thread.id == card.id and thread.name.startswith("2111.09296 · XLS-R")
        assert not archived(thread)
        await world.alice.send(thread, "Is this a new model or a fine-tune?")  # members discuss
        shown = await world.mod.click(card, label="Reject")
        await world.mod.submit_modal(shown, {"reason": "a fine-tune"})
        last = thread.last_message
        assert "❌ **Rejected** by" in last.content and "reason: a fine-tune" in last.content
        assert archived(thread)
        (sent,) = [r for r in simcord_env.http_requests if r.path == f"/channels/{thread.id}/messages"]
        assert sent.json["allowed_mentions"] == {"parse": []}  # the moderator's name does not ping

    async def test_a_reaction_decision_is_posted_in_the_thread_too(self, simcord_env, world, db):
        await post(simcord_env, db)
        await world.mod.react(card_in(world.channel), "✅")
        (thread,) = world.channel.threads
        assert "✅ **Approved**" in thread.last_message.content and archived(thread)


class TestNoThreads:
    @pytest.fixture
    def simcord_bot(self, db):
        return create_bot(config("models", threads=False), db)

    async def test_without_the_option_no_thread_is_opened(self, simcord_env, world, db):
        await post(simcord_env, db)
        await world.mod.click(world.channel.last_message, label="Approve")
        assert world.channel.threads == []


class TestForum:
    @pytest.fixture
    def simcord_bot(self, db):
        return create_bot(config("model-review", threads=False), db)

    async def test_a_forum_gets_one_post_per_card(self, simcord_env, world, db):
        forum = world.guild.create_forum_channel("model-review")
        sid = await post(simcord_env, db)
        (post_thread,) = forum.threads
        card = card_in(post_thread)
        assert post_thread.name.startswith("2111.09296 · XLS-R")
        async with db.begin() as s:
            row = await s.get(m.Suggestion, sid)
        assert (row.channel_id, row.message_id) == (post_thread.id, card.id)
        await world.mod.click(card, label="Approve")
        async with db.begin() as s:
            assert (await s.get(m.Suggestion, sid)).status == "approved"
        assert "✅ **Approved**" in post_thread.last_message.content and archived(post_thread)
