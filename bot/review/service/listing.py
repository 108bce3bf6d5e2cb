"""The compact "also above the line" listing: suggestions over their poll's card budget, the
message that lists them, and promoting one to a review card."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.review.service.model import DecisionOutcome, ReviewError, SuggestionView
from db import models as m
from db.dml import rowcount
from db.models import SuggestionStatus

__all__ = ["listing", "mark_listing_posted", "promote", "unposted_listed"]


async def unposted_listed(session: AsyncSession) -> list[SuggestionView]:
    """Listed pending suggestions not yet in a compact "also above the line" message, best first."""
    rows = await session.scalars(
        select(m.Suggestion)
        .where(
            m.Suggestion.status == SuggestionStatus.PENDING,
            m.Suggestion.listed.is_(True),
            m.Suggestion.listing_message_id.is_(None),
        )
        .order_by(m.Suggestion.score.desc(), m.Suggestion.id)
    )
    return [SuggestionView.of(r) for r in rows]


async def listing(session: AsyncSession, message_id: int) -> list[SuggestionView]:
    """Every suggestion a compact listing message names (promoted and decided ones too), best first."""
    rows = await session.scalars(
        select(m.Suggestion)
        .where(m.Suggestion.listing_message_id == message_id)
        .order_by(m.Suggestion.score.desc(), m.Suggestion.id)
    )
    return [SuggestionView.of(r) for r in rows]


async def mark_listing_posted(
    session: AsyncSession, suggestion_ids: Sequence[int], *, channel_id: int, message_id: int
) -> None:
    """Record the compact message that lists these suggestions (it is re-rendered from them)."""
    if suggestion_ids:
        await session.execute(
            update(m.Suggestion)
            .where(m.Suggestion.id.in_(list(suggestion_ids)))
            .values(listing_channel_id=channel_id, listing_message_id=message_id)
        )


async def promote(session: AsyncSession, suggestion_id: int) -> DecisionOutcome:
    """A listed suggestion gets a review card (the caller posts it): a conditional update, so of
    two moderators promoting the same paper one does; ``applied`` is False for the other, and for
    a paper already decided or already a card."""
    result = await session.execute(
        update(m.Suggestion)
        .where(
            m.Suggestion.id == suggestion_id,
            m.Suggestion.status == SuggestionStatus.PENDING,
            m.Suggestion.listed.is_(True),
        )
        .values(listed=False)
        .execution_options(synchronize_session=False)
    )
    row = await session.get(m.Suggestion, suggestion_id, populate_existing=True)
    if row is None:
        raise ReviewError(f"no suggestion with id {suggestion_id}")
    return DecisionOutcome(applied=rowcount(result) == 1, suggestion=SuggestionView.of(row))
