"""CLI subcommands that use the Discord side of the bot: ``ask`` (offline) and ``sync``."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys

from bot.cli.numbers import snowflake
from bot.config import Config, discord_token

# discord.py is imported inside the commands that use it: this module is loaded for every
# ``ptm-bot`` call, ``--help`` included, and start-up must stay fast (issue 11).

log = logging.getLogger(__name__)


async def open_catalog(config: Config):  # type: ignore[no-untyped-def]
    from bot.database import open_database

    database = config.database
    return await open_database(
        database.url,
        create=False,
        echo=database.echo,
        busy_timeout_ms=database.busy_timeout_ms,
        read_threads=database.read_threads,
        lock_timeout_ms=database.lock_timeout_ms,
        statement_timeout_ms=database.statement_timeout_ms,
        lock_wait_ms=database.busy_timeout_ms,  # a person waits: the busy timeout is the whole wait
    )


def _configure_ask(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Run a slash command offline, through the bot's own command tree, handler and renderer, and "
        "print what Discord would show. Options follow the command in order, or as name=value; "
        "extra words join the last text option. Example: ptm-bot ask '/ptm recent speech count=5'"
    )
    parser.add_argument(
        "line", metavar="COMMAND", nargs="+", help="the slash command, e.g. '/ptm model DeBERTa'"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the message payload (content, embeds, ephemeral)"
    )
    parser.add_argument(
        "--member",
        metavar="ID",
        type=snowflake,
        default=0,
        help="the member (Discord user id) the follow commands act for (default 0)",
    )


async def cmd_ask(args: argparse.Namespace, config: Config) -> int:
    from bot.cli.ask import AskError, ask, format_payload
    from bot.cli.errors import CLIError

    line = " ".join(args.line) if len(args.line) > 1 else args.line[0]
    db = await open_catalog(config)
    try:
        payload, status = await ask(config, db, line, member_id=args.member)
    except AskError as exc:
        raise CLIError(str(exc)) from None
    finally:
        await db.close()
    print(format_payload(payload, as_json=args.json))
    return status


def _configure_sync(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Register the slash commands with Discord: globally (may take up to an hour to show everywhere) "
        "or, with --guild, to one server (immediate; use this while developing). Needs DISCORD_TOKEN."
    )
    parser.add_argument(
        "--guild", metavar="ID", type=snowflake, help="sync to this server only (copies the global commands)"
    )


async def cmd_sync(args: argparse.Namespace, config: Config) -> int:
    import discord

    from bot.cli.errors import CLIError
    from bot.client.bot import create_bot

    token = discord_token(config)
    if not token:
        raise CLIError(f"no Discord token: set the environment variable {config.discord.token_env}")
    # setup_hook runs during login; it must not sync the dev guilds on top of what was asked.
    quiet = dataclasses.replace(config, discord=dataclasses.replace(config.discord, sync_on_start=False))
    db = await open_catalog(config)
    try:
        async with create_bot(quiet, db) as bot:
            try:
                await bot.login(token)
            except discord.LoginFailure:
                print(
                    f"ptm-bot: Discord rejected the token in {config.discord.token_env}; copy a fresh one "
                    "from the Developer Portal (your application > Bot > Reset Token)",
                    file=sys.stderr,
                )
                return 2
            if args.guild is not None:
                guild = discord.Object(args.guild)
                bot.tree.copy_global_to(guild=guild)
                synced = await bot.tree.sync(guild=guild)
                where = f"guild {args.guild}"
            else:
                synced = await bot.tree.sync()
                where = "globally"
    finally:
        await db.close()
    names = ", ".join(f"/{c.name}" for c in synced)
    print(f"synced {len(synced)} commands {where}: {names}")
    return 0


COMMANDS = [
    ("ask", "run a slash command offline and print what Discord would show", _configure_ask, cmd_ask),
    (
        "sync",
        "register the slash commands with Discord (globally or to one --guild)",
        _configure_sync,
        cmd_sync,
    ),
]
