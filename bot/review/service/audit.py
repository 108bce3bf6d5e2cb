"""The ``review_decisions`` audit table: the row every decision, undo, snooze, wake and edit
writes, and a suggestion's trail read back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m

__all__ = ["audit_row", "decisions_for"]


def audit_row(
    suggestion_id: int,
    action: str,
    actor_id: int | None,
    actor_name: str | None,
    via: str,
    reason: str | None,
    now: datetime,
) -> m.ReviewDecision:
    return m.ReviewDecision(
        suggestion_id=suggestion_id,
        action=action,
        actor_id=actor_id,
        actor_name=actor_name,
        via=via,
        reason=reason,
        at=now,
    )


async def decisions_for(session: AsyncSession, suggestion_id: int) -> list[m.ReviewDecision]:
    return list(
        await session.scalars(
            select(m.ReviewDecision)
            .where(m.ReviewDecision.suggestion_id == suggestion_id)
            .order_by(m.ReviewDecision.id)
        )
    )
