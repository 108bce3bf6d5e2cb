"""The digest and members' follows through the real command tree (simcord): a digest posted with
its one allowed mention (and none when nothing was added), ``/ptm digest`` on demand, follows that
produce one DM per follower per period, a closed DM, and a member who sees only their own."""

from __future__ import annotations

import dataclasses

import pytest
import simcord
from sqlalchemy import select

from bot.cli.ask import ask
from bot.client.bot import create_bot
from bot.config import DigestConfig
from bot.errors import UserFacingError
from bot.review import actions
from bot.review.actions import Actor
from bot.review.service import Decision
from db import models as m
from tests.plugins.database import add_pending
from tests.plugins.discord import bot_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MOD = Actor(1, "mod", via="command")


def digest_config(**digest_options):
    options = {"channel": "news", "role": "Readers", "dm_interval_seconds": 0.0}
    options.update(digest_options)
    return dataclasses.replace(bot_config(), digest=DigestConfig(**options))


@pytest.fixture
def simcord_bot(db):
    return create_bot(digest_config(), db)


@pytest.fixture
def news(world):
    return world.guild.create_text_channel("news")


@pytest.fixture
def readers(world):
    return world.guild.create_role("Readers")


async def approve_two(db):
    """XLS-R 2 (speech) and ViT-X (vision), approved."""
    await add_pending(db)
    vision = await add_pending(
        db, arxiv_id="2401.00002", title="ViT-X: Vision Transformers at Scale", name="ViT-X"
    )
    await actions.edit_proposal(db, vision, MOD, name="ViT-X", kind="model", topics="vision", org="Google")
    await actions.decide(db, "2111.09296", Decision.APPROVE, MOD)
    await actions.decide(db, "2401.00002", Decision.APPROVE, MOD)


async def run_digest(env):
    run = await env.bot.get_cog("Digest").run_digest()
    await env.settle()
    return run


async def test_nothing_is_posted_when_nothing_was_added(simcord_env, world, news, readers):
    run = await run_digest(simcord_env)
    assert run.entries == 0 and run.posted is None
    assert news.last_message is None


async def test_the_digest_lists_new_entries_in_the_list_format_and_mentions_only_its_role(
    simcord_env, world, db, news, readers
):
    await approve_two(db)
    run = await run_digest(simcord_env)
    assert run.entries == 2
    message = news.last_message
    assert message.content == f"<@&{readers.id}>"
    assert [r.id for r in message.role_mentions] == [readers.id] and not message.mention_everyone
    (request,) = [
        r
        for r in simcord_env.http_requests
        if r.method == "POST" and r.path == f"/channels/{news.id}/messages"
    ]
    allowed = request.json["allowed_mentions"]
    assert allowed["parse"] == [] and [int(r) for r in allowed["roles"]] == [readers.id]
    assert not allowed.get("users") and not allowed.get("replied_user")
    embed = message.embeds[0]
    assert embed.title == "2 new entries in the catalog"
    lines = embed.description.splitlines()
    assert lines == [
        "2111: [XLS-R 2](https://arxiv.org/abs/2111.09296) released with the paper [XLS-R: Self-supervised "
        "Cross-lingual Speech Representation Learning at Scale](https://arxiv.org/abs/2111.09296) by Arun Babu, "
        "Changhan Wang and Michael Auli.",
        "2401: [ViT-X](https://arxiv.org/abs/2401.00002) (from Google) released with the paper [ViT-X: Vision "
        "Transformers at Scale](https://arxiv.org/abs/2401.00002) by Arun Babu, Changhan Wang and Michael Auli.",
    ]
    # The next run has nothing new: nothing more is posted.
    again = await run_digest(simcord_env)
    assert again.entries == 0 and news.last_message.id == message.id


async def test_without_a_role_nobody_is_mentioned(db, simcord_env, world, news):
    await approve_two(db)
    await run_digest(simcord_env)  # the configured role does not exist: posted without a mention
    message = news.last_message
    assert message.content == "" and not message.role_mentions
    (request,) = [r for r in simcord_env.http_requests if r.path == f"/channels/{news.id}/messages"]
    assert request.json["allowed_mentions"] == {"parse": []}


async def test_ptm_digest_on_demand(simcord_env, world, db):
    r = await world.alice.slash(world.channel, "ptm digest")
    assert r.ephemeral and "Nothing was added to the catalog in the last 7 days" in r.response.content
    await approve_two(db)
    r = await world.alice.slash(world.channel, "ptm digest", period="daily")
    assert r.ephemeral and r.response.embeds[0].title == "2 new entries in the catalog"


async def test_follows_give_one_dm_per_follower_with_their_matching_entries(simcord_env, world, db, news):
    r = await world.alice.slash(world.channel, "ptm follow", kind="topic", value="Speech")
    assert r.ephemeral and "You now follow topic **Speech (audio)**" in r.response.content
    await world.alice.slash(world.channel, "ptm follow", kind="query", value="Cross-lingual speech")
    await world.bob.slash(world.channel, "ptm follow", kind="org", value="google")
    await world.mod.slash(world.channel, "ptm follow", kind="query", value="diffusion")
    r = await world.alice.slash(world.channel, "ptm follow", kind="topic", value="speech")
    assert "You already follow" in r.response.content

    await approve_two(db)
    run = await run_digest(simcord_env)
    assert sorted(run.dms) == sorted([world.alice.id, world.bob.id]) and run.paused == []
    (alice_dm,) = world.alice.user.dm_channel.history()  # two follows match XLS-R 2: one DM, one line
    assert (
        alice_dm.embeds[0].description.count("XLS-R 2") == 1 and "ViT-X" not in alice_dm.embeds[0].description
    )
    (bob_dm,) = world.bob.user.dm_channel.history()
    assert "ViT-X" in bob_dm.embeds[0].description and "XLS-R" not in bob_dm.embeds[0].description
    assert world.mod.user.dm_channel.history() == []
    # The next period without new entries sends nothing more.
    await run_digest(simcord_env)
    assert len(world.alice.user.dm_channel.history()) == 1 and len(world.bob.user.dm_channel.history()) == 1


async def test_closed_dms_pause_the_follow_and_the_member_is_told_at_their_next_command(
    simcord_env, world, db, news
):
    await world.alice.slash(world.channel, "ptm follow", kind="topic", value="speech")
    simcord_env.inject_error(
        "POST",
        f"/channels/{world.alice.user.dm_channel.id}/messages",
        status=403,
        code=50007,
        message="closed",
    )
    await approve_two(db)
    run = await run_digest(simcord_env)
    assert run.paused == [world.alice.id] and run.dms == []
    async with db.begin() as s:
        (follow,) = (await s.scalars(select(m.Follow))).all()
    assert follow.paused_at is not None and follow.notice_pending

    r = await world.alice.slash(world.channel, "ptm model", name="BERT")
    (notice,) = r.followups
    assert notice.ephemeral and "your follows are paused" in notice.content
    r = await world.alice.slash(world.channel, "ptm following")
    assert "(paused: your DMs were closed)" in r.response.embeds[0].description and r.followups == []
    # Following again resumes.
    await world.alice.slash(world.channel, "ptm follow", kind="author", value="Michael Auli")
    r = await world.alice.slash(world.channel, "ptm following")
    assert "paused" not in r.response.embeds[0].description


async def test_a_member_sees_and_changes_only_their_own_follows(simcord_env, world):
    await world.alice.slash(world.channel, "ptm follow", kind="org", value="Meta AI")
    r = await world.bob.slash(world.channel, "ptm following")
    assert r.ephemeral and "You follow nothing yet" in r.response.content
    r = await world.bob.slash(world.channel, "ptm unfollow", kind="org", value="Meta AI")
    assert r.ephemeral and "you do not follow org 'Meta AI'" in r.response.content
    simcord.assert_error(simcord_env, UserFacingError, contains="you do not follow")
    r = await world.alice.slash(world.channel, "ptm following")
    assert "organisation **Meta AI**" in r.response.embeds[0].description
    r = await world.alice.slash(world.channel, "ptm unfollow", kind="org", value="meta  ai")
    assert "You no longer follow organisation **Meta AI**" in r.response.content


async def test_an_unknown_topic_is_refused(simcord_env, world):
    r = await world.alice.slash(world.channel, "ptm follow", kind="topic", value="underwater basket")
    assert r.ephemeral and "unknown topic" in r.response.content
    simcord.assert_error(simcord_env, UserFacingError, contains="unknown topic")


async def test_ask_runs_the_follow_commands_offline_for_a_member(db):
    config = bot_config()
    payload, status = await ask(config, db, "/ptm follow topic speech", member_id=42)
    assert status == 0 and "You now follow topic **Speech (audio)**" in payload.content
    payload, _ = await ask(config, db, "/ptm following", member_id=42)
    assert "topic **Speech (audio)**" in payload.embeds[0].description
    payload, _ = await ask(config, db, "/ptm following", member_id=7)
    assert "You follow nothing yet" in payload.content
    payload, _ = await ask(config, db, "/ptm digest")
    assert "Nothing was added" in payload.content


async def test_the_digest_job_is_scheduled_once_with_a_stable_id(simcord_env):
    job = simcord_env.bot.scheduler.get_job("digest")
    assert job.max_instances == 1 and job.coalesce
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["day_of_week"], fields["hour"], fields["minute"]) == ("mon", "9", "0")
    assert str(job.trigger.timezone) == "UTC"
