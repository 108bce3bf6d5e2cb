"""``/ptm-admin publish`` in the simulated Discord with a token in the repository's URL: the reply and
every log record carry the URL without its secret."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import discord
import pytest

from bot.client.bot import PTMBot, create_bot
from bot.config import PublishConfig
from bot.database import Database
from tests.ops.test_secrets import PUBLISH_SECRET, SECRET_REPOSITORY, remote  # noqa: F401 (a fixture)
from tests.plugins.discord import World, bot_config


@pytest.fixture
def simcord_bot(db: Database, remote: Path) -> PTMBot:
    config = dataclasses.replace(bot_config(), publish=PublishConfig(repository=SECRET_REPOSITORY))
    return create_bot(config, db)


async def test_publish_reply_and_logs_carry_no_token(
    world: World, simcord_env, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    commands = await simcord_env.bot.tree.fetch_commands(guild=discord.Object(world.guild.id))
    admin = next(c for c in commands if c.name == "ptm-admin")
    world.guild.set_command_permissions(admin, {world.mod_role: True})

    r = await world.mod.slash(world.channel, "ptm-admin publish")
    assert r.response.content.startswith("published 153 added")
    assert "https://x-access-token:***@git.example.invalid/org/list.git" in r.response.content
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert "x-access-token:***@" in logged
    assert PUBLISH_SECRET not in r.response.content + logged
