"""Full-text search over the catalog: one function, :func:`search`; SQLite FTS5 or PostgreSQL
tsvector behind it, ``ILIKE`` elsewhere.

The package by job:

==============================  ==========================================================
:mod:`db.search.schema`         the index's tables, columns, weights; the rank cap
:mod:`db.search.syntax`         a user's text cut into terms; FTS5 and tsquery expressions;
                                the index's text
:mod:`db.search.index`          what writes the index: reindex, the flush listener
:mod:`db.search.fts5`           search on SQLite (FTS5, bm25)
:mod:`db.search.postgres`       search on PostgreSQL (tsvector, ts_rank)
:mod:`db.search.portable`       search elsewhere (``ILIKE``)
==============================  ==========================================================

The index holds one row per entry and five weighted columns:

==========  ===========================================  ======
column      text                                         weight
==========  ===========================================  ======
names       the name and every alias                     10
title       the paper title (with the list's title tail)  5
authors     the authors, comma-separated                  3
org         the organisation ("from ...")                 3
body        description, link labels, link URL paths      1
==========  ===========================================  ======

plus ``kind`` (for the kinds filter). Case and diacritics fold, and English words stem
("distillation" and "distilled" meet). A CJK query becomes a phrase: ``蒸馏`` is the phrase
"蒸 馏" and finds "知识蒸馏". User text never reaches FTS5 or tsquery syntax
(:mod:`db.search.syntax`). All terms must match (AND); if that finds nothing and there are
several terms, any term may match (OR), unless the caller turns that off. Terms of three or more
letters also match as prefixes (``swin`` finds "Swin Transformer", ``distil`` finds
"DistilBERT").

Every public name of the former module ``db/search.py`` is importable from here.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from db.counts import AtLeast
from db.reads import Reads
from db.search import schema
from db.search.fts5 import FIRST_HITS_SQL, first_hits_sql, search_fts
from db.search.postgres import search_pg
from db.search.schema import (
    COLUMNS,
    FTS_TABLE,
    PG_CONFIG,
    PG_LABELS,
    PG_TABLE,
    PG_WEIGHTS,
    RANK_CAP,
    READ_CACHE,
    WEIGHTS,
)
from db.search.syntax import (
    STOP_WORDS,
    fts_query,
    index_text,
    normalise_query,
    pg_text,
    pg_tsquery,
    query_terms,
)

log = logging.getLogger(__name__)

# The index writer and the ILIKE fallback need SQLAlchemy and the ORM: they load on first use, so a
# search on a SQLite read thread runs on the standard library alone (issue 19, CLI start-up).
if TYPE_CHECKING:
    from db.search.index import pg_search_ready, reindex, reindex_sync, track_index
    from db.search.portable import search_ilike as search_ilike

_LAZY = {
    "pg_search_ready": "db.search.index",
    "reindex": "db.search.index",
    "reindex_sync": "db.search.index",
    "track_index": "db.search.index",
    "search_ilike": "db.search.portable",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'db.search' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "COLUMNS",
    "FIRST_HITS_SQL",
    "FTS_TABLE",
    "PG_CONFIG",
    "PG_LABELS",
    "PG_TABLE",
    "PG_WEIGHTS",
    "RANK_CAP",
    "READ_CACHE",
    "STOP_WORDS",
    "WEIGHTS",
    "first_hits_sql",
    "fts_query",
    "index_text",
    "pg_search_ready",
    "pg_text",
    "pg_tsquery",
    "query_terms",
    "reindex",
    "reindex_sync",
    "search",
    "track_index",
]


async def search(
    session: Reads,
    query: str,
    *,
    kinds: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    order: str = "rank",
    limit: int = 10,
    offset: int = 0,
    with_total: bool = True,
    any_term: bool = True,
) -> tuple[list[int], int]:
    """Entry ids matching ``query``, best first, and the number of hits.

    ``columns`` restricts matching to some of :data:`~db.search.schema.COLUMNS` (``("org",)`` for an org search);
    ``order`` is ``"rank"`` (relevance; over :data:`~db.search.schema.RANK_CAP` hits, among the newest of them,
    and the count is :class:`AtLeast`; whatever the cap, the entries whose name or alias holds
    every term come first: ``transformer`` at 100,000 entries still shows "Swin Transformer"), ``"date"`` (newest first, undated last) or ``"id"``
    (the first hits by entry id, unscored: for callers that rank the hits themselves, at a cost
    bounded by ``limit`` however many entries match). Without ``with_total`` the count is not
    computed (the second number is only ``len(ids)``), for callers that want the first few ids
    only. Without ``any_term`` there is no any-term fallback: every term must match.
    """
    query = normalise_query(query)
    ids, total = await _search(
        session,
        query,
        kinds=kinds,
        columns=columns,
        order=order,
        limit=limit,
        offset=offset,
        with_total=with_total,
        any_term=any_term,
    )
    if order != "rank" or columns is not None or not isinstance(total, AtLeast):
        return ids, total
    return await _names_first(session, query, kinds, limit=max(0, limit), offset=max(0, offset)), total


async def _names_first(
    session: Reads, query: str, kinds: Sequence[str] | None, *, limit: int, offset: int
) -> list[int]:
    """The page of a capped relevance search with the name and alias matches first (ranked among
    themselves), then the capped ranking's other hits."""
    named, _ = await _search(
        session,
        query,
        kinds=kinds,
        columns=("names",),
        order="rank",
        limit=schema.RANK_CAP,
        with_total=False,
        any_term=False,
    )
    ranked, _ = await _search(
        session, query, kinds=kinds, order="rank", limit=offset + limit + len(named), with_total=False
    )
    seen = set(named)
    merged = named + [i for i in ranked if i not in seen]
    return merged[offset : offset + limit]


async def _search(
    session: Reads,
    query: str,
    *,
    kinds: Sequence[str] | None = None,
    columns: Sequence[str] | None = None,
    order: str = "rank",
    limit: int = 10,
    offset: int = 0,
    with_total: bool = True,
    any_term: bool = True,
) -> tuple[list[int], int]:
    """:func:`search` on one backend, without putting name matches first."""
    if order not in ("rank", "date", "id"):
        raise ValueError(f"order must be 'rank', 'date' or 'id', not {order!r}")
    if not query_terms(query):
        return [], 0
    # Negative values mean nothing (PostgreSQL rejects a negative LIMIT or OFFSET outright).
    limit, offset = max(0, limit), max(0, offset)
    dialect = session.dialect
    if dialect not in ("sqlite", "postgresql"):
        for or_terms in (False, True) if any_term and len(query_terms(query)) > 1 else (False,):
            from db.search.portable import search_ilike

            ids, total = await search_ilike(
                session,
                query,
                kinds=kinds,
                columns=columns,
                order=order,
                limit=limit,
                offset=offset,
                any_term=or_terms,
            )
            if total:
                break
        return ids, total
    for or_terms in (False, True) if any_term else (False,):
        if dialect == "sqlite":
            expr = fts_query(query, columns=columns, any_term=or_terms)
            if expr is None:
                return [], 0
            ids, total = await search_fts(
                session, expr, kinds=kinds, order=order, limit=limit, offset=offset, with_total=with_total
            )
        else:
            expr = pg_tsquery(query, columns=columns, any_term=or_terms)
            if expr is None:
                return [], 0
            ids, total = await search_pg(
                session,
                expr,
                columns=columns,
                plain=pg_tsquery(query, any_term=or_terms, keep_stop_words=bool(columns)) or expr,
                kinds=kinds,
                order=order,
                limit=limit,
                offset=offset,
                with_total=with_total,
            )
        if total or or_terms or not any_term or len(query_terms(query)) < 2:
            return ids, total
    return [], 0  # pragma: no cover - the loop always returns
