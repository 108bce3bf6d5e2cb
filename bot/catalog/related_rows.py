"""The rows the duplicate check matches against (:mod:`bot.catalog.duplicates`): every entry and
every pending suggestion, read in the caller's unit of work."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.duplicates import Known, RelatedIndex
from db import models as m
from db.enums import SuggestionStatus

__all__ = ["load_related_index"]


async def load_related_index(session: AsyncSession) -> RelatedIndex:
    """Every entry (name, aliases, its paper's title) and every pending suggestion (proposed name,
    title), read in the caller's unit of work; the keys the database holds are used as they are.
    The index is built in a worker thread: at 100,000 entries it is about a second of Python."""
    aliases: dict[int, list[tuple[str, str]]] = {}
    for entry_id, alias, key in await session.execute(
        select(m.Alias.entry_id, m.Alias.alias, m.Alias.norm_alias)
    ):
        aliases.setdefault(entry_id, []).append((alias, key))
    rows = (
        await session.execute(
            select(
                m.Entry.id,
                m.Entry.name,
                m.Entry.norm_name,
                m.Entry.paper_title,
                m.Entry.arxiv_id,
                m.Paper.norm_title,
            )
            .outerjoin(m.Paper, m.Paper.id == m.Entry.paper_id)
            .order_by(m.Entry.id)
        )
    ).all()
    pending = (
        await session.execute(
            select(m.Suggestion.id, m.Suggestion.proposed_name, m.Suggestion.title, m.Suggestion.arxiv_id)
            .where(m.Suggestion.status == SuggestionStatus.PENDING)
            .order_by(m.Suggestion.id)
        )
    ).all()
    entries = [tuple(r) for r in rows]
    waiting = [tuple(r) for r in pending]
    return await asyncio.to_thread(_build, entries, aliases, waiting)  # type: ignore[arg-type]


def _build(
    rows: Sequence[tuple[int, str, str, str | None, str | None, str | None]],
    aliases: dict[int, list[tuple[str, str]]],
    pending: Sequence[tuple[int, str, str, str]],
) -> RelatedIndex:
    known = [
        Known(
            name,
            paper_title or "",
            arxiv_id,
            entry_id=entry_id,
            aliases=tuple(a for a, _ in aliases.get(entry_id, ())),
            title_key=title_key,
            name_keys=(norm_name, *(k for _, k in aliases.get(entry_id, ()))),
        )
        for entry_id, name, norm_name, paper_title, arxiv_id, title_key in rows
    ]
    known += [
        Known(name or title, title, arxiv_id, suggestion_id=sid) for sid, name, title, arxiv_id in pending
    ]
    return RelatedIndex.of(known)
