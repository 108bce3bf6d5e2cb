"""``atom``: the newest additions as an Atom 1.0 feed (RFC 4287), newest first.

Ids are ``tag:`` URIs (RFC 4151) made from what names an entry in the catalog, its kind and name
(unique together, the same in every export and in every copy of the catalog), never from a row id
or the time of the export; a renamed entry is a new item. ``published`` is when the entry joined
the catalog, ``updated`` when it last changed; the feed's ``updated`` is the latest of those, so
an unchanged catalog gives the same feed, byte for byte.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import quote

from bot.catalog.exports.data import CatalogExport, StampedEntry, paper_link
from bot.catalog.listformat.lines import full_paper_title

__all__ = ["ATOM_ITEMS", "FEED_ID", "entry_tag", "newest", "render_atom"]

ATOM_NS = "http://www.w3.org/2005/Atom"
ATOM_ITEMS = 50
TAG_AUTHORITY = "ptm-bot.github.io,2024"
FEED_ID = f"tag:{TAG_AUTHORITY}:catalog"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Characters XML 1.0 does not allow in a document, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def entry_tag(stamped: StampedEntry) -> str:
    """The entry's stable id: ``tag:ptm-bot.github.io,2024:model/BERT``."""
    entry = stamped.entry
    return f"tag:{TAG_AUTHORITY}:{entry.kind}/{quote(entry.name, safe='')}"


def newest(export: CatalogExport, count: int = ATOM_ITEMS) -> list[StampedEntry]:
    """The *count* entries added last, newest first: by ``created_at``; entries added together (a
    list imported at once) by their own date, then row id."""

    def order(s: StampedEntry) -> tuple[datetime, int, int, int]:
        return (_utc(s.created_at), s.entry.year or 0, s.entry.month or 0, s.id)

    return sorted(export.entries, key=order, reverse=True)[:count]


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    return _utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    child = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        child.text = _text(text)
    return child


def _summary(stamped: StampedEntry) -> str:
    entry = stamped.entry
    parts = [str(entry.kind)]
    if entry.date:
        parts.append(entry.date)
    if entry.org:
        parts.append(f"from {entry.org}")
    lines = [" · ".join(parts)]
    title = full_paper_title(entry)
    if title:
        lines.append(title)
    if entry.authors:
        lines.append("by " + ", ".join(entry.authors))
    if entry.arxiv_id:
        lines.append(f"arXiv:{entry.arxiv_id}")
    if entry.topics:
        lines.append("topics: " + ", ".join(entry.topics))
    if entry.description and not title:
        lines.append(entry.description)
    return "\n".join(lines)


def _item(feed: ET.Element, stamped: StampedEntry) -> None:
    entry = stamped.entry
    item = _add(feed, "entry")
    _add(item, "id", entry_tag(stamped))
    title = full_paper_title(entry)
    named = title and not title.casefold().startswith(entry.name.casefold())
    _add(item, "title", f"{entry.name}: {title}" if named else title or entry.name)
    _add(item, "published", _stamp(stamped.created_at))
    _add(item, "updated", _stamp(stamped.updated_at))
    main = paper_link(entry) or next((link.url for link in entry.links), None)
    if main:
        _add(item, "link", rel="alternate", href=main)
    for url in dict.fromkeys(u for u in (entry.docs_url, entry.paper_url) if u and u != main):
        _add(item, "link", rel="related", href=url)
    for link in entry.links:
        if link.url != main:
            _add(item, "link", rel="related", href=link.url, **({"title": link.label} if link.label else {}))
    for author in entry.authors:
        _add(_add(item, "author"), "name", author)
    for topic in entry.topics:
        _add(item, "category", term=topic)
    _add(item, "summary", _summary(stamped), type="text")


def render_atom(export: CatalogExport, *, count: int = ATOM_ITEMS) -> str:
    """The feed of the *count* newest entries (:func:`newest`)."""
    items: Sequence[StampedEntry] = newest(export, count)
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")
    _add(feed, "id", FEED_ID)
    _add(feed, "title", f"{export.title or 'ptm-bot catalog'}: newest entries")
    latest = max((_utc(s.updated_at) for s in export.entries), default=_EPOCH)
    _add(feed, "updated", _stamp(latest))
    _add(_add(feed, "author"), "name", "ptm-bot")
    _add(feed, "generator", "ptm-bot")
    for stamped in items:
        _item(feed, stamped)
    ET.indent(feed, space="  ")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"
