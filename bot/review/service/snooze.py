""" "Needs info": a pending suggestion out of the queue until a date, its waking, and a new
version of a pending paper (which refreshes the suggestion and ends a snooze)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.review.service.audit import audit_row
from bot.review.service.model import DecisionOutcome, ReviewError, SuggestionView
from db import models as m
from db.dml import rowcount
from db.models import SuggestionStatus
from db.normalize import norm_title

__all__ = ["NewVersion", "refresh_replaced", "snooze", "wake_due", "wake_one"]

# The review's log lines keep the logger name they had before the service was split by concern:
# operators' log filters select on it.
log = logging.getLogger("bot.review.service")


async def snooze(
    session: AsyncSession,
    suggestion_id: int,
    *,
    until: datetime,
    actor_id: int | None,
    actor_name: str | None,
    via: str,
    reason: str | None = None,
    now: datetime | None = None,
) -> DecisionOutcome:
    """ "Needs info": take a pending suggestion out of the queue until *until* (again: extends it).

    ``applied`` is False when it was decided meanwhile (the first decision wins over a snooze too).
    """
    now = now or datetime.now(UTC)
    result = await session.execute(
        update(m.Suggestion)
        .where(m.Suggestion.id == suggestion_id, m.Suggestion.status == SuggestionStatus.PENDING)
        .values(snoozed_until=until, snoozed_by=actor_id)
        .execution_options(synchronize_session=False)
    )
    row = await session.get(m.Suggestion, suggestion_id, populate_existing=True)
    if row is None:
        raise ReviewError(f"no suggestion with id {suggestion_id}")
    if rowcount(result) != 1:
        return DecisionOutcome(applied=False, suggestion=SuggestionView.of(row))
    session.add(audit_row(row.id, "snooze", actor_id, actor_name, via, reason, now))
    await session.flush()
    log.info("suggestion %s snoozed until %s by %s", row.arxiv_id, until, actor_name or actor_id)
    return DecisionOutcome(applied=True, suggestion=SuggestionView.of(row))


async def wake_due(session: AsyncSession, *, now: datetime) -> list[SuggestionView]:
    """Snoozed suggestions whose time has come go back to the queue (audited as ``wake``)."""
    due = list(
        await session.scalars(
            select(m.Suggestion.id).where(
                m.Suggestion.status == SuggestionStatus.PENDING, m.Suggestion.snoozed_until <= now
            )
        )
    )
    return [v for v in [await _wake(session, i, now=now, reason="snooze over") for i in due] if v]


async def wake_one(
    session: AsyncSession, suggestion_id: int, *, now: datetime, reason: str
) -> SuggestionView | None:
    """Wake one snoozed suggestion now, for *reason* (audited as ``wake``); None if it was not
    snoozed (any more)."""
    return await _wake(session, suggestion_id, now=now, reason=reason)


async def _wake(
    session: AsyncSession, suggestion_id: int, *, now: datetime, reason: str, **values: Any
) -> SuggestionView | None:
    """Clear a snooze (conditionally: only a still-snoozed pending row) and audit it."""
    result = await session.execute(
        update(m.Suggestion)
        .where(
            m.Suggestion.id == suggestion_id,
            m.Suggestion.status == SuggestionStatus.PENDING,
            m.Suggestion.snoozed_until.is_not(None),
        )
        .values(snoozed_until=None, snoozed_by=None, **values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        return None
    session.add(audit_row(suggestion_id, "wake", None, None, "watcher", reason, now))
    await session.flush()
    row = await session.get(m.Suggestion, suggestion_id, populate_existing=True)
    return SuggestionView.of(row) if row else None


class NewVersion(Protocol):
    """A paper as a poll read it (a :class:`FeedPaper` or the watcher's candidate)."""

    @property
    def arxiv_id(self) -> str: ...
    @property
    def version(self) -> int | None: ...
    @property
    def title(self) -> str: ...
    @property
    def abstract(self) -> str: ...
    @property
    def authors(self) -> Sequence[str]: ...


async def refresh_replaced(
    session: AsyncSession, papers: Sequence[NewVersion], *, now: datetime | None = None
) -> list[SuggestionView]:
    """A new version (a ``replace`` announcement) of a pending paper: refresh its title, abstract,
    authors and version, and end a snooze (the new version may be the information asked for).

    Returns the suggestions changed, for their cards to be edited; older or equal versions and
    papers not pending are ignored.
    """
    now = now or datetime.now(UTC)
    changed: list[SuggestionView] = []
    for paper in papers:
        row = await session.scalar(
            select(m.Suggestion).where(
                m.Suggestion.arxiv_id == paper.arxiv_id, m.Suggestion.status == SuggestionStatus.PENDING
            )
        )
        if row is None or (row.version is not None and (paper.version or 0) <= row.version):
            continue
        values: dict[str, Any] = {
            "title": paper.title or row.title,
            "norm_title": norm_title(paper.title or row.title),
            "abstract": paper.abstract or row.abstract,
            "authors": list(paper.authors) or list(row.authors or ()),
            "version": paper.version,
        }
        if row.snoozed_until is not None:
            view = await _wake(session, row.id, now=now, reason=f"new version v{paper.version}", **values)
        else:
            await session.execute(
                update(m.Suggestion)
                .where(m.Suggestion.id == row.id, m.Suggestion.status == SuggestionStatus.PENDING)
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            fresh = await session.get(m.Suggestion, row.id, populate_existing=True)
            view = SuggestionView.of(fresh) if fresh else None
        if view is not None:
            log.info("suggestion %s refreshed from its v%s", view.arxiv_id, paper.version)
            changed.append(view)
    return changed
