"""Fixtures for the Discord-side tests: the real bot in simcord, a small world, no logged errors.

Import what a test module needs (``from tests.discord_fixtures import ...``). The recipe follows
docs/dev-testing-with-simcord.md: the world (guild, roles, members) is built before the bot
starts, so ``setup_hook`` syncs the commands to the configured development guild, as in production.
Moderators are configured by role *name* ("Moderator"), so the frozen config needs no ids that only
exist once the world is built.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import discord
import pytest
import pytest_asyncio
import simcord

from bot.client.bot import PTMBot, create_bot
from bot.config import Config, DiscordConfig, ScheduleConfig
from bot.database import Database

GUILD_ID = 111_111_111_111_111_111
MODERATOR_ROLE = "Moderator"


# The catalog fixtures come from tests/conftest.py (``shipped_db_file``, ``db_path``, ``db``); these
# names are kept for modules that import them from here.
@pytest.fixture(scope="session")
def catalog_template(shipped_db_file: Path) -> Path:
    return shipped_db_file


@pytest.fixture
def catalog_file(db_path: Path) -> Path:
    return db_path


@pytest.fixture
def ptm_db(db: Database) -> Database:
    return db


def bot_config(**discord_options: object) -> Config:
    options: dict[str, object] = {"guild_ids": (GUILD_ID,), "moderator_roles": (MODERATOR_ROLE,)}
    options.update(discord_options)
    # No scheduled arXiv poll in tests (APScheduler runs on real time; jobs are called directly).
    return Config(discord=DiscordConfig(**options), schedule=ScheduleConfig(enabled=False))  # type: ignore[arg-type]


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

    ``db`` comes from tests/conftest.py: a private copy of the catalog filled from the shipped list.
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


class LoggedErrors(logging.Handler):
    """Collects ERROR records; a test that expects some calls :meth:`allow`."""

    PREFIXES = ("discord", "bot", "cogs", "db", "ptm")

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []
        self.allowed = False

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def allow(self) -> list[logging.LogRecord]:
        """This test expects logged errors: do not fail it for them (returns the records so far)."""
        self.allowed = True
        return self.records

    def ours(self) -> list[logging.LogRecord]:
        return [r for r in self.records if r.name.startswith(self.PREFIXES)]


@pytest.fixture(autouse=True)
def no_logged_errors() -> Iterator[LoggedErrors]:
    """Fail the test if the bot logged an error (a handler's exception, a failed reply, ...).

    Requested first (autouse), so it is torn down after ``simcord_env``: shutdown logs count too.
    """
    handler = LoggedErrors()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    bad = handler.ours()
    if bad and not handler.allowed:
        lines = "\n".join(f"{r.name}: {r.getMessage()}" for r in bad)
        pytest.fail(f"bot logged {len(bad)} error(s):\n{lines}", pytrace=False)


__all__ = [
    "GUILD_ID",
    "MODERATOR_ROLE",
    "LoggedErrors",
    "World",
    "bot_config",
    "catalog_file",
    "catalog_template",
    "no_logged_errors",
    "ptm_db",
    "simcord_bot",
    "simcord_env",
    "world",
]
