"""Review buttons on cards through the real discord.py stack (simcord): approve, reject with a
reason, needs info (snooze and its return on virtual time), edit then approve, after a restart,
and a new arXiv version refreshing a waiting card."""

from __future__ import annotations

from datetime import timedelta

import pytest
import simcord
from sqlalchemy import select

from bot.catalog import service as catalog
from bot.client.bot import create_bot
from bot.review import actions
from bot.review import service as review
from db import models as m
from tests.plugins.database import add_pending
from tests.plugins.discord import bot_config

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

MODERATORS_ONLY = "Only moderators can do that"


def review_config(**review_options):
    import dataclasses

    from bot.config import ReviewConfig

    config = bot_config(review_channel="models", post_interval_seconds=0.0)
    return dataclasses.replace(config, review=ReviewConfig(**review_options))


@pytest.fixture
def simcord_bot(db):
    return create_bot(review_config(snooze_days=3), db)


async def post(env, db, **kw):
    sid = await add_pending(db, **kw)
    assert await env.bot.get_cog("ReviewCog").post_pending() == 1
    await env.settle()
    return sid


async def row(db, sid):
    async with db.begin() as s:
        return await s.get(m.Suggestion, sid)


async def audit(db, sid):
    async with db.begin() as s:
        return [(d.action, d.via, d.actor_name, d.reason) for d in await review.decisions_for(s, sid)]


async def entry_named(db, name):
    async with db.begin() as s:
        return next((e for e in await catalog.load_entries(s, kind="model") if e.name == name), None)


def labels(message):
    return [c.label for row in message.components for c in row.children]


def field(message, name):
    return next((f.value for f in message.embeds[0].fields if f.name == name), None)


async def test_card_has_buttons_and_a_moderator_approves(simcord_env, world, db):
    sid = await post(simcord_env, db)
    card = world.channel.last_message
    assert labels(card) == ["Approve", "Keep (borderline)", "Reject", "Needs info", "Edit"]
    r = await world.mod.click(card, label="Approve")
    assert r.acknowledged
    assert (await row(db, sid)).status == "approved"
    card = world.channel.last_message
    assert "Approved" in field(card, "Decision") and world.mod.mention in field(card, "Decision")
    assert card.components == []  # a decided card has no buttons
    assert await audit(db, sid) == [("approve", "button", "mod", None)]
    assert await entry_named(db, "XLS-R 2") is not None


async def test_keep_borderline_approves_and_the_model_learns_a_borderline_positive(simcord_env, world, db):
    from bot.relevance.labels import decision_items

    sid = await post(simcord_env, db)
    card = world.channel.last_message
    r = await world.mod.click(card, label="Keep (borderline)")
    assert r.acknowledged
    stored = await row(db, sid)
    assert stored.status == "approved" and stored.approval_kind == "borderline"
    assert "Approved (borderline-keep)" in field(world.channel.last_message, "Decision")
    assert await audit(db, sid) == [("approve", "button", "mod", "borderline-keep")]
    assert await entry_named(db, "XLS-R 2") is not None
    async with db.begin() as s:
        ((item, _),) = await decision_items(s)
    assert item.label == 1 and item.borderline
    # Undo withdraws the label and the kind of yes; Approve is a core yes.
    await actions.undo(db, stored.arxiv_id, actions.Actor(None, "t", via="cli"))
    assert (await row(db, sid)).approval_kind is None
    await actions.decide(db, sid, review.Decision.APPROVE, actions.Actor(None, "t", via="cli"))
    async with db.begin() as s:
        ((item, _),) = await decision_items(s)
    assert item.label == 1 and not item.borderline and (await row(db, sid)).approval_kind == "core"


async def test_a_members_click_is_refused_and_changes_nothing(simcord_env, world, db):
    sid = await post(simcord_env, db)
    card = world.channel.last_message
    for label in ("Approve", "Keep (borderline)", "Reject", "Needs info", "Edit"):
        r = await world.alice.click(card, label=label)
        assert r.ephemeral and MODERATORS_ONLY in r.response.content and r.modal is None
    assert (await row(db, sid)).status == "pending" and (await row(db, sid)).snoozed_until is None
    assert await audit(db, sid) == []
    assert labels(world.channel.last_message) == [
        "Approve",
        "Keep (borderline)",
        "Reject",
        "Needs info",
        "Edit",
    ]


async def test_reject_asks_for_a_reason_shown_on_the_card_and_in_the_audit(simcord_env, world, db):
    sid = await post(simcord_env, db)
    shown = await world.mod.click(world.channel.last_message, label="Reject")
    assert shown.modal is not None and (await row(db, sid)).status == "pending"
    await world.mod.submit_modal(shown, {"reason": "a  fine-tuning study,\nno new model"})
    s = await row(db, sid)
    assert s.status == "rejected" and s.decision_reason == "a fine-tuning study, no new model"
    decision = field(world.channel.last_message, "Decision")
    assert "Rejected" in decision and "reason: a fine-tuning study, no new model" in decision
    assert await audit(db, sid) == [("reject", "button", "mod", "a fine-tuning study, no new model")]


async def test_reject_without_a_reason(simcord_env, world, db):
    sid = await post(simcord_env, db)
    shown = await world.mod.click(world.channel.last_message, label="Reject")
    await world.mod.submit_modal(shown, {})
    s = await row(db, sid)
    assert s.status == "rejected" and s.decision_reason is None


async def test_first_decision_wins_between_a_reaction_and_a_button(simcord_env, world, db):
    sid = await post(simcord_env, db)
    card = world.channel.last_message
    shown = await world.mod.click(card, label="Reject")  # the modal is open...
    await world.admin.react(card, "✅")  # ...and someone approves by reaction meanwhile
    r = await world.mod.submit_modal(shown, {"reason": "late"})
    assert r.ephemeral and "already approved" in r.response.content
    assert (await row(db, sid)).status == "approved"
    assert [a[0] for a in await audit(db, sid)] == ["approve"]


@pytest.mark.slow
async def test_needs_info_snoozes_and_the_suggestion_returns_after_the_configured_days(
    simcord_env, world, db
):
    sid = await post(simcord_env, db)
    await world.mod.click(world.channel.last_message, label="Needs info")
    s = await row(db, sid)
    assert s.status == "pending" and s.snoozed_by == world.mod.id
    assert s.snoozed_until == simcord_env.now() + timedelta(days=3)
    card = world.channel.last_message
    assert "Snoozed by" in field(card, "⏸ Needs info")
    assert "Approve" in labels(card)  # a moderator can still decide a snoozed card
    # Out of the queue while snoozed.
    assert await actions.pending(db) == ([], 0)

    await simcord_env.advance_time(2 * 86400)
    assert (await row(db, sid)).snoozed_until is not None
    await simcord_env.advance_time(1 * 86400 + 3600)
    assert (await row(db, sid)).snoozed_until is None
    items, total = await actions.pending(db)
    assert total == 1 and items[0].id == sid
    assert field(world.channel.last_message, "⏸ Needs info") is None  # the mark is gone
    assert [a[:2] for a in await audit(db, sid)] == [("snooze", "button"), ("wake", "watcher")]


async def test_edit_then_approve_uses_the_edited_entry(simcord_env, world, db):
    sid = await post(simcord_env, db)
    shown = await world.mod.click(world.channel.last_message, label="Edit")
    inputs = {c["custom_id"]: c.get("value") for row in shown.modal["components"] for c in row["components"]}
    assert inputs == {"name": "XLS-R 2", "kind": "model", "topics": "speech, multilingual", "org": None}
    await world.mod.submit_modal(
        shown, {"name": "XLS-R Large", "kind": "model", "topics": "Speech", "org": "Meta AI"}
    )
    s = await row(db, sid)
    assert (s.status, s.proposed_name, s.proposed_topics, s.proposed_org) == (
        "pending",
        "XLS-R Large",
        ["speech"],
        "Meta AI",
    )
    proposal = field(world.channel.last_message, "Proposed entry")
    assert "XLS-R Large" in proposal and "organisation: Meta AI" in proposal
    await world.mod.click(world.channel.last_message, label="Approve")
    entry = await entry_named(db, "XLS-R Large")
    assert entry is not None and entry.org == "Meta AI" and entry.topics == ["speech"]
    (edit, approve) = await audit(db, sid)
    assert edit[0] == "edit" and "name: XLS-R 2 -> XLS-R Large" in edit[3]
    assert "organisation: - -> Meta AI" in edit[3] and approve[0] == "approve"


async def test_an_edit_with_an_unknown_topic_is_refused(simcord_env, world, db):
    sid = await post(simcord_env, db)
    shown = await world.mod.click(world.channel.last_message, label="Edit")
    r = await world.mod.submit_modal(shown, {"name": "X", "kind": "model", "topics": "underwater basket"})
    assert r.ephemeral and "unknown topic" in r.response.content
    assert (await row(db, sid)).proposed_name == "XLS-R 2"


async def test_a_click_after_a_restart(simcord_env, world, db):
    sid = await post(simcord_env, db)
    card = world.channel.last_message
    await simcord_env.restart_bot(create_bot(review_config(), db))
    r = await world.alice.click(card, label="Approve")
    assert MODERATORS_ONLY in r.response.content
    await world.mod.click(card, label="Approve")
    assert (await row(db, sid)).status == "approved"
    assert world.channel.last_message.components == []


async def test_undo_puts_the_buttons_back(simcord_env, world, db):
    sid = await post(simcord_env, db)
    await world.mod.click(world.channel.last_message, label="Approve")
    from bot.client.review_messages import refresh_message

    view = (await actions.undo(db, "2111.09296", actions.Actor(world.mod.id, "mod"))).suggestion
    await refresh_message(simcord_env.bot, view)
    assert (await row(db, sid)).status == "pending"
    assert labels(world.channel.last_message) == [
        "Approve",
        "Keep (borderline)",
        "Reject",
        "Needs info",
        "Edit",
    ]


async def test_a_new_version_refreshes_the_card_and_ends_a_snooze(simcord_env, world, db):
    from bot.watch.arxiv import FeedPaper

    sid = await post(simcord_env, db)
    async with db.begin() as s:
        (await s.get(m.Suggestion, sid)).version = 1
    await world.mod.click(world.channel.last_message, label="Needs info")
    assert (await row(db, sid)).snoozed_until is not None

    def paper(version, title):
        return FeedPaper(
            arxiv_id="2111.09296",
            version=version,
            title=title,
            abstract="Now with 2B parameters.",
            authors=("Arun Babu", "Alexis Conneau"),
            categories=("cs.CL",),
            primary_category="cs.CL",
            announce_type="replace",
            url="https://arxiv.org/abs/2111.09296",
            published=None,
        )

    # An older or equal version changes nothing.
    assert await actions.refresh_replaced(db, [paper(1, "old")]) == []
    refreshed = await actions.refresh_replaced(db, [paper(2, "XLS-R v2: Scaled Up")])
    simcord_env.bot.dispatch("suggestions_replaced", refreshed)
    await simcord_env.settle()
    s = await row(db, sid)
    assert (s.version, s.title, s.snoozed_until) == (2, "XLS-R v2: Scaled Up", None)
    assert s.authors == ["Arun Babu", "Alexis Conneau"]
    card = world.channel.last_message
    assert card.embeds[0].title == "XLS-R v2: Scaled Up"
    assert card.embeds[0].description == "Now with 2B parameters."
    assert field(card, "Version") == "v2" and field(card, "⏸ Needs info") is None
    assert [(a[0], a[3]) for a in await audit(db, sid)][-1] == ("wake", "new version v2")
    async with db.begin() as session:
        assert (await session.scalar(select(m.Suggestion.status).where(m.Suggestion.id == sid))) == "pending"


async def test_buttons_are_registered_once_as_dynamic_items(simcord_env):
    from bot.client.review_buttons import ReviewButton

    assert ReviewButton in simcord_env.bot._connection._view_store._dynamic_items.values()
    assert isinstance(simcord_env, simcord.Env)
