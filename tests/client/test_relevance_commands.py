"""The relevance model in the simulated Discord: reasons on the card, a moderator's decision becomes
a label, ``/ptm-admin relevance show`` and ``retrain`` for moderators only."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import discord
import pytest
import pytest_asyncio

from bot.client.bot import create_bot
from bot.config import FeedsConfig, RelevanceConfig, ScheduleConfig
from support.feedgen import Item, rss2
from tests.plugins.discord import bot_config
from tests.plugins.http import Reply, ScriptedServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PTM_TITLE = "OmniSpeech: Self-Supervised Pre-training of a Multilingual Speech Foundation Model"
PTM_ABSTRACT = (
    "We introduce OmniSpeech, a speech foundation model pre-trained with self-supervised learning on "
    "1M hours of unlabeled audio in 120 languages. We release the pre-trained checkpoints and code."
)
SMALL = Path(__file__).resolve().parents[1] / "fixtures" / "relevance-small.jsonl"
USES_LLM_TITLE = "Can ChatGPT Grade Essays? An Evaluation of Large Language Models for Automated Scoring"
USES_LLM_ABSTRACT = (
    "We evaluate ChatGPT and GPT-4 on three essay scoring benchmarks with zero-shot and few-shot "
    "prompting, and find that prompt design matters more than model size."
)


@pytest_asyncio.fixture
async def arxiv_server():
    async with ScriptedServer() as server:
        server.script(
            "/rss/cs.CL",
            Reply(
                200,
                rss2(
                    [
                        Item("2604.30001", PTM_TITLE, PTM_ABSTRACT),
                        Item("2604.30003", USES_LLM_TITLE, USES_LLM_ABSTRACT),
                    ]
                ),
                headers={"Content-Type": "application/rss+xml"},
            ),
        )
        yield server


@pytest.fixture
def tiny_corpus(tmp_path: Path) -> Path:
    """Every fourth paper of the small corpus: a retrain takes well under a second, even on a busy
    machine (simcord waits a few seconds for the deferred reply)."""
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(SMALL.read_text().splitlines(keepends=True)[::4]), encoding="utf-8")
    return path


@pytest.fixture
def simcord_bot(db, arxiv_server, tiny_corpus):  # overrides the shared fixture
    config = bot_config(review_channel="models", post_interval_seconds=0.0)
    config = dataclasses.replace(
        config,
        feeds=FeedsConfig(
            categories=("cs.CL",),
            url_template=arxiv_server.url("/rss/{categories}"),
            contact="mailto:test@example.org",
        ),
        schedule=ScheduleConfig(enabled=False),
        relevance=RelevanceConfig(exploration=False, corpus=str(tiny_corpus)),
    )
    return create_bot(config, db)


async def show_admin_group_to(env, world, role):
    cmds = await env.bot.tree.fetch_commands(guild=discord.Object(world.guild.id))
    admin = next(c for c in cmds if c.name == "ptm-admin")
    world.guild.set_command_permissions(admin, {role: True})


async def test_card_reasons_decision_label_show_and_retrain(simcord_env, world):
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    message = world.channel.last_message
    embed = message.embeds[0]
    assert embed.title == PTM_TITLE  # the paper that only evaluates ChatGPT is not suggested
    fields = {f.name: f.value for f in embed.fields}
    why = [line.removeprefix("• ") for line in fields["Why"].splitlines()]
    assert why and all(line.rsplit(" ", 1)[1][0] in "+-" for line in why), why

    await world.mod.react(message, "✅")
    await show_admin_group_to(simcord_env, world, world.mod_role)
    r = await world.mod.slash(world.channel, "ptm-admin relevance show")
    assert r.ephemeral
    shown = r.response.embeds[0]
    assert "1 moderator decision stored" in shown.description
    assert shown.title.startswith("Relevance model ")
    assert any(f.name == "Frozen test split" and "recall" in f.value for f in shown.fields)

    r = await world.mod.slash(world.channel, "ptm-admin relevance retrain")
    assert r.ephemeral
    result = r.response.embeds[0]
    assert "activated" in result.title or "kept aside" in result.title
    r = await world.mod.slash(world.channel, "ptm-admin relevance show")
    assert any(f.name == "Versions" for f in r.response.embeds[0].fields)


async def test_members_cannot_see_or_retrain_the_model(simcord_env, world, db):
    import simcord

    from bot.client.checks import NotModerator

    await show_admin_group_to(simcord_env, world, world.guild.default_role)
    for sub in ("show", "retrain"):
        r = await world.alice.slash(world.channel, f"ptm-admin relevance {sub}")
        assert r.ephemeral and r.response.content.startswith("Only moderators")
    simcord.assert_error(simcord_env, NotModerator)
    async with db.begin() as session:
        from sqlalchemy import func, select

        from db import models as m

        assert await session.scalar(select(func.count()).select_from(m.RelevanceModelRow)) == 0


async def test_moderators_activate_and_roll_back_versions_audited(simcord_env, world, db):
    import simcord
    from sqlalchemy import select

    from bot.client.checks import NotModerator
    from db import models as m

    async with db.begin() as s:  # a version kept aside by an earlier retrain
        s.add(
            m.RelevanceModelRow(
                version="20261201-000000-aaaa",
                status="kept_aside",
                body="{}",
                metrics={"failed": ["newer decisions"]},
                note="kept aside: newer decisions accuracy 0.71 vs 0.80 (n=14)",
            )
        )
    await show_admin_group_to(simcord_env, world, world.guild.default_role)
    r = await world.alice.slash(world.channel, "ptm-admin relevance activate", version="20261201-000000-aaaa")
    assert r.ephemeral and r.response.content.startswith("Only moderators")
    simcord.assert_error(simcord_env, NotModerator)

    r = await world.mod.slash(world.channel, "ptm-admin relevance show")
    versions = next(f.value for f in r.response.embeds[0].fields if f.name == "Versions")
    assert "kept aside (failed: newer decisions)" in versions and "0.71 vs 0.80 (n=14)" in versions

    r = await world.mod.slash(world.channel, "ptm-admin relevance activate", version="20261201-000000-aaaa")
    assert r.ephemeral and "activated: 20261201-000000-aaaa now scores new papers" in r.response.content
    r = await world.mod.slash(world.channel, "ptm-admin relevance rollback")
    assert r.ephemeral and "rolled back" in r.response.content and "the shipped model" in r.response.content
    async with db.begin() as s:
        events = (
            await s.execute(
                select(
                    m.RelevanceModelEvent.action, m.RelevanceModelEvent.actor_name, m.RelevanceModelEvent.via
                ).order_by(m.RelevanceModelEvent.id)
            )
        ).all()
    assert [tuple(e) for e in events] == [("activate", "mod", "command"), ("rollback", "mod", "command")]


async def test_approve_as_borderline_keep_through_the_command(simcord_env, world, db):
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    await show_admin_group_to(simcord_env, world, world.mod_role)
    r = await world.mod.slash(
        world.channel, "ptm-admin approve", arxiv_id="2604.30001", approval="borderline"
    )
    assert r.ephemeral and "Approved (borderline-keep) arXiv 2604.30001" in r.response.content
    decision = next(f.value for f in world.channel.last_message.embeds[0].fields if f.name == "Decision")
    assert "Approved (borderline-keep)" in decision
    # The paper the model did not suggest: approve points to add, which works without arXiv.
    r = await world.mod.slash(world.channel, "ptm-admin approve", arxiv_id="2604.30003")
    assert (
        "was seen but not suggested" in r.response.content
        and "/ptm-admin add 2604.30003" in r.response.content
    )
    import simcord

    from bot.review.service import ReviewError

    simcord.assert_error(simcord_env, ReviewError)
    r = await world.mod.slash(world.channel, "ptm-admin add", paper="2604.30003")
    assert "Approved arXiv 2604.30003" in r.response.content
