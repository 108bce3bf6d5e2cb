"""The review budget in the simulated Discord: ``/ptm-admin poll`` fetches real-shaped arXiv feeds
from a local server (the real cs.LG listing of 2026-04-27 plus a feed of PTM papers), the best
``review.cards_per_poll`` papers get cards, the others above the line go into ONE compact "also
above the line" message, and a moderator promotes one to a card from its menu, also after a
restart; approve / reject / pending work on listed papers."""

from __future__ import annotations

import dataclasses

import discord
import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.client.bot import create_bot
from bot.config import FeedsConfig, RelevanceConfig, ReviewConfig, ScheduleConfig
from db import models as m
from support.feedgen import Item, rss2
from tests.plugins.discord import bot_config
from tests.plugins.feeds import FEEDS
from tests.plugins.http import Reply, ScriptedServer

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LG = FEEDS / "rss2-cs.LG-2026-04-27-trimmed.xml"  # holds "Focus Session: ..." (2604.21952), above the line
FOCUS_ID = "2604.21952"
MODERATORS_ONLY = "Only moderators can do that"
CUES = [
    "We pre-train the model.",
    "We release the pretrained model.",
    "It is a foundation model.",
    "We continue pre-training on 40 billion tokens.",
    "A masked language modelling objective is used.",
    "The pre-training corpus is new.",
]


def ptm_items(n: int, *, long_titles: bool = False) -> list[Item]:
    """*n* PTM papers with different scores (more cues for some); one title carries markdown."""
    items = []
    for i in range(n):
        abstract = " ".join(CUES[: 1 + i % len(CUES)]) + f" Variant {i}."
        name = "Lex_LM*" if i == 0 else f"M{i}"
        title = f"{name}: Pre-training Language Models at scale, part {i}"
        if long_titles:
            title += " " + "with a very long and detailed subtitle about everything" * 4
        items.append(Item(f"2604.{31000 + i}", title, abstract))
    return items


def make_server(items: list[Item]) -> ScriptedServer:
    server = ScriptedServer()
    rss = {"Content-Type": "application/rss+xml"}
    server.script("/rss/cs.CL", Reply(200, rss2(items), headers=rss))
    server.script("/rss/cs.LG", Reply(200, LG.read_bytes(), headers=rss))
    return server


def budget_config(server: ScriptedServer, cards: int, floor: float | None = None, **relevance: object):
    config = bot_config(review_channel="models", post_interval_seconds=0.0)
    return dataclasses.replace(
        config,
        feeds=FeedsConfig(
            categories=("cs.CL", "cs.LG"),
            combined=False,
            url_template=server.url("/rss/{categories}"),
            contact="mailto:test@example.org",
            min_interval_seconds=0.0,
            backfill=100,
        ),
        schedule=ScheduleConfig(enabled=False),
        relevance=RelevanceConfig(exploration=False, per_poll_cap=40, daily_cap=100, **relevance),  # type: ignore[arg-type]
        review=ReviewConfig(cards_per_poll=cards)
        if floor is None
        else ReviewConfig(cards_per_poll=cards, card_min_score=floor),
    )


@pytest.fixture
def budget(request) -> tuple[int, int, bool]:
    """(review.cards_per_poll, PTM papers in the cs.CL feed, long titles[, review.card_min_score]); a
    test may parametrize it."""
    return getattr(request, "param", (3, 12, False))


@pytest_asyncio.fixture
async def arxiv_server(budget):
    _cards, n, long_titles = budget[:3]
    async with make_server(ptm_items(n, long_titles=long_titles)) as server:
        yield server


@pytest.fixture
def simcord_bot(db, arxiv_server, budget):  # overrides the shared fixture
    return create_bot(budget_config(arxiv_server, budget[0], *budget[3:]), db)


async def rows(db) -> dict[str, m.Suggestion]:
    async with db.begin() as s:
        return {r.arxiv_id: r for r in (await s.scalars(select(m.Suggestion))).all()}


def field(message: discord.Message, name: str) -> str | None:
    return next((f.value for f in message.embeds[0].fields if f.name == name), None)


def menu(message: discord.Message) -> list[discord.SelectOption]:
    (row,) = message.components
    (select_menu,) = row.children
    return list(select_menu.options)


def fetch(world, message_id: int) -> discord.Message:
    return next(msg for msg in world.channel.history() if msg.id == message_id)


async def show_admin_group_to(env, world, role):
    cmds = await env.bot.tree.fetch_commands(guild=discord.Object(world.guild.id))
    world.guild.set_command_permissions(next(c for c in cmds if c.name == "ptm-admin"), {role: True})


async def messages(world) -> list[discord.Message]:
    """The channel's messages, oldest first."""
    history = world.channel.history()
    return sorted(history, key=lambda msg: msg.id)


async def poll(simcord_env, world):
    r = await world.admin.slash(world.channel, "ptm-admin poll")
    assert r.ephemeral
    await simcord_env.settle()
    return r


async def test_best_cards_then_one_compact_listing_then_promote(simcord_env, world, db):
    r = await poll(simcord_env, world)
    stored = await rows(db)
    above = sorted(
        (s for s in stored.values() if s.status == "pending"), key=lambda s: (-s.score, s.arxiv_id)
    )
    assert FOCUS_ID in {s.arxiv_id for s in above}  # the real cs.LG paper is above the line too
    n = len(above)
    assert n == 13
    assert "3 as cards, 10 listed above the line" in r.response.embeds[0].description

    posted = await messages(world)
    cards, listing = posted[:-1], posted[-1]
    # Three cards, best first; each shows the score against the line and its rank in the poll.
    assert [c.embeds[0].url for c in cards] == [s.url for s in above[:3]]
    for rank, card in enumerate(cards, start=1):
        score = field(card, "Score")
        assert f"(suggest ≥ {above[rank - 1].threshold:.2f})" in score
        assert score.startswith(f"{above[rank - 1].score:.2f}")
        assert f"#{rank} of {n} above the line" in score
        assert len(card.components[0].children) == 5  # the review buttons
    # One compact message for the other ten: rank, score, linked title, a reason; a promote menu.
    embed = listing.embeds[0]
    assert embed.title == "Also above the line: 10 more papers from this poll"
    lines = embed.description.splitlines()
    assert len(lines) == 10
    for rank, (line, s) in enumerate(zip(lines, above[3:], strict=True), start=4):
        assert line.startswith(f"**#{rank}** `{s.score:.2f}` [")
        assert f"](https://arxiv.org/abs/{s.arxiv_id})" in line and " — " in line
    assert any("Lex\\_LM\\*" in line for line in lines) or any(
        "Lex_LM" in c.embeds[0].title for c in cards
    )  # markdown in a title is escaped
    options = menu(listing)
    assert [o.value for o in options] == [str(s.id) for s in above[3:]]
    assert all(len(o.label) <= 100 for o in options)
    assert listing.reactions == []
    for s in above[3:]:
        assert stored[s.arxiv_id].listed and stored[s.arxiv_id].message_id is None
        assert stored[s.arxiv_id].listing_message_id == listing.id

    # A member's pick changes nothing.
    fifth = above[4]
    r = await world.alice.select(listing, [str(fifth.id)])
    assert r.ephemeral and MODERATORS_ONLY in r.response.content
    assert (await rows(db))[fifth.arxiv_id].listed

    # A moderator promotes #5: it gets a card (with its rank) and the listing says so.
    await world.mod.select(listing, [str(fifth.id)])
    await simcord_env.settle()
    card = world.channel.last_message
    assert card.embeds[0].url == fifth.url
    assert f"#5 of {n} above the line" in field(card, "Score")
    fresh = fetch(world, listing.id)
    line = next(x for x in fresh.embeds[0].description.splitlines() if x.startswith("**#5**"))
    assert line.endswith("promoted to a card")
    assert str(fifth.id) not in [o.value for o in menu(fresh)]
    after = (await rows(db))[fifth.arxiv_id]
    assert not after.listed and after.message_id == card.id

    # Approve / reject by command and /ptm-admin pending work on listed papers; the listing follows.
    await show_admin_group_to(simcord_env, world, world.mod_role)
    sixth, seventh = above[5], above[6]
    r = await world.mod.slash(world.channel, "ptm-admin approve", arxiv_id=sixth.arxiv_id)
    assert "Approved" in r.response.content
    r = await world.mod.slash(world.channel, "ptm-admin reject", arxiv_id=seventh.arxiv_id)
    assert "Rejected" in r.response.content
    r = await world.mod.slash(world.channel, "ptm-admin pending")
    assert "listed" in r.response.embeds[0].description
    fresh = fetch(world, listing.id)
    text = fresh.embeds[0].description
    assert next(x for x in text.splitlines() if x.startswith("**#6**")).endswith("✅ approved")
    assert next(x for x in text.splitlines() if x.startswith("**#7**")).endswith("❌ rejected")
    assert [o.value for o in menu(fresh)] == [
        str(s.id) for s in above[3:] if s not in (fifth, sixth, seventh)
    ]

    # The menu survives a restart.
    before = simcord_env.bot
    await simcord_env.restart_bot(create_bot(before.config, db))
    await before.close()  # its HTTP session; the database is the test's
    eighth = above[7]
    await world.mod.select(fresh, [str(eighth.id)])
    await simcord_env.settle()
    assert world.channel.last_message.embeds[0].url == eighth.url
    assert not (await rows(db))[eighth.arxiv_id].listed


async def test_focus_session_is_not_proposed_as_a_name_and_topics_are_capped(simcord_env, world, db):
    await poll(simcord_env, world)
    focus = (await rows(db))[FOCUS_ID]
    assert focus.proposed_name != "Focus Session" and "Focus Session" not in focus.proposed_name
    # The real abstract mentions seven topics; three are proposed, the title's ("multimodal") first.
    assert len(focus.proposed_topics) == 3 and focus.proposed_topics[0] == "multimodal"


@pytest.mark.parametrize("budget", [(0, 30, True)], indirect=True)
async def test_no_cards_and_a_big_listing_stays_within_discord_limits(simcord_env, world, db):
    await poll(simcord_env, world)
    posted = await messages(world)
    assert len(posted) == 1  # no card at all: only the compact message
    (listing,) = posted
    embed = listing.embeds[0]
    assert embed.title == "Also above the line: 31 more papers from this poll"
    assert len(embed.description) <= 4096 and len(embed) <= 6000
    lines = embed.description.splitlines()
    assert len(lines) == 26 and lines[-1] == "… and 6 more: /ptm-admin pending lists them all"
    assert len(menu(listing)) == 25
    stored = await rows(db)
    assert sum(s.listed for s in stored.values()) == 31
    assert all(s.message_id is None for s in stored.values())


@pytest.mark.parametrize("budget", [(20, 4, False)], indirect=True)
async def test_with_budget_to_spare_only_the_floor_decides(simcord_env, world, db):
    # review.card_min_score at its default (0.3), a budget of 20: the real cs.LG paper is above the
    # line but scores under the floor, so it is listed though the budget is far from spent.
    r = await poll(simcord_env, world)
    stored = await rows(db)
    pending = [s for s in stored.values() if s.status == "pending"]
    assert len(pending) == 5  # four PTM papers and the real cs.LG one
    carded = {s.arxiv_id for s in pending if s.message_id is not None}
    assert carded == {s.arxiv_id for s in pending if s.score >= 0.3} and FOCUS_ID not in carded
    assert {s.arxiv_id for s in pending if s.listed} == {FOCUS_ID}
    assert "4 as cards, 1 listed above the line" in r.response.embeds[0].description
