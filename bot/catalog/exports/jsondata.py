"""``json``: the catalog as data. The shape is documented in docs/export.md; keys come in a fixed
order (never sorted, never depending on the data) and the text is a function of the catalog's
content alone (no ids, no times), so two exports of the same list are the same bytes."""

from __future__ import annotations

import json
from typing import Any

from bot.catalog.exports.data import CatalogExport, by_section
from bot.catalog.model import Entry
from bot.catalog.queries.export import entry_json

__all__ = ["JSON_FORMAT_VERSION", "entry_data", "render_json"]

# Raised when a key changes meaning or goes away (a new key does not raise it).
JSON_FORMAT_VERSION = 1


# The documented order of an entry's keys: the CLI's ``--json`` entry (one builder for both)
# without its ``section`` (the export nests entries in their sections).
_ENTRY_KEYS = (
    "kind",
    "name",
    "date",
    "org",
    "paper_title",
    "paper_url",
    "arxiv_id",
    "docs_url",
    "authors",
    "topics",
    "aliases",
    "links",
    "description",
)


def entry_data(entry: Entry) -> dict[str, Any]:
    """One entry, its keys in the documented order."""
    data = entry_json(entry)
    return {key: data[key] for key in _ENTRY_KEYS}


def render_json(export: CatalogExport) -> str:
    """``{"format", "version", "title", "sections": [{key, title, level, kind, intro, entries}]}``."""
    sections = [
        {
            "key": section.key,
            "title": section.title,
            "level": section.level,
            "kind": str(section.kind),
            "intro": section.intro,
            "entries": [entry_data(s.entry) for s in items],
        }
        for section, items in by_section(export)
    ]
    doc = {
        "format": "ptm-bot catalog",
        "version": JSON_FORMAT_VERSION,
        "title": export.title,
        "sections": sections,
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
