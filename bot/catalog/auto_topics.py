"""An entry's automatic topics, and the row of a topic the catalog does not have yet.

Shared by the importer (bulk rows) and the catalog service (one entry at a time).
"""

from __future__ import annotations

from typing import Any

from bot.catalog.listformat import full_paper_title
from bot.catalog.model import Entry

__all__ = ["entry_topics", "new_topic_row"]


def entry_topics(entry: Entry) -> list[str]:
    """The topics an entry's name, title, section, links and description suggest."""
    from bot.catalog.topics import topics_for

    return list(
        topics_for(
            name=entry.name,
            title=full_paper_title(entry) or "",
            section=entry.section,
            urls=[u for u in (entry.docs_url, entry.paper_url, *(ln.url for ln in entry.links)) if u],
            abstract=entry.description or "",
        )
    )


def new_topic_row(slug: str) -> dict[str, Any]:
    """The ``topics`` row of a slug: its label and description from the topic table, or made up."""
    from bot.catalog.topics import TOPICS

    info = TOPICS.get(slug)
    return {
        "slug": slug,
        "label": getattr(info, "label", None) or slug.replace("-", " ").title(),
        "description": getattr(info, "description", "") or "",
    }
