"""``[[routes]]`` for the digest (issue 22, part 3): a route's entries are posted in its own channel with
its role (the only mention of that message), the rest in ``digest.channel`` with the digest's role;
a route for cards only leaves the digest alone."""

from __future__ import annotations

import dataclasses

import pytest

from bot.client.bot import create_bot
from bot.config import DigestConfig, RouteConfig
from tests.client.test_digest_and_follows import approve_two, run_digest
from tests.plugins.discord import bot_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def simcord_bot(db):
    config = dataclasses.replace(
        bot_config(),
        digest=DigestConfig(channel="news", role="Readers", dm_interval_seconds=0.0),
        routes=(
            RouteConfig(query="transformers", channel="vision-news", cards=True, digest=False),
            RouteConfig(topic="speech", channel="speech-news", role="Speech", cards=False),
        ),
    )
    return create_bot(config, db)


def allowed_roles(env, channel) -> list[int]:
    (request,) = [
        r for r in env.http_requests if r.method == "POST" and r.path == f"/channels/{channel.id}/messages"
    ]
    allowed = request.json["allowed_mentions"]
    assert allowed["parse"] == [] and not allowed.get("users")
    return [int(r) for r in allowed.get("roles", [])]


async def test_a_routes_entries_go_to_its_channel_with_its_role(simcord_env, world, db):
    news = world.guild.create_text_channel("news")
    speech_news = world.guild.create_text_channel("speech-news")
    vision_news = world.guild.create_text_channel("vision-news")
    readers, speech = world.guild.create_role("Readers"), world.guild.create_role("Speech")
    await approve_two(db)  # XLS-R 2 (speech) and ViT-X (vision, "Vision Transformers at Scale")
    run = await run_digest(simcord_env)
    assert run.entries == 2
    routed = speech_news.last_message
    assert routed.content == f"<@&{speech.id}>" and routed.embeds[0].title == "1 new entry in the catalog"
    assert "XLS-R 2" in routed.embeds[0].description and "ViT-X" not in routed.embeds[0].description
    assert allowed_roles(simcord_env, speech_news) == [speech.id]
    rest = news.last_message
    assert rest.content == f"<@&{readers.id}>" and "ViT-X" in rest.embeds[0].description
    assert "XLS-R" not in rest.embeds[0].description
    assert allowed_roles(simcord_env, news) == [readers.id]
    assert vision_news.last_message is None  # that route takes cards only
