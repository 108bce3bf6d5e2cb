"""The rows the duplicate check matches against (:mod:`bot.catalog.duplicates`): every entry and
every pending suggestion, read in the caller's unit of work."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.duplicates import Known, RelatedIndex
from db import models as m
from db.enums import SuggestionStatus

__all__ = ["load_related_index"]


async def load_related_index(session: AsyncSession) -> RelatedIndex:
    """Every entry (name, aliases, its paper's title) and every pending suggestion (proposed name,
    title), read in the caller's unit of work."""
    aliases: dict[int, list[str]] = {}
    for entry_id, alias in await session.execute(select(m.Alias.entry_id, m.Alias.alias)):
        aliases.setdefault(entry_id, []).append(alias)
    rows = await session.execute(
        select(m.Entry.id, m.Entry.name, m.Entry.paper_title, m.Entry.arxiv_id).order_by(m.Entry.id)
    )
    known = [
        Known(name, title or "", arxiv_id, entry_id=entry_id, aliases=tuple(aliases.get(entry_id, ())))
        for entry_id, name, title, arxiv_id in rows
    ]
    pending = await session.execute(
        select(m.Suggestion.id, m.Suggestion.proposed_name, m.Suggestion.title, m.Suggestion.arxiv_id)
        .where(m.Suggestion.status == SuggestionStatus.PENDING)
        .order_by(m.Suggestion.id)
    )
    known += [
        Known(name or title, title, arxiv_id, suggestion_id=sid) for sid, name, title, arxiv_id in pending
    ]
    return RelatedIndex.of(known)
