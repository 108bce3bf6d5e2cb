"""The Discord side for tests: the real bot in simcord and a small world.

Fixtures ``simcord_bot`` (a module may override it: another config), ``simcord_env`` and
``world``; helpers ``bot_config`` and :class:`World` are imported by name. The recipe follows
docs/dev-testing-with-simcord.md: the world (guild, roles, members) is built before the bot
starts, so ``setup_hook`` syncs the commands to the configured development guild, as in production.
Moderators are configured by role *name* ("Moderator"), so the frozen config needs no ids that only
exist once the world is built.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

import discord
import pytest
import pytest_asyncio
import simcord

from bot.client.bot import PTMBot, create_bot
from bot.config import Config, DiscordConfig, EnrichConfig, FeedsConfig, RelevanceConfig, ScheduleConfig
from bot.database import Database

GUILD_ID = 111_111_111_111_111_111
MODERATOR_ROLE = "Moderator"


def bot_config(**discord_options: object) -> Config:
    options: dict[str, object] = {"guild_ids": (GUILD_ID,), "moderator_roles": (MODERATOR_ROLE,)}
    options.update(discord_options)
    # No scheduled arXiv poll in tests (APScheduler runs on real time; jobs are called directly), and no
    # Hugging Face Hub enrichment (no network in tests: tests/client/test_enrich.py turns it on against
    # a local stand-in).
    return Config(
        discord=DiscordConfig(**options),  # type: ignore[arg-type]
        schedule=ScheduleConfig(enabled=False),
        enrich=EnrichConfig(enabled=False),
    )


class StandIn(Protocol):
    """A local stand-in server (:class:`tests.plugins.http.ScriptedServer`): what a config needs of it."""

    def url(self, path: str) -> str: ...


# Every paper above the line: the tests using it check what happens to cards, not the model.
EVERY_PAPER = RelevanceConfig(exploration=False, threshold=0.0, per_poll_cap=40, daily_cap=100)


def stand_in_feeds(server: StandIn, **options: Any) -> FeedsConfig:
    """The cs.CL feed of a stand-in arXiv (``/rss/{categories}`` on *server*): no spacing, every paper
    of a first poll counted; *options* override (``daily_papers_url``, ``api_url_template``, ...)."""
    values: dict[str, Any] = {
        "categories": ("cs.CL",),
        "combined": False,
        "url_template": server.url("/rss/{categories}"),
        "contact": "mailto:test@example.org",
        "min_interval_seconds": 0.0,
        "backfill": 100,
    }
    values.update(options)
    return FeedsConfig(**values)


def polling_config(
    server: StandIn,
    *,
    feeds: FeedsConfig | None = None,
    relevance: RelevanceConfig = EVERY_PAPER,
    **changes: Any,
) -> Config:
    """A bot whose cards go to #models at once, polling the stand-in *server* when told to
    (``/ptm-admin poll``; no schedule); *changes* replace more of the config (``enrich``, ``routes``)."""
    return replace(
        bot_config(review_channel="models", post_interval_seconds=0.0),
        feeds=feeds or stand_in_feeds(server),
        relevance=relevance,
        **changes,
    )


@dataclass
class World:
    guild: simcord.GuildHandle
    channel: simcord.ChannelHandle
    mod_role: simcord.RoleHandle
    admin_role: simcord.RoleHandle
    mod: simcord.MemberActor
    admin: simcord.MemberActor
    alice: simcord.MemberActor
    bob: simcord.MemberActor


@pytest.fixture
def simcord_bot(db: Database) -> PTMBot:
    """Overrides the simcord plugin's fixture: the factory-built bot on the test's catalog.

    ``db`` comes from :mod:`tests.plugins.database`: a private copy of the catalog filled from the shipped list.
    """
    return create_bot(bot_config(), db)


@pytest_asyncio.fixture
async def simcord_env(simcord_bot: PTMBot, request: pytest.FixtureRequest) -> AsyncIterator[simcord.Env]:
    """Overrides the plugin's fixture: build the world first, then start (login, setup_hook, READY)."""
    marker = request.node.get_closest_marker("simcord")
    env = simcord.Env(simcord_bot, **(marker.kwargs if marker else {}))
    guild = env.create_guild("ML Research", id=GUILD_ID)
    mod_role = guild.create_role(MODERATOR_ROLE)
    admin_role = guild.create_role("Admin", permissions=discord.Permissions(manage_guild=True))
    channel = guild.create_text_channel("models")
    env.world = World(  # type: ignore[attr-defined]
        guild=guild,
        channel=channel,
        mod_role=mod_role,
        admin_role=admin_role,
        mod=guild.add_member(env.create_user("mod"), roles=[mod_role]),
        admin=guild.add_member(env.create_user("admin"), roles=[admin_role]),
        alice=guild.add_member(env.create_user("alice")),
        bob=guild.add_member(env.create_user("bob")),
    )
    await env.start()
    try:
        yield env
    finally:
        await env.shutdown()
        await simcord_bot.close()  # simcord detaches without closing: run our close() (http session)
        if env.check_errors:  # as the plugin does: unacknowledged bot errors fail the test
            env._raise_errors_since(env._errors_acknowledged)


@pytest.fixture
def world(simcord_env: simcord.Env) -> World:
    return simcord_env.world  # type: ignore[attr-defined,no-any-return]


__all__ = ["GUILD_ID", "MODERATOR_ROLE", "World", "bot_config"]
