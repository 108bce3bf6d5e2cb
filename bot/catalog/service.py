"""The catalog service: import a list into the database (merging), read it back, export it.

Every function takes an open ``AsyncSession`` and never commits: the caller owns the unit of
work (one CLI command, one interaction, one job run).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib import resources
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from bot.catalog.aliases import derive_aliases
from bot.catalog.auto_topics import entry_topics, new_topic_row
from bot.catalog.exports import DEFAULT_FORMAT, CatalogExport, StampedEntry, render_export
from bot.catalog.importer import (
    ImportOptions,
    ImportReport,
    decode_list_bytes,
    import_in_session,
    record_revision,
)
from bot.catalog.listformat import ParseProblem, Section, full_paper_title, render_list, settle_author_style
from bot.catalog.model import DateStyle, Entry, EntryKind, Link
from db import models as m
from db.normalize import fold, norm_key, norm_title

log = logging.getLogger(__name__)

__all__ = [
    "ImportReport",
    "add_entry",
    "decode_list_bytes",
    "derive_aliases",
    "entry_topics",
    "export_as",
    "export_data",
    "export_markdown",
    "import_text",
    "load_entries",
    "record_revision",
    "shipped_list_text",
]


def shipped_list_text() -> str:
    """The list this package ships: a new catalog starts from it."""
    return resources.files("bot").joinpath("data/ptm-list.md").read_text(encoding="utf-8")


# --------------------------------------------------------------------------------------------
# ORM <-> domain


def to_domain(row: m.Entry) -> Entry:
    return Entry(
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
        authors=[ea.author.name for ea in row.authors],
        links=[Link(ln.url, ln.label, ln.label_own_line) for ln in row.links],
        description=row.description,
        phrasing=dict(row.phrasing or {}),
        source_line=row.source_line,
        topics=sorted(t.topic_slug for t in row.topics),
        aliases=[a.alias for a in row.aliases],
    )


def entry_load_options() -> list[Any]:
    return [
        selectinload(m.Entry.authors).selectinload(m.EntryAuthor.author),
        selectinload(m.Entry.links),
        selectinload(m.Entry.topics),
        selectinload(m.Entry.aliases),
    ]


class CatalogWriter:
    """Writes domain entries into rows, caching authors, papers and topics within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.authors: dict[str, m.Author] = {}
        self.papers: dict[str, m.Paper] = {}
        self.topics: set[str] | None = None

    async def _author(self, name: str) -> m.Author:
        if name not in self.authors:
            row = await self.session.scalar(select(m.Author).where(m.Author.name == name))
            if row is None:
                row = m.Author(name=name, norm_name=fold(name))
                self.session.add(row)
            self.authors[name] = row
        return self.authors[name]

    async def _paper(self, entry: Entry) -> m.Paper | None:
        title = full_paper_title(entry)
        if not title and not entry.arxiv_id:
            return None
        key = entry.arxiv_id or "title:" + norm_title(title or "")
        if key not in self.papers:
            if entry.arxiv_id:
                stmt = select(m.Paper).where(m.Paper.arxiv_id == entry.arxiv_id)
            else:
                stmt = select(m.Paper).where(
                    m.Paper.arxiv_id.is_(None), m.Paper.norm_title == norm_title(title or "")
                )
            row = (await self.session.scalars(stmt.limit(1))).first()
            if row is None:
                row = m.Paper(
                    arxiv_id=entry.arxiv_id, title=title or entry.name, norm_title=norm_title(title or "")
                )
                self.session.add(row)
            self.papers[key] = row
        return self.papers[key]

    async def ensure_topics(self, slugs: list[str]) -> None:
        if self.topics is None:
            self.topics = set((await self.session.scalars(select(m.Topic.slug))).all())
        missing = [s for s in slugs if s not in self.topics]
        if not missing:
            return
        for slug in missing:
            self.session.add(m.Topic(**new_topic_row(slug)))
            self.topics.add(slug)
        await self.session.flush()

    async def write(self, row: m.Entry, entry: Entry, *, topics: list[str] | None) -> None:
        row.kind = str(entry.kind)
        row.name = entry.name
        row.norm_name = norm_key(entry.name)
        row.section_key = entry.section
        row.year, row.month = entry.year, entry.month
        row.date_style = str(entry.date_style)
        row.org = entry.org
        row.docs_url = entry.docs_url
        row.paper_title = entry.paper_title
        row.paper_url = entry.paper_url
        row.arxiv_id = entry.arxiv_id
        row.description = entry.description
        row.phrasing = dict(entry.phrasing)
        row.source_line = entry.source_line
        row.paper = await self._paper(entry)
        row.authors = [
            m.EntryAuthor(position=i, author=await self._author(name)) for i, name in enumerate(entry.authors)
        ]
        row.links = [
            m.EntryLink(position=i, url=ln.url, label=ln.label, label_own_line=ln.label_own_line)
            for i, ln in enumerate(entry.links)
        ]
        aliases = entry.aliases or derive_aliases(entry)
        # Keep the rows of aliases that stay: (entry_id, norm_alias) is unique, and a flush inserts
        # new rows before it deletes orphans.
        kept = {a.norm_alias: a for a in row.aliases}
        wanted: dict[str, str] = {}
        for alias in aliases:
            wanted.setdefault(norm_key(alias), alias)
        wanted.pop("", None)
        row.aliases = [
            _reuse_alias(kept[key], alias) if key in kept else m.Alias(alias=alias, norm_alias=key)
            for key, alias in wanted.items()
        ]
        if topics is not None:
            keep = [t for t in row.topics if t.source == "moderator"] if row.id else []
            if keep:
                row.topics = keep
            else:
                await self.ensure_topics(topics)
                row.topics = [m.EntryTopic(topic_slug=t, source="auto") for t in dict.fromkeys(topics)]


def _reuse_alias(row: m.Alias, alias: str) -> m.Alias:
    row.alias = alias
    return row


def _new_row(position: float, origin: str) -> m.Entry:
    # Collections start empty so that assigning them never triggers a (forbidden) lazy load.
    return m.Entry(position=position, origin=origin, authors=[], links=[], topics=[], aliases=[])


async def _entry_rows(session: AsyncSession, *, kind: str | None = None) -> Sequence[m.Entry]:
    stmt = (
        select(m.Entry)
        .outerjoin(m.Section, m.Section.key == m.Entry.section_key)
        .options(*entry_load_options())
        .order_by(func.coalesce(m.Section.position, 10_000), m.Entry.position, m.Entry.id)
    )
    if kind:
        stmt = stmt.where(m.Entry.kind == kind)
    return (await session.scalars(stmt)).all()


async def load_entries(session: AsyncSession, *, kind: str | None = None) -> list[Entry]:
    """All entries in document order (section order, then position)."""
    return [to_domain(r) for r in await _entry_rows(session, kind=kind)]


async def load_sections(session: AsyncSession) -> list[Section]:
    rows = (await session.scalars(select(m.Section).order_by(m.Section.position))).all()
    return [Section(r.key, r.title, r.level, r.intro, EntryKind(r.kind)) for r in rows]


# --------------------------------------------------------------------------------------------
# Import (the stages live in bot/catalog/importing/, run by bot/catalog/importer.py)


async def import_text(
    session: AsyncSession,
    text: str,
    *,
    source: str,
    extra: list[ParseProblem] | None = None,
    options: ImportOptions | None = None,
    action: str = "import",
) -> ImportReport:
    """Merge a list's markdown into the catalog in this session (read, plan, write, record)."""
    return await import_in_session(
        session, text, source=source, extra=extra or (), options=options, action=action
    )


async def is_empty(session: AsyncSession) -> bool:
    return (await session.scalar(select(func.count()).select_from(m.Entry))) == 0


async def seed_if_empty(session: AsyncSession) -> ImportReport | None:
    """Fill a new catalog from the shipped list (not one left empty on purpose: ``init --empty``,
    or emptied by a revert: both are revisions)."""
    if not await is_empty(session) or await session.scalar(select(func.count(m.CatalogRevision.id))):
        return None
    return await import_text(session, shipped_list_text(), source="shipped list", action="seed")


async def start_empty(session: AsyncSession) -> bool:
    """Mark a new, empty catalog as empty on purpose (so it is never filled from the shipped list)."""
    if not await is_empty(session) or await session.scalar(select(func.count(m.CatalogRevision.id))):
        return False
    session.add(
        m.CatalogRevision(action="seed", source="empty catalog (init --empty)", summary="", before="\n")
    )
    await session.flush()
    return True


# --------------------------------------------------------------------------------------------
# Adding entries and export


async def _position_for(session: AsyncSession, entry: Entry) -> float:
    rows = (
        await session.execute(
            select(m.Entry.name, m.Entry.position)
            .where(m.Entry.section_key == entry.section)
            .order_by(m.Entry.position, m.Entry.id)
        )
    ).all()
    if not rows:
        return 1.0
    if entry.kind is EntryKind.SURVEY:
        # The Survey section runs newest first: a new survey goes on top.
        return rows[0].position - 1.0
    key = fold(entry.name)
    for i, r in enumerate(rows):
        if fold(r.name) > key:
            prev = rows[i - 1].position if i else r.position - 1.0
            return (prev + r.position) / 2
    return rows[-1].position + 1.0


async def add_entry(session: AsyncSession, entry: Entry, *, origin: str = "admin") -> m.Entry:
    """Insert one new entry at its place in its section (alphabetical for models, top for surveys)."""
    if not entry.section:
        entry.section = await _default_section(session, entry.kind)
    settle_author_style(entry)
    row = _new_row(await _position_for(session, entry), origin)
    session.add(row)
    await CatalogWriter(session).write(row, entry, topics=entry.topics or entry_topics(entry))
    await session.flush()
    return row


async def update_entry(session: AsyncSession, row: m.Entry, entry: Entry) -> None:
    """Write a moderator's correction of one entry (its topics are left as they are)."""
    settle_author_style(entry)
    await CatalogWriter(session).write(row, entry, topics=None)
    await session.flush()


async def _default_section(session: AsyncSession, kind: EntryKind) -> str:
    wanted = {EntryKind.SURVEY: "survey", EntryKind.MODEL: "model", EntryKind.RESOURCE: "resource"}[kind]
    key = await session.scalar(
        select(m.Section.key)
        .where(m.Section.kind == wanted)
        .order_by(m.Section.level, m.Section.position)
        .limit(1)
    )
    return key or {"survey": "Survey", "model": "PTM", "resource": "Resources"}[wanted]


async def export_markdown(session: AsyncSession) -> str:
    """The catalog in the list's own markdown."""
    title = await session.get(m.Meta, "title")
    return render_list(
        title.value if title else None, await load_sections(session), await load_entries(session)
    )


async def export_data(session: AsyncSession) -> CatalogExport:
    """What every export format renders (:mod:`bot.catalog.exports`): title, sections, entries in
    document order with their ids and times, and the primary arXiv category of the papers the
    watcher saw."""
    title = await session.get(m.Meta, "title")
    rows = await _entry_rows(session)
    ids = {r.arxiv_id for r in rows if r.arxiv_id}
    categories: dict[str, str] = {}
    if ids:
        found = await session.execute(
            select(m.Suggestion.arxiv_id, m.Suggestion.categories).where(m.Suggestion.arxiv_id.in_(ids))
        )
        categories = {arxiv_id: cats[0] for arxiv_id, cats in found if cats}
    return CatalogExport(
        title=title.value if title else None,
        sections=await load_sections(session),
        entries=[StampedEntry(r.id, to_domain(r), r.created_at, r.updated_at) for r in rows],
        categories=categories,
    )


async def export_as(session: AsyncSession, fmt: str) -> str:
    """The catalog in the export format named *fmt* (``md`` is :func:`export_markdown`'s text)."""
    if fmt == DEFAULT_FORMAT:
        return await export_markdown(session)
    return render_export(fmt, await export_data(session))


async def remove_entries(session: AsyncSession, ids: list[int]) -> None:
    await session.execute(delete(m.Entry).where(m.Entry.id.in_(ids)))
