"""``ptm-bot run``: start the bot and keep it running until SIGINT/SIGTERM.

The database is opened (created, migrated and filled on first start) before logging in. A token
Discord rejects ends the run with one clear line and exit status 2, an unreachable Discord with
one line and exit status 3, never a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys

import aiohttp
import discord

from bot.client.bot import create_bot
from bot.config import Config
from bot.database import open_database

__all__ = ["configure_logging", "run_bot"]

log = logging.getLogger(__name__)

EXIT_BAD_TOKEN = 2
EXIT_UNREACHABLE = 3


def use_log_format(fmt: str) -> None:
    """Write the bot's log lines as *fmt* (``text`` or ``json``: ``logging.format``, ``--log-format``)."""
    from bot.ops.logs import make_formatter
    from bot.redact import install_log_redaction

    install_log_redaction()
    for handler in logging.getLogger().handlers:
        if getattr(handler, "_ptm_bot", False):
            handler.setFormatter(make_formatter(fmt))


def configure_logging(level: str) -> None:
    """Log to stderr at *level* (``logging.level`` in the config); quieten discord's HTTP chatter."""
    from bot.ops.logs import make_formatter

    root = logging.getLogger()
    root.setLevel(level)
    # The CLI installed a plain stderr handler for its own messages; the bot's format replaces it.
    for handler in list(root.handlers):
        if isinstance(handler, logging.StreamHandler) and not getattr(handler, "_ptm_bot", False):
            root.removeHandler(handler)
    if not any(getattr(h, "_ptm_bot", False) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(make_formatter("text"))
        handler._ptm_bot = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    logging.getLogger("discord.http").setLevel(max(logging.INFO, root.level))
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))


async def run_bot(config: Config, token: str) -> int:
    """Run until SIGINT/SIGTERM (exit 0) or until Discord rejects *token* (exit 2)."""
    configure_logging(config.logging.level)
    use_log_format(config.logging.format)
    database = config.database
    db = await open_database(
        database.url,
        echo=database.echo,
        busy_timeout_ms=database.busy_timeout_ms,
        read_threads=database.read_threads,
    )
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    installed: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError):  # Windows, or not the main thread
            pass
    try:
        async with create_bot(config, db) as bot:
            runner = asyncio.create_task(bot.start(token), name="ptm-bot")
            stopper = asyncio.create_task(stop.wait(), name="ptm-bot-stop")
            done, _ = await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stopper in done:
                log.info("signal received; shutting down")
                await bot.close()
            else:
                stopper.cancel()
            await runner  # re-raises what ended the bot (LoginFailure, ...)
    except discord.LoginFailure:
        print(
            f"ptm-bot: Discord rejected the token in {config.discord.token_env}; copy a fresh one from "
            "the Developer Portal (your application > Bot > Reset Token)",
            file=sys.stderr,
        )
        return EXIT_BAD_TOKEN
    except (aiohttp.ClientConnectionError, TimeoutError, OSError) as exc:
        print(f"ptm-bot: cannot reach Discord ({exc}); check the network and try again", file=sys.stderr)
        return EXIT_UNREACHABLE
    except discord.PrivilegedIntentsRequired:  # pragma: no cover - we ask for no privileged intents
        print("ptm-bot: Discord refused a privileged intent the bot asked for", file=sys.stderr)
        return EXIT_BAD_TOKEN
    finally:
        for sig in installed:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(sig)
        await db.close()
    log.info("stopped")
    return 0
