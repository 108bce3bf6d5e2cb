"""Topics: what a user typed resolved to a slug, and a moderator's correction of an entry's topics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.catalog.model import EntryHit
from bot.catalog.queries.load import load
from bot.catalog.topics import TOPICS, parse_topic, topic_hint
from bot.errors import PTMError

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

# The ORM and the catalog service (which imports the importer) only for set_topics, a write: a
# read on SQLite imports neither (issue 19, start-up of the query subcommands).

__all__ = ["UnknownTopic", "resolve_topic", "set_topics"]


class UnknownTopic(PTMError, ValueError):
    """A topic that is not in the taxonomy; the message lists the valid ones."""

    def __init__(self, topic: str) -> None:
        self.topic = topic
        super().__init__(f"unknown topic {topic!r}{topic_hint(topic)}; valid topics: {', '.join(TOPICS)}")


def resolve_topic(topic: str) -> str:
    """The slug for what a user typed ('Speech', 'audio', 'long context'), else :class:`UnknownTopic`."""
    slug = topic if topic in TOPICS else parse_topic(topic)
    if slug is None:
        raise UnknownTopic(topic)
    return slug


async def set_topics(session: AsyncSession, entry_id: int, topics: Sequence[str]) -> EntryHit:
    """A moderator's correction: the entry's topics become exactly ``topics`` (source
    ``moderator``), which later imports keep. An empty list goes back to the classifier.

    Raises :class:`UnknownTopic` for a topic not in the taxonomy and :class:`LookupError` for an
    unknown entry id.
    """
    from sqlalchemy import select

    from bot.catalog import service as catalog
    from db import models as m

    slugs = list(dict.fromkeys(resolve_topic(t) for t in topics))
    row = await session.scalar(
        select(m.Entry).where(m.Entry.id == entry_id).options(*catalog.entry_load_options())
    )
    if row is None:
        raise LookupError(f"no entry with id {entry_id}")
    source = "moderator"
    if not slugs:
        slugs = list(catalog.entry_topics(catalog.to_domain(row)))
        source = "auto"
    await catalog.CatalogWriter(session).ensure_topics(slugs)
    existing = {t.topic_slug: t for t in row.topics}
    keep = []
    for slug in slugs:
        link = existing.get(slug) or m.EntryTopic(topic_slug=slug)
        link.source = source
        keep.append(link)
    row.topics = keep
    await session.flush()
    return (await load(session, [entry_id]))[0]
