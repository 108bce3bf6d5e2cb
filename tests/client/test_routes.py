"""Per-topic routes (issue 22, part 3) in the simulated Discord: ``[[routes]]`` send a poll's review cards
of a topic (or of papers matching a query) to their own channel with the route's role mentioned (its
only mention); other cards go to the review channel, mentioning nobody; ``/ptm-admin routes`` lists
them. The config's checks: a known topic or a query, and a channel."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
import pytest_asyncio

from bot.client.bot import create_bot
from bot.config import ConfigError, RouteConfig, load_config
from support.feedgen import Item, rss2
from tests.plugins.discord import polling_config
from tests.plugins.http import Reply, ScriptedServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

SPEECH = Item(
    "2604.80001",
    "Loon: Self-Supervised Speech Representation Learning for Speech Recognition",
    "We pre-train a speech model for automatic speech recognition on 60k hours of audio.",
)
DIFFUSION = Item(
    "2604.80002",
    "Gannet: A Pre-trained Diffusion Model for Images",
    "We pre-train a diffusion model on images and release the pretrained model.",
)
TEXT = Item("2604.80003", "Puffin-LM: Pre-training a Language Model", "We pre-train a language model.")


@pytest_asyncio.fixture
async def server():
    async with ScriptedServer() as s:
        s.script(
            "/rss/cs.CL",
            Reply(200, rss2([SPEECH, DIFFUSION, TEXT]), headers={"Content-Type": "application/rss+xml"}),
        )
        yield s


@pytest.fixture
def simcord_bot(db, server):  # overrides the shared fixture
    routes = (
        RouteConfig(topic="speech", channel="speech-review", role="Speech"),
        RouteConfig(query="diffusion images", channel="vision-review"),
    )
    return create_bot(polling_config(server, routes=routes), db)


def cards_in(channel) -> list[discord.Message]:
    return [
        m
        for m in channel.history()
        if m.embeds and (m.embeds[0].url or "").startswith("https://arxiv.org/abs/")
    ]


async def test_cards_follow_their_route_and_mention_only_its_role(simcord_env, world):
    speech_room = world.guild.create_text_channel("speech-review")
    vision_room = world.guild.create_text_channel("vision-review")
    speech_role = world.guild.create_role("Speech")
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()

    (speech_card,) = cards_in(speech_room)
    assert SPEECH.arxiv_id in speech_card.embeds[0].url
    assert speech_card.content == f"<@&{speech_role.id}>"
    assert [r.id for r in speech_card.role_mentions] == [speech_role.id] and speech_card.mentions == []
    posts = [r for r in simcord_env.http_requests if r.method == "POST" and r.path.endswith("/messages")]
    (to_speech,) = [r for r in posts if r.path == f"/channels/{speech_room.id}/messages"]
    assert to_speech.json["allowed_mentions"]["parse"] == []
    assert [int(x) for x in to_speech.json["allowed_mentions"]["roles"]] == [speech_role.id]
    for r in posts:
        if r.path != f"/channels/{speech_room.id}/messages":
            assert not r.json.get("allowed_mentions", {}).get("roles")  # nobody else is mentioned
    (vision_card,) = cards_in(vision_room)
    assert DIFFUSION.arxiv_id in vision_card.embeds[0].url and not vision_card.content
    assert vision_card.role_mentions == []
    (default_card,) = cards_in(world.channel)  # no route: the review channel, no mention
    assert TEXT.arxiv_id in default_card.embeds[0].url and not default_card.content

    # The routed card's buttons work where it is.
    r = await world.mod.click(speech_card, label="Approve")
    assert r.acknowledged

    r = await world.admin.slash(world.channel, "ptm-admin route list")
    assert (
        "1. topic **speech** -> `#speech-review`, mentioning `@Speech` (cards and digest; config)"
        in r.response.content
    )
    assert (
        "2. papers with **diffusion images** -> `#vision-review` (cards and digest; config)"
        in r.response.content
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_routes_are_read_and_checked(tmp_path):
    config = load_config(
        write(
            tmp_path, '[[routes]]\ntopic = "Speech"\nchannel = "speech-review"\nrole = 123456789012345678\n'
        ),
        env={},
    )
    assert config.routes == (RouteConfig(topic="speech", channel="speech-review", role=123456789012345678),)
    bad = (
        '[[routes]]\ntopic = "speach-ish"\nchannel = "x"\n'
        '[[routes]]\ntopic = "speech"\nquery = "asr"\nchannel = "x"\n'
        '[[routes]]\nquery = "asr"\n'
        '[[routes]]\nquery = "asr"\nchannel = "x"\nchanel = "y"\n'
    )
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, bad), env={})
    text = str(err.value)
    assert "routes[1].topic" in text and "unknown topic" in text
    assert "routes[2].topic: give a topic or a query (one of them)" in text
    assert "routes[3].channel: a route needs a channel" in text
    assert "routes[4].chanel: unknown key (did you mean 'channel'?)" in text


def test_config_show_lists_the_routes_as_toml_that_loads_again(tmp_path, capsys):
    from bot.cli.main import main

    path = write(tmp_path, '[[routes]]\nquery = "diffusion"\nchannel = "vision-review"\nrole = "Vision"\n')
    capsys.readouterr()
    assert main(["config", "show", "--config", str(path)]) == 0
    shown = capsys.readouterr().out
    assert "[[routes]]" in shown and 'query = "diffusion"' in shown and 'role = "Vision"' in shown
    again = load_config(_again(tmp_path, shown), env={})
    assert again.routes == (RouteConfig(query="diffusion", channel="vision-review", role="Vision"),)


def _again(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "shown.toml"
    path.write_text(text, encoding="utf-8")
    return path
