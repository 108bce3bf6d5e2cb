"""``/ptm-admin route add|remove|list`` (issue 22, part 3) in the simulated Discord, and through
``ptm-bot ask``: a stored route sends the next poll's cards of its topic to its channel with its
role; removed, the next ones go to the review channel; bad input is one clear line."""

from __future__ import annotations

import pytest
import pytest_asyncio
import simcord

from bot.cli.main import main
from bot.client.bot import create_bot
from bot.errors import UserFacingError
from support.feedgen import Item, rss2
from tests.client.test_routes import cards_in
from tests.plugins.discord import polling_config
from tests.plugins.http import Reply, ScriptedServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

ABSTRACT = "We pre-train a speech model for automatic speech recognition on 60k hours of audio."
FIRST = Item(
    "2604.81001", "Tern: Self-Supervised Speech Representation Learning for Speech Recognition", ABSTRACT
)
SECOND = Item("2604.81002", "Skua: Self-Supervised Speech Pre-training for Speech Recognition", ABSTRACT)


@pytest_asyncio.fixture
async def server():
    async with ScriptedServer() as s:
        rss = {"Content-Type": "application/rss+xml"}
        s.script(
            "/rss/cs.CL", Reply(200, rss2([FIRST]), headers=rss), Reply(200, rss2([SECOND]), headers=rss)
        )
        yield s


@pytest.fixture
def simcord_bot(db, server):  # overrides the shared fixture
    return create_bot(polling_config(server), db)


async def poll(env, world):
    await world.admin.slash(world.channel, "ptm-admin poll")
    await env.settle()


async def test_a_moderator_adds_a_route_and_removes_it(simcord_env, world):
    room = world.guild.create_text_channel("speech-review")
    role = world.guild.create_role("Speech")
    r = await world.admin.slash(
        world.channel, "ptm-admin route add", kind="topic", value="speach", channel="x"
    )
    assert "Route not added: unknown topic 'speach'" in r.response.content
    simcord.assert_error(simcord_env, UserFacingError, contains="unknown topic")
    r = await world.admin.slash(
        world.channel,
        "ptm-admin route add",
        kind="topic",
        value="Speech",
        channel="#speech-review",
        role="Speech",
    )
    assert r.ephemeral and r.response.content.startswith("Added: topic **speech** -> `#speech-review`")
    assert "`/ptm-admin route remove 1`" in r.response.content
    r = await world.admin.slash(world.channel, "ptm-admin route list")
    assert (
        "1. topic **speech** -> `#speech-review`, mentioning `@Speech` (cards and digest; route 1)"
        in r.response.content
    )

    await poll(simcord_env, world)
    (card,) = cards_in(room)
    assert FIRST.arxiv_id in card.embeds[0].url and card.content == f"<@&{role.id}>"

    r = await world.admin.slash(world.channel, "ptm-admin route remove", number=1)
    assert r.response.content.startswith("Removed: topic **speech**")
    await poll(simcord_env, world)
    (default,) = cards_in(world.channel)
    assert SECOND.arxiv_id in default.embeds[0].url and not default.content
    assert len(cards_in(room)) == 1


def run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_routes_from_the_terminal(db_path, capsys):
    db = str(db_path)
    code, out, err = run(
        capsys, "ask", "/ptm-admin route add query diffusion vision-review cards=false", "--db", db
    )
    assert code == 0, err
    assert "Added: papers with diffusion -> `#vision-review` (digest; route 1)" in out
    code, out, err = run(capsys, "ask", "/ptm-admin route list", "--db", db)
    assert "1. papers with diffusion -> `#vision-review` (digest; route 1)" in out
    code, out, err = run(
        capsys, "ask", "/ptm-admin route add query diffusion x cards=false digest=false", "--db", db
    )
    assert code != 0 and "it must take cards, the digest or both" in out + err
    code, out, err = run(capsys, "ask", "/ptm-admin route remove 7", "--db", db)
    assert code != 0 and "No stored route 7" in out + err
    code, out, err = run(capsys, "ask", "/ptm-admin route remove 1", "--db", db)
    assert code == 0 and "Removed: papers with diffusion" in out
    code, out, err = run(capsys, "ask", "/ptm-admin route list", "--db", db)
    assert "No routes" in out


async def test_a_route_to_a_forum_tags_each_card_post(simcord_env, world):
    import discord

    forum = world.guild.create_forum_channel("model-review")
    await simcord_env.bot.get_channel(forum.id).edit(
        available_tags=[discord.ForumTag(name="Vision"), discord.ForumTag(name="Speech")]
    )
    await simcord_env.settle()
    r = await world.admin.slash(
        world.channel,
        "ptm-admin route add",
        kind="topic",
        value="speech",
        channel="model-review",
        tag="speech",
    )
    assert "tag `speech`" in r.response.content
    await poll(simcord_env, world)
    (post,) = forum.threads
    thread = simcord_env.bot.get_channel(post.id) or await simcord_env.bot.fetch_channel(post.id)
    assert [t.name for t in thread.applied_tags] == ["Speech"]
    assert FIRST.arxiv_id in post.history()[0].embeds[0].url
