"""The apply stage: write a plan with bulk statements (a few per table, in batches of 500 rows) and
rebuild the search index of the touched entries once. Never commits: the caller owns the unit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.auto_topics import new_topic_row
from bot.catalog.importing.plan import Plan
from bot.catalog.importing.state import fingerprint
from bot.catalog.listformat import full_paper_title
from bot.catalog.model import Entry
from db import models as m
from db.normalize import fold, norm_key, norm_title
from db.search import reindex_sync

__all__ = ["BATCH", "CatalogChanged", "Progress", "apply_plan"]

Progress = Callable[[str, int, int], None]

# Bulk statements are sent in batches of this many rows.
BATCH = 500


class CatalogChanged(Exception):
    """Another writer changed the catalog between planning and writing: plan again."""


def _chunks(items: Sequence[Any], size: int = BATCH) -> list[Sequence[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


@dataclass(slots=True)
class _Ticker:
    progress: Progress | None
    total: int
    done: int = 0

    def __call__(self, n: int) -> None:
        self.done += n
        if self.progress is not None:
            self.progress("writing", self.done, self.total)


async def apply_plan(session: AsyncSession, plan: Plan, *, progress: Progress | None = None) -> list[int]:
    """Write a plan in the session's transaction (never commits). Returns the touched entry ids.

    Raises :class:`CatalogChanged` when the catalog is no longer the one the plan was made from.
    """
    if await fingerprint(session) != plan.fingerprint:
        raise CatalogChanged
    now = m.utcnow()
    tick = _Ticker(progress, len(plan.add) + len(plan.update))
    await _write_structure(session, plan)
    for chunk in _chunks(plan.delete):
        await session.execute(delete(m.Entry).where(m.Entry.id.in_(chunk)))
    written = [e for e, _ in plan.add] + [e for _, e, _, _ in plan.update]
    if not written and not plan.move:
        return []
    # Authors, papers and topics: look up what exists in a few queries, insert the rest in bulk.
    author_ids = await _ensure_authors(session, {a for e in written for a in e.authors})
    rows = _EntryRows(paper_ids=await _ensure_papers(session, written), now=now)
    await _ensure_topics(session, {t for ts in plan.topics.values() for t in ts})
    ids_added = await _insert_entries(session, plan, rows, tick)
    ids_updated = await _update_entries(session, plan, rows, tick)
    table = m.Entry.__table__
    if plan.move:
        await session.execute(
            update(table).where(table.c.id == bindparam("b_id")).values(position=bindparam("b_position")),
            [{"b_id": i, "b_position": p} for i, p in plan.move],
        )
    pairs = list(zip(ids_added, (e for e, _ in plan.add), strict=True)) + [
        (i, e) for i, e, _, _ in plan.update
    ]
    await _write_children(session, plan, pairs, author_ids, ids_updated)
    touched = ids_added + ids_updated
    # The search index, once for every touched entry (bulk statements bypass the flush listener).
    # reindex_sync writes SQLite's FTS5 rows or PostgreSQL's tsvector rows (a no-op elsewhere).
    conn = await session.connection()
    if touched:
        if progress is not None:
            progress("indexing", 0, len(touched))
        await conn.run_sync(reindex_sync, touched)
    return touched


async def _write_structure(session: AsyncSession, plan: Plan) -> None:
    """The title and the sections (replaced, added, intros changed)."""
    if plan.set_title:
        await session.execute(delete(m.Meta).where(m.Meta.key == "title"))
        if plan.title is not None:
            await session.execute(insert(m.Meta).values(key="title", value=plan.title))
    if plan.sections_replace is not None:
        await session.execute(delete(m.Section))
        new_sections = plan.sections_replace
    else:
        new_sections = plan.sections_new
    if new_sections:
        await session.execute(
            insert(m.Section),
            [
                {
                    "key": s.key,
                    "title": s.title,
                    "level": s.level,
                    "intro": s.intro,
                    "kind": str(s.kind),
                    "position": p,
                }
                for s, p in new_sections
            ],
        )
    for key, intro in plan.sections_intro:
        await session.execute(update(m.Section).where(m.Section.key == key).values(intro=intro))


@dataclass(slots=True)
class _EntryRows:
    paper_ids: dict[str, int]
    now: datetime

    def _paper_id(self, entry: Entry) -> int | None:
        key = _paper_key(entry)
        return None if key is None else self.paper_ids.get(key)

    def values(self, entry: Entry) -> dict[str, Any]:
        """An entry's columns (without its position and origin)."""
        return {
            "kind": str(entry.kind),
            "name": entry.name,
            "norm_name": norm_key(entry.name),
            "section_key": entry.section,
            "year": entry.year,
            "month": entry.month,
            "date_style": str(entry.date_style),
            "org": entry.org,
            "docs_url": entry.docs_url,
            "paper_id": self._paper_id(entry),
            "paper_title": entry.paper_title,
            "paper_url": entry.paper_url,
            "arxiv_id": entry.arxiv_id,
            "description": entry.description,
            "phrasing": dict(entry.phrasing),
            "source_line": entry.source_line,
            "updated_at": self.now,
        }


async def _insert_entries(session: AsyncSession, plan: Plan, rows: _EntryRows, tick: _Ticker) -> list[int]:
    """The new entries; their ids in the plan's order."""
    table = m.Entry.__table__
    # Inserted without RETURNING (on SQLite, RETURNING in parameter order costs one statement per
    # row), then the new ids are read back by (kind, name), which is unique.
    new_ids: dict[tuple[str, str], int] = {}
    for chunk in _chunks(plan.add):
        values = [
            {**rows.values(e), "position": p, "origin": "list", "created_at": rows.now} for e, p in chunk
        ]
        await session.execute(insert(table), values)
        for kind in {r["kind"] for r in values}:
            names = [r["name"] for r in values if r["kind"] == kind]
            found = await session.execute(
                select(table.c.name, table.c.id).where(table.c.kind == kind, table.c.name.in_(names))
            )
            new_ids.update(((kind, n), i) for n, i in found.all())
        tick(len(chunk))
    return [new_ids[(str(e.kind), e.name)] for e, _ in plan.add]


async def _update_entries(session: AsyncSession, plan: Plan, rows: _EntryRows, tick: _Ticker) -> list[int]:
    """The updated entries, their authors, links and aliases cleared (written again); their ids."""
    ids_updated = [i for i, _, _, _ in plan.update]
    if not plan.update:
        return ids_updated
    table = m.Entry.__table__
    stmt = (
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values({k: bindparam(f"b_{k}") for k in (*rows.values(plan.update[0][1]), "position")})
    )
    for chunk in _chunks(plan.update):
        await session.execute(
            stmt,
            [
                {"b_id": i, **{f"b_{k}": v for k, v in rows.values(e).items()}, "b_position": p}
                for i, e, p, _ in chunk
            ],
        )
        tick(len(chunk))
    for chunk in _chunks(ids_updated):
        for child in (m.EntryAuthor, m.EntryLink, m.Alias):
            await session.execute(delete(child).where(child.entry_id.in_(chunk)))
    return ids_updated


async def _write_children(
    session: AsyncSession,
    plan: Plan,
    pairs: list[tuple[int, Entry]],
    author_ids: dict[str, int],
    ids_updated: list[int],
) -> None:
    """Authors, links, aliases and automatic topics of every written entry."""
    entry_authors = [
        {"entry_id": i, "position": n, "author_id": author_ids[a]}
        for i, e in pairs
        for n, a in enumerate(e.authors)
    ]
    entry_links = [
        {"entry_id": i, "position": n, "url": ln.url, "label": ln.label, "label_own_line": ln.label_own_line}
        for i, e in pairs
        for n, ln in enumerate(e.links)
    ]
    aliases = []
    for i, e in pairs:
        seen: set[str] = set()
        for alias in plan.aliases.get(id(e), []):
            key = norm_key(alias)
            if key and key not in seen:
                seen.add(key)
                aliases.append({"entry_id": i, "alias": alias, "norm_alias": key})
    moderated = await _clear_auto_topics(session, ids_updated)
    entry_topics = [
        {"entry_id": i, "topic_slug": t, "source": "auto"}
        for i, e in pairs
        if i not in moderated
        for t in plan.topics.get(id(e), [])
    ]
    for model, rows in (
        (m.EntryAuthor, entry_authors),
        (m.EntryLink, entry_links),
        (m.Alias, aliases),
        (m.EntryTopic, entry_topics),
    ):
        for chunk in _chunks(rows, BATCH * 4):
            await session.execute(insert(model.__table__), list(chunk))


async def _clear_auto_topics(session: AsyncSession, ids_updated: list[int]) -> set[int]:
    """Topics: a new entry gets its automatic topics; an updated one too, unless a moderator set
    them. Deletes the updated entries' automatic topics; returns the ids a moderator tagged."""
    moderated: set[int] = set()
    for chunk in _chunks(ids_updated):
        moderated |= set(
            (
                await session.scalars(
                    select(m.EntryTopic.entry_id).where(
                        m.EntryTopic.entry_id.in_(chunk), m.EntryTopic.source == "moderator"
                    )
                )
            ).all()
        )
        await session.execute(
            delete(m.EntryTopic).where(m.EntryTopic.entry_id.in_(chunk), m.EntryTopic.source == "auto")
        )
    return moderated


def _paper_key(entry: Entry) -> str | None:
    title = full_paper_title(entry)
    if not title and not entry.arxiv_id:
        return None
    return entry.arxiv_id or "title:" + norm_title(title or "")


async def _ensure_authors(session: AsyncSession, names: set[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    wanted = sorted(names)
    for chunk in _chunks(wanted):
        ids.update(
            (await session.execute(select(m.Author.name, m.Author.id).where(m.Author.name.in_(chunk)))).all()
        )
    missing = [n for n in wanted if n not in ids]
    for chunk in _chunks(missing):
        await session.execute(insert(m.Author.__table__), [{"name": n, "norm_name": fold(n)} for n in chunk])
        found = await session.execute(select(m.Author.name, m.Author.id).where(m.Author.name.in_(chunk)))
        ids.update(found.all())
    return ids


async def _ensure_papers(session: AsyncSession, entries: Sequence[Entry]) -> dict[str, int]:
    """Paper ids by paper key (an arXiv id or "title:" and the normalised title); missing rows added."""
    wanted: dict[str, Entry] = {}
    for e in entries:
        key = _paper_key(e)
        if key is not None:
            wanted.setdefault(key, e)
    ids: dict[str, int] = {}
    arxiv = [k for k in wanted if not k.startswith("title:")]
    titles = [k[len("title:") :] for k in wanted if k.startswith("title:")]
    for chunk in _chunks(arxiv):
        ids.update(await _papers_by_arxiv_id(session, chunk))
    for chunk in _chunks(titles):
        rows = await session.execute(
            select(m.Paper.norm_title, m.Paper.id)
            .where(m.Paper.arxiv_id.is_(None), m.Paper.norm_title.in_(chunk))
            .order_by(m.Paper.id)
        )
        for t, i in rows.all():
            ids.setdefault("title:" + t, i)
    for chunk in _chunks([k for k in wanted if k not in ids]):
        await _insert_papers(session, chunk, wanted, ids)
    return ids


async def _insert_papers(
    session: AsyncSession, chunk: Sequence[str], wanted: dict[str, Entry], ids: dict[str, int]
) -> None:
    rows = []
    for k in chunk:
        e = wanted[k]
        title = full_paper_title(e)
        rows.append({"arxiv_id": e.arxiv_id, "title": title or e.name, "norm_title": norm_title(title or "")})
    await session.execute(insert(m.Paper.__table__), rows)
    arxiv = [k for k in chunk if not k.startswith("title:")]
    if arxiv:
        ids.update(await _papers_by_arxiv_id(session, arxiv))
    titles = [r["norm_title"] for k, r in zip(chunk, rows, strict=True) if k.startswith("title:")]
    if titles:
        # The newest row of a title is the one just inserted (older ones were found above).
        newest = await session.execute(
            select(m.Paper.norm_title, func.max(m.Paper.id))
            .where(m.Paper.arxiv_id.is_(None), m.Paper.norm_title.in_(titles))
            .group_by(m.Paper.norm_title)
        )
        ids.update(("title:" + t, i) for t, i in newest.all())


async def _papers_by_arxiv_id(session: AsyncSession, arxiv_ids: Sequence[str]) -> dict[str, int]:
    """The ids of the papers with these arXiv ids (``IN`` never matches a NULL ``arxiv_id``)."""
    rows = await session.execute(select(m.Paper.arxiv_id, m.Paper.id).where(m.Paper.arxiv_id.in_(arxiv_ids)))
    return {arxiv_id: paper_id for arxiv_id, paper_id in rows.all() if arxiv_id is not None}


async def _ensure_topics(session: AsyncSession, slugs: set[str]) -> None:
    if not slugs:
        return
    have = set((await session.scalars(select(m.Topic.slug))).all())
    missing = sorted(slugs - have)
    if missing:
        await session.execute(insert(m.Topic.__table__), [new_topic_row(slug) for slug in missing])
