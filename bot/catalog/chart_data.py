"""The numbers behind the catalog's chart (entries per year, stacked by topic): the query here,
the stacking and the drawing in :mod:`bot.present.charts` (which runs no SQL)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.present.charts import stack_by_primary_topic
from db import models as m

__all__ = ["stats_chart_data", "year_topic_rows"]


async def year_topic_rows(session: AsyncSession) -> list[tuple[int, int, str | None]]:
    """``(entry id, year, topic slug or None)`` for every dated entry (one row per entry and topic)."""
    stmt = (
        select(m.Entry.id, m.Entry.year, m.EntryTopic.topic_slug)
        .outerjoin(m.EntryTopic, m.EntryTopic.entry_id == m.Entry.id)
        .where(m.Entry.year.is_not(None))
    )
    # ``y is not None`` holds already (the WHERE); it tells the type checker.
    return [(int(i), int(y), t) for i, y, t in (await session.execute(stmt)).all() if y is not None]


async def stats_chart_data(session: AsyncSession) -> dict[int, dict[str, int]]:
    """Entries per year, stacked by topic, read in *session* (the caller closes it before drawing)."""
    return stack_by_primary_topic(await year_topic_rows(session))
