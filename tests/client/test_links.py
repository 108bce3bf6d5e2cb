"""``/ptm-admin links`` through the real discord.py stack (simcord): the dead and moved links
listed without pinging, a "Use the new URL" button per permanent move that a moderator's click
applies (a catalog revision) and a member's click cannot."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import discord
import pytest
import simcord

from bot.catalog import actions as catalog_actions
from bot.client.bot import create_bot
from bot.client.checks import NotModerator
from bot.links import actions
from bot.links.check import LinkChecker
from bot.links.job import LINKS_JOB_ID, LinkCheckJob, add_links_job
from db import models as m
from support.localhosts import local_session
from tests.links.helpers import VirtualTime
from tests.plugins.discord import GUILD_ID, bot_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def simcord_bot(db):
    return create_bot(bot_config(review_channel="models"), db)


async def show_admin_to(env, world, *roles) -> None:
    # default_permissions hides the group; server admins can show it to roles (Integrations).
    cmds = await env.bot.tree.fetch_commands(guild=discord.Object(GUILD_ID))
    admin = next(c for c in cmds if c.name == "ptm-admin")
    world.guild.set_command_permissions(admin, {role: True for role in roles})


async def checked(db, when=T0) -> None:
    time = VirtualTime()
    async with local_session() as http:
        checker = LinkChecker(
            http, user_agent="ptm-bot/test", timeout=0.3, clock=time.clock, sleep=time.sleep
        )
        await actions.check_links(db, checker, now=when)


def labels(message) -> list[str]:
    """The buttons' labels (an ephemeral reply's components come as raw dicts)."""
    out = []
    for row in message.components:
        for c in row["components"] if isinstance(row, dict) else row.children:
            out.append(c["label"] if isinstance(c, dict) else c.label)
    return out


async def docs_url(db, entry_id: int) -> str | None:
    async with db.begin() as s:
        return (await s.get(m.Entry, entry_id)).docs_url


async def test_moderator_sees_dead_and_moved_links_and_uses_the_new_url(
    simcord_env, world, db, links_server, catalog_on_server
) -> None:
    await checked(db)
    await checked(db, datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # a day later: dead
    await show_admin_to(simcord_env, world, world.mod_role)
    r = await world.mod.slash(world.channel, "ptm-admin links")
    assert r.ephemeral
    embed = r.response.embeds[0]
    assert embed.title == "Catalog links: 3 dead, 1 moved"
    text = embed.description
    for path in ("missing", "slow", "reset", "moved"):
        assert catalog_on_server[path][1] in text and f"/{path}" in text
    assert "dead since 2026-12-01" in text and "HTTP 404" in text and "moved permanently (HTTP 301)" in text
    assert "@" not in text  # nobody mentioned
    entry_id, name, _ = catalog_on_server["moved"]
    (label,) = labels(r.response)
    assert label.startswith("Use the new URL") and name[:20] in label

    before = len(await catalog_actions.history(db))
    click = await world.mod.click(r.response, label=label)
    assert click.ephemeral and f"**{name}** now links to" in click.response.content
    assert await docs_url(db, entry_id) == f"http://special.test:{links_server.port}/ok"
    (revision, *_) = await catalog_actions.history(db)
    assert revision.action == "edit" and len(await catalog_actions.history(db)) == before + 1

    after = await world.mod.slash(world.channel, "ptm-admin links")
    assert after.response.embeds[0].title == "Catalog links: 3 dead, 0 moved" and labels(after.response) == []


async def test_the_weekly_check_posts_its_findings_and_a_members_click_is_refused(
    simcord_env, world, db, links_server, catalog_on_server
) -> None:
    """The scheduled job, run by the bot's own scheduler, posts the dead and moved links in the
    review channel; a member's click on its button changes nothing, a moderator's applies it."""
    bot = simcord_env.bot
    cog = bot.get_cog("Links")
    assert bot.scheduler.get_job(LINKS_JOB_ID) is not None  # scheduled at start-up ([links] enabled)
    posted = asyncio.Event()

    async def after(report) -> None:
        await cog.after_check(report)
        posted.set()

    time = VirtualTime()
    job = LinkCheckJob(
        db,
        bot.config,
        bot.http_session,
        on_report=after,
        checker_factory=lambda _, config: LinkChecker(
            local, user_agent=config.links_user_agent, timeout=0.3, clock=time.clock, sleep=time.sleep
        ),
    )
    async with local_session() as local:
        add_links_job(bot.scheduler, bot.config, job).modify(next_run_time=datetime.now(UTC))
        bot.scheduler.wakeup()
        await asyncio.wait_for(posted.wait(), 10)
    await simcord_env.settle()

    notice = world.channel.last_message
    assert notice.content.startswith("Link check: 26 links checked") and "/ptm-admin links" in notice.content
    assert notice.embeds[0].title == "Catalog links: 0 dead, 1 moved"  # failing ones are not dead yet
    (label,) = labels(notice)
    entry_id, _, old = catalog_on_server["moved"]
    refused = await world.alice.click(notice, label=label)
    assert refused.ephemeral and "Only moderators can do that" in refused.response.content
    assert await docs_url(db, entry_id) == old
    done = await world.mod.click(notice, label=label)
    assert done.ephemeral and "now links to" in done.response.content
    assert await docs_url(db, entry_id) != old


async def test_a_member_cannot_run_the_command(simcord_env, world) -> None:
    # A server admin showed /ptm-admin to @everyone: the runtime check still refuses members.
    await show_admin_to(simcord_env, world, world.guild.default_role)
    refused = await world.alice.slash(world.channel, "ptm-admin links")
    assert refused.ephemeral and refused.response.content.startswith("Only moderators can do that")
    simcord.assert_error(simcord_env, NotModerator)


async def test_nothing_checked_yet(simcord_env, world) -> None:
    r = await world.admin.slash(world.channel, "ptm-admin links")
    assert r.ephemeral and r.response.content.startswith("No link check has run yet.")
