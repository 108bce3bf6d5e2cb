"""The state stage: the catalog as an import sees it, read in six queries (no per-entry look-ups)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.listformat import ListDocument, Section, parse_list, render_list
from bot.catalog.model import Entry, EntryKind, Link, entry_from_columns
from db import models as m

__all__ = ["CatalogState", "Stored", "StoredSection", "fingerprint", "load_state", "parse_for_catalog"]


@dataclass(slots=True)
class Stored:
    id: int
    entry: Entry
    origin: str
    position: float
    topics: list[tuple[str, str]]  # (slug, source)


@dataclass(slots=True)
class StoredSection:
    section: Section
    position: int


@dataclass(slots=True)
class CatalogState:
    title: str | None
    sections: list[StoredSection]
    entries: list[Stored]  # in document order
    fingerprint: tuple

    @property
    def empty(self) -> bool:
        return not self.entries and not self.sections

    def export(self) -> str:
        return render_list(self.title, [s.section for s in self.sections], [s.entry for s in self.entries])


async def fingerprint(session: AsyncSession) -> tuple:
    """Changes when any writer changed the catalog (compared before writing a plan)."""
    row = (
        await session.execute(
            select(
                func.count(m.Entry.id),
                func.max(m.Entry.id),
                func.max(m.Entry.updated_at),
                func.sum(m.Entry.position),
            )
        )
    ).one()
    sections = (await session.execute(select(func.count(m.Section.id), func.max(m.Section.id)))).one()
    title = await session.scalar(select(m.Meta.value).where(m.Meta.key == "title"))
    return (*row, *sections, title)


async def load_state(session: AsyncSession) -> CatalogState:
    """Everything an import compares against, in six queries (no per-entry look-ups)."""
    stamp = await fingerprint(session)
    title = await session.scalar(select(m.Meta.value).where(m.Meta.key == "title"))
    sections = [
        StoredSection(Section(r.key, r.title, r.level, r.intro, EntryKind(r.kind)), r.position)
        for r in (await session.scalars(select(m.Section).order_by(m.Section.position))).all()
    ]
    sec_pos = {s.section.key: s.position for s in sections}
    rows = (await session.execute(select(m.Entry.__table__))).all()
    children = await _load_children(session)
    stored = [_stored(r, children) for r in rows]
    stored.sort(key=lambda s: (sec_pos.get(s.entry.section, 10_000), s.position, s.id))
    return CatalogState(title=title, sections=sections, entries=stored, fingerprint=stamp)


@dataclass(slots=True)
class _Children:
    authors: dict[int, list[str]]
    links: dict[int, list[Link]]
    topics: dict[int, list[tuple[str, str]]]
    aliases: dict[int, list[str]]


async def _load_children(session: AsyncSession) -> _Children:
    """Every entry's authors, links, topics and aliases, by entry id (one query each)."""
    out = _Children({}, {}, {}, {})
    for entry_id, name in await session.execute(
        select(m.EntryAuthor.entry_id, m.Author.name)
        .join(m.Author, m.Author.id == m.EntryAuthor.author_id)
        .order_by(m.EntryAuthor.entry_id, m.EntryAuthor.position)
    ):
        out.authors.setdefault(entry_id, []).append(name)
    for link in await session.execute(
        select(m.EntryLink.entry_id, m.EntryLink.url, m.EntryLink.label, m.EntryLink.label_own_line).order_by(
            m.EntryLink.entry_id, m.EntryLink.position
        )
    ):
        out.links.setdefault(link.entry_id, []).append(Link(link.url, link.label, bool(link.label_own_line)))
    for topic in await session.execute(
        select(m.EntryTopic.entry_id, m.EntryTopic.topic_slug, m.EntryTopic.source)
    ):
        out.topics.setdefault(topic.entry_id, []).append((topic.topic_slug, topic.source))
    for alias in await session.execute(select(m.Alias.entry_id, m.Alias.alias).order_by(m.Alias.id)):
        out.aliases.setdefault(alias.entry_id, []).append(alias.alias)
    return out


def _stored(r: Any, children: _Children) -> Stored:
    topics = children.topics.get(r.id, [])
    return Stored(
        id=r.id,
        entry=entry_from_columns(
            r._mapping,
            authors=children.authors.get(r.id, []),
            links=children.links.get(r.id, []),
            topics=(t for t, _ in topics),
            aliases=children.aliases.get(r.id, []),
        ),
        origin=r.origin,
        position=r.position,
        topics=topics,
    )


def parse_for_catalog(text: str, state: CatalogState) -> ListDocument:
    """Parse a list, reading headings the catalog knows with the kind the catalog gives them."""
    hints = {s.section.title.casefold(): s.section.kind for s in state.sections if s.section.title}
    return parse_list(text, section_kinds=hints)
