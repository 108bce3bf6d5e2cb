"""The Discord bot: :class:`PTMBot` and its factory :func:`create_bot`.

Slash commands only, minimal intents (guilds + guild reactions: no message content, no members),
``AllowedMentions.none()`` as the default for every message. The bot owns an aiohttp session
(made in ``setup_hook``, closed in ``close``) and the database it is given (``self.db``).

Command sync is explicit: ``ptm-bot sync [--guild ID]``, or, when ``discord.sync_on_start`` is set
and ``discord.guild_ids`` lists development guilds, a copy of the global commands is synced to those
guilds only on start. The bot never syncs globally by itself.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord.ext import commands

from bot.client.tree import PTMCommandTree
from bot.config import Config
from bot.database import Database, open_database
from bot.ops.leader import STEPPED_DOWN, PollerLock, SteppedDown
from bot.watch.schedule import build_scheduler

__all__ = ["EXTENSIONS", "PTMBot", "create_bot", "intents"]

log = logging.getLogger(__name__)

# Every feature's cog, loaded in this order. A test loads all of them.
EXTENSIONS: tuple[str, ...] = (
    "cogs.ptm",
    "cogs.admin",
    "cogs.watcher",
    "cogs.review",
    "cogs.digest",
    "cogs.enrich",
    "cogs.links",
    "cogs.votes",
)

HTTP_TIMEOUT = aiohttp.ClientTimeout(total=60, connect=15)


def intents() -> discord.Intents:
    """The gateway intents the bot needs, and nothing more."""
    wanted = discord.Intents.none()
    wanted.guilds = True  # guild, role and channel cache: checks read member roles and permissions
    wanted.guild_reactions = True  # raw reaction events for the moderator review
    return wanted


class PTMBot(commands.Bot):
    """The ptm-bot client. Build it with :func:`create_bot`."""

    def __init__(self, config: Config, db: Database | None = None) -> None:
        # The bot never joins voice: discord.py's "PyNaCl/davey is not installed" warnings are noise.
        discord.VoiceClient.warn_nacl = False
        discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,  # no prefix commands; slash commands only
            help_command=None,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=PTMCommandTree,
        )
        self.config = config
        self._db = db
        self._owns_db = db is None
        self.http_session: aiohttp.ClientSession | None = None
        # The one scheduler for background jobs; cogs add their jobs in cog_load (stable ids).
        self.scheduler: AsyncIOScheduler | None = None
        self._extensions_loaded = False
        self.metrics: Any = None  # bot.ops.metrics.Metrics when metrics.address is set
        # Set once the watcher takes part in the poller election (bot.ops.leader): from then on, a
        # missing lock means it left, not that there is no election.
        self.in_election = False

    @property
    def db(self) -> Database:
        """The open catalog database (opened in ``setup_hook`` when none was given)."""
        if self._db is None:
            raise RuntimeError("the database is not open yet (it opens in setup_hook)")
        return self._db

    def poller_lock(self) -> PollerLock | SteppedDown | None:
        """This process's poller lock (the watcher's, when it schedules the poll); ``None`` when the
        process takes no part in the election; ``STEPPED_DOWN`` once it took part and left (the
        watcher unloaded, the bot closing). The catalog's other scheduled work (digest, Hub
        enrichment, link check) runs behind it, so processes sharing a catalog do it once."""
        lock = getattr(self.get_cog("Watcher"), "poller_lock", None)
        if lock is not None:
            self.in_election = True
            return lock
        if self.in_election:
            return STEPPED_DOWN
        return None

    async def load_extensions(self) -> None:
        """Load every extension in :data:`EXTENSIONS` (once). Needs no login: ``ptm-bot ask`` uses it."""
        if self._extensions_loaded:
            return
        for name in EXTENSIONS:
            await self.load_extension(name)
            log.debug("loaded extension %s", name)
        self._extensions_loaded = True

    async def setup_hook(self) -> None:
        self.http_session = aiohttp.ClientSession(
            timeout=HTTP_TIMEOUT, headers={"User-Agent": self.config.user_agent}
        )
        if self._db is None:
            database = self.config.database
            self._db = await open_database(
                database.url,
                echo=database.echo,
                busy_timeout_ms=database.busy_timeout_ms,
                read_threads=database.read_threads,
            )
        self.scheduler = build_scheduler(self.config)
        self.scheduler.start()
        await self.load_extensions()
        if self.config.metrics.address:
            await self.start_metrics()
        await self.sync_dev_guilds()

    async def start_metrics(self) -> None:
        """Serve ``metrics.address`` and register its observers on the tree and the poll job."""
        from bot.ops.metrics import start_metrics

        self.metrics = await start_metrics(self.config.metrics.address, self.db)
        if isinstance(self.tree, PTMCommandTree):
            self.tree.observers.append(self.metrics.observe_command)
        job = getattr(self.get_cog("Watcher"), "job", None)  # None when the watcher is off
        if job is not None:
            job.observers.append(self.metrics.observe_poll)

    async def sync_dev_guilds(self) -> None:
        """Copy the global commands to the configured development guilds and sync those guilds only."""
        settings = self.config.discord
        if not settings.sync_on_start or not settings.guild_ids:
            return
        for guild_id in settings.guild_ids:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to development guild %s", len(synced), guild_id)

    async def on_ready(self) -> None:
        log.info(
            "logged in as %s (id %s) in %d guilds", self.user, self.user and self.user.id, len(self.guilds)
        )

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            if self.metrics is not None:
                await self.metrics.stop()
                self.metrics = None
            if self.scheduler is not None:
                self.scheduler.shutdown(wait=False)
                self.scheduler = None
            if self.http_session is not None:
                await self.http_session.close()
                self.http_session = None
            if self._owns_db and self._db is not None:
                await self._db.close()
                self._db = None


def create_bot(config: Config, db: Database | None = None) -> PTMBot:
    """Build the bot without starting it (tests, the runner, ``ptm-bot ask`` and ``ptm-bot sync``).

    With *db*, the caller keeps ownership of the database and closes it; without, the bot opens
    ``config.database.url`` in ``setup_hook`` and disposes it in ``close()``.
    """
    return PTMBot(config, db)
