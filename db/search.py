"""Full-text search over the catalog: one function; SQLite FTS5 or PostgreSQL tsvector behind it.

The index is the FTS5 table ``entry_search`` (created by migration 0002, SQLite only), one row
per entry with ``rowid = entries.id`` and five weighted columns:

==========  ===========================================  ======
column      text                                         weight
==========  ===========================================  ======
names       the name and every alias                     10
title       the paper title (with the list's title tail)  5
authors     the authors, comma-separated                  3
org         the organisation ("from ...")                 3
body        description, link labels, link URL paths      1
==========  ===========================================  ======

plus ``kind`` (UNINDEXED, for the kinds filter). The tokenizer is
``porter unicode61 remove_diacritics 2``: case and diacritics fold, and English words stem
("distillation" and "distilled" meet). unicode61 would keep a run of Chinese characters as one
token, so CJK characters are written to the index and to queries with a space between them and
a CJK query becomes a phrase: ``蒸馏`` is the phrase "蒸 馏" and finds "知识蒸馏".

User text never reaches FTS5 syntax: it is cut into letter/digit runs and each becomes a quoted
term (``NEAR(``, ``"``, ``*``, ``-`` are just text). All terms must match (AND); if that finds
nothing and there are several terms, any term may match (OR), unless the caller turns that
off. Terms of three or more letters also match as prefixes (``swin`` finds "Swin Transformer",
``distil`` finds "DistilBERT").

Keeping it current: :func:`reindex` rewrites the rows of given entries. A flush listener
(:func:`track_index`, attached by :func:`db.session.create_sessionmaker` to the sessions of the
factory it builds) reindexes every entry whose row, aliases, authors or links were inserted,
changed or deleted in that flush, so every writer keeps the index right without calling anything.
Bulk ``DELETE`` statements bypass the listener; on SQLite a trigger (migration 0003) drops
the deleted entries' rows, so the index never holds a row without its entry and hit counts
need no join.

Building: :func:`reindex_sync` works :data:`_REINDEX_STEP` (5,000) entries at a time, reading
each step's documents with ``IN`` lists of at most 500 ids, so any catalog size builds (one
``IN`` of every id once stopped at SQLite's 250,000 bound variables) in bounded memory.

Date order (``order="date"``: org, author, surveys with words) on SQLite: when the words are
common, :func:`_search_fts_by_date` walks the date index to the page and computes bm25 for the
page's candidates only, instead of joining and sorting every hit (same ids, same order).

PostgreSQL (migration 0010): the table ``entry_search`` holds a weighted ``tsvector`` per entry
(``doc``: names A, title B, authors and org C, body D; GIN-indexed) and the authors' and org's
own vectors. The text written is the same tokens FTS5 cuts (:func:`pg_text`: case and
diacritics folded, CJK characters apart); the configuration ``ptm`` is English Snowball
stemming without a stop-word list (FTS5's porter keeps stop words too). Queries are built by
:func:`pg_tsquery` with the same rules as :func:`fts_query` (AND, then OR; prefixes from three
characters; a CJK run a phrase; columns as weight labels), ranked by ``ts_rank`` with
:data:`PG_WEIGHTS`, ties by newest then id. ``tests/db/test_postgres.py`` checks that both
backends find the same entries for a corpus of queries. Known difference: Porter and Snowball
(Porter2) stem a few short words differently ("xls": "xl" on SQLite, "xls" on PostgreSQL).

Other databases fall back to ``ILIKE`` over the same columns: slower and unranked by relevance
(best-effort ordering: name hits first, then newest; newest first for ``order="date"``), with
the same any-term fallback.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from db.counts import AtLeast
from db.fastread import ConnectionReads, ReadConnection, Reads, dialect_name, fetch_rows
from db.normalize import fold

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement
    from sqlalchemy.engine import Connection
    from sqlalchemy.ext.asyncio import AsyncSession
    from sqlalchemy.orm import InstrumentedAttribute, Session

# SQLAlchemy and db.models (the ORM) are imported by the functions that write the index or fall
# back to ILIKE: a search on a SQLite read thread runs on the standard library alone, and one on
# PostgreSQL imports no ORM (issue 19, start-up of the query subcommands).

log = logging.getLogger(__name__)

__all__ = [
    "FTS_TABLE",
    "PG_TABLE",
    "RANK_CAP",
    "READ_CACHE",
    "STOP_WORDS",
    "first_hits_sql",
    "fts_query",
    "index_text",
    "pg_search_ready",
    "pg_text",
    "pg_tsquery",
    "reindex",
    "reindex_sync",
    "search",
    "track_index",
]

FTS_TABLE = "entry_search"
PG_TABLE = "entry_search"
PG_CONFIG = "ptm"
# PostgreSQL has four weights: names A, title B, authors and org C, body D; ts_rank's array is
# {D, C, B, A}, in the proportions of SQLite's bm25 column weights (10 / 5 / 3 / 3 / 1).
PG_WEIGHTS = "{0.1, 0.3, 0.5, 1.0}"
_PG_LABELS = {"names": "A", "title": "B", "authors": "C", "org": "C", "body": "D"}
COLUMNS = ("names", "title", "authors", "org", "body")
WEIGHTS = (10.0, 5.0, 3.0, 3.0, 1.0)
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_CHAR = re.compile(f"([{_CJK}])")
_TERM = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_CHUNK = 500

# Relevance order ranks at most this many hits: a query matching more is ranked among its
# newest RANK_CAP hits (by entry id: the latest additions) and its count is AtLeast(RANK_CAP).
# Bounded work per search at any catalog size; below the cap the order is exact.
RANK_CAP = 2000


def index_text(text: str | None) -> str:
    """Text as stored in the index: CJK characters stand apart so each is a token."""
    if not text:
        return ""
    return " ".join(_CJK_CHAR.sub(r" \1 ", text).split())


def query_terms(query: str) -> list[str]:
    """Letter/digit runs of the user's text (a CJK run is one term)."""
    return _TERM.findall(query or "")


# English function words a catalog search ignores when the query has other terms: each is in
# a large share of all titles, and requiring it made every such query intersect a doclist of
# most of the catalog (at 1,000,000 entries "for" is in 362,000 documents; "Masked for Source
# Code" took 270 ms, about half that without it) while narrowing almost nothing. Full-text search over
# every column only: an organisation or author query keeps every word ("An", "Le" are names).
STOP_WORDS = frozenset("a an and are as at be by for from in into is of on or the to via with".split())


def _search_terms(query: str, columns: Sequence[str] | None, *, keep_stop_words: bool = False) -> list[str]:
    terms = query_terms(query)
    if columns or keep_stop_words:
        return terms
    kept = [t for t in terms if t.casefold() not in STOP_WORDS]
    return kept or terms


def fts_query(query: str, *, columns: Sequence[str] | None = None, any_term: bool = False) -> str | None:
    """A safe FTS5 MATCH expression for free user text; None when it has no searchable term.
    Without ``columns``, :data:`STOP_WORDS` are left out when other terms remain."""
    parts = []
    for term in _search_terms(query, columns):
        if _CJK_CHAR.match(term):
            parts.append('"' + " ".join(term) + '"')
        else:
            parts.append(f'"{term}"' + ("*" if len(term) >= 3 else ""))
    if not parts:
        return None
    expr = (" OR " if any_term else " AND ").join(parts)
    if columns:
        bad = [c for c in columns if c not in COLUMNS]
        if bad:
            raise ValueError(f"unknown search column(s): {', '.join(bad)}")
        expr = "{" + " ".join(columns) + "} : (" + expr + ")"
    return expr


def pg_text(text: str | None) -> str:
    """Text as written to the PostgreSQL index: the letter/digit runs FTS5's unicode61 would
    make (case and diacritics folded, each CJK character a token), space-separated, so that
    PostgreSQL's parser sees plain words and both backends cut the same tokens."""
    if not text:
        return ""
    return " ".join(_TERM.findall(fold(index_text(text))))


def pg_tsquery(
    query: str, *, columns: Sequence[str] | None = None, any_term: bool = False, keep_stop_words: bool = False
) -> str | None:
    """The ``to_tsquery`` text (configuration :data:`PG_CONFIG`) matching what :func:`fts_query`
    matches on SQLite: every term (``any_term``: some term), terms of three or more characters
    as prefixes, a CJK run as a phrase, ``columns`` as weight labels, :data:`STOP_WORDS` left
    out as :func:`fts_query` leaves them out (unless ``keep_stop_words``). None without a term."""
    labels = ""
    if columns:
        bad = [c for c in columns if c not in COLUMNS]
        if bad:
            raise ValueError(f"unknown search column(s): {', '.join(bad)}")
        labels = "".join(sorted({_PG_LABELS[c] for c in columns}))
    parts = []
    for term in _search_terms(query, columns, keep_stop_words=keep_stop_words):
        if _CJK_CHAR.match(term):
            # Terms are letter/digit runs: nothing in them is tsquery syntax.
            parts.append("(" + " <-> ".join(f"'{c}'" + (f":{labels}" if labels else "") for c in term) + ")")
        else:
            # Folding can split a term (compatibility forms: "½" -> "1⁄2"): its runs then
            # form a phrase, as unicode61 would tokenize them.
            words = _TERM.findall(fold(term))
            if not words:
                continue
            suffix = ("*" if len(term) >= 3 else "") + labels
            last = f"'{words[-1]}'" + (f":{suffix}" if suffix else "")
            head = [f"'{w}'" + (f":{labels}" if labels else "") for w in words[:-1]]
            parts.append(last if not head else "(" + " <-> ".join([*head, last]) + ")")
    if not parts:
        return None
    return (" | " if any_term else " & ").join(parts)


# --------------------------------------------------------------------------------------------
# Index maintenance


def _url_words(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path} {parts.fragment}".replace("/", " ")


def _chunks(ids: Sequence[int]) -> Iterable[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _documents(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from db import models as m

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
    from sqlalchemy import select

    from db import models as m

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
    from sqlalchemy import text

    dialect = conn.dialect.name
    if dialect == "postgresql":
        if not pg_search_ready(conn):
            return
    elif dialect != "sqlite":
        return
    if entry_ids is None:
        conn.execute(text(f"DELETE FROM {FTS_TABLE if dialect == 'sqlite' else PG_TABLE}"))
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
    from sqlalchemy import text

    if not fresh:
        for chunk in _chunks(ids):
            conn.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN ({','.join(str(i) for i in chunk)})"))
    docs = _documents(conn, ids)
    if docs:
        conn.execute(
            text(
                f"INSERT INTO {FTS_TABLE} (rowid, names, title, authors, org, body, kind) "
                "VALUES (:rowid, :names, :title, :authors, :org, :body, :kind)"
            ),
            docs,
        )


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


def _pg_vector(param: str, label: str) -> str:
    return f"setweight(to_tsvector('{PG_CONFIG}', :{param}), '{label}')"


_PG_INSERT = (
    f"INSERT INTO {PG_TABLE} (entry_id, kind, doc, authors, org, names) VALUES (:rowid, :kind, "
    + " || ".join(_pg_vector(c, _PG_LABELS[c]) for c in COLUMNS)
    + f", to_tsvector('{PG_CONFIG}', :authors), to_tsvector('{PG_CONFIG}', :org), to_tsvector('{PG_CONFIG}', :names))"
)


def _write_pg_rows(conn: Connection, ids: Sequence[int], *, fresh: bool) -> None:
    from sqlalchemy import text

    if not fresh:
        for chunk in _chunks(ids):
            conn.execute(
                text(f"DELETE FROM {PG_TABLE} WHERE entry_id IN ({','.join(str(i) for i in chunk)})")
            )
    docs = _documents(conn, ids)
    if docs:
        conn.execute(
            text(_PG_INSERT),
            [{**d, **{c: pg_text(d[c]) for c in COLUMNS}} for d in docs],
        )


async def reindex(session: AsyncSession, entry_ids: Sequence[int] | None = None) -> None:
    """Bring the search index up to date for these entries (None = all). Never commits."""
    await session.flush()
    conn = await session.connection()
    await conn.run_sync(reindex_sync, entry_ids)


# ``session.info`` key of look-ups a unit of work may reuse (bot.queries keeps the name
# candidates of a query there, for "not found, did you mean" right after the look-up). Any
# flush and the end of the transaction drop it, so a reused result never predates a write.
READ_CACHE = "ptm_read_cache"


def _drop_read_cache(session: Session, _transaction: Any) -> None:
    session.info.pop(READ_CACHE, None)


def _reindex_after_flush(session: Session, _context: Any) -> None:
    from db import models as m

    children = (m.Alias, m.EntryAuthor, m.EntryLink)
    session.info.pop(READ_CACHE, None)
    touched: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, m.Entry):
            if obj.id is not None:
                touched.add(obj.id)
        elif isinstance(obj, children) and getattr(obj, "entry_id", None) is not None:
            touched.add(obj.entry_id)
    if not touched:
        return
    reindex_sync(session.connection(), sorted(touched))


def track_index(session_class: type[Session]) -> None:
    """Keep the search index current for sessions of ``session_class`` (a ``Session`` subclass):
    after each flush, reindex the entries whose row, aliases, authors or links changed; drop
    the unit of work's read cache at any flush and at the end of each transaction.
    :func:`db.session.create_sessionmaker` calls this on its factory's own session class."""
    from sqlalchemy import event

    event.listen(session_class, "after_flush", _reindex_after_flush)
    event.listen(session_class, "after_transaction_end", _drop_read_cache)


# --------------------------------------------------------------------------------------------
# Search


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

    ``columns`` restricts matching to some of :data:`COLUMNS` (``("org",)`` for an org search);
    ``order`` is ``"rank"`` (relevance; over :data:`RANK_CAP` hits, among the newest of them,
    and the count is :class:`AtLeast`), ``"date"`` (newest first, undated last) or ``"id"``
    (the first hits by entry id, unscored: for callers that rank the hits themselves, at a cost
    bounded by ``limit`` however many entries match). Without ``with_total`` the count is not
    computed (the second number is only ``len(ids)``), for callers that want the first few ids
    only. Without ``any_term`` there is no any-term fallback: every term must match.
    """
    if order not in ("rank", "date", "id"):
        raise ValueError(f"order must be 'rank', 'date' or 'id', not {order!r}")
    if not query_terms(query):
        return [], 0
    # Negative values mean nothing (PostgreSQL rejects a negative LIMIT or OFFSET outright).
    limit, offset = max(0, limit), max(0, offset)
    dialect = dialect_name(session)
    if dialect not in ("sqlite", "postgresql") and not isinstance(session, ReadConnection):
        for or_terms in (False, True) if any_term and len(query_terms(query)) > 1 else (False,):
            ids, total = await _search_ilike(
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
            ids, total = await _search_fts(
                session, expr, kinds=kinds, order=order, limit=limit, offset=offset, with_total=with_total
            )
        else:
            expr = pg_tsquery(query, columns=columns, any_term=or_terms)
            if expr is None:
                return [], 0
            ids, total = await _search_pg(
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


async def _search_pg(
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
    """PostgreSQL: the GIN-indexed ``doc`` tsvector of :data:`PG_TABLE`, ranked by ``ts_rank``
    with :data:`PG_WEIGHTS`, ties (and ``order="date"``) by newest then id as on SQLite; over
    :data:`RANK_CAP` hits, ranked among the newest as on SQLite. The count comes with the page
    (a window count), only when asked for."""
    params: dict[str, Any] = {"q": expr, "limit": limit, "offset": offset}
    where = f"s.doc @@ to_tsquery('{PG_CONFIG}', :q)"
    if columns and set(columns) == {"names"}:
        # The names' own vector (migration 0010): its GIN index answers alone, where a weight
        # label on ``doc`` would recheck every document holding the words in any column.
        where = f"s.names @@ to_tsquery('{PG_CONFIG}', :plain)"
        params["plain"] = plain
    # authors and org share weight C: a search of one of them alone checks its own vector too.
    only_c = {c for c in columns or () if _PG_LABELS[c] == "C"}
    if len(only_c) == 1:
        (col,) = only_c
        where += f" AND s.{col} @@ to_tsquery('{PG_CONFIG}', :plain)"
        params["plain"] = plain
    if kinds:
        where += " AND s.kind IN :kinds"
        params["kinds"] = list(kinds)
    rank = f"ts_rank('{PG_WEIGHTS}', s.doc, to_tsquery('{PG_CONFIG}', :q))"
    newest = "e.year DESC NULLS LAST, e.month DESC NULLS LAST"
    capped = order == "rank" and not kinds
    if order == "id":
        sql = f"SELECT s.entry_id AS id FROM {PG_TABLE} s WHERE {where} ORDER BY s.entry_id"
    elif capped:
        # Relevance among the newest RANK_CAP hits, as on SQLite: the hits' ids first (GIN
        # bitmap scans), the newest of them, and only those documents ranked.
        params["cap"] = RANK_CAP
        sql = (
            f"WITH hits AS MATERIALIZED (SELECT s.entry_id FROM {PG_TABLE} s WHERE {where}), "
            "kept AS MATERIALIZED (SELECT entry_id FROM hits ORDER BY entry_id DESC LIMIT :cap) "
            f"SELECT e.id AS id, (SELECT count(*) FROM hits) AS total FROM kept k "
            f"JOIN {PG_TABLE} s ON s.entry_id = k.entry_id JOIN entries e ON e.id = k.entry_id "
            f"ORDER BY {rank} DESC, {newest}, e.id"
        )
    else:
        # The hits first (GIN bitmap scans), then their dates: left to itself the planner may
        # walk the date index and probe every entry's document (10-50x slower).
        order_by = f"{rank} DESC, {newest}, e.id" if order == "rank" else f"{newest}, {rank} DESC, e.id"
        sql = (
            f"WITH hits AS MATERIALIZED (SELECT s.entry_id, s.doc FROM {PG_TABLE} s WHERE {where}) "
            f"SELECT e.id AS id FROM hits s JOIN entries e ON e.id = s.entry_id ORDER BY {order_by}"
        )
    if with_total and order != "id" and not capped:
        sql = sql.replace(" AS id ", " AS id, count(*) OVER () AS total ", 1)
    rows = await fetch_rows(session, sql + " LIMIT :limit OFFSET :offset", params)
    ids = [r["id"] for r in rows]
    if capped and rows and with_total:
        total = int(rows[0]["total"])
        return ids, (AtLeast(RANK_CAP) if total > RANK_CAP else total)
    if not with_total or (offset == 0 and len(ids) < limit):
        return ids, len(ids)
    if rows and order != "id":
        return ids, int(rows[0]["total"])
    count = int(
        (await fetch_rows(session, f"SELECT count(*) AS n FROM {PG_TABLE} s WHERE {where}", params))[0]["n"]
    )
    return ids, (AtLeast(RANK_CAP) if capped and count > RANK_CAP else count)


async def _search_fts(
    session: Reads,
    expr: str,
    *,
    kinds: Sequence[str] | None,
    order: str,
    limit: int,
    offset: int,
    with_total: bool = True,
) -> tuple[list[int], int]:
    params: dict[str, Any] = {"q": expr, "limit": max(0, limit), "offset": max(0, offset)}
    where = f"{FTS_TABLE} MATCH :q"
    if kinds:
        where += " AND e.kind IN :kinds"
        params["kinds"] = list(kinds)
    join = f"FROM {FTS_TABLE} f JOIN entries e ON e.id = f.rowid WHERE {where}"
    weights = ", ".join(str(w) for w in WEIGHTS)
    if order == "rank" and not kinds and limit > 0:
        ids, total = await _search_fts_ranked(session, params, weights, limit=limit, offset=max(0, offset))
        if total > RANK_CAP:
            return ids, AtLeast(RANK_CAP)
        if ids or not with_total:
            return ids, total
        # No row on this page: the count came with the rows, so ask for it alone (below).
        return ids, await _count_hits(session, params)
    if order == "date" and limit > 0 and (not kinds or len(kinds) == 1):
        walked = await _search_fts_by_date(
            session, params, weights, kind=kinds[0] if kinds else None, limit=limit, offset=offset
        )
        if isinstance(walked, int):  # few hits: sorted below, their count already known
            hits = walked
        else:
            ids, total = walked
            if total < 0 and with_total:  # a kind's hits, not counted on the way
                assert kinds  # only a kind's walk leaves its total uncounted
                # The kind's index against the hit set (doclist rowids): 2-4x cheaper than
                # joining every hit to ``entries`` for its kind, on common words.
                rows = await fetch_rows(
                    session,
                    "SELECT count(*) AS n FROM entries AS e INDEXED BY ix_entries_kind_year_month "
                    f"WHERE e.kind = :kind AND +e.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q)",
                    {**params, "kind": kinds[0]},
                )
                total = int(rows[0]["n"])
            elif total < 0:
                total = len(ids)
            return ids, total
    else:
        hits = None
    if order == "id" and not kinds:
        # FTS5 yields hits in rowid (= entry id) order, so LIMIT stops the scan early: no
        # score, no join, no sort, however common the words.
        ids = [
            r["id"]
            for r in await fetch_rows(
                session,
                f"SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q ORDER BY rowid "
                "LIMIT :limit OFFSET :offset",
                params,
            )
        ]
        if not with_total or (offset == 0 and len(ids) < limit):
            return ids, len(ids)
        return ids, await _count_hits(session, params)
    if order == "id":
        order_by = "e.id"
    elif order == "rank":
        order_by = f"bm25({FTS_TABLE}, {weights}), e.year DESC, e.month DESC, e.id"
    else:
        order_by = f"e.year DESC, e.month DESC, bm25({FTS_TABLE}, {weights}), e.id"
    ids = [
        r["id"]
        for r in await fetch_rows(
            session, f"SELECT e.id AS id {join} ORDER BY {order_by} LIMIT :limit OFFSET :offset", params
        )
    ]
    if not with_total or (offset == 0 and len(ids) < limit):
        total = len(ids)
    elif hits is not None and not kinds:
        total = hits
    elif kinds:
        total = int((await fetch_rows(session, f"SELECT count(*) AS n {join}", params))[0]["n"])
    else:
        # The index has no row without its entry (migration 0003's trigger drops a deleted
        # entry's row), so the count needs no join: FTS5 counts its doclist alone, about 20x
        # faster than probing ``entries`` for each of thousands of hits.
        total = await _count_hits(session, params)
    return ids, total


def first_hits_sql(session: Reads, query: str, *, columns: Sequence[str]) -> tuple[str, str] | None:
    """For a caller's own statement on SQLite: a ``SELECT`` of the first ``:limit`` entry ids,
    in id order, whose ``columns`` hold every term of ``query`` (the ids of
    ``search(query, columns=columns, order="id", any_term=False, with_total=False)``), and the
    FTS5 expression to bind as ``:q``. None on other databases or when ``query`` has no term."""
    if dialect_name(session) != "sqlite":
        return None
    expr = fts_query(query, columns=columns)
    if expr is None:
        return None
    return f"SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q ORDER BY rowid LIMIT :limit", expr


async def _count_hits(session: Reads, params: dict[str, Any]) -> int:
    rows = await fetch_rows(
        session, f"SELECT count(*) AS n FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q", params
    )
    return int(rows[0]["n"])


# How much a walked index row costs next to a joined and sorted hit (the tests set 0: always walk).
_WALK_COST = 1


async def _search_fts_by_date(
    session: Reads,
    params: dict[str, Any],
    weights: str,
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
    sizes = await fetch_rows(
        session,
        f"SELECT (SELECT count(*) FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q) AS hits, "
        "(SELECT max(id) FROM entries) AS catalog",
        params,
    )
    hits, catalog = int(sizes[0]["hits"]), int(sizes[0]["catalog"] or 0)
    if hits == 0:
        return [], 0
    if n * catalog * _WALK_COST >= hits * hits:  # expected walk (n * N / h rows) longer than the hits
        return hits
    if kind is None:
        source, only_kind = "entries AS e INDEXED BY ix_entries_date_desc", ""
    else:
        source, only_kind = "entries AS e INDEXED BY ix_entries_kind_year_month", "e.kind = :kind AND "
        params = {**params, "kind": kind}
    # One statement: the hit set (rowids from the doclist), the walk to the first n hits, the
    # rest of the boundary month, then bm25 for those candidates only (a filter on rowid that
    # FTS5 does not push down, so bm25 runs for the output rows alone).
    sql = (
        f"WITH hits AS MATERIALIZED (SELECT rowid AS id FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q), "
        f"walk AS MATERIALIZED (SELECT e.id AS id, e.year AS year, e.month AS month FROM {source} "
        f"WHERE {only_kind}+e.id IN hits ORDER BY e.year DESC, e.month DESC LIMIT :n), "
        "edge AS (SELECT year, month FROM walk ORDER BY year DESC, month DESC LIMIT 1 OFFSET :n - 1), "
        "cand AS (SELECT id FROM walk UNION "
        f"SELECT e.id FROM {source}, edge WHERE e.year IS edge.year AND e.month IS edge.month "
        f"AND {only_kind}+e.id IN hits) "
        f"SELECT e.id AS id, (SELECT count(*) FROM walk) AS walked FROM {FTS_TABLE} AS f "
        f"JOIN entries AS e ON e.id = f.rowid WHERE {FTS_TABLE} MATCH :q AND +f.rowid IN cand "
        f"ORDER BY e.year DESC, e.month DESC, bm25({FTS_TABLE}, {weights}), e.id LIMIT :limit OFFSET :offset"
    )
    rows = await fetch_rows(session, sql, {**params, "n": n})
    ids = [r["id"] for r in rows]
    if kind is None:
        return ids, hits
    walked = int(rows[0]["walked"]) if rows else -1
    return ids, (walked if 0 <= walked < n else -1)


async def _search_fts_ranked(
    session: Reads, params: dict[str, Any], weights: str, *, limit: int, offset: int
) -> tuple[list[int], int]:
    """Relevance order in one statement, joining ``entries`` only for the rows that can be on
    the page.

    The page is the first ``offset + limit`` hits by (bm25, newest, id). bm25 alone decides
    every place except among equal scores, so only hits scoring at most the
    ``offset + limit``-th best score (ties included) need their date from ``entries``: the
    others can never be on the page. Same order and ids as joining every hit, at about half
    the cost for common words (thousands of hits); the hit count comes in the same statement
    (the index holds no row without its entry: migration 0003's trigger). Hits are read newest
    first and scored only up to :data:`RANK_CAP` + 1 (FTS5 stops there): a count over the cap
    means the page ranks the newest :data:`RANK_CAP` hits.
    """
    sql = (
        f"WITH hits AS MATERIALIZED ("
        f"SELECT rowid AS id, bm25({FTS_TABLE}, {weights}) AS r FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q "
        "ORDER BY rowid DESC LIMIT :over), "
        "kept AS MATERIALIZED (SELECT id, r FROM hits ORDER BY id DESC LIMIT :cap), "
        "cut AS (SELECT r FROM kept ORDER BY r LIMIT 1 OFFSET :last) "
        "SELECT e.id AS id, (SELECT count(*) FROM hits) AS total FROM kept JOIN entries e ON e.id = kept.id "
        "WHERE kept.r <= coalesce((SELECT r FROM cut), 1e308) "
        "ORDER BY kept.r, e.year DESC, e.month DESC, e.id LIMIT :limit OFFSET :offset"
    )
    rows = await fetch_rows(
        session, sql, {**params, "last": offset + limit - 1, "cap": RANK_CAP, "over": RANK_CAP + 1}
    )
    return [r["id"] for r in rows], (int(rows[0]["total"]) if rows else 0)


async def _search_ilike(
    session: AsyncSession | ConnectionReads,
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
    from sqlalchemy import and_, case, exists, func, or_, select

    from db import models as m

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
    ids = list((await session.scalars(stmt)).all())
    total = await session.scalar(select(func.count()).select_from(e).where(where))
    return ids, int(total or 0)
