"""Lists: ``/ptm recent`` (a topic's newest entries) and ``/ptm survey`` (surveys, newest first).

``recent`` walks ``ix_entry_topics_topic_slug`` for a small topic and ``ix_entries_date_desc``
for a large one; surveys use ``ix_entries_kind_year_month`` (with words, full text:
:func:`db.search.search`). Counts come from ``topic_counts`` and ``kind_counts`` (kept by
triggers: migration 0011).

The catalog's date order is year, month newest first, undated last, then name, then id: SQLite
sorts NULL lowest, so ``DESC`` is enough; PostgreSQL needs ``NULLS LAST``. Each statement is
spelt out for each.
"""

from __future__ import annotations

from bot.catalog.model import EntryHit
from bot.catalog.queries.load import load
from bot.catalog.queries.topics import resolve_topic
from db import search as fts
from db.reads import Reads, Spelled

__all__ = ["recent", "surveys"]

# The topic's size (kept by triggers: migration 0011) and the catalog's (max(id): an index seek,
# where count(*) would scan), which pick the plan of :func:`recent`.
_RECENT_SIZES_SQL = (
    "SELECT (SELECT n FROM topic_counts WHERE topic_slug = :slug) AS total, "
    "(SELECT max(id) FROM entries) AS catalog_size"
)
# SQLite, a large topic: walk ix_entries_date_desc newest first and stop after the page (about
# (count + offset) * catalog / topic rows), rather than sort all of the topic's entries.
# SQLite's planner does not weigh LIMIT, so the index and the join order are spelt out.
_RECENT_WALK_SQL = (
    "SELECT e.id FROM entries AS e INDEXED BY ix_entries_date_desc "
    "CROSS JOIN entry_topics AS t ON t.entry_id = e.id AND t.topic_slug = :slug "
    "ORDER BY e.year DESC, e.month DESC, e.name, e.id LIMIT :limit OFFSET :offset"
)
_RECENT_SQL = Spelled(
    sqlite="SELECT e.id FROM entries AS e JOIN entry_topics AS t ON t.entry_id = e.id "
    "WHERE t.topic_slug = :slug ORDER BY e.year DESC, e.month DESC, e.name, e.id LIMIT :limit OFFSET :offset",
    postgresql="SELECT e.id FROM entries AS e JOIN entry_topics AS t ON t.entry_id = e.id "
    "WHERE t.topic_slug = :slug ORDER BY e.year DESC NULLS LAST, e.month DESC NULLS LAST, e.name, e.id "
    "LIMIT :limit OFFSET :offset",
)
# A page of surveys with their count (one row of kind_counts, however many surveys).
_SURVEYS_SQL = Spelled(
    sqlite="SELECT e.id, (SELECT n FROM kind_counts WHERE kind = 'survey') AS total FROM entries AS e "
    "WHERE e.kind = 'survey' ORDER BY e.year DESC, e.month DESC, e.name, e.id LIMIT :limit OFFSET :offset",
    postgresql="SELECT e.id, (SELECT n FROM kind_counts WHERE kind = 'survey') AS total FROM entries AS e "
    "WHERE e.kind = 'survey' ORDER BY e.year DESC NULLS LAST, e.month DESC NULLS LAST, e.name, e.id "
    "LIMIT :limit OFFSET :offset",
)
_SURVEY_COUNT_SQL = "SELECT n FROM kind_counts WHERE kind = 'survey'"


async def recent(
    session: Reads, topic: str, *, count: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """The newest entries of a topic (by year, month; undated last) and how many it has."""
    slug = resolve_topic(topic)
    count, offset = max(0, count), max(0, offset)
    sizes = (await session.rows(_RECENT_SIZES_SQL, {"slug": slug}))[0]
    total, catalog_size = int(sizes["total"] or 0), int(sizes["catalog_size"] or 0)
    if total == 0 or offset >= total:
        return [], total
    large = (count + offset) * catalog_size < total * total // 2
    sql = _RECENT_WALK_SQL if large and session.dialect == "sqlite" else _RECENT_SQL
    rows = await session.rows(sql, {"slug": slug, "limit": count, "offset": offset})
    return await load(session, [r["id"] for r in rows]), total


async def surveys(
    session: Reads, query: str | None, *, limit: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """Surveys, newest first; ``query`` (full text) narrows them."""
    if query and fts.query_terms(query):
        ids, total = await fts.search(
            session, query, kinds=("survey",), order="date", limit=limit, offset=offset
        )
        return await load(session, ids), total
    rows = await session.rows(_SURVEYS_SQL, {"limit": max(0, limit), "offset": max(0, offset)})
    if rows:
        total = int(rows[0]["total"] or 0)
    else:  # past the last page: the count alone
        counted = await session.rows(_SURVEY_COUNT_SQL)
        total = int(counted[0]["n"]) if counted else 0
    return await load(session, [r["id"] for r in rows]), total
