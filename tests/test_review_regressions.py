"""Review-loop regressions found in review: each test failed before its fix."""

from __future__ import annotations

import dataclasses

import pytest

from bot.catalog import service as catalog
from bot.catalog.listformat import Entry, EntryKind
from bot.client.bot import create_bot
from bot.config import FeedsConfig, ScheduleConfig
from db import models as m
from tests.discord_fixtures import (  # noqa: F401  (pytest fixtures)
    bot_config,
    catalog_file,
    catalog_template,
    no_logged_errors,
    ptm_db,
    simcord_env,
    world,
)
from tests.review_helpers import add_pending
from tests.test_review_e2e import arxiv_server  # noqa: F401  (pytest fixture)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def simcord_bot(ptm_db, arxiv_server):  # a review channel; arXiv is the local server
    config = dataclasses.replace(
        bot_config(review_channel="models", post_interval_seconds=0.0),
        feeds=FeedsConfig(
            categories=("cs.CL",),
            url_template=arxiv_server.url("/rss/{categories}"),
            api_url_template=arxiv_server.url("/api") + "?id_list={id}",
            contact="mailto:test@example.org",
        ),
        schedule=ScheduleConfig(enabled=False),
    )
    return create_bot(config, ptm_db)


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


async def test_add_of_a_paper_already_pending_refreshes_its_review_message(simcord_env, world, ptm_db):
    sid = await post(
        simcord_env, ptm_db, arxiv_id="2305.11111", title="SpeechLM-X: Scaling", name="SpeechLM-X"
    )
    assert decision_field(world) is None
    r = await world.admin.slash(world.channel, "ptm-admin add", paper="2305.11111")
    assert "SpeechLM-X" in r.response.content
    assert await status_of(ptm_db, sid) == "approved"
    # Before the fix the message kept showing a pending suggestion with live ✅/❌.
    assert "Approved" in (decision_field(world) or "")


async def test_a_reaction_approve_whose_name_cannot_be_freed_changes_nothing_and_logs_no_error(
    simcord_env, world, ptm_db
):
    async with ptm_db.begin() as s:  # "XLS-R" is in the list; take the disambiguated name too
        await catalog.add_entry(s, Entry(kind=EntryKind.MODEL, name="XLS-R (2111.09296)"))
    sid = await post(simcord_env, ptm_db, name="XLS-R")
    await world.mod.react(world.channel.last_message, "✅")
    assert await status_of(ptm_db, sid) == "pending"
    assert decision_field(world) is None
    # The moderator's reaction is taken back: the message does not look decided.
    assert any(
        r.method == "DELETE" and r.path.endswith(f"/{world.mod.id}") for r in simcord_env.http_requests
    )


async def test_a_decision_stands_when_the_review_message_cannot_be_edited(simcord_env, world, ptm_db):
    sid = await post(simcord_env, ptm_db)
    simcord_env.inject_error(
        "PATCH", "/channels/*/messages/*", status=403, code=50013, message="Missing Permissions"
    )
    await world.mod.react(world.channel.last_message, "❌")
    assert await status_of(ptm_db, sid) == "rejected"


async def test_a_command_decision_is_answered_when_the_review_message_cannot_be_edited(
    simcord_env, world, ptm_db
):
    sid = await post(simcord_env, ptm_db)
    simcord_env.inject_error(
        "PATCH", "/channels/*/messages/*", status=403, code=50013, message="Missing Permissions"
    )
    r = await world.admin.slash(world.channel, "ptm-admin reject", arxiv_id="2111.09296")
    assert "Rejected" in r.response.content
    assert await status_of(ptm_db, sid) == "rejected"


# ---------------------------------------------------------------------------------------------
# Round trip of entries written from structured fields (approve, edit): re-importing the export
# changes nothing.


@pytest.fixture
async def rdb(tmp_path):
    from bot.database import open_database

    db = await open_database(f"sqlite+aiosqlite:///{tmp_path}/review.sqlite3")
    yield db
    await db.close()


async def reimport_export(db) -> catalog.ImportReport:
    async with db.begin() as s:
        text = await catalog.export_markdown(s)
    async with db.begin() as s:
        return await catalog.import_text(s, text, source="export")


@pytest.mark.parametrize("authors", [["Ada Lovelace"], ["Ada Lovelace", "Alan Turing"]])
async def test_an_approved_paper_with_one_or_two_authors_survives_export_and_reimport(rdb, authors):
    from bot.review import service as review
    from bot.review.service import Decision

    sid = await add_pending(rdb, arxiv_id="2401.00001", title="OmniSpeech: a speech model", name="OmniSpeech")
    async with rdb.begin() as s:
        row = await s.get(m.Suggestion, sid)
        row.authors = authors
    async with rdb.begin() as s:
        await review.decide(s, sid, Decision.APPROVE, actor_id=1, actor_name="a", via="command")
    report = await reimport_export(rdb)
    # Before the fix the author style was written as "A, B and C" but read back as "A and B".
    assert report.updated == [] and report.added == []
    async with rdb.begin() as s:
        (entry,) = [e for e in await catalog.load_entries(s) if e.name == "OmniSpeech"]
    assert entry.authors == authors and entry.topics == ["multilingual", "speech"]


async def test_editing_authors_survives_export_and_reimport(rdb):
    from bot.commands import admin as review_handlers

    # BORT's line reads "by Adrian de Wynter and Daniel J. Perry": one author left reads back as "comma".
    await review_handlers.edit(rdb, "BORT", "authors", "Adrian de Wynter")
    report = await reimport_export(rdb)
    assert report.updated == [] and report.added == []


async def test_posting_goes_on_when_the_review_reactions_cannot_be_added(simcord_env, world, ptm_db):
    simcord_env.inject_error(
        "PUT",
        "/channels/*/messages/*/reactions/*",
        status=403,
        code=50013,
        message="Missing Permissions",
        times=None,
    )
    first = await add_pending(ptm_db)
    second = await add_pending(ptm_db, arxiv_id="2110.13900", title="WavLM 2: more speech", name="WavLM 2")
    # Before the fix the first failed reaction ended the run: the second suggestion stayed unposted.
    assert await simcord_env.bot.get_cog("ReviewCog").post_pending() == 2
    async with ptm_db.begin() as s:
        assert all([(await s.get(m.Suggestion, sid)).message_id for sid in (first, second)])


async def test_undo_with_a_stale_read_does_not_orphan_the_new_entry(rdb, monkeypatch):
    from bot.review import service as review
    from bot.review.service import Decision, ReviewError

    sid = await add_pending(rdb, arxiv_id="2401.00001", name="OmniSpeech")

    async def approve():
        async with rdb.begin() as s:
            await review.decide(s, sid, Decision.APPROVE, actor_id=1, actor_name="a", via="command")

    await approve()
    async with rdb.begin() as s:
        stale = await review.get_suggestion(s, "2401.00001")
        await review.undo(s, "2401.00001", actor_id=2, actor_name="b", via="command")
    async with rdb.begin() as s:  # SQLite reuses a deleted rowid: take it, as another entry would
        await catalog.add_entry(s, Entry(kind=EntryKind.MODEL, name="Another model"))
    await approve()  # a second moderator re-approves: a new entry row

    async def read_stale(session, arxiv_id):
        return stale

    monkeypatch.setattr(review, "get_suggestion", read_stale)
    with pytest.raises(ReviewError, match="changed meanwhile"):
        async with rdb.begin() as s:
            await review.undo(s, "2401.00001", actor_id=3, actor_name="c", via="command")
    async with rdb.begin() as s:
        row = await s.get(m.Suggestion, sid)
        assert row.status == "approved" and row.entry_id is not None
        assert await s.get(m.Entry, row.entry_id) is not None
