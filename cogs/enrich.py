"""Hugging Face Hub enrichment on the bot's schedule (issue 20, part 2).

A poll's new suggestions are asked about at once (``on_suggestions_ready``: their cards get the
Hub's links and the Weights / Code buttons as soon as the answers arrive); every
``enrich.every_hours`` the job ``hub-enrich`` asks again about every pending suggestion (snoozed
ones included: one wakes when the Hub first lists a model for it) and any entry never asked about.
The work is :func:`bot.enrich.actions.enrich`; this cog schedules it and refreshes the cards.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from discord.ext import commands

from bot.client.bot import PTMBot
from bot.client.review.cards import CardPoster, refresh_messages
from bot.enrich.actions import EnrichReport, arxiv_ids_of, enrich, make_hub_fetcher, targets
from bot.ops.leader import LeaderOnlyJob
from bot.review import actions as review_actions
from bot.review.service import SuggestionView
from bot.watch.fetch import PoliteFetcher

log = logging.getLogger(__name__)

ENRICH_JOB_ID = "hub-enrich"


class EnrichCog(commands.Cog, name="Enrich"):
    def __init__(self, bot: PTMBot) -> None:
        self.bot = bot
        self.fetcher: PoliteFetcher | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._lock = asyncio.Lock()  # one run at a time: the Hub's spacing holds across them

    async def cog_load(self) -> None:
        config = self.bot.config
        if not config.enrich.enabled or self.bot.http_session is None:
            return  # off, or offline (``ptm-bot ask``)
        self.fetcher = make_hub_fetcher(self.bot.http_session, config)
        if self.bot.scheduler is not None:
            # Processes sharing the catalog ask the Hub once: the poller does (bot.ops.leader).
            gated = LeaderOnlyJob(self.bot.poller_lock, self.scheduled, what="Hub enrichment")
            job = self.bot.scheduler.add_job(
                gated.__call__,
                trigger="interval",
                hours=config.enrich.every_hours,
                id=ENRICH_JOB_ID,
                name="Hugging Face Hub enrichment",
                replace_existing=True,
                max_instances=1,
                coalesce=True,
            )
            log.info("Hub enrichment scheduled; next run %s", job.next_run_time)

    async def cog_unload(self) -> None:
        if self.bot.scheduler is not None and self.bot.scheduler.get_job(ENRICH_JOB_ID) is not None:
            self.bot.scheduler.remove_job(ENRICH_JOB_ID)
        for task in self._tasks:
            task.cancel()

    async def run(self, arxiv_ids: Iterable[str] | None = None) -> EnrichReport | None:
        """Ask the Hub about *arxiv_ids* (default: pending suggestions and entries never asked
        about), then edit the cards whose links changed or that woke."""
        if self.fetcher is None:
            return None
        async with self._lock:
            ids = list(arxiv_ids) if arxiv_ids is not None else await targets(self.bot.db)
            report = await enrich(self.bot.db, self.fetcher, self.bot.config.enrich, ids)
        if report.woken:
            log.info("%d snoozed paper(s) back in the review queue: weights on the Hub", len(report.woken))
        await refresh_messages(self.bot, await self._current(report.changed))
        return report

    async def _current(self, changed: list[SuggestionView]) -> list[SuggestionView]:
        """The changed suggestions as they are once any card posting under way is done (a card
        posted meanwhile is then edited, with its message id)."""
        poster = getattr(self.bot.get_cog("ReviewCog"), "cards", None)
        lock = poster.lock if isinstance(poster, CardPoster) else contextlib.nullcontext()
        async with lock:
            views = [await review_actions.suggestion(self.bot.db, s.id) for s in changed]
        return [v for v in views if v is not None]

    async def scheduled(self) -> None:
        try:
            await self.run()
        except Exception:  # the next run tries again
            log.exception("Hub enrichment failed")

    @commands.Cog.listener()
    async def on_suggestions_ready(self, suggestion_ids: list[int] | None = None) -> None:
        """A poll's new suggestions: asked about in the background (cards are posted meanwhile)."""
        if self.fetcher is None or not suggestion_ids:
            return
        task = asyncio.create_task(self._after_poll(suggestion_ids), name="hub-enrich-after-poll")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _after_poll(self, suggestion_ids: list[int]) -> None:
        try:
            await self.run(await arxiv_ids_of(self.bot.db, suggestion_ids))
        except Exception:
            log.exception("Hub enrichment of a poll's suggestions failed")


async def setup(bot: PTMBot) -> None:
    await bot.add_cog(EnrichCog(bot))
