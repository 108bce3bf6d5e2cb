"""A moderator's correction of the proposed entry (name, kind, topics, organisation) before
approving, audited with what changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.review.service.audit import audit_row
from bot.review.service.model import DecisionOutcome, ReviewError, SuggestionView
from db import models as m
from db.dml import rowcount
from db.models import SuggestionStatus

__all__ = ["edit_proposal"]


async def edit_proposal(
    session: AsyncSession,
    suggestion_id: int,
    *,
    name: str,
    kind: str,
    topics: Sequence[str],
    org: str | None,
    actor_id: int | None,
    actor_name: str | None,
    via: str,
    now: datetime | None = None,
) -> DecisionOutcome:
    """A moderator corrects the proposed entry (name, kind, topics, organisation) before approving.

    Only a pending suggestion changes; the audit row's reason lists what changed.
    """
    now = now or datetime.now(UTC)
    name = " ".join(name.split())
    if not name:
        raise ReviewError("the name cannot be empty")
    if kind not in ("model", "survey"):
        raise ReviewError(f"kind must be 'model' or 'survey', not {kind!r}")
    org = " ".join((org or "").split()) or None
    before = await session.get(m.Suggestion, suggestion_id)
    if before is None:
        raise ReviewError(f"no suggestion with id {suggestion_id}")
    old = (
        before.proposed_name,
        before.proposed_kind,
        tuple(before.proposed_topics or ()),
        before.proposed_org,
    )
    result = await session.execute(
        update(m.Suggestion)
        .where(m.Suggestion.id == suggestion_id, m.Suggestion.status == SuggestionStatus.PENDING)
        .values(proposed_name=name, proposed_kind=kind, proposed_topics=list(topics), proposed_org=org)
        .execution_options(synchronize_session=False)
    )
    row = await session.get(m.Suggestion, suggestion_id, populate_existing=True)
    assert row is not None
    if rowcount(result) != 1:
        return DecisionOutcome(applied=False, suggestion=SuggestionView.of(row))
    labels = ("name", "kind", "topics", "organisation")
    new = (name, kind, tuple(topics), org)
    changes = [
        f"{label}: {_shown(a)} -> {_shown(b)}" for label, a, b in zip(labels, old, new, strict=True) if a != b
    ]
    session.add(audit_row(row.id, "edit", actor_id, actor_name, via, "; ".join(changes) or "no change", now))
    await session.flush()
    return DecisionOutcome(applied=True, suggestion=SuggestionView.of(row))


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "-"
    return str(value) if value else "-"
