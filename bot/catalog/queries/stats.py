"""``/ptm stats`` and ``ptm-bot stats``: the catalog's counts by kind, section, year and topic, and
the chart's numbers, read through :func:`db.fastread.fetch_rows` (so through ``db.read``: on a
SQLite read thread with no ORM, or any session or plain connection).

Each statement is a module-level constant; nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.catalog.chart_data import stats_chart_data
from bot.catalog.model import EntryKind
from db.fastread import Reads, fetch_rows

__all__ = ["CatalogStats", "catalog_stats", "stats"]

_KINDS_SQL = "SELECT kind, count(*) AS n FROM entries GROUP BY kind"
_SECTIONS_SQL = "SELECT section_key, count(*) AS n FROM entries GROUP BY section_key"
_YEARS_SQL = "SELECT year, count(*) AS n FROM entries WHERE year IS NOT NULL GROUP BY year ORDER BY year"
_TOPICS_SQL = "SELECT topic_slug, count(*) AS n FROM entry_topics GROUP BY topic_slug"
_UNDATED_SQL = "SELECT count(*) AS n FROM entries WHERE year IS NULL"


@dataclass(frozen=True, slots=True)
class CatalogStats:
    """The counts (:func:`catalog_stats`) and, when asked for, the chart's numbers
    (``{year: {topic: entries}}``, :func:`bot.catalog.chart_data.stats_chart_data`)."""

    numbers: dict[str, Any]
    chart: dict[int, dict[str, int]] | None = None


async def catalog_stats(conn: Reads) -> dict[str, Any]:
    """``{"total", "kinds", "sections", "years", "undated", "topics"}``: topics by count, then slug."""
    kinds = {row["kind"]: int(row["n"]) for row in await fetch_rows(conn, _KINDS_SQL)}
    sections = {row["section_key"]: int(row["n"]) for row in await fetch_rows(conn, _SECTIONS_SQL)}
    years = {str(row["year"]): int(row["n"]) for row in await fetch_rows(conn, _YEARS_SQL)}
    topics = {row["topic_slug"]: int(row["n"]) for row in await fetch_rows(conn, _TOPICS_SQL)}
    (undated,) = await fetch_rows(conn, _UNDATED_SQL)
    return {
        "total": sum(kinds.values()),
        "kinds": {kind.value: kinds.get(kind.value, 0) for kind in EntryKind},
        "sections": sections,
        "years": years,
        "undated": int(undated["n"] or 0),
        "topics": dict(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


async def stats(conn: Reads, *, chart: bool = False) -> CatalogStats:
    """The counts and, with *chart*, the chart's numbers: one read (``db.read(stats, chart=...)``)."""
    numbers = await catalog_stats(conn)
    return CatalogStats(numbers, await stats_chart_data(conn) if chart else None)
