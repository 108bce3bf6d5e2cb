"""The pending queue and its review cards: a suggestion by arXiv id or by its card, the suggestions
still without a card, the queue page by page, and recording a posted card."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.arxiv_ids import normalise_arxiv_id
from bot.review.service.model import SuggestionView
from db import models as m
from db.models import SuggestionStatus

__all__ = ["get_suggestion", "list_pending", "mark_posted", "suggestion_by_message", "unposted"]


async def get_suggestion(session: AsyncSession, arxiv_id: str) -> SuggestionView | None:
    key = normalise_arxiv_id(arxiv_id) or arxiv_id.strip()
    row = await session.scalar(select(m.Suggestion).where(m.Suggestion.arxiv_id == key))
    return SuggestionView.of(row) if row else None


async def suggestion_by_message(session: AsyncSession, message_id: int) -> SuggestionView | None:
    row = await session.scalar(select(m.Suggestion).where(m.Suggestion.message_id == message_id))
    return SuggestionView.of(row) if row else None


async def unposted(session: AsyncSession, *, limit: int = 50) -> list[SuggestionView]:
    """Pending suggestions that have no review card yet (a crash between storing and posting), best
    first; listed ones (over their poll's card budget) get no card until promoted."""
    rows = await session.scalars(
        select(m.Suggestion)
        .where(
            m.Suggestion.status == SuggestionStatus.PENDING,
            m.Suggestion.message_id.is_(None),
            m.Suggestion.listed.is_(False),
        )
        .order_by(m.Suggestion.score.desc(), m.Suggestion.id)
        .limit(limit)
    )
    return [SuggestionView.of(r) for r in rows]


async def list_pending(
    session: AsyncSession, *, limit: int = 10, offset: int = 0
) -> tuple[list[SuggestionView], int]:
    # Snoozed ("needs info") suggestions are out of the queue until they wake.
    where = (m.Suggestion.status == SuggestionStatus.PENDING) & m.Suggestion.snoozed_until.is_(None)
    total = await session.scalar(select(func.count()).select_from(m.Suggestion).where(where))
    rows = await session.scalars(
        select(m.Suggestion)
        .where(where)
        .order_by(m.Suggestion.score.desc(), m.Suggestion.id)
        .limit(limit)
        .offset(offset)
    )
    return [SuggestionView.of(r) for r in rows], int(total or 0)


async def mark_posted(
    session: AsyncSession,
    suggestion_id: int,
    *,
    channel_id: int,
    message_id: int,
    now: datetime | None = None,
) -> None:
    await session.execute(
        update(m.Suggestion)
        .where(m.Suggestion.id == suggestion_id)
        .values(channel_id=channel_id, message_id=message_id, posted_at=now or datetime.now(UTC))
    )
