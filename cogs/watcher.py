"""The arXiv watcher's Discord side: schedules the poll job and tells the review channel.

After each poll, new pending suggestions are handed on with ``bot.dispatch("suggestions_ready",
ids)`` (the review poster listens for ``on_suggestions_ready``), and feed health changes are
announced once in the configured review channel. The poll itself is :class:`bot.watch.schedule.PollJob`.
"""

from __future__ import annotations

import logging

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord.ext import commands

from bot.client.review.channels import review_channel
from bot.ops.leader import KEEP_SECONDS, LeaderOnlyJob, PollerLock
from bot.present.watch import render_health_changes
from bot.review import actions
from bot.watch.actions import record_health_announced
from bot.watch.feeds import make_fetcher
from bot.watch.report import RELISTED, PollReport
from bot.watch.schedule import PollJob, add_poll_job, build_scheduler, remove_poll_job

log = logging.getLogger(__name__)

REPLACEMENTS = frozenset({"replace", "replace-cross"})
KEEP_JOB_ID = "poller-lock-keeper"  # checks every few seconds that the lock file is still this process's


class WatcherCog(commands.Cog, name="Watcher"):
    """Schedules the arXiv poll (no commands of its own: ``/ptm-admin poll`` runs it now)."""

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.job: PollJob | None = None
        self._scheduler: AsyncIOScheduler | None = None
        self._owns_scheduler = False
        self.poller_lock: PollerLock | None = None

    async def cog_load(self) -> None:
        session = getattr(self.bot, "http_session", None)
        if session is None:
            # Offline use (``ptm-bot ask``, tests loading every extension): nothing to poll with.
            log.debug("no HTTP session: the arXiv poll is not scheduled")
            return
        config = self.bot.config  # type: ignore[attr-defined]
        self.job = PollJob(self.bot.db, config, make_fetcher(session, config), on_report=self.after_poll)  # type: ignore[attr-defined]
        if not config.schedule.enabled:
            log.info("arXiv polling is not scheduled (schedule.enabled = false)")
            return
        scheduler = getattr(self.bot, "scheduler", None)
        if scheduler is None:
            scheduler = build_scheduler(config)
            scheduler.start()
            self._owns_scheduler = True
        self._scheduler = scheduler
        # Processes sharing the database poll once between them: only the poller lock's holder polls.
        self.poller_lock = PollerLock(config.database.url)
        if hasattr(self.bot, "in_election"):  # the catalog's other scheduled work follows the lock
            self.bot.in_election = True
        try:
            leader = await self.poller_lock.acquire()
        except Exception as exc:  # the database is unreachable now: the scheduled run tries again
            log.warning("could not take the poller lock yet: %s", exc)
            leader = False
        job = add_poll_job(scheduler, config, LeaderOnlyJob(self.poller_lock, self.job))
        # The lock file deleted under a running poller is locked again (or the poller steps down).
        scheduler.add_job(
            self.poller_lock.keep,
            trigger="interval",
            seconds=KEEP_SECONDS,
            id=KEEP_JOB_ID,
            name="poller lock keeper",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
        )
        log.info(
            "arXiv poll scheduled; next run %s%s",
            job.next_run_time,
            "" if leader else " (another process is the poller now; this one takes over if it stops)",
        )

    async def cog_unload(self) -> None:
        if self._scheduler is not None:
            remove_poll_job(self._scheduler)
            if self._scheduler.get_job(KEEP_JOB_ID) is not None:
                self._scheduler.remove_job(KEEP_JOB_ID)
            if self._owns_scheduler:
                self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self.poller_lock is not None:
            await self.poller_lock.release()
            self.poller_lock = None

    async def run_poll(self, *, dry_run: bool = False) -> PollReport:
        """Poll now (``/ptm-admin poll``); waits for a scheduled poll that is already running."""
        if self.job is None:
            raise RuntimeError("the watcher is not running (no HTTP session)")
        return await self.job.run(dry_run=dry_run)

    async def after_poll(self, report: PollReport) -> None:
        ids = report.suggested_ids
        if ids:
            self.bot.dispatch("suggestions_ready", ids)
        if not report.dry_run:
            # New versions of papers already stored: a pending one's card is refreshed.
            newer = [c for c in report.candidates if c.announce_type in REPLACEMENTS]
            refreshed = await actions.refresh_replaced(self.bot.db, newer)  # type: ignore[attr-defined]
            # Papers Hugging Face Daily Papers lists after an earlier poll stored them: a pending
            # one's card shows the listing and its upvotes.
            relisted = [c.arxiv_id for c in report.candidates if c.why_not == RELISTED]
            refreshed += await actions.pending_by_arxiv(self.bot.db, relisted)  # type: ignore[attr-defined]
            if refreshed:
                self.bot.dispatch("suggestions_replaced", refreshed)
        changes = report.health_changes
        if changes and await self._announce(render_health_changes(changes)):
            await record_health_announced(self.bot.db, changes)  # type: ignore[attr-defined]

    async def _announce(self, text: str) -> bool:
        channel = review_channel(self.bot)  # type: ignore[arg-type]
        if channel is None:
            log.warning("feed health changed but no review channel is reachable: %s", text)
            return False
        try:
            await channel.send(text, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("could not announce feed health in #%s: %s", channel, exc)
            return False
        return True


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(WatcherCog(bot))
