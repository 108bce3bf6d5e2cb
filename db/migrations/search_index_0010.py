"""Frozen: the search index rebuild as of revision 0010, for migrations 0002 (SQLite) and 0010
(PostgreSQL). Do not edit.

Migrations must not import the live search code (:mod:`db.search`): a later change to what the
app writes (a new column, other text rules) would change what an old revision does, or break
it on a database that lacks the later column. So this is a copy of
:func:`db.search.index.reindex_sync` (``entry_ids=None``) and the text rules it used when 0010
was written, on a frozen view of the tables (Core ``table()``, not the ORM models). A migration
that changes the index's shape or text writes its own copy (``search_index_00NN.py``) and
rebuilds with it; the app's flush listener keeps the rows current after that.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Connection

__all__ = ["rebuild"]

_entries = sa.table(
    "entries",
    sa.column("id", sa.Integer),
    sa.column("kind", sa.String),
    sa.column("name", sa.String),
    sa.column("paper_title", sa.String),
    sa.column("phrasing", sa.JSON),
    sa.column("org", sa.String),
    sa.column("description", sa.String),
)
_aliases = sa.table("aliases", sa.column("entry_id", sa.Integer), sa.column("alias", sa.String))
_entry_authors = sa.table(
    "entry_authors",
    sa.column("entry_id", sa.Integer),
    sa.column("author_id", sa.Integer),
    sa.column("position"),
)
_authors = sa.table("authors", sa.column("id", sa.Integer), sa.column("name", sa.String))
_links = sa.table(
    "entry_links",
    sa.column("entry_id", sa.Integer),
    sa.column("url", sa.String),
    sa.column("label", sa.String),
    sa.column("position"),
)

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_CJK_CHAR = re.compile(f"([{_CJK}])")
_TERM = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_CHUNK = 500
_STEP = 5000
_COLUMNS = ("names", "title", "authors", "org", "body")

_FTS_INSERT = sa.text(
    "INSERT INTO entry_search (rowid, names, title, authors, org, body, kind) "
    "VALUES (:rowid, :names, :title, :authors, :org, :body, :kind)"
)
_PG_INSERT = sa.text(
    "INSERT INTO entry_search (entry_id, kind, doc, authors, org, names) VALUES (:rowid, :kind, "
    "setweight(to_tsvector('ptm', :names), 'A') || setweight(to_tsvector('ptm', :title), 'B') || "
    "setweight(to_tsvector('ptm', :authors), 'C') || setweight(to_tsvector('ptm', :org), 'C') || "
    "setweight(to_tsvector('ptm', :body), 'D'), "
    "to_tsvector('ptm', :authors), to_tsvector('ptm', :org), to_tsvector('ptm', :names))"
)


def _fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold().replace("ß", "ss").replace("ø", "o").replace("ł", "l")


def _index_text(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(_CJK_CHAR.sub(r" \1 ", text).split())


def _pg_text(text: str | None) -> str:
    if not text:
        return ""
    return " ".join(_TERM.findall(_fold(_index_text(text))))


def _url_words(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path} {parts.fragment}".replace("/", " ")


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _documents(conn: Connection, ids: Sequence[int]) -> list[dict[str, Any]]:
    e, a, ea, au, ln = _entries, _aliases, _entry_authors, _authors, _links
    stmt = sa.select(e.c.id, e.c.kind, e.c.name, e.c.paper_title, e.c.phrasing, e.c.org, e.c.description)
    docs: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for row in conn.execute(stmt.where(e.c.id.in_(chunk))):
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
    for chunk in _chunks(list(docs)):
        for r in conn.execute(sa.select(a.c.entry_id, a.c.alias).where(a.c.entry_id.in_(chunk))):
            docs[r.entry_id]["names"].append(r.alias)
        for ar in conn.execute(
            sa.select(ea.c.entry_id, au.c.name)
            .join(au, au.c.id == ea.c.author_id)
            .where(ea.c.entry_id.in_(chunk))
            .order_by(ea.c.entry_id, ea.c.position)
        ):
            docs[ar.entry_id]["authors"].append(ar.name)
        for lr in conn.execute(
            sa.select(ln.c.entry_id, ln.c.url, ln.c.label)
            .where(ln.c.entry_id.in_(chunk))
            .order_by(ln.c.entry_id, ln.c.position)
        ):
            docs[lr.entry_id]["body"] += [lr.label or "", _url_words(lr.url)]
    return [
        {
            "rowid": entry_id,
            "names": _index_text(" ; ".join(d["names"])),
            "title": _index_text(d["title"]),
            "authors": _index_text(", ".join(d["authors"])),
            "org": _index_text(d["org"]),
            "body": _index_text(" ".join(x for x in d["body"] if x)),
            "kind": d["kind"],
        }
        for entry_id, d in docs.items()
    ]


def rebuild(conn: Connection) -> None:
    """Empty ``entry_search`` and write every entry's row (SQLite FTS5 or PostgreSQL), a step
    of entries at a time (keyset pages on the primary key)."""
    postgres = conn.dialect.name == "postgresql"
    conn.execute(sa.text("DELETE FROM entry_search"))
    last = None
    while True:
        stmt = sa.select(_entries.c.id).order_by(_entries.c.id).limit(_STEP)
        if last is not None:
            stmt = stmt.where(_entries.c.id > last)
        ids = list(conn.execute(stmt).scalars())
        if not ids:
            return
        docs = _documents(conn, ids)
        if docs and postgres:
            conn.execute(_PG_INSERT, [{**d, **{c: _pg_text(d[c]) for c in _COLUMNS}} for d in docs])
        elif docs:
            conn.execute(_FTS_INSERT, docs)
        last = ids[-1]
