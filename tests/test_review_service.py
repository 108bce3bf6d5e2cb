"""The review state machine on a real temp-file SQLite database."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.catalog import service as catalog
from bot.database import open_database
from bot.review import service as review
from bot.review.service import Decision, ReviewError
from db import models as m
from tests.review_helpers import add_pending


@pytest.fixture
async def rdb(tmp_path):
    db = await open_database(f"sqlite+aiosqlite:///{tmp_path}/review.sqlite3")
    yield db
    await db.close()


async def test_approve_puts_the_paper_into_the_catalog_and_the_export(rdb):
    sid = await add_pending(rdb)
    async with rdb.begin() as s:
        out = await review.decide(s, sid, Decision.APPROVE, actor_id=42, actor_name="mod", via="command")
    assert out.applied and out.entry_name == "XLS-R 2" and out.suggestion.status == "approved"
    async with rdb.begin() as s:
        text = await catalog.export_markdown(s)
        audit = await review.decisions_for(s, sid)
        entries = [e for e in await catalog.load_entries(s) if e.name == "XLS-R 2"]
    line = (
        "2111: [XLS-R 2](https://arxiv.org/abs/2111.09296) released with the paper "
        "[XLS-R: Self-supervised Cross-lingual Speech Representation Learning at Scale](https://arxiv.org/abs/2111.09296) "
        "by Arun Babu, Changhan Wang and Michael Auli."
    )
    assert line in text.splitlines()
    lines = text.splitlines()
    i = lines.index(line)
    prev_name, next_name = (lines[j].split("[", 1)[1].split("]")[0].casefold() for j in (i - 2, i + 2))
    assert prev_name < "xls-r 2" < next_name  # at its alphabetical place among its neighbours
    assert (prev_name, next_name) == ("xlnet", "xlsr-wav2vec2")
    assert [(a.action, a.actor_id, a.via) for a in audit] == [("approve", 42, "command")]
    assert entries[0].topics == ["multilingual", "speech"]


async def test_reject_records_and_second_decision_changes_nothing(rdb):
    sid = await add_pending(rdb)
    async with rdb.begin() as s:
        first = await review.decide(
            s, sid, Decision.REJECT, actor_id=1, actor_name="a", via="reaction", reason="not a PTM"
        )
    async with rdb.begin() as s:
        second = await review.decide(s, sid, Decision.APPROVE, actor_id=2, actor_name="b", via="reaction")
    assert first.applied and not second.applied
    assert second.suggestion.status == "rejected" and second.suggestion.decided_by == 1
    async with rdb.begin() as s:
        assert (
            await s.scalar(select(func.count()).select_from(m.Entry).where(m.Entry.arxiv_id == "2111.09296"))
            == 1
        )
        assert len(await review.decisions_for(s, sid)) == 1


async def test_two_moderators_racing_give_exactly_one_decision(rdb):
    sid = await add_pending(rdb)

    async def moderator(actor_id, decision):
        async with rdb.begin() as s:
            return await review.decide(
                s, sid, decision, actor_id=actor_id, actor_name=str(actor_id), via="reaction"
            )

    results = await asyncio.gather(
        moderator(1, Decision.APPROVE), moderator(2, Decision.REJECT), moderator(3, Decision.APPROVE)
    )
    assert sum(r.applied for r in results) == 1
    async with rdb.begin() as s:
        assert len(await review.decisions_for(s, sid)) == 1
        row = await s.get(m.Suggestion, sid)
        n_entries = await s.scalar(
            select(func.count()).select_from(m.Entry).where(m.Entry.origin == "review")
        )
    winner = next(r for r in results if r.applied)
    assert row.decided_by == winner.suggestion.decided_by
    assert n_entries == (1 if row.status == "approved" else 0)


async def test_undo_returns_to_pending_and_removes_the_entry(rdb):
    sid = await add_pending(rdb)
    async with rdb.begin() as s:
        await review.decide(s, sid, Decision.APPROVE, actor_id=1, actor_name="a", via="command")
    async with rdb.begin() as s:
        view = await review.undo(s, "arXiv:2111.09296v2", actor_id=1, actor_name="a", via="command")
    assert view.status == "pending" and view.entry_id is None
    async with rdb.begin() as s:
        names = {e.name for e in await catalog.load_entries(s)}
        assert "XLS-R 2" not in names and "XLS-R" in names
        assert [d.action for d in await review.decisions_for(s, sid)] == ["approve", "undo"]
    with pytest.raises(ReviewError, match="nothing to undo"):
        async with rdb.begin() as s:
            await review.undo(s, "2111.09296", actor_id=1, actor_name="a", via="command")


async def test_name_clash_is_disambiguated_and_surveys_go_on_top(rdb):
    sid = await add_pending(rdb, name="XLS-R")
    async with rdb.begin() as s:
        out = await review.decide(s, sid, Decision.APPROVE, actor_id=1, actor_name="a", via="command")
    assert out.entry_name == "XLS-R (2111.09296)"
    sid2 = await add_pending(
        rdb,
        arxiv_id="2303.18223",
        title="A Survey of Large Language Models",
        kind="survey",
        name="A Survey of LLMs",
    )
    async with rdb.begin() as s:
        await review.decide(s, sid2, Decision.APPROVE, actor_id=1, actor_name="a", via="command")
        text = await catalog.export_markdown(s)
    lines = text.splitlines()
    first_survey = next(line for line in lines if line[:1].isdigit())
    assert (
        first_survey
        == "2303: [A Survey of Large Language Models](https://arxiv.org/abs/2303.18223) by Arun Babu, Changhan Wang, Michael Auli"
    )
