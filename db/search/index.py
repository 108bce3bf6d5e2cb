"""Index maintenance: what writes the search index (SQLite FTS5 rows, PostgreSQL tsvectors).

:func:`reindex` (a session) and :func:`reindex_sync` (a connection) rewrite the rows of given
entries, or rebuild all. A flush listener (:func:`track_index`, attached by
:func:`db.session.create_sessionmaker` to the sessions of the factory it builds) reindexes every
entry whose row, aliases, authors or links were inserted, changed or deleted in that flush, so
every writer keeps the index right without calling anything. Bulk ``DELETE`` statements bypass
the listener; on SQLite a trigger (migration 0003) drops the deleted entries' rows, so the index
never holds a row without its entry and hit counts need no join; on PostgreSQL ``ON DELETE
CASCADE`` does (migration 0009).

Building: :func:`reindex_sync` works :data:`_REINDEX_STEP` (5,000) entries at a time, reading
each step's documents with ``IN`` lists of at most 500 ids, so any catalog size builds (one
``IN`` of every id once stopped at SQLite's 250,000 bound variables) in bounded memory.

Each entry's document (:func:`_documents`): names (the name and every alias), title (the paper
title with the list's title tail), authors (comma-separated), org, body (description, link
labels, link URL paths), as :func:`db.search.syntax.index_text` writes them; PostgreSQL gets
:func:`db.search.syntax.pg_text` of each.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from db import models as m
from db.search.schema import COLUMNS, PG_TABLE, READ_CACHE
from db.search.syntax import index_text, pg_text

log = logging.getLogger(__name__)

__all__ = ["READ_CACHE", "pg_search_ready", "reindex", "reindex_sync", "track_index"]

_CHUNK = 500
# A rebuild empties the table first (SQLite's FTS5 table and PostgreSQL's have the same name).
_DELETE_ALL = text("DELETE FROM entry_search")
# A step's old rows, before they are written again: the ids are one parameter (as the reads
# bind a list, :mod:`db.reads`), JSON text on SQLite, an array on PostgreSQL.
_FTS_DELETE = text("DELETE FROM entry_search WHERE rowid IN (SELECT value FROM json_each(:ids))")
_PG_DELETE = text("DELETE FROM entry_search WHERE entry_id = ANY(CAST(:ids AS INTEGER[]))")
_FTS_INSERT = text(
    "INSERT INTO entry_search (rowid, names, title, authors, org, body, kind) "
    "VALUES (:rowid, :names, :title, :authors, :org, :body, :kind)"
)
# The weighted document (names A, title B, authors and org C, body D: schema.PG_LABELS) and the
# authors', org's and names' own vectors, in the configuration ``ptm`` (schema.PG_CONFIG).
_PG_INSERT = text(
    "INSERT INTO entry_search (entry_id, kind, doc, authors, org, names) VALUES (:rowid, :kind, "
    "setweight(to_tsvector('ptm', :names), 'A') || setweight(to_tsvector('ptm', :title), 'B') || "
    "setweight(to_tsvector('ptm', :authors), 'C') || setweight(to_tsvector('ptm', :org), 'C') || "
    "setweight(to_tsvector('ptm', :body), 'D'), "
    "to_tsvector('ptm', :authors), to_tsvector('ptm', :org), to_tsvector('ptm', :names))"
)


def _url_words(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path} {parts.fragment}".replace("/", " ")


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _documents(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    e = m.Entry.__table__
    stmt = select(e.c.id, e.c.kind, e.c.name, e.c.paper_title, e.c.phrasing, e.c.org, e.c.description)
    docs: dict[int, dict[str, Any]] = {}
    rows = (r for chunk in _chunks(ids) for r in conn.execute(stmt.where(e.c.id.in_(chunk))))
    for row in rows:
        title = row.paper_title or ""
        tail = (row.phrasing or {}).get("title_tail") if isinstance(row.phrasing, dict) else None
        if title and tail:
            title = f"{title} by {tail}"
        docs[row.id] = {
            "kind": row.kind,
            "names": [row.name],
            "title": title,
            "authors": [],
            "org": row.org or "",
            "body": [row.description or ""],
        }
    if not docs:
        return []
    keys = list(docs)
    a, ea, au, ln = m.Alias.__table__, m.EntryAuthor.__table__, m.Author.__table__, m.EntryLink.__table__
    for chunk in _chunks(keys):
        for r in conn.execute(select(a.c.entry_id, a.c.alias).where(a.c.entry_id.in_(chunk))):
            docs[r.entry_id]["names"].append(r.alias)
        for r in conn.execute(
            select(ea.c.entry_id, au.c.name)
            .join(au, au.c.id == ea.c.author_id)
            .where(ea.c.entry_id.in_(chunk))
            .order_by(ea.c.entry_id, ea.c.position)
        ):
            docs[r.entry_id]["authors"].append(r.name)
        for link in conn.execute(
            select(ln.c.entry_id, ln.c.url, ln.c.label)
            .where(ln.c.entry_id.in_(chunk))
            .order_by(ln.c.entry_id, ln.c.position)
        ):
            docs[link.entry_id]["body"] += [link.label or "", _url_words(link.url)]
    return [
        {
            "rowid": entry_id,
            "names": index_text(" ; ".join(d["names"])),
            "title": index_text(d["title"]),
            "authors": index_text(", ".join(d["authors"])),
            "org": index_text(d["org"]),
            "body": index_text(" ".join(x for x in d["body"] if x)),
            "kind": d["kind"],
        }
        for entry_id, d in docs.items()
    ]


# Entries per reindex step: the documents of one step are read with ``IN`` lists of at most
# this many ids and written in one executemany, so any catalog size builds in bounded memory
# and under SQLite's bound-variable limit (the whole rebuild once bound every id in one ``IN``).
_REINDEX_STEP = 5000


def _all_entry_ids(conn: Connection) -> Iterable[list[int]]:
    """Every entry id, ascending, a step at a time (keyset pages on the primary key)."""
    e = m.Entry.__table__
    last = None
    while True:
        stmt = select(e.c.id).order_by(e.c.id).limit(_REINDEX_STEP)
        if last is not None:
            stmt = stmt.where(e.c.id > last)
        ids = list(conn.execute(stmt).scalars())
        if not ids:
            return
        yield ids
        last = ids[-1]


def reindex_sync(conn: Connection, entry_ids: Sequence[int] | None = None) -> None:
    """Rewrite the index rows of these entries (None: rebuild all), :data:`_REINDEX_STEP`
    entries at a time. SQLite (FTS5) and PostgreSQL (:data:`PG_TABLE`); else a no-op."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        if not pg_search_ready(conn):
            return
    elif dialect != "sqlite":
        return
    if entry_ids is None:
        conn.execute(_DELETE_ALL)
        steps: Iterable[Sequence[int]] = _all_entry_ids(conn)
        fresh = True
    else:
        ids = sorted({int(i) for i in entry_ids})
        steps = (ids[i : i + _REINDEX_STEP] for i in range(0, len(ids), _REINDEX_STEP))
        fresh = False
    for step in steps:
        if dialect == "sqlite":
            _write_fts_rows(conn, step, fresh=fresh)
        else:
            _write_pg_rows(conn, step, fresh=fresh)


def _write_fts_rows(conn: Connection, ids: Sequence[int], *, fresh: bool) -> None:
    if not fresh:
        conn.execute(_FTS_DELETE, {"ids": json.dumps([int(i) for i in ids])})
    docs = _documents(conn, ids)
    if docs:
        conn.execute(_FTS_INSERT, docs)


_PG_READY = "ptm_pg_search_ready"


def pg_search_ready(conn: Connection) -> bool:
    """Whether this PostgreSQL database has the search table (migration 0010); remembered on
    the driver connection once true (migrations before 0010 reindex nothing there)."""
    if conn.info.get(_PG_READY):
        return True
    ready = conn.dialect.has_table(conn, PG_TABLE)
    if ready:
        conn.info[_PG_READY] = True
    return ready


def _write_pg_rows(conn: Connection, ids: Sequence[int], *, fresh: bool) -> None:
    if not fresh:
        conn.execute(_PG_DELETE, {"ids": [int(i) for i in ids]})
    docs = _documents(conn, ids)
    if docs:
        conn.execute(
            _PG_INSERT,
            [{**d, **{c: pg_text(d[c]) for c in COLUMNS}} for d in docs],
        )


async def reindex(session: AsyncSession, entry_ids: Sequence[int] | None = None) -> None:
    """Bring the search index up to date for these entries (None = all). Never commits."""
    await session.flush()
    conn = await session.connection()
    await conn.run_sync(reindex_sync, entry_ids)


_CHILDREN = (m.Alias, m.EntryAuthor, m.EntryLink)


# The read cache (schema.READ_CACHE) is dropped by any flush and at the end of the transaction,
# so a reused result never predates a write.


def _drop_read_cache(session: Session, _transaction: Any) -> None:
    session.info.pop(READ_CACHE, None)


def _reindex_after_flush(session: Session, _context: Any) -> None:
    session.info.pop(READ_CACHE, None)
    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, m.Entry):
            if obj.id is not None:
                touched.add(obj.id)
        elif isinstance(obj, _CHILDREN) and getattr(obj, "entry_id", None) is not None:
            touched.add(obj.entry_id)
    if not touched:
        return
    reindex_sync(session.connection(), sorted(touched))


def track_index(session_class: type[Session]) -> None:
    """Keep the search index current for sessions of ``session_class`` (a ``Session`` subclass):
    after each flush, reindex the entries whose row, aliases, authors or links changed; drop
    the unit of work's read cache at any flush and at the end of each transaction.
    :func:`db.session.create_sessionmaker` calls this on its factory's own session class."""
    event.listen(session_class, "after_flush", _reindex_after_flush)
    event.listen(session_class, "after_transaction_end", _drop_read_cache)
