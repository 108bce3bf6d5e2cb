"""The link check's Discord side: the weekly check on the bot's scheduler, the dead and moved links
it found posted in the review channel (with their "Use the new URL" buttons, which refuse anyone
but a moderator), and the persistent button itself (``/ptm-admin links`` is on the admin cog)."""

from __future__ import annotations

import logging

import discord
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord.ext import commands

from bot.client.bot import PTMBot
from bot.client.links import LinkFixButton
from bot.client.review.channels import review_channel
from bot.links import actions
from bot.links.actions import CheckReport
from bot.links.job import LinkCheckJob, add_links_job, remove_links_job
from bot.ops.leader import LeaderOnlyJob
from bot.present.links import render_link_notice, render_link_report

log = logging.getLogger(__name__)


class LinksCog(commands.Cog, name="Links"):
    """Schedules the link check (no commands of its own)."""

    def __init__(self, bot: PTMBot) -> None:
        self.bot = bot
        self.job: LinkCheckJob | None = None
        self._scheduler: AsyncIOScheduler | None = None

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(LinkFixButton)
        config = self.bot.config
        if self.bot.http_session is None or self.bot.scheduler is None:
            log.debug("no HTTP session or scheduler: the link check is not scheduled")
            return
        self.job = LinkCheckJob(self.bot.db, config, self.bot.http_session, on_report=self.after_check)
        if not config.links.enabled:
            log.info("the link check is not scheduled (links.enabled = false)")
            return
        self._scheduler = self.bot.scheduler
        # Processes sharing the catalog check its links once: the poller does (bot.ops.leader).
        gated = LeaderOnlyJob(self.bot.poller_lock, self.job, what="link check")
        job = add_links_job(self._scheduler, config, gated)
        log.info(
            "link check scheduled every %d days; next run %s", config.links.interval_days, job.next_run_time
        )

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(LinkFixButton)
        if self._scheduler is not None:
            remove_links_job(self._scheduler)
            self._scheduler = None

    async def after_check(self, report: CheckReport) -> None:
        """Post the dead and moved links in the review channel (the first page of ``/ptm-admin
        links``, with its buttons: moderators only) when there are any; nobody is mentioned."""
        listing = await actions.report(self.bot.db)
        if not listing.problems:
            return
        channel = review_channel(self.bot)
        if channel is None:
            log.info("link check: %d dead or moved links; no review channel to tell", len(listing.problems))
            return
        payload = render_link_report(listing)
        payload.content = render_link_notice(report, len(listing.problems))
        kwargs = payload.send_kwargs()
        kwargs.pop("ephemeral", None)
        try:
            await channel.send(**kwargs, allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as exc:
            log.warning("could not post the link check's findings in #%s: %s", channel, exc)


async def setup(bot: PTMBot) -> None:
    await bot.add_cog(LinksCog(bot))
