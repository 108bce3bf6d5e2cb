"""Search on PostgreSQL: the weighted ``tsvector`` table ``entry_search`` (migrations 0009, 0010).

``doc`` holds names A, title B, authors and org C, body D (GIN-indexed); ``authors``, ``org`` and
``names`` hold those columns' own vectors. The text written is the same tokens FTS5 cuts
(:func:`db.search.syntax.pg_text`); the configuration ``ptm`` is English Snowball stemming
without a stop-word list (FTS5's porter keeps stop words too). Queries come from
:func:`db.search.syntax.pg_tsquery`, ranked by ``ts_rank`` with
:data:`db.search.schema.PG_WEIGHTS`, ties by newest then id. ``tests/db/test_postgres.py``
checks that both backends find the same entries for a corpus of queries. Known difference:
Porter and Snowball (Porter2) stem a few short words differently ("xls": "xl" on SQLite, "xls"
on PostgreSQL).

The statements: a filter (the document, the names' own vector, or the document and the
authors' or org's own vector; with or without ``:kinds``) times a shape (id order, relevance
capped at :data:`~db.search.schema.RANK_CAP`, relevance or date order with or without a window
count, a count alone): :data:`_STATEMENTS`, built once at import from the fixed fragments below,
so a search only picks its statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import product
from typing import Any

from db.counts import AtLeast
from db.reads import Reads
from db.search import schema

__all__ = ["search_pg"]

# Which rows match, by the columns searched (see :func:`_filter`).
_FILTERS = {
    # The whole weighted document (weight labels in ``:q`` pick columns).
    "doc": "s.doc @@ to_tsquery('ptm', :q)",
    # The names' own vector (migration 0010): its GIN index answers alone, where a weight label
    # on ``doc`` would recheck every document holding the words in any column.
    "names": "s.names @@ to_tsquery('ptm', :plain)",
    # authors and org share weight C: a search of one of them alone checks its own vector too.
    "authors": "s.doc @@ to_tsquery('ptm', :q) AND s.authors @@ to_tsquery('ptm', :plain)",
    "org": "s.doc @@ to_tsquery('ptm', :q) AND s.org @@ to_tsquery('ptm', :plain)",
}
# The kinds ``:kinds``: a list, bound as one array (:mod:`db.reads`).
_KINDS = " AND s.kind = ANY(CAST(:kinds AS TEXT[]))"
_RANK = "ts_rank('{0.1, 0.3, 0.5, 1.0}', s.doc, to_tsquery('ptm', :q))"
_NEWEST = "e.year DESC NULLS LAST, e.month DESC NULLS LAST"
_PAGE = " LIMIT :limit OFFSET :offset"


def _statement(shape: str, where: str) -> str:
    """The statement of one shape for one filter (run once per pair, at import)."""
    if shape == "count":
        return "SELECT count(*) AS n FROM entry_search s WHERE " + where
    if shape == "id":
        return "SELECT s.entry_id AS id FROM entry_search s WHERE " + where + " ORDER BY s.entry_id" + _PAGE
    if shape == "capped":
        # Relevance among the newest RANK_CAP hits, as on SQLite: the hits' ids first (GIN
        # bitmap scans), the newest of them, and only those documents ranked.
        return (
            "WITH hits AS MATERIALIZED (SELECT s.entry_id FROM entry_search s WHERE " + where + "), "
            "kept AS MATERIALIZED (SELECT entry_id FROM hits ORDER BY entry_id DESC LIMIT :cap) "
            "SELECT e.id AS id, (SELECT count(*) FROM hits) AS total FROM kept k "
            "JOIN entry_search s ON s.entry_id = k.entry_id JOIN entries e ON e.id = k.entry_id "
            "ORDER BY " + _RANK + " DESC, " + _NEWEST + ", e.id" + _PAGE
        )
    # The hits first (GIN bitmap scans), then their dates: left to itself the planner may walk
    # the date index and probe every entry's document (10-50x slower). "+total": with a window
    # count of every hit.
    order, _, total = shape.partition("+")
    by = _RANK + " DESC, " + _NEWEST + ", e.id" if order == "rank" else _NEWEST + ", " + _RANK + " DESC, e.id"
    columns = "e.id AS id, count(*) OVER () AS total" if total else "e.id AS id"
    return (
        "WITH hits AS MATERIALIZED (SELECT s.entry_id, s.doc FROM entry_search s WHERE " + where + ") "
        "SELECT " + columns + " FROM hits s JOIN entries e ON e.id = s.entry_id ORDER BY " + by + _PAGE
    )


# (shape, filter, filtered by kinds) -> statement.
_STATEMENTS = {
    (shape, name, kinds): _statement(shape, where + (_KINDS if kinds else ""))
    for shape, (name, where), kinds in product(
        ("count", "id", "capped", "rank", "rank+total", "date", "date+total"), _FILTERS.items(), (False, True)
    )
}


def _filter(columns: Sequence[str] | None) -> str:
    """The key in :data:`_FILTERS` for a search of ``columns`` (None: every column)."""
    if columns and set(columns) == {"names"}:
        return "names"
    only_c = {c for c in columns or () if schema.PG_LABELS[c] == "C"}
    if len(only_c) == 1:
        return only_c.pop()
    return "doc"


async def search_pg(
    session: Reads,
    expr: str,
    *,
    columns: Sequence[str] | None,
    plain: str,
    kinds: Sequence[str] | None,
    order: str,
    limit: int,
    offset: int,
    with_total: bool,
) -> tuple[list[int], int]:
    """PostgreSQL: the GIN-indexed ``doc`` tsvector, ranked by ``ts_rank`` with
    :data:`~db.search.schema.PG_WEIGHTS`, ties (and ``order="date"``) by newest then id as on
    SQLite; over :data:`~db.search.schema.RANK_CAP` hits, ranked among the newest as on SQLite.
    The count comes with the page (a window count), only when asked for."""
    params: dict[str, Any] = {"q": expr, "limit": limit, "offset": offset}
    name = _filter(columns)
    if name != "doc":
        params["plain"] = plain
    if kinds:
        params["kinds"] = list(kinds)
    capped = order == "rank" and not kinds
    if order == "id":
        shape = "id"
    elif capped:
        params["cap"] = schema.RANK_CAP
        shape = "capped"
    else:
        shape = order + "+total" if with_total else order
    rows = await session.rows(_STATEMENTS[shape, name, bool(kinds)], params)
    ids = [r["id"] for r in rows]
    if capped and rows and with_total:
        total = int(rows[0]["total"])
        return ids, (AtLeast(schema.RANK_CAP) if total > schema.RANK_CAP else total)
    if not with_total or (offset == 0 and len(ids) < limit):
        return ids, len(ids)
    if rows and order != "id":
        return ids, int(rows[0]["total"])
    count = int((await session.rows(_STATEMENTS["count", name, bool(kinds)], params))[0]["n"])
    return ids, (AtLeast(schema.RANK_CAP) if capped and count > schema.RANK_CAP else count)
