"""The catalog's domain types: an entry of the list (a survey, a model or a resource) and its parts.

Named here once; the list's markdown (:mod:`bot.catalog.listformat`) only converts to and from them,
and the database rows become them through :func:`entry_from_columns`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.reads import Row

__all__ = [
    "AuthorStyle",
    "DateStyle",
    "Entry",
    "EntryHit",
    "EntryKind",
    "Link",
    "entry_from_columns",
    "format_date",
]


class EntryKind(StrEnum):
    SURVEY = "survey"
    MODEL = "model"
    RESOURCE = "resource"


class DateStyle(StrEnum):
    YYMM = "yymm"  # "2202:"
    YEAR = "year"  # "2020:" (a bare year)
    NONE = "none"  # ": [GPT](...)"


class AuthorStyle(StrEnum):
    COMMA = "comma"  # A, B, C
    COMMA_AND = "comma_and"  # A, B and C
    OXFORD = "oxford"  # A, B, and C
    AND = "and"  # A and B and C


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    label: str | None = None
    # In resource blocks a label sometimes stands on its own line above its URL.
    label_own_line: bool = False


@dataclass(slots=True)
class Entry:
    """One entry of the list, in structured form (also the catalog's domain object)."""

    kind: EntryKind
    name: str
    section: str = ""
    year: int | None = None
    month: int | None = None
    date_style: DateStyle = DateStyle.YYMM
    org: str | None = None
    docs_url: str | None = None
    paper_title: str | None = None
    paper_url: str | None = None
    arxiv_id: str | None = None
    authors: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    description: str | None = None
    # Phrasing, so the exporter can write the line back the way the list has it.
    phrasing: dict[str, str] = field(default_factory=dict)
    source_line: int | None = None
    topics: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)

    @property
    def date(self) -> str | None:
        return format_date(self.year, self.month)

    def key(self) -> tuple[str, str]:
        return (str(self.kind), self.name)

    def content(self) -> tuple:
        """Everything that the list's markdown carries (used for round-trip and change detection)."""
        return (
            str(self.kind),
            self.name,
            self.section,
            self.year,
            self.month,
            str(self.date_style),
            self.org,
            self.docs_url,
            self.paper_title,
            self.paper_url,
            self.arxiv_id,
            tuple(self.authors),
            tuple(self.links),
            self.description,
            tuple(sorted(self.phrasing.items())),
        )


@dataclass(frozen=True)
class EntryHit:
    """A stored entry and its database id, as the queries return it."""

    id: int
    entry: Entry


def format_date(year: int | None, month: int | None) -> str | None:
    if year is None:
        return None
    return f"{year:04d}-{month:02d}" if month else f"{year:04d}"


def entry_from_columns(
    row: Row,
    *,
    authors: Iterable[str] = (),
    links: Iterable[Link] = (),
    topics: Iterable[str] = (),
    aliases: Iterable[str] = (),
) -> Entry:
    """The domain entry of one ``entries`` row (its columns by name) and its child rows."""
    phrasing = row["phrasing"]
    if isinstance(phrasing, str):  # a driver's text of the JSON column (the one-trip SQLite read)
        phrasing = json.loads(phrasing)
    return Entry(
        kind=EntryKind(row["kind"]),
        name=row["name"],
        section=row["section_key"],
        year=row["year"],
        month=row["month"],
        date_style=DateStyle(row["date_style"]),
        org=row["org"],
        docs_url=row["docs_url"],
        paper_title=row["paper_title"],
        paper_url=row["paper_url"],
        arxiv_id=row["arxiv_id"],
        authors=list(authors),
        links=list(links),
        description=row["description"],
        phrasing=dict(phrasing or {}),
        source_line=row["source_line"],
        topics=sorted(topics),
        aliases=list(aliases),
    )
