"""What every export format renders: the catalog's title, its sections in order, and its entries in
document order, each with the database's id and times (pure data; no session, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.catalog.listformat.document import Section
from bot.catalog.model import Entry

__all__ = ["CatalogExport", "StampedEntry", "by_section", "paper_link"]


@dataclass(frozen=True, slots=True)
class StampedEntry:
    """One entry as stored: its row id, when it joined the catalog and when it last changed (UTC)."""

    id: int
    entry: Entry
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class CatalogExport:
    """The whole catalog, read in one unit of work, for a renderer."""

    title: str | None
    sections: Sequence[Section]
    entries: Sequence[StampedEntry]
    # arXiv id -> its primary category, where the catalog knows it (papers the watcher saw).
    categories: Mapping[str, str] = field(default_factory=dict)


def by_section(export: CatalogExport) -> list[tuple[Section, list[StampedEntry]]]:
    """The sections in order, each with its entries (an entry whose section the catalog does not
    know comes last, under a section named by its key: never dropped); sections with no entries
    are kept (a heading with an intro is part of the list)."""
    grouped: dict[str, list[StampedEntry]] = {}
    for stamped in export.entries:
        grouped.setdefault(stamped.entry.section, []).append(stamped)
    out = [(s, grouped.pop(s.key, [])) for s in export.sections]
    out.extend((Section(key, key, 2), items) for key, items in grouped.items())
    return out


def paper_link(entry: Entry) -> str | None:
    """Where the entry's paper is read: its arXiv abs page when it is on arXiv (whatever URL the list
    uses), else the list's paper URL, else the docs."""
    if entry.arxiv_id:
        return f"https://arxiv.org/abs/{entry.arxiv_id}"
    return entry.paper_url or entry.docs_url
