"""Loading hits: entry ids in, :class:`~bot.catalog.model.EntryHit` out, in one statement.

Entries are loaded with plain column queries straight into the domain
:class:`~bot.catalog.model.Entry` (no ORM instances): one statement per page of hits on SQLite,
read through ``Reads.rows`` (:mod:`db.reads`).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.catalog.model import EntryHit, Link, entry_from_columns
from db.reads import Reads, Row, Spelled

__all__ = ["load"]


async def load(session: Reads, ids: Sequence[int]) -> list[EntryHit]:
    """Hits for these ids, in the order given (ids that no longer exist are skipped).

    One tagged statement (:data:`_LOAD_SQL`: the entries, then their authors, links, topics and
    aliases), read with one ``Reads.rows`` (:mod:`db.reads`), builds the domain
    entries directly, without ORM instances or identity-map bookkeeping: the same
    :class:`Entry` as :func:`bot.catalog.service.to_domain`, for a fraction of the cost. Rows
    are read afresh every time. Authors and links come in their positions' order, aliases in
    their keys' order, on every backend.
    """
    if not ids:
        return []
    authors: dict[int, list[str]] = {}
    links: dict[int, list[Link]] = {}
    topics: dict[int, list[str]] = {}
    aliases: dict[int, list[str]] = {}
    rows: dict[int, Row] = {}
    for row in await session.rows(_LOAD_SQL, {"ids": list(dict.fromkeys(ids))}):
        tag, entry_id = row["tag"], row["entry_id"]
        if tag == 0:
            rows[entry_id] = row
        elif tag == 1:
            authors.setdefault(entry_id, []).append(row["child"])
        elif tag == 2:
            links.setdefault(entry_id, []).append(Link(row["child"], row["label"], bool(row["own_line"])))
        elif tag == 3:
            topics.setdefault(entry_id, []).append(row["child"])
        else:
            aliases.setdefault(entry_id, []).append(row["child"])
    return _hits(ids, rows, authors, links, topics, aliases)


def _load_sql(among_ids: str) -> str:
    """:func:`load`'s statement, with ``among_ids`` the backend's test of an id against the list
    ``:ids`` (:mod:`db.reads`: JSON on SQLite, an array on PostgreSQL). Run twice, at import.

    The entries (tag 0, their columns by name) and their authors (1), links (2), topics (3) and
    aliases (4) with the entry id, a sort position (``pos`` for authors and links, ``apos`` for
    aliases) and the child's value in ``child`` (author name, link URL, topic slug, alias; a
    link's label and own-line flag in ``label`` and ``own_line``). The first branch's NULLs are
    typed, so PostgreSQL lines the branches up as SQLite does; the other branches' 14 NULLs
    stand for the entry's columns (kind ... source_line)."""
    return (
        "SELECT 0 AS tag, id AS entry_id, CAST(NULL AS INTEGER) AS pos, CAST(NULL AS TEXT) AS apos, kind, name, "
        "section_key, year, month, date_style, org, docs_url, paper_title, paper_url, arxiv_id, description, "
        "phrasing, source_line, CAST(NULL AS TEXT) AS child, CAST(NULL AS TEXT) AS label, "
        "CAST(NULL AS BOOLEAN) AS own_line FROM entries WHERE id " + among_ids + " "
        "UNION ALL SELECT 1, ea.entry_id, ea.position, NULL, "
        "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        "a.name, NULL, NULL FROM entry_authors ea JOIN authors a ON a.id = ea.author_id "
        "WHERE ea.entry_id " + among_ids + " "
        "UNION ALL SELECT 2, entry_id, position, NULL, "
        "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        "url, label, label_own_line FROM entry_links WHERE entry_id " + among_ids + " "
        "UNION ALL SELECT 3, entry_id, NULL, NULL, "
        "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        "topic_slug, NULL, NULL FROM entry_topics WHERE entry_id " + among_ids + " "
        "UNION ALL SELECT 4, entry_id, NULL, norm_alias, "
        "NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        "alias, NULL, NULL FROM aliases WHERE entry_id " + among_ids + " "
        "ORDER BY tag, entry_id, pos, apos"
    )


_LOAD_SQL = Spelled(
    sqlite=_load_sql("IN (SELECT value FROM json_each(:ids))"),
    postgresql=_load_sql("= ANY(CAST(:ids AS INTEGER[]))"),
)


def _hits(
    ids: Sequence[int],
    rows: dict[int, Row],
    authors: dict[int, list[str]],
    links: dict[int, list[Link]],
    topics: dict[int, list[str]],
    aliases: dict[int, list[str]],
) -> list[EntryHit]:
    """The domain entries of :func:`load`, in the order of ``ids``; ``rows`` are the entries'
    columns by name (kind, name ... source_line)."""
    hits = []
    for i in ids:
        row = rows.get(i)
        if row is None:
            continue
        entry = entry_from_columns(
            row,
            authors=authors.get(i, ()),
            links=links.get(i, ()),
            topics=topics.get(i, ()),
            aliases=aliases.get(i, ()),
        )
        hits.append(EntryHit(i, entry))
    return hits
