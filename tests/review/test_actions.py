"""The one door for decisions (bot.review.actions): each call is one unit of work, audited by door."""

from __future__ import annotations

import pytest

from bot.review import actions
from bot.review import service as review
from bot.review.actions import Actor
from bot.review.service import Decision, ReviewError
from tests.plugins.database import add_pending

MOD = Actor(7, "mod", via="reaction")


async def audit(db, sid: int) -> list[tuple[str, str, int | None]]:
    async with db.begin() as s:
        return [(d.action, d.via, d.actor_id) for d in await review.decisions_for(s, sid)]


async def test_a_decision_by_arxiv_url_and_by_id_go_through_the_same_door(db):
    sid = await add_pending(db)
    out = await actions.decide(db, "https://arxiv.org/abs/2111.09296v2", Decision.APPROVE, MOD)
    assert out.applied and out.suggestion.status == "approved" and out.entry_name == "XLS-R 2"
    again = await actions.decide(db, sid, Decision.REJECT, Actor(8, "late", via="command"))
    assert not again.applied and again.suggestion.status == "approved"
    assert await audit(db, sid) == [("approve", "reaction", 7)]


async def test_decide_on_message_knows_only_review_messages(db):
    sid = await add_pending(db)
    await actions.mark_posted(db, sid, channel_id=1, message_id=99)
    assert await actions.decide_on_message(db, 98, Decision.REJECT, MOD) is None
    assert (await actions.suggestion_on_message(db, 99)).id == sid
    out = await actions.decide_on_message(db, 99, Decision.REJECT, MOD)
    assert out is not None and out.applied and out.suggestion.status == "rejected"
    assert await actions.unposted(db) == []


async def test_undo_and_pending_through_the_door(db):
    sid = await add_pending(db)
    items, total = await actions.pending(db)
    assert total == 1 and items[0].id == sid
    await actions.decide(db, "2111.09296", Decision.APPROVE, MOD)
    view = (await actions.undo(db, "arXiv:2111.09296", Actor(None, "terminal", via="cli"))).suggestion
    assert view.status == "pending" and view.entry_id is None
    assert await audit(db, sid) == [("approve", "reaction", 7), ("undo", "cli", None)]


@pytest.mark.parametrize("ref", ["not an id", "2111"])
async def test_a_bad_reference_is_a_user_facing_review_error(db, ref):
    with pytest.raises(ReviewError, match="not an arXiv id"):
        await actions.decide(db, ref, Decision.APPROVE, MOD)


async def test_an_unknown_paper_says_how_to_add_it(db):
    with pytest.raises(ReviewError, match="/ptm-admin add"):
        await actions.decide(db, "2401.99999", Decision.APPROVE, MOD)


async def test_a_listed_paper_is_promoted_once_and_not_posted_as_a_card_before(db):
    from sqlalchemy import update

    from db import models as m

    sid = await add_pending(db)
    async with db.begin() as s:
        await s.execute(update(m.Suggestion).where(m.Suggestion.id == sid).values(listed=True))
    assert await actions.unposted(db) == []  # listed: no card
    assert [s.id for s in await actions.unposted_listed(db)] == [sid]
    items, total = await actions.pending(db)
    assert total == 1 and items[0].listed  # still in the review queue
    first = await actions.promote(db, sid, Actor(1, "mod", via="button"))
    second = await actions.promote(db, sid, Actor(2, "other", via="button"))
    assert first.applied and not first.suggestion.listed
    assert not second.applied  # the first promotion won; the second changed nothing
    assert [s.id for s in await actions.unposted(db)] == [sid]  # now it gets its card
    await actions.decide(db, sid, Decision.REJECT, Actor(1, "mod"))
    assert not (await actions.promote(db, sid, Actor(1, "mod", via="button"))).applied
