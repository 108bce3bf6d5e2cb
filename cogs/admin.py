"""``/ptm-admin``: catalog corrections by moderators.

Permissions twice: ``default_permissions(manage_guild=True)`` hides the group from members by
default (server admins may change that in Integrations), and every command also runs the runtime
check :func:`bot.checks.moderator_only` (a configured moderator role, or Manage Server).
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands

from bot import handlers
from bot.bot import PTMBot
from bot.checks import moderator_only
from bot.paging import send_payload
from bot.render_watch import render_feeds, render_poll_report
from bot.watcher import list_feeds

log = logging.getLogger(__name__)


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class AdminCog(
    commands.GroupCog, group_name="ptm-admin", group_description="Correct the catalog (moderators)"
):
    """Moderator commands."""

    def __init__(self, bot: PTMBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="tag")
    @app_commands.describe(
        name="The entry to re-tag (a model name or alias)",
        topics="Its topics, comma-separated, e.g. speech, multilingual (replaces the current ones)",
    )
    @moderator_only()
    async def tag(
        self,
        interaction: discord.Interaction,
        name: app_commands.Range[str, 1, 200],
        topics: app_commands.Range[str, 1, 500],
    ) -> None:
        """Set an entry's topics (corrects the automatic classifier)."""
        payload = await handlers.tag(self.bot.db, name, topics)
        log.info("%s (%s) re-tagged %r: %s", interaction.user, interaction.user.id, name, topics)
        await send_payload(interaction, payload)

    @tag.autocomplete("name")
    async def tag_name_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = await handlers.model_names(self.bot.db, current)
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names[:25]]

    @app_commands.command(name="poll")
    @moderator_only()
    async def poll(self, interaction: discord.Interaction) -> None:
        """Poll the arXiv feeds now and post what is new (the scheduled poll, run early)."""
        watcher = self.bot.get_cog("Watcher")
        if watcher is None or watcher.job is None:  # type: ignore[attr-defined]
            await interaction.response.send_message("The arXiv watcher is not running.", ephemeral=True)
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await watcher.run_poll()  # type: ignore[attr-defined]
        log.info("%s (%s) ran an arXiv poll: %s", interaction.user, interaction.user.id, report.counts)
        await send_payload(interaction, render_poll_report(report))

    @app_commands.command(name="feeds")
    @moderator_only()
    async def feeds(self, interaction: discord.Interaction) -> None:
        """Show each arXiv feed's health (ok / failing / disabled) and last success."""
        async with self.bot.db.begin() as session:
            rows = await list_feeds(session)
        await send_payload(interaction, render_feeds(rows))


async def setup(bot: PTMBot) -> None:
    await bot.add_cog(AdminCog(bot))
