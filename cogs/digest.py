"""The digest's schedule and the follow notices (commands live in ``/ptm``: cogs/ptm.py).

The digest job (stable id ``digest``) posts what moderators approved since the last digest to
``digest.channel`` and DMs followers (:func:`bot.client.digest_delivery.deliver_digest`). After
any slash command, a member whose follows were paused because their DMs were closed is told once.
"""

from __future__ import annotations

import logging
from typing import Any

import discord
from apscheduler.triggers.cron import CronTrigger
from discord import app_commands
from discord.ext import commands

from bot.client.bot import PTMBot
from bot.client.digest_delivery import DigestRun, deliver_digest
from bot.digest import actions as digest_actions
from bot.ops.leader import LeaderOnlyJob
from bot.present.digest import render_paused_notice
from bot.watch.schedule import MISFIRE_GRACE_SECONDS

log = logging.getLogger(__name__)

DIGEST_JOB_ID = "digest"


def digest_trigger(bot: PTMBot) -> CronTrigger:
    config = bot.config.digest
    return CronTrigger(
        day_of_week=config.day if config.every == "weekly" else "*",
        hour=config.hour,
        minute=config.minute,
        timezone=config.timezone,
    )


class DigestCog(commands.Cog, name="Digest"):
    def __init__(self, bot: PTMBot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        scheduler = self.bot.scheduler
        if scheduler is None or self.bot.http_session is None:
            return  # offline (``ptm-bot ask``): nothing to deliver
        # Processes sharing the catalog post it once: the poller does (bot.ops.leader).
        gated = LeaderOnlyJob(self.bot.poller_lock, self.scheduled_digest, what="digest")
        job = scheduler.add_job(
            gated.__call__,
            trigger=digest_trigger(self.bot),
            id=DIGEST_JOB_ID,
            name="digest",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            # A bot down at the digest's time posts it when back (the window covers the gap anyway).
            misfire_grace_time=MISFIRE_GRACE_SECONDS,
        )
        log.info("digest scheduled (%s); next run %s", self.bot.config.digest.every, job.next_run_time)

    async def cog_unload(self) -> None:
        scheduler = self.bot.scheduler
        if scheduler is not None and scheduler.get_job(DIGEST_JOB_ID) is not None:
            scheduler.remove_job(DIGEST_JOB_ID)

    async def scheduled_digest(self) -> None:
        try:
            await self.run_digest()
        except Exception:  # the next run covers the same window again
            log.exception("the digest run failed")

    async def run_digest(self) -> DigestRun:
        return await deliver_digest(self.bot)

    @commands.Cog.listener()
    async def on_app_command_completion(
        self, interaction: discord.Interaction, command: app_commands.Command[Any, ..., Any]
    ) -> None:
        member_id = interaction.user.id
        if not await digest_actions.take_notice(self.bot.db, member_id):
            return
        if interaction.response.is_done():
            await interaction.followup.send(render_paused_notice(), ephemeral=True)
        else:
            await interaction.response.send_message(render_paused_notice(), ephemeral=True)


async def setup(bot: PTMBot) -> None:
    await bot.add_cog(DigestCog(bot))
