"""The CLI's ``--json`` form of an entry."""

from __future__ import annotations

from typing import Any

from bot.catalog.listformat import full_paper_title
from bot.catalog.model import Entry

__all__ = ["entry_json"]


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
