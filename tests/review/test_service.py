"""The review state machine on a real temp-file SQLite database."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from bot.catalog import service as catalog
from bot.catalog.model import Entry, EntryKind
from bot.commands import admin as admin_handlers
from bot.review import service as review
from bot.review.service import Decision, ReviewError, decisions
from db import models as m
from tests.plugins.database import add_pending


async def test_approve_puts_the_paper_into_the_catalog_and_the_export(db):
    sid = await add_pending(db)
    async with db.begin() as s:
        out = await review.decide(s, sid, Decision.APPROVE, actor_id=42, actor_name="mod", via="command")
    assert out.applied and out.entry_name == "XLS-R 2" and out.suggestion.status == "approved"
    async with db.begin() as s:
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


async def test_reject_records_and_second_decision_changes_nothing(db):
    sid = await add_pending(db)
    async with db.begin() as s:
        first = await review.decide(
            s, sid, Decision.REJECT, actor_id=1, actor_name="a", via="reaction", reason="not a PTM"
        )
    async with db.begin() as s:
        second = await review.decide(s, sid, Decision.APPROVE, actor_id=2, actor_name="b", via="reaction")
    assert first.applied and not second.applied
    assert second.suggestion.status == "rejected" and second.suggestion.decided_by == 1
    async with db.begin() as s:
        assert (
            await s.scalar(select(func.count()).select_from(m.Entry).where(m.Entry.arxiv_id == "2111.09296"))
            == 1
        )
        assert len(await review.decisions_for(s, sid)) == 1


async def test_two_moderators_racing_give_exactly_one_decision(db):
    sid = await add_pending(db)

    async def moderator(actor_id, decision):
        async with db.begin() as s:
            return await review.decide(
                s, sid, decision, actor_id=actor_id, actor_name=str(actor_id), via="reaction"
            )

    results = await asyncio.gather(
        moderator(1, Decision.APPROVE), moderator(2, Decision.REJECT), moderator(3, Decision.APPROVE)
    )
    assert sum(r.applied for r in results) == 1
    async with db.begin() as s:
        assert len(await review.decisions_for(s, sid)) == 1
        row = await s.get(m.Suggestion, sid)
        n_entries = await s.scalar(
            select(func.count()).select_from(m.Entry).where(m.Entry.origin == "review")
        )
    winner = next(r for r in results if r.applied)
    assert row.decided_by == winner.suggestion.decided_by
    assert n_entries == (1 if row.status == "approved" else 0)


async def test_undo_returns_to_pending_and_removes_the_entry(db):
    sid = await add_pending(db)
    async with db.begin() as s:
        await review.decide(s, sid, Decision.APPROVE, actor_id=1, actor_name="a", via="command")
    async with db.begin() as s:
        view = await review.undo(s, "arXiv:2111.09296v2", actor_id=1, actor_name="a", via="command")
    assert view.status == "pending" and view.entry_id is None
    async with db.begin() as s:
        names = {e.name for e in await catalog.load_entries(s)}
        assert "XLS-R 2" not in names and "XLS-R" in names
        assert [d.action for d in await review.decisions_for(s, sid)] == ["approve", "undo"]
    with pytest.raises(ReviewError, match="nothing to undo"):
        async with db.begin() as s:
            await review.undo(s, "2111.09296", actor_id=1, actor_name="a", via="command")


async def test_name_clash_is_disambiguated_and_surveys_go_on_top(db):
    sid = await add_pending(db, name="XLS-R")
    async with db.begin() as s:
        out = await review.decide(s, sid, Decision.APPROVE, actor_id=1, actor_name="a", via="command")
    assert out.entry_name == "XLS-R (2111.09296)"
    sid2 = await add_pending(
        db,
        arxiv_id="2303.18223",
        title="A Survey of Large Language Models",
        kind="survey",
        name="A Survey of LLMs",
    )
    async with db.begin() as s:
        await review.decide(s, sid2, Decision.APPROVE, actor_id=1, actor_name="a", via="command")
        text = await catalog.export_markdown(s)
    lines = text.splitlines()
    first_survey = next(line for line in lines if line[:1].isdigit())
    assert (
        first_survey
        == "2303: [A Survey of Large Language Models](https://arxiv.org/abs/2303.18223) by Arun Babu, Changhan Wang, Michael Auli"
    )


# ---------------------------------------------------------------------------------------------
# Round trip of entries written from structured fields (approve, edit): re-importing the export
# changes nothing.


async def reimport_export(db) -> catalog.ImportReport:
    async with db.begin() as s:
        text = await catalog.export_markdown(s)
    async with db.begin() as s:
        return await catalog.import_text(s, text, source="export")


@pytest.mark.parametrize("authors", [["Ada Lovelace"], ["Ada Lovelace", "Alan Turing"]])
async def test_an_approved_paper_with_one_or_two_authors_survives_export_and_reimport(db, authors):
    sid = await add_pending(db, arxiv_id="2401.00001", title="OmniSpeech: a speech model", name="OmniSpeech")
    async with db.begin() as s:
        row = await s.get(m.Suggestion, sid)
        row.authors = authors
    async with db.begin() as s:
        await review.decide(s, sid, Decision.APPROVE, actor_id=1, actor_name="a", via="command")
    report = await reimport_export(db)
    # Before the fix the author style was written as "A, B and C" but read back as "A and B".
    assert report.updated == [] and report.added == []
    async with db.begin() as s:
        (entry,) = [e for e in await catalog.load_entries(s) if e.name == "OmniSpeech"]
    assert entry.authors == authors and entry.topics == ["multilingual", "speech"]


async def test_editing_authors_survives_export_and_reimport(db):
    # BORT's line reads "by Adrian de Wynter and Daniel J. Perry": one author left reads back as "comma".
    await admin_handlers.edit(db, "BORT", "authors", "Adrian de Wynter")
    report = await reimport_export(db)
    assert report.updated == [] and report.added == []


async def test_undo_with_a_stale_read_does_not_orphan_the_new_entry(db, monkeypatch):
    sid = await add_pending(db, arxiv_id="2401.00001", name="OmniSpeech")

    async def approve():
        async with db.begin() as s:
            await review.decide(s, sid, Decision.APPROVE, actor_id=1, actor_name="a", via="command")

    await approve()
    async with db.begin() as s:
        stale = await review.get_suggestion(s, "2401.00001")
        await review.undo(s, "2401.00001", actor_id=2, actor_name="b", via="command")
    async with db.begin() as s:  # SQLite reuses a deleted rowid: take it, as another entry would
        await catalog.add_entry(s, Entry(kind=EntryKind.MODEL, name="Another model"))
    await approve()  # a second moderator re-approves: a new entry row

    async def read_stale(session, arxiv_id):
        return stale

    monkeypatch.setattr(decisions, "get_suggestion", read_stale)
    with pytest.raises(ReviewError, match="changed meanwhile"):
        async with db.begin() as s:
            await review.undo(s, "2401.00001", actor_id=3, actor_name="c", via="command")
    async with db.begin() as s:
        row = await s.get(m.Suggestion, sid)
        assert row.status == "approved" and row.entry_id is not None
        assert await s.get(m.Entry, row.entry_id) is not None
