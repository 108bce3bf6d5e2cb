"""Migration 0011: topic and kind counts kept by triggers, whoever writes."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, select, update

from bot.catalog import queries
from bot.catalog import service as catalog
from bot.catalog.model import Entry, EntryKind
from bot.commands import member
from db import models as m


async def counts_match(db) -> None:
    """The counter tables hold exactly what counting the tables gives (zero rows aside)."""
    async with db.sessions() as s:
        topics = dict(
            (
                await s.execute(
                    select(m.EntryTopic.topic_slug, func.count()).group_by(m.EntryTopic.topic_slug)
                )
            ).all()
        )
        kinds = dict((await s.execute(select(m.Entry.kind, func.count()).group_by(m.Entry.kind))).all())
        kept_topics = {
            k: n for k, n in (await s.execute(select(m.TopicCount.topic_slug, m.TopicCount.n))).all() if n
        }
        kept_kinds = {k: n for k, n in (await s.execute(select(m.KindCount.kind, m.KindCount.n))).all() if n}
    assert kept_topics == topics
    assert kept_kinds == kinds


async def exercise_every_writer(db) -> None:
    """Writes through the app, bulk Core statements and cascades, checking after each."""
    await counts_match(db)
    async with db.begin() as s:  # the app: a new entry, its topics set by a moderator
        row = await catalog.add_entry(
            s, Entry(kind=EntryKind.SURVEY, name="Counting Survey", paper_title="On counting")
        )
        await queries.set_topics(s, row.id, ["speech", "vision"])
    await counts_match(db)
    async with db.begin() as s:  # a topic replaced, a kind changed, by hand
        await s.execute(
            update(m.EntryTopic)
            .where(m.EntryTopic.entry_id == row.id, m.EntryTopic.topic_slug == "vision")
            .values(topic_slug="multilingual")
        )
        await s.execute(update(m.Entry).where(m.Entry.id == row.id).values(kind="resource"))
    await counts_match(db)
    async with db.begin() as s:  # bulk: many topic rows at once
        ids = (await s.scalars(select(m.Entry.id).where(m.Entry.kind == "model").limit(20))).all()
        await s.execute(
            delete(m.EntryTopic).where(m.EntryTopic.entry_id.in_(ids), m.EntryTopic.topic_slug == "code")
        )
        await s.execute(
            insert(m.EntryTopic), [{"entry_id": i, "topic_slug": "code", "source": "moderator"} for i in ids]
        )
    await counts_match(db)
    async with db.begin() as s:  # deleting entries cascades to their topics
        await s.execute(delete(m.Entry).where(m.Entry.id.in_([row.id, *ids[:5]])))
    await counts_match(db)


async def test_the_counts_follow_every_writer(db):
    await exercise_every_writer(db)


async def test_recent_and_surveys_show_the_kept_counts(db):
    async with db.sessions() as s:
        speech = await s.scalar(
            select(func.count()).select_from(m.EntryTopic).where(m.EntryTopic.topic_slug == "speech")
        )
        surveys = await s.scalar(select(func.count()).select_from(m.Entry).where(m.Entry.kind == "survey"))
    page = await member.recent(db, "speech")
    assert page.embeds[0].footer.text.startswith(f"Showing 1–10 of {speech}")
    page = await member.survey(db)
    assert page.embeds[0].footer.text.startswith(f"Showing 1–10 of {surveys}")
    hits, total = await db.read(queries.surveys, None, limit=5, offset=10_000)
    assert hits == [] and total == surveys
