"""``/ptm-admin gate add|list|remove`` in the simulated Discord, and what the gates do to a poll.

The poll fetches a real captured arXiv feed (``rss2-cs.LG-2026-04-27-trimmed.xml``) from an aiohttp
server on 127.0.0.1: its one paper the model suggests (2604.21952, "Focus Session: ...", by Muhammad
Shafique et al.) and a paper it scores near 0 (2604.21956, by Michal Valko et al.).
"""

from __future__ import annotations

import dataclasses

import discord
import pytest
import pytest_asyncio
import simcord

from bot.client.bot import create_bot
from bot.client.checks import NotModerator
from bot.config import FeedsConfig, GatesConfig, RelevanceConfig, ScheduleConfig
from bot.database import open_database
from bot.relevance.gates import GateError
from tests.plugins.discord import GUILD_ID, World, bot_config
from tests.plugins.feeds import FEEDS
from tests.plugins.http import Reply, ScriptedServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

FEED = FEEDS / "rss2-cs.LG-2026-04-27-trimmed.xml"
MODEL_PICK = "2604.21952"  # the model suggests it (score about 0.2)
LOW = "2604.21956"  # scored about 0.004: never suggested by the model


@pytest_asyncio.fixture
async def arxiv_server():
    async with ScriptedServer() as server:
        server.script(
            "/rss/cs.LG", Reply(200, FEED.read_bytes(), headers={"Content-Type": "application/rss+xml"})
        )
        yield server


def gates_config(server: ScriptedServer, gates: GatesConfig | None = None):  # type: ignore[no-untyped-def]
    config = bot_config(review_channel="models", post_interval_seconds=0.0)
    return dataclasses.replace(
        config,
        feeds=FeedsConfig(
            categories=("cs.LG",),
            url_template=server.url("/rss/{categories}"),
            contact="mailto:test@example.org",
            min_interval_seconds=0.0,
        ),
        relevance=RelevanceConfig(exploration=False, gates=gates or GatesConfig()),
        schedule=ScheduleConfig(enabled=False),
    )


@pytest.fixture
def simcord_bot(db, arxiv_server, request):  # overrides the shared fixture: feeds from the local server
    # A test may give [relevance.gates] by indirect parametrisation.
    return create_bot(gates_config(arxiv_server, getattr(request, "param", None)), db)


async def show_admin_to(env: simcord.Env, world: World, *roles: simcord.RoleHandle) -> None:
    # default_permissions hides /ptm-admin; a server admin shows it to roles (Integrations).
    cmds = await env.bot.tree.fetch_commands(guild=discord.Object(GUILD_ID))
    admin = next(c for c in cmds if c.name == "ptm-admin")
    world.guild.set_command_permissions(admin, {role: True for role in roles})


@pytest_asyncio.fixture(autouse=True)
async def moderators_see_the_admin_group(simcord_env, world):
    await show_admin_to(simcord_env, world, world.mod_role)


def fields(embed: discord.Embed) -> dict[str, str]:
    return {f.name or "": f.value or "" for f in embed.fields}


def cards(world: World) -> dict[str, dict[str, str]]:
    """The review cards in the channel, by arXiv URL."""
    history = world.channel.history()
    return {m.embeds[0].url: fields(m.embeds[0]) for m in history if m.embeds and m.embeds[0].url}


def listing(r) -> str:  # type: ignore[no-untyped-def]
    (embed,) = r.response.embeds
    return "\n".join(f"{f.name}: {f.value}" for f in embed.fields)


async def test_a_never_gate_keeps_the_models_pick_off_and_an_always_gate_puts_a_low_score_on(
    simcord_env, world, arxiv_server
):
    r = await world.mod.slash(
        world.channel, "ptm-admin gate add", mode="never", kind="author", value="Muhammad  Shafique"
    )
    assert r.ephemeral and r.response.content.startswith("Gate added: **never author 'Muhammad Shafique'**")
    r = await world.mod.slash(
        world.channel, "ptm-admin gate add", mode="always", kind="author", value="michal valko"
    )
    assert r.ephemeral and "always author 'michal valko'" in r.response.content

    r = await world.mod.slash(world.channel, "ptm-admin gate list")
    text = listing(r)
    assert "Never suggest" in text and "author 'Muhammad Shafique' — mod (" in text
    assert "Always suggest" in text and "author 'michal valko'" in text

    r = await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    assert (
        "gates: 1 kept out by a never-gate, 1 put forward by an always-gate"
        in r.response.embeds[0].description
    )
    shown = cards(world)
    assert f"https://arxiv.org/abs/{MODEL_PICK}" not in shown  # the model's pick, gated out
    card = shown[f"https://arxiv.org/abs/{LOW}"]  # the low score, gated in
    assert card["Why"].startswith("• gate: always author 'michal valko'")
    assert float(card["Score"].split()[0]) < 0.05  # still scored, and the card says so


async def test_without_gates_the_poll_suggests_the_models_pick_only(simcord_env, world):
    r = await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    # The pick scores under review.card_min_score (0.3): suggested, in the "also above the line"
    # listing, not a card; the always-gated paper above (scored lower still) got its card.
    assert "0 as cards, 1 listed above the line" in r.response.embeds[0].description
    assert cards(world) == {}
    (listing,) = [
        m for m in world.channel.history() if m.embeds and m.embeds[0].title.startswith("Also above")
    ]
    assert f"https://arxiv.org/abs/{MODEL_PICK}" in listing.embeds[0].description


async def test_bad_input_is_one_clear_line(simcord_env, world):
    cases = [
        ({"mode": "never", "kind": "term", "value": "   "}, "a term gate needs a value"),
        ({"mode": "never", "kind": "term", "value": "the"}, "would match almost every paper"),
        ({"mode": "never", "kind": "term", "value": "a"}, "would match almost every paper"),
        ({"mode": "always", "kind": "category", "value": "machine learning"}, "is not an arXiv category"),
    ]
    for options, expected in cases:
        r = await world.mod.slash(world.channel, "ptm-admin gate add", **options)
        assert r.ephemeral and expected in r.response.content, (options, r.response.content)
        simcord.assert_error(simcord_env, GateError)

    await world.mod.slash(world.channel, "ptm-admin gate add", mode="never", kind="term", value="ChatGPT for")
    r = await world.mod.slash(
        world.channel, "ptm-admin gate add", mode="never", kind="term", value="chatgpt  FOR"
    )
    assert r.response.content == "there is already a gate: never term 'ChatGPT for'"
    simcord.assert_error(simcord_env, GateError)
    r = await world.mod.slash(
        world.channel, "ptm-admin gate add", mode="always", kind="term", value="ChatGPT for"
    )
    assert "there is already a never gate on term 'ChatGPT for'; remove it first" in r.response.content
    simcord.assert_error(simcord_env, GateError)
    r = await world.mod.slash(
        world.channel, "ptm-admin gate remove", mode="always", kind="term", value="ChatGPT for"
    )
    assert r.response.content.startswith("there is no gate always term 'ChatGPT for'")
    simcord.assert_error(simcord_env, GateError)

    r = await world.mod.slash(
        world.channel, "ptm-admin gate remove", mode="never", kind="term", value="chatgpt for"
    )
    assert r.response.content.startswith("Gate removed: **never term 'ChatGPT for'** (set by mod (")
    r = await world.mod.slash(world.channel, "ptm-admin gate list")
    assert r.response.content.startswith("No gates")


async def test_external_text_pings_nobody_and_markdown_is_escaped(simcord_env, world):
    value = "@everyone **Acme** <@&1> Labs"
    r = await world.mod.slash(world.channel, "ptm-admin gate add", mode="never", kind="org", value=value)
    assert "**Acme**" not in r.response.content and "\\*\\*Acme\\*\\*" in r.response.content
    assert "@everyone" not in r.response.content.replace("@\u200beveryone", "")
    r = await world.mod.slash(world.channel, "ptm-admin gate list")
    assert "@everyone" not in listing(r).replace("@\u200beveryone", "")
    assert simcord_env.bot.allowed_mentions.everyone is False and not simcord_env.bot.allowed_mentions.users


async def test_non_moderators_are_refused(simcord_env, world):
    # A server admin showed /ptm-admin to @everyone: the runtime check still refuses.
    await show_admin_to(simcord_env, world, world.mod_role, world.guild.default_role)
    for command, options in (
        ("ptm-admin gate add", {"mode": "never", "kind": "term", "value": "survey"}),
        ("ptm-admin gate remove", {"mode": "never", "kind": "term", "value": "survey"}),
        ("ptm-admin gate list", {}),
    ):
        r = await world.alice.slash(world.channel, command, **options)
        assert r.ephemeral and r.response.content.startswith("Only moderators can do that")
        simcord.assert_error(simcord_env, NotModerator)
    r = await world.mod.slash(world.channel, "ptm-admin gate list")
    assert r.response.content.startswith("No gates")  # nothing was added


async def test_gates_survive_a_restart_on_the_same_database_file(simcord_env, world, db_path, arxiv_server):
    await world.mod.slash(
        world.channel, "ptm-admin gate add", mode="never", kind="term", value="Focus Session"
    )
    # A new process: a new Database on the same file, a new bot.
    db2 = await open_database(f"sqlite+aiosqlite:///{db_path}")
    try:
        await simcord_env.restart_bot(create_bot(gates_config(arxiv_server), db2))
        r = await world.mod.slash(world.channel, "ptm-admin gate list")
        assert "term 'Focus Session' — mod (" in listing(r)
        await world.admin.slash(world.channel, "ptm-admin poll")
        await simcord_env.settle()
        assert cards(world) == {}  # the gate still keeps the model's pick off
    finally:
        await simcord_env.shutdown()
        await simcord_env.bot.close()
        await db2.close()


CONFIG_GATES = GatesConfig(always_categories=("cs.LG",), never_terms=("Focus Session",))


@pytest.mark.parametrize("simcord_bot", [CONFIG_GATES], indirect=True)
async def test_config_gates_combine_with_stored_ones_and_cannot_be_removed_here(simcord_env, world):
    await world.mod.slash(
        world.channel, "ptm-admin gate add", mode="always", kind="author", value="Michal Valko"
    )
    r = await world.mod.slash(world.channel, "ptm-admin gate list")
    text = listing(r)
    assert "term 'Focus Session' — config file" in text
    assert "category 'cs.LG' — config file" in text and "author 'Michal Valko' — mod (" in text
    r = await world.mod.slash(
        world.channel, "ptm-admin gate remove", mode="never", kind="term", value="focus session"
    )
    assert "is set in the config file: remove it from [relevance.gates]" in r.response.content
    simcord.assert_error(simcord_env, GateError)
    r = await world.mod.slash(
        world.channel, "ptm-admin gate add", mode="always", kind="term", value="Focus Session"
    )
    assert "in the config file ([relevance.gates])" in r.response.content
    simcord.assert_error(simcord_env, GateError)
    # Never wins over always: the category gate puts every cs.LG paper forward, except the one
    # the never-term keeps out.
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    shown = cards(world)
    assert set(shown) == {f"https://arxiv.org/abs/{LOW}", "https://arxiv.org/abs/2604.21953"}
    assert shown[f"https://arxiv.org/abs/{LOW}"]["Why"].startswith(
        "• gate: always author 'Michal Valko'\n• gate: always category 'cs.LG'"
    )


async def test_admin_feeds_shows_each_polled_feeds_health(simcord_env, world, arxiv_server):
    """``/ptm-admin feeds`` reads the feed rows through the watcher's door (bot.watch.actions)."""
    r = await world.mod.slash(world.channel, "ptm-admin feeds")
    assert r.ephemeral and r.response.content == "No feed has been polled yet."
    await world.mod.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    r = await world.mod.slash(world.channel, "ptm-admin feeds")
    (embed,) = r.response.embeds
    ((name, value),) = fields(embed).items()
    assert r.ephemeral and arxiv_server.url("/rss/cs.LG") in name
    assert value.startswith("ok; last success ") and value.endswith("; 1 polls")
