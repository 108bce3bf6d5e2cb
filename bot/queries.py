"""The services behind the query commands (``/ptm model``, ``recent``, ``search`` ... and the CLI).

Every function takes an open session and never commits. Results are :class:`EntryHit` (the
entry's id and its domain :class:`~bot.listformat.Entry`, topics and aliases filled).

Performance design (targets at 100,000 entries: autocomplete and ``find_model`` <= 5 ms,
``recent`` <= 10 ms, ``search`` <= 20 ms): nothing scans the catalog in Python. Names are
found through indexed columns only: an equality or a range ``norm_name >= k AND norm_name <
k || U+10FFFF`` (a prefix scan on ``ix_entries_norm_name`` / ``ix_aliases_norm_alias``),
``LIMIT``-ed, plus a word query on the search index's ``names`` column; only those few
candidates are ranked in Python (:mod:`bot.matching`). ``recent`` walks
``ix_entry_topics_topic_slug`` for a small topic and ``ix_entries_date_desc`` for a large one; surveys use ``ix_entries_kind_year_month``; full text goes
through :func:`db.search.search`. Entries are loaded with plain column queries straight into
the domain :class:`Entry` (no ORM instances): five small queries per page of hits. There is no in-process cache, so there
is nothing to invalidate when the catalog changes.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text, union, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from bot import catalog
from bot.listformat import DateStyle, Entry, EntryKind, Link, full_paper_title
from bot.matching import FAMILY_PREFIXES, Candidate, family_stem, rank, unique_names
from bot.topics import TOPICS, parse_topic
from db import models as m
from db import search as fts
from db.normalize import norm_key

log = logging.getLogger(__name__)

__all__ = [
    "EntryHit",
    "UnknownTopic",
    "by_author",
    "by_org",
    "closest_names",
    "entry_json",
    "find_model",
    "recent",
    "related",
    "resolve_topic",
    "search_entries",
    "set_topics",
    "suggest_names",
    "surveys",
]

_PREFIX_LIMIT = 60
_FUZZY_POOL = 2000
_KEY_END = "\U0010ffff"  # sorts after every character a norm key can hold


@dataclass(frozen=True)
class EntryHit:
    id: int
    entry: Entry


class UnknownTopic(ValueError):
    """A topic that is not in the taxonomy; the message lists the valid ones."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        super().__init__(f"unknown topic {topic!r}; valid topics: {', '.join(TOPICS)}")


def resolve_topic(topic: str) -> str:
    """The slug for what a user typed ('Speech', 'audio', 'long context'), else :class:`UnknownTopic`."""
    slug = topic if topic in TOPICS else parse_topic(topic)
    if slug is None:
        raise UnknownTopic(topic)
    return slug


# --------------------------------------------------------------------------------------------
# Loading


async def _load(session: AsyncSession, ids: Sequence[int], *, refresh: bool = False) -> list[EntryHit]:
    """Hits for these ids, in the order given (ids that no longer exist are skipped).

    Plain column queries (the entries, then their authors, links, topics and aliases: five
    statements, as ``selectinload`` would issue) build the domain entries directly, without
    ORM instances or identity-map bookkeeping: the same :class:`Entry` as
    :func:`bot.catalog.to_domain`, for a fraction of the cost. Rows are read afresh every time,
    so ``refresh`` is implied (kept for callers).
    """
    if not ids:
        return []
    id_list = list(dict.fromkeys(ids))
    e, ea, au = m.Entry.__table__, m.EntryAuthor.__table__, m.Author.__table__
    ln, et, al = m.EntryLink.__table__, m.EntryTopic.__table__, m.Alias.__table__
    rows = {
        r.id: r
        for r in await session.execute(
            select(
                e.c.id,
                e.c.kind,
                e.c.name,
                e.c.section_key,
                e.c.year,
                e.c.month,
                e.c.date_style,
                e.c.org,
                e.c.docs_url,
                e.c.paper_title,
                e.c.paper_url,
                e.c.arxiv_id,
                e.c.description,
                e.c.phrasing,
                e.c.source_line,
            ).where(e.c.id.in_(id_list))
        )
    }
    if not rows:
        return []
    found = list(rows)
    authors: dict[int, list[str]] = {}
    for r in await session.execute(
        select(ea.c.entry_id, au.c.name)
        .join(au, au.c.id == ea.c.author_id)
        .where(ea.c.entry_id.in_(found))
        .order_by(ea.c.entry_id, ea.c.position)
    ):
        authors.setdefault(r.entry_id, []).append(r.name)
    links: dict[int, list[Link]] = {}
    for r in await session.execute(
        select(ln.c.entry_id, ln.c.url, ln.c.label, ln.c.label_own_line)
        .where(ln.c.entry_id.in_(found))
        .order_by(ln.c.entry_id, ln.c.position)
    ):
        links.setdefault(r.entry_id, []).append(Link(r.url, r.label, r.label_own_line))
    topics: dict[int, list[str]] = {}
    for r in await session.execute(select(et.c.entry_id, et.c.topic_slug).where(et.c.entry_id.in_(found))):
        topics.setdefault(r.entry_id, []).append(r.topic_slug)
    aliases: dict[int, list[str]] = {}
    for r in await session.execute(select(al.c.entry_id, al.c.alias).where(al.c.entry_id.in_(found))):
        aliases.setdefault(r.entry_id, []).append(r.alias)
    hits = []
    for i in ids:
        row = rows.get(i)
        if row is None:
            continue
        entry = Entry(
            kind=EntryKind(row.kind),
            name=row.name,
            section=row.section_key,
            year=row.year,
            month=row.month,
            date_style=DateStyle(row.date_style),
            org=row.org,
            docs_url=row.docs_url,
            paper_title=row.paper_title,
            paper_url=row.paper_url,
            arxiv_id=row.arxiv_id,
            authors=list(authors.get(i, ())),
            links=list(links.get(i, ())),
            description=row.description,
            phrasing=dict(row.phrasing or {}),
            source_line=row.source_line,
            topics=sorted(topics.get(i, ())),
            aliases=list(aliases.get(i, ())),
        )
        hits.append(EntryHit(i, entry))
    return hits


def _date_order() -> list[Any]:
    # SQLite sorts NULL lowest, so DESC puts undated entries last; PostgreSQL needs NULLS LAST.
    return [m.Entry.year.desc().nulls_last(), m.Entry.month.desc().nulls_last(), m.Entry.name, m.Entry.id]


def _date_order_for(session: AsyncSession) -> list[Any]:
    if session.get_bind().dialect.name == "sqlite":
        return [m.Entry.year.desc(), m.Entry.month.desc(), m.Entry.name, m.Entry.id]
    return _date_order()


# --------------------------------------------------------------------------------------------
# Names


async def _name_candidates(
    session: AsyncSession, text: str, *, words: bool = True
) -> tuple[list[Candidate], set[int]]:
    """Entries whose name or an alias equals or starts with the key, plus word hits of the index."""
    key = norm_key(text)
    ids: set[int] = set()
    if key:
        ids.update(
            (
                await session.scalars(
                    select(m.Entry.id)
                    .where(m.Entry.norm_name >= key, m.Entry.norm_name < key + _KEY_END)
                    .order_by(m.Entry.norm_name)
                    .limit(_PREFIX_LIMIT)
                )
            ).all()
        )
        ids.update(
            (
                await session.scalars(
                    select(m.Alias.entry_id)
                    .where(m.Alias.norm_alias >= key, m.Alias.norm_alias < key + _KEY_END)
                    .order_by(m.Alias.norm_alias)
                    .limit(_PREFIX_LIMIT)
                )
            ).all()
        )
    word_hits: set[int] = set()
    if words:
        found, _ = await fts.search(session, text, columns=("names",), limit=_PREFIX_LIMIT, with_total=False)
        word_hits = set(found)
        ids |= word_hits
    return await _candidates(session, ids), word_hits


async def _candidates(session: AsyncSession, ids: set[int] | list[int] | Any) -> list[Candidate]:
    """Candidates (name, kind, aliases and their stored keys) for these ids, or for the ids a
    subquery selects (the fuzzy pool, so thousands of ids never travel as parameters)."""
    if isinstance(ids, (set, list)):
        if not ids:
            return []
        which: Any = list(ids)
    else:
        which = ids
    rows = (
        await session.execute(
            select(m.Entry.id, m.Entry.name, m.Entry.kind, m.Entry.norm_name).where(m.Entry.id.in_(which))
        )
    ).all()
    aliases: dict[int, list[tuple[str, str]]] = {}
    for entry_id, alias, key in (
        await session.execute(
            select(m.Alias.entry_id, m.Alias.alias, m.Alias.norm_alias).where(m.Alias.entry_id.in_(which))
        )
    ).all():
        aliases.setdefault(entry_id, []).append((alias, key))
    out = []
    for r in rows:
        pairs = aliases.get(r.id, ())
        out.append(
            Candidate(
                r.id,
                r.name,
                r.kind,
                tuple(a for a, _ in pairs),
                name_key=r.norm_name,
                alias_keys=tuple(k for _, k in pairs),
            )
        )
    return out


async def find_model(session: AsyncSession, name: str, *, limit: int = 10) -> list[EntryHit]:
    """Entries matching ``name``, best first (exact name, alias, prefix, words, substring);
    models before surveys and resources within a tier. ``[]`` when nothing is close."""
    cands, word_hits = await _name_candidates(session, name)
    matches = rank(name, cands, limit=limit, word_hits=word_hits)
    return await _load(session, [mt.candidate.entry_id for mt in matches])


async def suggest_names(session: AsyncSession, prefix: str, *, limit: int = 25) -> list[str]:
    """Autocomplete: entry names (<= 25, each <= 100 characters), best first.

    An empty prefix suggests models in alphabetical order.
    """
    limit = max(0, min(limit, 25))
    if not norm_key(prefix):
        names = (
            await session.scalars(
                select(m.Entry.name).where(m.Entry.kind == "model").order_by(m.Entry.norm_name).limit(limit)
            )
        ).all()
        return [n if len(n) <= 100 else n[:99] + "…" for n in names]
    cands, word_hits = await _name_candidates(session, prefix)
    return unique_names(rank(prefix, cands, limit=limit * 2, word_hits=word_hits), limit=limit)


async def closest_names(session: AsyncSession, name: str, *, limit: int = 5) -> list[str]:
    """Names for "not found, did you mean ...": the matches, else the most alike names among
    those starting with the same character (a bounded, indexed pool)."""
    key = norm_key(name)
    if not key:
        return []
    cands, word_hits = await _name_candidates(session, name)
    by_name = (
        select(m.Entry.id.label("id"))
        .where(m.Entry.norm_name >= key[0], m.Entry.norm_name < key[0] + _KEY_END)
        .limit(_FUZZY_POOL)
        .subquery()
    )
    by_alias = (
        select(m.Alias.entry_id.label("id"))
        .where(m.Alias.norm_alias >= key[0], m.Alias.norm_alias < key[0] + _KEY_END)
        .limit(_FUZZY_POOL)
        .subquery()
    )
    pool = union(select(by_name.c.id), select(by_alias.c.id))
    seen = {c.entry_id for c in cands}
    cands += [c for c in await _candidates(session, pool) if c.entry_id not in seen]
    matches = rank(name, cands, limit=limit * 2, word_hits=word_hits, fuzzy=True, cutoff=0.5)
    return unique_names(matches, limit=limit)


async def related(session: AsyncSession, hit: EntryHit, *, limit: int = 10) -> list[EntryHit]:
    """Entries related to ``hit``: first those released with the same paper (LED and Longformer,
    BigBird-RoBERTa and BigBird-Pegasus), then the same family, newest first.

    Family rule (:func:`bot.matching.family_stem`): two names are one family when they reduce to
    the same stem after dropping a variant marker at the end (``-v2``, ``-50``, ``-D``, ``-XL``,
    ``Phoneme``, ``Sat``, a version number) and a variant prefix at the front (``XLSR-``,
    ``XLM-``, ``m`` as in mT5/mBART/mLUKE, ``Distil``): DeBERTa / DeBERTa-v2; MBart / MBart-50 /
    BART; Wav2Vec2 / Wav2Vec2Phoneme / XLSR-Wav2Vec2; UniSpeech / UniSpeechSat; SEW / SEW-D;
    LayoutLM / LayoutLMv2; T5 / mT5 / T5v1.1. Candidates come from indexed prefix scans on
    ``norm_name`` (the stem, and each prefix + stem), never from a scan of the catalog.
    """
    paper_id = select(m.Entry.paper_id).where(m.Entry.id == hit.id).scalar_subquery()
    same_paper = list(
        (
            await session.scalars(
                select(m.Entry.id)
                .where(m.Entry.paper_id == paper_id, m.Entry.id != hit.id)
                .order_by(*_date_order_for(session))
                .limit(limit)
            )
        ).all()
    )
    stem = family_stem(hit.entry.name)
    family: list[int] = []
    if stem:
        # One statement for the prefix scans (the stem, and each variant prefix + stem).
        scans = [
            select(m.Entry.id.label("id"))
            .where(m.Entry.norm_name >= start, m.Entry.norm_name < start + _KEY_END)
            .limit(_PREFIX_LIMIT)
            .subquery()
            for start in (stem, *(p + stem for p in FAMILY_PREFIXES))
        ]
        ids = set((await session.scalars(union_all(*(select(sq.c.id) for sq in scans)))).all())
        ids -= {hit.id, *same_paper}
        cands = [c for c in await _candidates(session, ids) if family_stem(c.name) == stem]
        if cands:
            family = list(
                (
                    await session.scalars(
                        select(m.Entry.id)
                        .where(m.Entry.id.in_([c.entry_id for c in cands]))
                        .order_by(*_date_order_for(session))
                    )
                ).all()
            )
    return await _load(session, (same_paper + family)[:limit])


# --------------------------------------------------------------------------------------------
# Lists


async def recent(
    session: AsyncSession, topic: str, *, count: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """The newest entries of a topic (by year, month; undated last) and how many it has."""
    slug = resolve_topic(topic)
    count, offset = max(0, count), max(0, offset)
    # One round trip for the topic's size and the catalog's (max(id): an index seek, where
    # count(*) would scan), which pick the plan below.
    sizes = (
        await session.execute(
            select(
                select(func.count())
                .select_from(m.EntryTopic)
                .where(m.EntryTopic.topic_slug == slug)
                .scalar_subquery(),
                select(func.max(m.Entry.id)).scalar_subquery(),
            )
        )
    ).one()
    total, catalog_size = int(sizes[0] or 0), int(sizes[1] or 0)
    if total == 0 or offset >= total:
        return [], total
    if session.get_bind().dialect.name == "sqlite" and (count + offset) * catalog_size < total * total // 2:
        # A large topic: walk ix_entries_date_desc newest first and stop after the page (about
        # (count + offset) * catalog / topic rows), rather than sort all of the topic's entries.
        # SQLite's planner does not weigh LIMIT, so the index and the join order are spelt out.
        ids = (
            await session.scalars(
                text(
                    "SELECT e.id FROM entries AS e INDEXED BY ix_entries_date_desc "
                    "CROSS JOIN entry_topics AS t ON t.entry_id = e.id AND t.topic_slug = :slug "
                    "ORDER BY e.year DESC, e.month DESC, e.name, e.id LIMIT :limit OFFSET :offset"
                ),
                {"slug": slug, "limit": count, "offset": offset},
            )
        ).all()
    else:
        ids = (
            await session.scalars(
                select(m.Entry.id)
                .join(m.EntryTopic, m.EntryTopic.entry_id == m.Entry.id)
                .where(m.EntryTopic.topic_slug == slug)
                .order_by(*_date_order_for(session))
                .limit(count)
                .offset(offset)
            )
        ).all()
    return await _load(session, list(ids)), total


async def search_entries(
    session: AsyncSession, query: str, *, limit: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """Full text over names, aliases, titles, authors, orgs and descriptions, best first."""
    ids, total = await fts.search(session, query, limit=limit, offset=offset)
    return await _load(session, ids), total


async def surveys(
    session: AsyncSession, query: str | None, *, limit: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """Surveys, newest first; ``query`` (full text) narrows them."""
    if query and fts.query_terms(query):
        ids, total = await fts.search(
            session, query, kinds=("survey",), order="date", limit=limit, offset=offset
        )
        return await _load(session, ids), total
    rows = (
        await session.scalars(
            select(m.Entry.id)
            .where(m.Entry.kind == "survey")
            .order_by(*_date_order_for(session))
            .limit(max(0, limit))
            .offset(max(0, offset))
        )
    ).all()
    total = await session.scalar(select(func.count()).select_from(m.Entry).where(m.Entry.kind == "survey"))
    return await _load(session, list(rows)), int(total or 0)


async def by_org(
    session: AsyncSession, org: str, *, limit: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """Entries from an organisation, newest first. Word match, so "google" finds "Google
    Research", "Google AI" and "Google/CMU"; case and diacritics do not matter."""
    ids, total = await fts.search(session, org, columns=("org",), order="date", limit=limit, offset=offset)
    return await _load(session, ids), total


async def by_author(
    session: AsyncSession, name: str, *, limit: int = 10, offset: int = 0
) -> tuple[list[EntryHit], int]:
    """Entries with an author matching every word of ``name`` ("Kaiming He"), newest first."""
    ids, total = await fts.search(
        session, name, columns=("authors",), order="date", limit=limit, offset=offset
    )
    return await _load(session, ids), total


# --------------------------------------------------------------------------------------------
# Moderation


async def set_topics(session: AsyncSession, entry_id: int, topics: Sequence[str]) -> EntryHit:
    """A moderator's correction: the entry's topics become exactly ``topics`` (source
    ``moderator``), which later imports keep. An empty list goes back to the classifier.

    Raises :class:`UnknownTopic` for a topic not in the taxonomy and :class:`LookupError` for an
    unknown entry id.
    """
    slugs = list(dict.fromkeys(resolve_topic(t) for t in topics))
    row = await session.scalar(
        select(m.Entry).where(m.Entry.id == entry_id).options(*catalog.entry_load_options())
    )
    if row is None:
        raise LookupError(f"no entry with id {entry_id}")
    source = "moderator"
    if not slugs:
        slugs = list(catalog._topics_for(catalog.to_domain(row)))
        source = "auto"
    await catalog._Writer(session).ensure_topics(slugs)
    existing = {t.topic_slug: t for t in row.topics}
    keep = []
    for slug in slugs:
        link = existing.get(slug) or m.EntryTopic(topic_slug=slug)
        link.source = source
        keep.append(link)
    row.topics = keep
    await session.flush()
    return (await _load(session, [entry_id], refresh=True))[0]


# --------------------------------------------------------------------------------------------
# JSON


def entry_json(entry: Entry) -> dict[str, Any]:
    """The entry as the CLI's ``--json`` prints it (``date``: "YYYY-MM", "YYYY" or null)."""
    return {
        "kind": str(entry.kind),
        "name": entry.name,
        "date": entry.date,
        "org": entry.org,
        "paper_title": full_paper_title(entry),
        "paper_url": entry.paper_url,
        "arxiv_id": entry.arxiv_id,
        "docs_url": entry.docs_url,
        "authors": list(entry.authors),
        "topics": list(entry.topics),
        "aliases": list(entry.aliases),
        "section": entry.section,
        "description": entry.description,
        "links": [{"url": ln.url, "label": ln.label} for ln in entry.links],
    }
