"""The whole loop in one test: poll arXiv (a local server), post, react, approve, export.

Everything runs through public interfaces: ``/ptm-admin poll`` fetches the feed over HTTP from a
real aiohttp server on 127.0.0.1, the review cog posts to the channel, a moderator reacts in the
simulated Discord, and ``/ptm-admin export`` attaches the list with the new line in its place.
"""

from __future__ import annotations

import dataclasses

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.catalog import service as catalog
from bot.catalog.model import Entry, EntryKind
from bot.client.bot import create_bot
from bot.config import FeedsConfig, ScheduleConfig
from bot.errors import UserFacingError
from db import models as m
from support.feedgen import Item, rss2
from tests.plugins.database import add_pending
from tests.plugins.discord import bot_config
from tests.plugins.http import Reply, ScriptedServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PTM_TITLE = "OmniSpeech: Self-Supervised Pre-training of a Multilingual Speech Foundation Model"
PTM_ABSTRACT = (
    "We introduce OmniSpeech, a speech foundation model pre-trained with self-supervised learning on "
    "1M hours of unlabeled audio in 120 languages. We release the pre-trained checkpoints and code."
)
OTHER_TITLE = "A Note on the Convergence of Stochastic Gradient Descent in Non-Convex Landscapes"


def item(arxiv_id: str, title: str, abstract: str, authors: str) -> Item:
    return Item(arxiv_id, title, abstract, categories=("cs.CL", "eess.AS"), authors=authors)


API_ENTRY = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">
  <id>https://arxiv.org/api/x</id>
  <title>arXiv Query: id_list=2106.07447</title>
  <updated>2026-04-30T17:33:16Z</updated>
  <entry>
    <id>http://arxiv.org/abs/2305.11111v2</id>
    <title>SpeechLM-X: Scaling Speech Language Model Pre-training</title>
    <updated>2023-05-20T17:59:01Z</updated>
    <link href="https://arxiv.org/abs/2305.11111v2" rel="alternate" type="text/html"/>
    <summary>We pre-train a speech language model and release it.</summary>
    <category term="cs.CL" scheme="http://arxiv.org/schemas/atom"/>
    <published>2023-05-18T17:59:01Z</published>
    <arxiv:primary_category term="cs.CL"/>
    <author><name>Ada Lovelace</name></author>
    <author><name>Alan Turing</name></author>
  </entry>
</feed>
"""


@pytest_asyncio.fixture
async def arxiv_server():
    async with ScriptedServer() as server:
        server.script(
            "/rss/cs.CL",
            Reply(
                200,
                rss2(
                    [
                        item(
                            "2604.30001", PTM_TITLE, PTM_ABSTRACT, "Ada Lovelace, Grace Hopper,  Alan Turing"
                        ),
                        item(
                            "2604.30002", OTHER_TITLE, "We prove a bound on convergence rates.", "Carl Gauss"
                        ),
                    ]
                ),
                headers={"ETag": '"v1"', "Content-Type": "application/rss+xml"},
            ),
        )
        server.script("/api", Reply(200, API_ENTRY, headers={"Content-Type": "application/atom+xml"}))
        yield server


@pytest.fixture
def simcord_bot(db, arxiv_server):  # overrides the shared fixture: feeds point at the local server
    config = bot_config(review_channel="models", post_interval_seconds=0.0)
    config = dataclasses.replace(
        config,
        feeds=FeedsConfig(
            categories=("cs.CL",),
            url_template=arxiv_server.url("/rss/{categories}"),
            api_url_template=arxiv_server.url("/api") + "?id_list={id}",
            contact="mailto:test@example.org",
        ),
        schedule=ScheduleConfig(enabled=False),
    )
    return create_bot(config, db)


async def test_poll_post_react_approve_export(simcord_env, world, arxiv_server):
    # 1. A moderator polls now; the feed comes from the local "arXiv" with our User-Agent.
    r = await world.admin.slash(world.channel, "ptm-admin poll")
    assert r.ephemeral
    await simcord_env.settle()
    (request,) = arxiv_server.requests_to("/rss/cs.CL")
    assert (
        request.headers["User-Agent"].startswith("ptm-bot/")
        and "mailto:test@example.org" in request.headers["User-Agent"]
    )

    # 2. Only the PTM paper is suggested; its message carries the review reactions.
    message = world.channel.last_message
    embed = message.embeds[0]
    assert embed.title == PTM_TITLE and embed.url == "https://arxiv.org/abs/2604.30001"
    fields = {f.name: f.value for f in embed.fields}
    assert "OmniSpeech" in fields["Proposed entry"] and "speech" in fields["Proposed entry"]
    assert sorted(str(x.emoji) for x in message.reactions) == ["✅", "❌"]

    # 3. A member's reaction is removed; a moderator's approves.
    await world.alice.react(message, "✅")
    await world.mod.react(message, "✅")
    decision = {f.name: f.value for f in world.channel.last_message.embeds[0].fields}["Decision"]
    assert "Approved" in decision

    # 4. The list now has the new model, in the list's own line format, among its neighbours.
    r = await world.admin.slash(world.channel, "ptm-admin export")
    text = (await r.response.attachments[0].read()).decode("utf-8")
    line = (
        "2604: [OmniSpeech](https://arxiv.org/abs/2604.30001) released with the paper "
        f"[{PTM_TITLE}](https://arxiv.org/abs/2604.30001) by Ada Lovelace, Grace Hopper and Alan Turing."
    )
    lines = text.splitlines()
    assert line in lines
    i = lines.index(line)
    assert lines[i - 2].split("[", 1)[1].casefold() < "omnispeech" < lines[i + 2].split("[", 1)[1].casefold()

    # 5. And the members can find it.
    r = await world.alice.slash(world.channel, "ptm model", name="OmniSpeech")
    assert r.response.embeds[0].title.startswith("OmniSpeech")

    # 6. The next poll sends the stored ETag and suggests nothing twice.
    before = world.channel.last_message.id
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    second = arxiv_server.requests_to("/rss/cs.CL")[-1]
    assert second.headers.get("If-None-Match") == '"v1"'
    assert world.channel.last_message.id == before  # nothing new was posted


async def test_add_by_arxiv_url_reads_metadata_from_arxiv(simcord_env, world, arxiv_server):
    r = await world.admin.slash(world.channel, "ptm-admin add", paper="https://arxiv.org/abs/2305.11111v2")
    assert r.ephemeral and "SpeechLM-X" in r.response.content
    assert arxiv_server.requests_to("/api")[0].path == "/api"
    r = await world.alice.slash(world.channel, "ptm model", name="speechlm-x")
    embed = r.response.embeds[0]
    assert embed.title.startswith("SpeechLM-X")
    r = await world.admin.slash(world.channel, "ptm-admin add", paper="2305.11111")
    assert "already in the catalog" in r.response.content
    import simcord

    simcord.assert_error(simcord_env, UserFacingError)


# ---------------------------------------------------------------------------------------------
# When Discord refuses something: the decision stands, nothing is left half done


async def post(env, db, **kw) -> int:
    sid = await add_pending(db, **kw)
    assert await env.bot.get_cog("ReviewCog").post_pending() == 1
    await env.settle()
    return sid


async def status_of(db, sid):
    async with db.begin() as s:
        row = await s.get(m.Suggestion, sid)
        return row.status


def decision_field(world) -> str | None:
    return {f.name: f.value for f in world.channel.last_message.embeds[0].fields}.get("Decision")


async def test_add_of_a_paper_already_pending_refreshes_its_review_message(simcord_env, world, db):
    sid = await post(simcord_env, db, arxiv_id="2305.11111", title="SpeechLM-X: Scaling", name="SpeechLM-X")
    assert decision_field(world) is None
    r = await world.admin.slash(world.channel, "ptm-admin add", paper="2305.11111")
    assert "SpeechLM-X" in r.response.content
    assert await status_of(db, sid) == "approved"
    # Before the fix the message kept showing a pending suggestion with live ✅/❌.
    assert "Approved" in (decision_field(world) or "")


async def test_a_reaction_approve_whose_name_cannot_be_freed_changes_nothing_and_logs_no_error(
    simcord_env, world, db
):
    async with db.begin() as s:  # "XLS-R" is in the list; take the disambiguated name too
        await catalog.add_entry(s, Entry(kind=EntryKind.MODEL, name="XLS-R (2111.09296)"))
    sid = await post(simcord_env, db, name="XLS-R")
    await world.mod.react(world.channel.last_message, "✅")
    assert await status_of(db, sid) == "pending"
    assert decision_field(world) is None
    # The moderator's reaction is taken back: the message does not look decided.
    assert any(
        r.method == "DELETE" and r.path.endswith(f"/{world.mod.id}") for r in simcord_env.http_requests
    )


async def test_a_decision_stands_when_the_review_message_cannot_be_edited(simcord_env, world, db):
    sid = await post(simcord_env, db)
    simcord_env.inject_error(
        "PATCH", "/channels/*/messages/*", status=403, code=50013, message="Missing Permissions"
    )
    await world.mod.react(world.channel.last_message, "❌")
    assert await status_of(db, sid) == "rejected"


async def test_a_command_decision_is_answered_when_the_review_message_cannot_be_edited(
    simcord_env, world, db
):
    sid = await post(simcord_env, db)
    simcord_env.inject_error(
        "PATCH", "/channels/*/messages/*", status=403, code=50013, message="Missing Permissions"
    )
    r = await world.admin.slash(world.channel, "ptm-admin reject", arxiv_id="2111.09296")
    assert "Rejected" in r.response.content
    assert await status_of(db, sid) == "rejected"


async def test_posting_goes_on_when_the_review_reactions_cannot_be_added(simcord_env, world, db):
    simcord_env.inject_error(
        "PUT",
        "/channels/*/messages/*/reactions/*",
        status=403,
        code=50013,
        message="Missing Permissions",
        times=None,
    )
    first = await add_pending(db)
    second = await add_pending(db, arxiv_id="2110.13900", title="WavLM 2: more speech", name="WavLM 2")
    # Before the fix the first failed reaction ended the run: the second suggestion stayed unposted.
    assert await simcord_env.bot.get_cog("ReviewCog").post_pending() == 2
    async with db.begin() as s:
        assert all([(await s.get(m.Suggestion, sid)).message_id for sid in (first, second)])


async def test_a_replacement_refreshes_a_waiting_card_and_ends_its_snooze(
    simcord_env, world, arxiv_server, db
):
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    card = world.channel.last_message
    assert card.embeds[0].title == PTM_TITLE
    await world.mod.click(card, label="Needs info")
    assert {f.name for f in world.channel.last_message.embeds[0].fields} >= {"⏸ Needs info"}

    # arXiv announces v2 of the waiting paper: its card shows the new title, abstract and version.
    v2_title = "OmniSpeech 2: Self-Supervised Pre-training of a Speech Foundation Model in 200 Languages"
    v2 = Item(
        "2604.30001",
        v2_title,
        "We now cover 200 languages and release the checkpoints.",
        categories=("cs.CL",),
        authors="Ada Lovelace, Grace Hopper",
        announce_type="replace",
        version=2,
    )
    arxiv_server.script("/rss/cs.CL", Reply(200, rss2([v2]), headers={"ETag": '"v2"'}))
    await world.admin.slash(world.channel, "ptm-admin poll")
    await simcord_env.settle()
    assert world.channel.last_message.id == card.id  # edited in place, nothing new posted
    card = world.channel.last_message
    embed = card.embeds[0]
    fields = {f.name: f.value for f in embed.fields}
    assert embed.title == v2_title and embed.description.startswith("We now cover 200 languages")
    assert fields["Version"] == "v2" and "⏸ Needs info" not in fields
    assert [c.label for row in card.components for c in row.children][0] == "Approve"
    async with db.begin() as s:
        row = (await s.scalars(select(m.Suggestion).where(m.Suggestion.arxiv_id == "2604.30001"))).one()
    assert (row.status, row.version, row.snoozed_until, row.authors) == (
        "pending",
        2,
        None,
        ["Ada Lovelace", "Grace Hopper"],
    )
