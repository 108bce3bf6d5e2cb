"""The review loop through the real discord.py stack, offline (simcord): post, react, decide."""

from __future__ import annotations

import dataclasses
import itertools
import time

import discord
import pytest
from sqlalchemy import func, select

from bot.catalog import service as catalog
from bot.client.bot import create_bot
from bot.client.checks import NotModerator
from bot.client.review_messages import review_channel
from bot.errors import UserFacingError
from bot.review import service as review
from db import models as m
from tests.plugins.database import add_pending
from tests.plugins.discord import bot_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def review_config():
    return bot_config(review_channel="models", post_interval_seconds=0.0)


@pytest.fixture
def simcord_bot(db):  # overrides the shared fixture: this bot has a review channel
    return create_bot(review_config(), db)


def cog(env):
    return env.bot.get_cog("ReviewCog")


async def status_of(db, sid):
    async with db.begin() as s:
        row = await s.get(m.Suggestion, sid)
        return row.status, row.message_id


async def post(env, db, **kw):
    sid = await add_pending(db, **kw)
    assert await cog(env).post_pending() == 1
    await env.settle()
    return sid


async def test_posting_stores_the_message_and_adds_the_review_reactions(simcord_env, world, db):
    sid = await post(simcord_env, db)
    msg = world.channel.last_message
    _, message_id = await status_of(db, sid)
    assert msg.id == message_id
    embed = msg.embeds[0]
    assert embed.title.startswith("XLS-R") and embed.url == "https://arxiv.org/abs/2111.09296"
    fields = {f.name: f.value for f in embed.fields}
    assert (
        fields["Score"] == "0.91" and "XLS-R 2" in fields["Proposed entry"] and "pre-train" in fields["Why"]
    )
    assert embed.footer.text.startswith("arXiv:2111.09296 ")
    assert sorted(str(r.emoji) for r in msg.reactions) == ["✅", "❌"]
    # Posting again posts nothing: the message id is stored.
    assert await cog(simcord_env).post_pending() == 0


async def test_a_members_reaction_is_removed_and_changes_nothing(simcord_env, world, db):
    sid = await post(simcord_env, db)
    msg = world.channel.last_message
    await world.alice.react(msg, "✅")
    assert (await status_of(db, sid))[0] == "pending"
    assert any(
        r.method == "DELETE" and r.path.endswith(f"/{world.alice.id}") for r in simcord_env.http_requests
    )
    fresh = await simcord_env.bot.get_channel(world.channel.id).fetch_message(msg.id)
    approve = discord.utils.get(fresh.reactions, emoji="✅")
    assert {u.id async for u in approve.users()} == {simcord_env.bot.user.id}


async def test_a_moderators_check_mark_approves(simcord_env, world, db):
    sid = await post(simcord_env, db)
    msg = world.channel.last_message
    await world.mod.react(msg, "✅")
    status, _ = await status_of(db, sid)
    assert status == "approved"
    async with db.begin() as s:
        entry = [
            e for e in await catalog.load_entries(s) if e.arxiv_id == "2111.09296" and e.name == "XLS-R 2"
        ]
        audit = await review.decisions_for(s, sid)
    assert entry and entry[0].topics == ["multilingual", "speech"]
    assert [(a.action, a.actor_id, a.via) for a in audit] == [("approve", world.mod.id, "reaction")]
    edited = world.channel.last_message
    assert edited.edited_at is not None
    decision = {f.name: f.value for f in edited.embeds[0].fields}["Decision"]
    assert "Approved" in decision and world.mod.mention in decision


async def test_a_moderators_cross_rejects_and_manage_server_counts(simcord_env, world, db):
    sid = await post(simcord_env, db)
    await world.admin.react(world.channel.last_message, "❌")  # Manage Server, no moderator role
    assert (await status_of(db, sid))[0] == "rejected"
    async with db.begin() as s:
        assert await s.scalar(select(func.count()).select_from(m.Entry).where(m.Entry.name == "XLS-R 2")) == 0
    assert "Rejected" in {f.name: f.value for f in world.channel.last_message.embeds[0].fields}["Decision"]


async def test_two_moderators_racing_give_one_decision(simcord_env, world, db):
    sid = await post(simcord_env, db)
    msg = world.channel.last_message
    await world.mod.react(msg, "❌")
    await world.admin.react(msg, "✅")
    assert (await status_of(db, sid))[0] == "rejected"
    async with db.begin() as s:
        assert [a.actor_id for a in await review.decisions_for(s, sid)] == [world.mod.id]


async def test_reactions_on_other_messages_and_other_emoji_are_ignored(simcord_env, world, db):
    sid = await post(simcord_env, db)
    other = await world.alice.send(world.channel, "unrelated")
    await world.mod.react(other, "✅")
    suggestion_message = await simcord_env.bot.get_channel(world.channel.id).fetch_message(
        (await status_of(db, sid))[1]
    )
    await world.mod.react(suggestion_message, "👍")
    assert (await status_of(db, sid))[0] == "pending"
    assert not any(r.method == "DELETE" for r in simcord_env.http_requests)


async def test_restart_between_posting_and_reacting(simcord_env, world, db):
    sid = await post(simcord_env, db)
    msg = world.channel.last_message
    await simcord_env.restart_bot(create_bot(review_config(), db))
    await world.mod.react(msg, "✅")
    assert (await status_of(db, sid))[0] == "approved"


async def test_a_crash_between_sending_and_storing_neither_loses_nor_doubles(simcord_env, world, db):
    sid = await post(simcord_env, db)
    # Simulate the crash: the message was sent, its id never stored.
    async with db.begin() as s:
        row = await s.get(m.Suggestion, sid)
        first_message = row.message_id
        row.message_id = None
    sid2 = await add_pending(db, arxiv_id="2110.13900", title="WavLM 2: more speech", name="WavLM 2")
    await simcord_env.restart_bot(create_bot(review_config(), db))  # posts unposted at start
    await simcord_env.settle()
    assert (await status_of(db, sid))[1] == first_message  # adopted, not posted twice
    assert (await status_of(db, sid2))[1] is not None
    titles = [msg.embeds[0].title for msg in [world.channel.last_message]]
    assert titles == ["WavLM 2: more speech"]


async def test_external_text_renders_safely_and_pings_nobody(simcord_env, world, db):
    title = "@everyone **BOLD** [x](https://evil.example) <@&1> " + "long " * 80
    sid = await post(simcord_env, db, arxiv_id="2401.00001", title=title, name="@here")
    msg = world.channel.last_message
    embed = msg.embeds[0]
    assert len(embed.title) <= 256 and embed.title.endswith("…")
    assert "@everyone" not in embed.title and "\\*\\*BOLD\\*\\*" in embed.title
    assert msg.mention_everyone is False and not msg.role_mentions and not msg.mentions
    assert (await status_of(db, sid))[0] == "pending"


# ---------------------------------------------------------------------------------------------
# /ptm-admin review commands


async def show_admin_group_to(env, world, role):
    # default_permissions hides /ptm-admin from the moderator role until a server admin shows it.
    cmds = await env.bot.tree.fetch_commands(guild=discord.Object(world.guild.id))
    admin = next(c for c in cmds if c.name == "ptm-admin")
    world.guild.set_command_permissions(admin, {role: True})


async def test_pending_approve_by_command_refreshes_the_message(simcord_env, world, db):
    sid = await post(simcord_env, db)
    await show_admin_group_to(simcord_env, world, world.mod_role)
    r = await world.mod.slash(world.channel, "ptm-admin pending")
    assert r.ephemeral and "XLS-R 2" in r.response.embeds[0].description
    r = await world.mod.slash(
        world.channel, "ptm-admin approve", arxiv_id="https://arxiv.org/abs/2111.09296v1", name="XLS-R Large"
    )
    assert r.ephemeral and "XLS-R Large" in r.response.content
    assert (await status_of(db, sid))[0] == "approved"
    decision = {f.name: f.value for f in world.channel.last_message.embeds[0].fields}["Decision"]
    assert "Approved" in decision
    r = await world.mod.slash(world.channel, "ptm-admin approve", arxiv_id="2111.09296")
    assert "already approved" in r.response.content


async def test_reject_with_reason_then_undo(simcord_env, world, db):
    sid = await post(simcord_env, db)
    r = await world.admin.slash(
        world.channel, "ptm-admin reject", arxiv_id="2111.09296", reason="an analysis, not a model"
    )
    assert "Rejected" in r.response.content
    assert (
        "an analysis, not a model"
        in {f.name: f.value for f in world.channel.last_message.embeds[0].fields}["Decision"]
    )
    r = await world.admin.slash(world.channel, "ptm-admin undo", arxiv_id="2111.09296")
    assert "pending again" in r.response.content
    assert (await status_of(db, sid))[0] == "pending"
    assert "Decision" not in {f.name for f in world.channel.last_message.embeds[0].fields}
    async with db.begin() as s:
        assert [d.action for d in await review.decisions_for(s, sid)] == ["reject", "undo"]


async def test_unknown_arxiv_id_is_a_short_ephemeral_line(simcord_env, world):
    import simcord

    r = await world.admin.slash(world.channel, "ptm-admin approve", arxiv_id="not-an-id")
    assert r.ephemeral and "not an arXiv id" in r.response.content
    simcord.assert_error(simcord_env, UserFacingError)


async def test_edit_remove_and_export(simcord_env, world, db):
    r = await world.admin.slash(
        world.channel, "ptm-admin edit", name="deberta v2", field="org", value="Microsoft Research"
    )
    assert "Updated org of **DeBERTa-v2**" in r.response.content
    r = await world.admin.slash(world.channel, "ptm-admin remove", name="BORT")
    assert "Removed **BORT**" in r.response.content
    r = await world.admin.slash(world.channel, "ptm-admin export")
    (attachment,) = r.response.attachments
    text = (await attachment.read()).decode("utf-8")
    assert (
        "[DeBERTa-v2](https://huggingface.co/docs/transformers/model_doc/deberta-v2) (from Microsoft Research)"
        in text
    )
    assert "[BORT]" not in text
    assert (
        "[DeBERTa](https://huggingface.co/docs/transformers/model_doc/deberta) (from Microsoft) released"
        in text
    )


async def test_review_commands_refused_for_members(simcord_env, world, db):
    import simcord

    sid = await post(simcord_env, db)
    await show_admin_group_to(simcord_env, world, world.guild.default_role)
    r = await world.alice.slash(world.channel, "ptm-admin approve", arxiv_id="2111.09296")
    assert r.ephemeral and r.response.content.startswith("Only moderators")
    simcord.assert_error(simcord_env, NotModerator)
    assert (await status_of(db, sid))[0] == "pending"


async def test_posting_goes_at_discords_pace(simcord_env, world, db):
    """Several suggestions are posted one every ``post_interval_seconds``, not in a burst."""
    for n in range(3):
        await add_pending(
            db, arxiv_id=f"2402.0000{n}", title=f"Model {n}: pre-training at scale", name=f"Model {n}"
        )
    config = dataclasses.replace(
        review_config(), discord=dataclasses.replace(review_config().discord, post_interval_seconds=0.3)
    )
    simcord_env.bot.config = config
    sent = []
    original = simcord_env.bot.http.send_message

    async def spy(*args, **kwargs):
        sent.append(time.monotonic())
        return await original(*args, **kwargs)

    simcord_env.bot.http.send_message = spy
    assert await cog(simcord_env).post_pending() == 3
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert len(sent) == 3 and all(gap >= 0.3 for gap in gaps), gaps


async def test_one_resolver_finds_the_review_channel_by_id_or_name(simcord_env, world, db):

    bot = simcord_env.bot
    for wanted in ("models", "#Models", world.channel.id):
        bot.config = dataclasses.replace(
            review_config(), discord=dataclasses.replace(review_config().discord, review_channel=wanted)
        )
        assert review_channel(bot).id == world.channel.id
    bot.config = dataclasses.replace(
        review_config(), discord=dataclasses.replace(review_config().discord, review_channel="nowhere")
    )
    assert review_channel(bot) is None
