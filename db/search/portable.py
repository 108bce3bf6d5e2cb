"""Search on other databases: ``ILIKE`` over the index's columns, as Core ``select()``.

Slower than the full-text backends and unranked by relevance (best-effort ordering: name hits
first, then newest; newest first for ``order="date"``), with the same any-term fallback
(:func:`db.search.search` runs it twice).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from db import models as m
from db.reads import Reads
from db.search.schema import COLUMNS
from db.search.syntax import query_terms

__all__ = ["search_ilike"]


async def search_ilike(
    session: Reads,
    query: str,
    *,
    kinds: Sequence[str] | None,
    columns: Sequence[str] | None,
    order: str = "rank",
    limit: int,
    offset: int,
    any_term: bool = False,
) -> tuple[list[int], int]:
    """The portable fallback: every term (with ``any_term``, some term) occurs (ILIKE) in one of
    the chosen columns. ``order``: ``"rank"`` puts name hits of the first term first, then the
    newest; ``"date"`` is newest first (undated last); ``"id"`` by entry id."""
    e = m.Entry
    cols = set(columns or COLUMNS)
    conds = []
    for term in query_terms(query):
        pattern = f"%{term}%"
        alts = []
        if "names" in cols:
            alts += [
                e.name.ilike(pattern),
                exists().where(m.Alias.entry_id == e.id, m.Alias.alias.ilike(pattern)),
            ]
        if "title" in cols:
            alts.append(e.paper_title.ilike(pattern))
        if "org" in cols:
            alts.append(e.org.ilike(pattern))
        if "body" in cols:
            alts.append(e.description.ilike(pattern))
        if "authors" in cols:
            alts.append(
                exists().where(
                    m.EntryAuthor.entry_id == e.id,
                    m.Author.id == m.EntryAuthor.author_id,
                    m.Author.name.ilike(pattern),
                )
            )
        conds.append(or_(*alts))
    where = or_(*conds) if any_term else and_(*conds)
    if kinds:
        where = and_(where, e.kind.in_(list(kinds)))
    first = query_terms(query)[0]
    name_hit = case((e.name.ilike(f"%{first}%"), 0), else_=1)
    newest = [e.year.desc().nulls_last(), e.month.desc().nulls_last()]
    order_by: list[ColumnElement[Any] | InstrumentedAttribute[int]]
    if order == "id":
        order_by = [e.id]
    elif order == "date":
        order_by = [*newest, name_hit, e.id]
    else:
        order_by = [name_hit, *newest, e.id]
    stmt = select(e.id).where(where).order_by(*order_by).limit(limit).offset(offset)
    ids = [r["id"] for r in await session.rows(stmt)]
    (counted,) = await session.rows(select(func.count().label("n")).select_from(e).where(where))
    return ids, int(counted["n"] or 0)
