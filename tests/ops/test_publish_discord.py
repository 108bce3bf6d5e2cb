"""``/ptm-admin publish`` in the simulated Discord, against a bare repository in a temp directory."""

from __future__ import annotations

import dataclasses
import logging
import subprocess
from pathlib import Path

import discord
import pytest

from bot.actor import TERMINAL
from bot.catalog.actions import edit
from bot.client.bot import PTMBot, create_bot
from bot.config import PublishConfig
from bot.database import Database
from tests.plugins.discord import World, bot_config


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    bare = tmp_path / "list.git"
    git("init", "--quiet", "--bare", "--initial-branch=main", str(bare))
    work = tmp_path / "seed"
    git("clone", "--quiet", str(bare), str(work))
    (work / "README.md").write_text("# old list\n", encoding="utf-8")
    git("add", "README.md", cwd=work)
    git("-c", "user.name=t", "-c", "user.email=t@x", "commit", "--quiet", "-m", "old", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    return bare


@pytest.fixture
def simcord_bot(db: Database, remote: Path) -> PTMBot:
    config = dataclasses.replace(bot_config(), publish=PublishConfig(repository=str(remote)))
    return create_bot(config, db)


async def test_moderator_publishes_and_a_failure_is_one_line(
    world: World, simcord_env, remote: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # default_permissions hides /ptm-admin from the moderator role until a server admin shows it.
    commands = await simcord_env.bot.tree.fetch_commands(guild=discord.Object(world.guild.id))
    admin = next(c for c in commands if c.name == "ptm-admin")
    world.guild.set_command_permissions(admin, {world.mod_role: True})

    with caplog.at_level(logging.INFO, logger="bot.ops.actions"):
        r = await world.mod.slash(world.channel, "ptm-admin publish")
    assert r.ephemeral
    # The record goes through the publish door (bot/ops/actions.py), audited with the moderator.
    audit = [rec for rec in caplog.records if rec.name == "bot.ops.actions"]
    assert len(audit) == 1 and audit[0].__dict__["user"] == world.mod.id
    assert audit[0].getMessage().endswith(" via command")
    assert r.response.content.startswith(
        f"published 153 added (Update the list: 153 added) to {remote} on branch "
    )
    branches = git(
        "--git-dir", str(remote), "for-each-ref", "--format=%(refname:short)", "refs/heads"
    ).split()
    assert len(branches) == 2 and branches[0] == "main"

    await edit(simcord_env.bot.db, "BERT", "org", "Google Research", TERMINAL)  # something to publish
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    hook.chmod(0o755)
    r = await world.mod.slash(world.channel, "ptm-admin publish")
    assert r.ephemeral and r.response.content.startswith("push rejected: ")
    assert "\n" not in r.response.content
    assert len(simcord_env.errors) == 1  # the one error funnel answered it
