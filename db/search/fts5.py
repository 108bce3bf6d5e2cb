"""Search on SQLite: the FTS5 table ``entry_search`` (:mod:`db.search.schema`).

The tokenizer is ``porter unicode61 remove_diacritics 2``: case and diacritics fold, and English
words stem ("distillation" and "distilled" meet). Relevance is bm25 with the column weights
10 / 5 / 3 / 3 / 1 (names, title, authors, org, body), ties by newest then id.

Relevance order (:func:`_search_fts_ranked`) scores the newest :data:`~db.search.schema.RANK_CAP`
hits at most and joins ``entries`` only for the rows that can be on the page. Date order
(``order="date"``: org, author, surveys with words): when the words are common,
:func:`_search_fts_by_date` walks the date index to the page and computes bm25 for the page's
candidates only, instead of joining and sorting every hit (same ids, same order). Id order takes
the first hits of the doclist, unscored. Hit counts read the doclist alone: the index holds no
row without its entry (migration 0003's trigger).

Every statement is a constant below; the page statements by order and kinds filter are spelt
out in :data:`_PAGE_SQL` (bm25's weights written in: :data:`db.search.schema.WEIGHTS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from db.counts import AtLeast
from db.reads import Reads
from db.search import schema
from db.search.syntax import fts_query

__all__ = ["FIRST_HITS_SQL", "first_hits_sql", "search_fts"]

# The first ``:limit`` hits by rowid (= entry id): FTS5 yields hits in rowid order, so LIMIT stops
# the scan early (no score, no join, no sort, however common the words).
FIRST_HITS_SQL = (
    "SELECT rowid AS id FROM entry_search WHERE entry_search MATCH :q ORDER BY rowid LIMIT :limit"
)
_FIRST_HITS_PAGE_SQL = (
    "SELECT rowid AS id FROM entry_search WHERE entry_search MATCH :q ORDER BY rowid "
    "LIMIT :limit OFFSET :offset"
)
_COUNT_HITS_SQL = "SELECT count(*) AS n FROM entry_search WHERE entry_search MATCH :q"
# The hits of the kinds ``:kinds`` (a list: JSON, :mod:`db.reads`), counted through the join
# (their kind is in ``entries``).
_COUNT_KINDS_SQL = (
    "SELECT count(*) AS n FROM entry_search f JOIN entries e ON e.id = f.rowid "
    "WHERE entry_search MATCH :q AND e.kind IN (SELECT value FROM json_each(:kinds))"
)
# One kind's hits: the kind's index against the hit set (doclist rowids), 2-4x cheaper than
# joining every hit to ``entries`` for its kind, on common words.
_COUNT_KIND_SQL = (
    "SELECT count(*) AS n FROM entries AS e INDEXED BY ix_entries_kind_year_month "
    "WHERE e.kind = :kind AND +e.id IN (SELECT rowid FROM entry_search WHERE entry_search MATCH :q)"
)
# A page of hits joined to ``entries``, by (order, whether ``:kinds`` filters them).
_PAGE_SQL = {
    ("id", True): (
        "SELECT e.id AS id FROM entry_search f JOIN entries e ON e.id = f.rowid "
        "WHERE entry_search MATCH :q AND e.kind IN (SELECT value FROM json_each(:kinds)) ORDER BY e.id LIMIT :limit OFFSET :offset"
    ),
    ("rank", False): (
        "SELECT e.id AS id FROM entry_search f JOIN entries e ON e.id = f.rowid WHERE entry_search MATCH :q "
        "ORDER BY bm25(entry_search, 10.0, 5.0, 3.0, 3.0, 1.0), e.year DESC, e.month DESC, e.id "
        "LIMIT :limit OFFSET :offset"
    ),
    ("rank", True): (
        "SELECT e.id AS id FROM entry_search f JOIN entries e ON e.id = f.rowid "
        "WHERE entry_search MATCH :q AND e.kind IN (SELECT value FROM json_each(:kinds)) "
        "ORDER BY bm25(entry_search, 10.0, 5.0, 3.0, 3.0, 1.0), e.year DESC, e.month DESC, e.id "
        "LIMIT :limit OFFSET :offset"
    ),
    ("date", False): (
        "SELECT e.id AS id FROM entry_search f JOIN entries e ON e.id = f.rowid WHERE entry_search MATCH :q "
        "ORDER BY e.year DESC, e.month DESC, bm25(entry_search, 10.0, 5.0, 3.0, 3.0, 1.0), e.id "
        "LIMIT :limit OFFSET :offset"
    ),
    ("date", True): (
        "SELECT e.id AS id FROM entry_search f JOIN entries e ON e.id = f.rowid "
        "WHERE entry_search MATCH :q AND e.kind IN (SELECT value FROM json_each(:kinds)) "
        "ORDER BY e.year DESC, e.month DESC, bm25(entry_search, 10.0, 5.0, 3.0, 3.0, 1.0), e.id "
        "LIMIT :limit OFFSET :offset"
    ),
}
# The hit count (the doclist alone) and the catalog's size (max(id): an index seek), which pick
# the date plan.
_DATE_SIZES_SQL = (
    "SELECT (SELECT count(*) FROM entry_search WHERE entry_search MATCH :q) AS hits, "
    "(SELECT max(id) FROM entries) AS catalog"
)
# The date walk in one statement (:func:`_search_fts_by_date`): the hit set (rowids from the
# doclist), the walk to the first ``:n`` hits, the rest of the boundary month, then bm25 for
# those candidates only (a filter on rowid that FTS5 does not push down, so bm25 runs for the
# output rows alone). Every entry on ``ix_entries_date_desc``; one kind (``:kind``) on
# ``ix_entries_kind_year_month``.
_DATE_WALK_SQL = (
    "WITH hits AS MATERIALIZED (SELECT rowid AS id FROM entry_search WHERE entry_search MATCH :q), "
    "walk AS MATERIALIZED (SELECT e.id AS id, e.year AS year, e.month AS month "
    "FROM entries AS e INDEXED BY ix_entries_date_desc "
    "WHERE +e.id IN hits ORDER BY e.year DESC, e.month DESC LIMIT :n), "
    "edge AS (SELECT year, month FROM walk ORDER BY year DESC, month DESC LIMIT 1 OFFSET :n - 1), "
    "cand AS (SELECT id FROM walk UNION "
    "SELECT e.id FROM entries AS e INDEXED BY ix_entries_date_desc, edge "
    "WHERE e.year IS edge.year AND e.month IS edge.month AND +e.id IN hits) "
    "SELECT e.id AS id, (SELECT count(*) FROM walk) AS walked FROM entry_search AS f "
    "JOIN entries AS e ON e.id = f.rowid WHERE entry_search MATCH :q AND +f.rowid IN cand "
    "ORDER BY e.year DESC, e.month DESC, bm25(entry_search, 10.0, 5.0, 3.0, 3.0, 1.0), e.id "
    "LIMIT :limit OFFSET :offset"
)
_DATE_WALK_KIND_SQL = (
    "WITH hits AS MATERIALIZED (SELECT rowid AS id FROM entry_search WHERE entry_search MATCH :q), "
    "walk AS MATERIALIZED (SELECT e.id AS id, e.year AS year, e.month AS month "
    "FROM entries AS e INDEXED BY ix_entries_kind_year_month "
    "WHERE e.kind = :kind AND +e.id IN hits ORDER BY e.year DESC, e.month DESC LIMIT :n), "
    "edge AS (SELECT year, month FROM walk ORDER BY year DESC, month DESC LIMIT 1 OFFSET :n - 1), "
    "cand AS (SELECT id FROM walk UNION "
    "SELECT e.id FROM entries AS e INDEXED BY ix_entries_kind_year_month, edge "
    "WHERE e.year IS edge.year AND e.month IS edge.month AND e.kind = :kind AND +e.id IN hits) "
    "SELECT e.id AS id, (SELECT count(*) FROM walk) AS walked FROM entry_search AS f "
    "JOIN entries AS e ON e.id = f.rowid WHERE entry_search MATCH :q AND +f.rowid IN cand "
    "ORDER BY e.year DESC, e.month DESC, bm25(entry_search, 10.0, 5.0, 3.0, 3.0, 1.0), e.id "
    "LIMIT :limit OFFSET :offset"
)
# Relevance order in one statement (:func:`_search_fts_ranked`).
_RANKED_SQL = (
    "WITH hits AS MATERIALIZED ("
    "SELECT rowid AS id, bm25(entry_search, 10.0, 5.0, 3.0, 3.0, 1.0) AS r FROM entry_search "
    "WHERE entry_search MATCH :q ORDER BY rowid DESC LIMIT :over), "
    "kept AS MATERIALIZED (SELECT id, r FROM hits ORDER BY id DESC LIMIT :cap), "
    "cut AS (SELECT r FROM kept ORDER BY r LIMIT 1 OFFSET :last) "
    "SELECT e.id AS id, (SELECT count(*) FROM hits) AS total FROM kept JOIN entries e ON e.id = kept.id "
    "WHERE kept.r <= coalesce((SELECT r FROM cut), 1e308) "
    "ORDER BY kept.r, e.year DESC, e.month DESC, e.id LIMIT :limit OFFSET :offset"
)

# How much a walked index row costs next to a joined and sorted hit (the tests set 0: always walk).
_WALK_COST = 1


def first_hits_sql(session: Reads, query: str, *, columns: Sequence[str]) -> tuple[str, str] | None:
    """For a caller's own statement on SQLite: a ``SELECT`` of the first ``:limit`` entry ids,
    in id order, whose ``columns`` hold every term of ``query`` (the ids of
    ``search(query, columns=columns, order="id", any_term=False, with_total=False)``), and the
    FTS5 expression to bind as ``:q``. None on other databases or when ``query`` has no term.
    The statement is always :data:`FIRST_HITS_SQL`."""
    if session.dialect != "sqlite":
        return None
    expr = fts_query(query, columns=columns)
    if expr is None:
        return None
    return FIRST_HITS_SQL, expr


async def search_fts(
    session: Reads,
    expr: str,
    *,
    kinds: Sequence[str] | None,
    order: str,
    limit: int,
    offset: int,
    with_total: bool = True,
) -> tuple[list[int], int]:
    """The ids of a page of hits of the FTS5 expression ``expr`` and the hit count (see
    :func:`db.search.search`)."""
    params: dict[str, Any] = {"q": expr, "limit": max(0, limit), "offset": max(0, offset)}
    if kinds:
        params["kinds"] = list(kinds)
    if order == "rank" and not kinds and limit > 0:
        ids, total = await _search_fts_ranked(session, params, limit=limit, offset=max(0, offset))
        if total > schema.RANK_CAP:
            return ids, AtLeast(schema.RANK_CAP)
        if ids or not with_total:
            return ids, total
        # No row on this page: the count came with the rows, so ask for it alone (below).
        return ids, await _count_hits(session, params)
    hits = None
    if order == "date" and limit > 0 and (not kinds or len(kinds) == 1):
        walked = await _search_fts_by_date(
            session, params, kind=kinds[0] if kinds else None, limit=limit, offset=offset
        )
        if not isinstance(walked, int):
            return await _walked_total(session, params, walked, kinds=kinds, with_total=with_total)
        hits = walked  # few hits: sorted below, their count already known
    if order == "id" and not kinds:
        ids = [r["id"] for r in await session.rows(_FIRST_HITS_PAGE_SQL, params)]
        if not with_total or (offset == 0 and len(ids) < limit):
            return ids, len(ids)
        return ids, await _count_hits(session, params)
    ids = [r["id"] for r in await session.rows(_PAGE_SQL[order, bool(kinds)], params)]
    if not with_total or (offset == 0 and len(ids) < limit):
        total = len(ids)
    elif hits is not None and not kinds:
        total = hits
    elif kinds:
        total = int((await session.rows(_COUNT_KINDS_SQL, params))[0]["n"])
    else:
        # The index has no row without its entry (migration 0003's trigger drops a deleted
        # entry's row), so the count needs no join: FTS5 counts its doclist alone, about 20x
        # faster than probing ``entries`` for each of thousands of hits.
        total = await _count_hits(session, params)
    return ids, total


async def _walked_total(
    session: Reads,
    params: dict[str, Any],
    walked: tuple[list[int], int],
    *,
    kinds: Sequence[str] | None,
    with_total: bool,
) -> tuple[list[int], int]:
    """The page of a date walk and its count: a kind's hits that the walk could not tell
    (``-1``) are counted on the kind's index, when asked for."""
    ids, total = walked
    if total < 0 and with_total and kinds:  # a kind's hits, not counted on the way
        rows = await session.rows(_COUNT_KIND_SQL, {**params, "kind": kinds[0]})
        total = int(rows[0]["n"])
    elif total < 0:
        total = len(ids)
    return ids, total


async def _count_hits(session: Reads, params: dict[str, Any]) -> int:
    rows = await session.rows(_COUNT_HITS_SQL, params)
    return int(rows[0]["n"])


async def _search_fts_by_date(
    session: Reads,
    params: dict[str, Any],
    *,
    kind: str | None,
    limit: int,
    offset: int,
) -> tuple[list[int], int] | int:
    """Newest first (``order="date"``) at a cost bounded by the page, not the hits, when the
    words are common; when sorting every hit is cheaper (few hits), the number of hits alone
    (the caller sorts them and needs no count of its own).

    The order is (year DESC, month DESC, bm25, id). With ``h`` hits among ``N`` entries, a walk
    of ``ix_entries_date_desc`` (or ``ix_entries_kind_year_month`` for one kind) newest first
    meets the first ``n = offset + limit`` hits after about ``n * N / h`` rows, checking each
    against the hit set (FTS5 reads its doclist alone: no scores, no join). The last of those
    hits sets the boundary month; the rest of that month's hits are read by an index seek on
    (year, month), and bm25 is computed for those few ids only, to order each month. Same ids
    and order as sorting every hit. The hit count (FTS5's doclist alone) picks the plan; with a
    kind the kind's hits are returned as -1 when the walk cannot tell them (the caller counts).
    """
    n = offset + limit
    sizes = await session.rows(_DATE_SIZES_SQL, params)
    hits, catalog = int(sizes[0]["hits"]), int(sizes[0]["catalog"] or 0)
    if hits == 0:
        return [], 0
    if n * catalog * _WALK_COST >= hits * hits:  # expected walk (n * N / h rows) longer than the hits
        return hits
    if kind is None:
        rows = await session.rows(_DATE_WALK_SQL, {**params, "n": n})
        return [r["id"] for r in rows], hits
    rows = await session.rows(_DATE_WALK_KIND_SQL, {**params, "kind": kind, "n": n})
    ids = [r["id"] for r in rows]
    walked = int(rows[0]["walked"]) if rows else -1
    return ids, (walked if 0 <= walked < n else -1)


async def _search_fts_ranked(
    session: Reads, params: dict[str, Any], *, limit: int, offset: int
) -> tuple[list[int], int]:
    """Relevance order in one statement, joining ``entries`` only for the rows that can be on
    the page.

    The page is the first ``offset + limit`` hits by (bm25, newest, id). bm25 alone decides
    every place except among equal scores, so only hits scoring at most the
    ``offset + limit``-th best score (ties included) need their date from ``entries``: the
    others can never be on the page. Same order and ids as joining every hit, at about half
    the cost for common words (thousands of hits); the hit count comes in the same statement
    (the index holds no row without its entry: migration 0003's trigger). Hits are read newest
    first and scored only up to :data:`~db.search.schema.RANK_CAP` + 1 (FTS5 stops there): a
    count over the cap means the page ranks the newest ``RANK_CAP`` hits.
    """
    cap = schema.RANK_CAP
    rows = await session.rows(
        _RANKED_SQL, {**params, "last": offset + limit - 1, "cap": cap, "over": cap + 1}
    )
    return [r["id"] for r in rows], (int(rows[0]["total"]) if rows else 0)
