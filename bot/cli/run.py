"""``ptm-bot run``: start the Discord bot, once the token, the config and the catalog are known good."""

from __future__ import annotations

import argparse

from bot.cli.errors import CLIError
from bot.cli.opening import open_catalog
from bot.config import Config

__all__ = ["cmd_run"]


async def cmd_run(args: argparse.Namespace, config: Config) -> int:
    from bot.config import discord_token

    token = discord_token(config)
    if not token:  # before anything is opened or created
        raise CLIError(
            f"no Discord token: set the environment variable {config.discord.token_env} to your bot's token "
            "(Discord Developer Portal > your application > Bot > Reset Token); it is never read from the config file"
        )
    db = await open_catalog(config, create=True)
    await db.close()
    try:
        from bot.client.runner import run_bot
    except ImportError:
        raise CLIError(
            "the Discord bot is not part of this build yet; config and database are valid"
        ) from None
    return await run_bot(config, token)
