"""Duplicate warnings (issue 20, part 1) in the simulated Discord: ``/ptm-admin poll`` fetches a feed
from a local server holding BERT's exact title under a new id (not suggested at all, counted), a
near copy of RoBERTa's title and a DeBERTa family member (cards that warn, with Approve as new
version / as alias); the buttons update the existing entry instead of adding a second line, and
undo puts it back."""

from __future__ import annotations

import discord
import pytest
import pytest_asyncio
from sqlalchemy import func, select

from bot.actor import Actor
from bot.catalog import service as catalog
from bot.client.bot import create_bot
from bot.review import actions
from db import models as m
from support.feedgen import Item, rss2
from tests.plugins.discord import polling_config
from tests.plugins.http import Reply, ScriptedServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

PTM = "We pre-train a language model on 160GB of text and release the pretrained model and code."
BERT_COPY = Item(
    "2604.30001", "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding", PTM
)
ROBERTA_NEAR = Item("2604.30002", "RoBERTa: A Robustly Optimized BERT Pre-training Approach", PTM)
DEBERTA_NEXT = Item("2604.30003", "DeBERTa-v4: Decoding-enhanced BERT, Scaled Up", PTM)
UNRELATED = Item("2604.30004", "Zebrafish: Pre-training Speech Models for Whale Song", PTM)


@pytest_asyncio.fixture
async def arxiv_server():
    server = ScriptedServer()
    items = [BERT_COPY, ROBERTA_NEAR, DEBERTA_NEXT, UNRELATED]
    server.script("/rss/cs.CL", Reply(200, rss2(items), headers={"Content-Type": "application/rss+xml"}))
    async with server:
        yield server


@pytest.fixture
def simcord_bot(db, arxiv_server):  # overrides the shared fixture
    # Every paper above the line: what is tested is the duplicate check, not the model.
    return create_bot(polling_config(arxiv_server), db)


async def suggestion(db, arxiv_id: str) -> m.Suggestion:
    async with db.begin() as s:
        row = await s.scalar(select(m.Suggestion).where(m.Suggestion.arxiv_id == arxiv_id))
        assert row is not None
        return row


async def entries(db, name: str) -> list:
    async with db.begin() as s:
        return [e for e in await catalog.load_entries(s, kind="model") if e.name == name]


async def entry_count(db) -> int:
    async with db.begin() as s:
        return int(await s.scalar(select(func.count()).select_from(m.Entry)) or 0)


def card_of(world, arxiv_id: str) -> discord.Message:
    return next(
        msg for msg in world.channel.history() if msg.embeds and arxiv_id in (msg.embeds[0].url or "")
    )


def field(message: discord.Message, name: str) -> str | None:
    return next((f.value for f in message.embeds[0].fields if f.name == name), None)


def labels(message: discord.Message) -> list[str]:
    return [c.label for row in message.components for c in row.children]


async def poll(env, world):
    r = await world.admin.slash(world.channel, "ptm-admin poll")
    await env.settle()
    return r


async def test_an_exact_title_copy_is_not_suggested_and_is_counted(simcord_env, world, db):
    r = await poll(simcord_env, world)
    assert "1 same title as an entry" in r.response.embeds[0].description
    row = await suggestion(db, BERT_COPY.arxiv_id)
    assert row.status == "seen" and row.suggested_at is None
    assert not any(
        msg.embeds and BERT_COPY.arxiv_id in (msg.embeds[0].url or "") for msg in world.channel.history()
    )
    assert (await suggestion(db, UNRELATED.arxiv_id)).status == "pending"


async def test_the_card_warns_and_approve_as_new_version_keeps_one_line(simcord_env, world, db):
    await poll(simcord_env, world)
    before = await entry_count(db)
    card = card_of(world, ROBERTA_NEAR.arxiv_id)
    warning = field(card, "⚠ Possible duplicate")
    assert warning is not None and "RoBERTa (1907.11692)" in warning and "similar title" in warning
    assert labels(card)[-2:] == ["Approve as new version", "Approve as alias"]
    # A paper that repeats nothing has neither the warning nor the two buttons.
    plain = card_of(world, UNRELATED.arxiv_id)
    assert field(plain, "⚠ Possible duplicate") is None and "Approve as alias" not in labels(plain)

    r = await world.alice.click(card, label="Approve as new version")
    assert r.ephemeral and "Only moderators" in r.response.content
    assert (await suggestion(db, ROBERTA_NEAR.arxiv_id)).status == "pending"

    r = await world.mod.click(card, label="Approve as new version")
    assert r.acknowledged
    row = await suggestion(db, ROBERTA_NEAR.arxiv_id)
    assert row.status == "approved" and row.approved_into["as"] == "version"
    (roberta,) = await entries(db, "RoBERTa")
    assert roberta.arxiv_id == ROBERTA_NEAR.arxiv_id
    assert roberta.paper_url == f"https://arxiv.org/abs/{ROBERTA_NEAR.arxiv_id}"
    assert roberta.paper_title == ROBERTA_NEAR.title and (roberta.year, roberta.month) == (2026, 4)
    assert await entry_count(db) == before  # no second RoBERTa line
    card = card_of(world, ROBERTA_NEAR.arxiv_id)
    assert "Approved as new version of RoBERTa" in field(card, "Decision") and card.components == []
    async with db.begin() as s:
        exported = await catalog.export_markdown(s)
    assert exported.count("[RoBERTa]") == 1 and ROBERTA_NEAR.arxiv_id in exported

    # Undo puts the entry back as it was, and the paper back in the queue.
    await actions.undo(db, ROBERTA_NEAR.arxiv_id, Actor(None, "t", via="cli"))
    (roberta,) = await entries(db, "RoBERTa")
    assert roberta.arxiv_id == "1907.11692" and roberta.paper_url == "https://arxiv.org/abs/1907.11692.pdf"
    assert (roberta.year, roberta.month) == (2019, 7)
    row = await suggestion(db, ROBERTA_NEAR.arxiv_id)
    assert row.status == "pending" and row.approved_into is None and row.entry_id is None
    assert await entry_count(db) == before


async def test_approve_as_alias_makes_the_entry_answer_to_the_new_name(simcord_env, world, db):
    await poll(simcord_env, world)
    card = card_of(world, DEBERTA_NEXT.arxiv_id)
    row = await suggestion(db, DEBERTA_NEXT.arxiv_id)
    target = next(r for r in row.related if r.get("entry_id"))
    assert target["name"].startswith("DeBERTa") and target["why"] == "same family"
    assert f"{target['name']}" in field(card, "⚠ Possible duplicate")
    before = await entry_count(db)
    r = await world.mod.click(card, label="Approve as alias")
    assert r.acknowledged
    (entry,) = await entries(db, target["name"])
    assert row.proposed_name in entry.aliases and await entry_count(db) == before
    r = await world.alice.slash(world.channel, "ptm model", name=row.proposed_name)
    assert target["name"] in r.response.embeds[0].title
    assert f"Approved as alias of {target['name']}" in field(
        card_of(world, DEBERTA_NEXT.arxiv_id), "Decision"
    )
    await actions.undo(db, DEBERTA_NEXT.arxiv_id, Actor(None, "t", via="cli"))
    (entry,) = await entries(db, target["name"])
    assert row.proposed_name not in entry.aliases
