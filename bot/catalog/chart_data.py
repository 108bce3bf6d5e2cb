"""The numbers behind the catalog's chart (entries per year, stacked by topic): the query here,
read through :func:`db.fastread.fetch_rows` (so through ``db.read``), the stacking and the drawing
in :mod:`bot.present.charts` (which runs no SQL)."""

from __future__ import annotations

from bot.present.charts import stack_by_primary_topic
from db.fastread import Reads, fetch_rows

__all__ = ["stats_chart_data", "year_topic_rows"]

# One row per dated entry and topic (an entry without topics: one row, topic NULL).
_YEAR_TOPIC_SQL = (
    "SELECT e.id, e.year, t.topic_slug FROM entries AS e "
    "LEFT OUTER JOIN entry_topics AS t ON t.entry_id = e.id WHERE e.year IS NOT NULL"
)


async def year_topic_rows(conn: Reads) -> list[tuple[int, int, str | None]]:
    """``(entry id, year, topic slug or None)`` for every dated entry (one row per entry and topic)."""
    rows = await fetch_rows(conn, _YEAR_TOPIC_SQL)
    return [(int(row["id"]), int(row["year"]), row["topic_slug"]) for row in rows]


async def stats_chart_data(conn: Reads) -> dict[int, dict[str, int]]:
    """Entries per year, stacked by topic, read on *conn* (the caller closes it before drawing)."""
    return stack_by_primary_topic(await year_topic_rows(conn))
