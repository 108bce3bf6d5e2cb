"""Members' suggestions (issue 22, part 1): ``/ptm suggest`` puts a paper into the review queue as a
card marked "suggested by @member", scored and explained like any other; a paper already known is
answered with its state instead; a per-member daily limit; moderators can turn it off (stored in
``meta``, key ``member_suggestions_off``, beside the config's ``review.member_suggestions``); the
member is told the decision once (``member_notified_at`` claimed before the DM is sent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.relevance.active import active_model
from bot.relevance.model import score_paper
from bot.review.service.model import ReviewError, SuggestionView
from bot.watch.arxiv import FeedPaper
from bot.words import counted
from db import models as m
from db.dml import rowcount
from db.models import SuggestionStatus
from db.normalize import norm_title

__all__ = [
    "MemberSuggestion",
    "claim_notice",
    "known",
    "member_suggest",
    "member_suggestions_off",
    "set_member_suggestions",
]

OFF_KEY = "member_suggestions_off"
NOTE_MAX = 500


@dataclass(frozen=True, slots=True)
class MemberSuggestion:
    """What ``/ptm suggest`` did: ``suggested`` (a new card), or the paper's state when it was
    already known (``pending``, ``approved``, ``rejected``, ``in catalog``)."""

    outcome: str
    arxiv_id: str
    suggestion: SuggestionView | None = None
    entry_name: str | None = None


async def member_suggestions_off(session: AsyncSession) -> str | None:
    """Who turned members' suggestions off and when, or None when they are on."""
    return await session.scalar(select(m.Meta.value).where(m.Meta.key == OFF_KEY))


async def set_member_suggestions(session: AsyncSession, on: bool, by: str) -> None:
    await session.execute(delete(m.Meta).where(m.Meta.key == OFF_KEY))
    if not on:
        session.add(m.Meta(key=OFF_KEY, value=by))
    await session.flush()


async def known(session: AsyncSession, arxiv_id: str) -> MemberSuggestion | None:
    name = await session.scalar(select(m.Entry.name).where(m.Entry.arxiv_id == arxiv_id).limit(1))
    if name is not None:
        return MemberSuggestion("in catalog", arxiv_id, entry_name=name)
    row = await session.scalar(select(m.Suggestion).where(m.Suggestion.arxiv_id == arxiv_id))
    if row is not None and row.status in (
        SuggestionStatus.PENDING,
        SuggestionStatus.APPROVED,
        SuggestionStatus.REJECTED,
    ):
        return MemberSuggestion(str(row.status), arxiv_id, SuggestionView.of(row))
    return None


async def _check_limit(session: AsyncSession, member_id: int | None, per_day: int, now: datetime) -> None:
    if member_id is None:
        return  # the terminal (``ptm-bot ask``): an operator, no limit
    recent = await session.scalar(
        select(func.count())
        .select_from(m.Suggestion)
        .where(m.Suggestion.suggested_by == member_id, m.Suggestion.suggested_at >= now - timedelta(days=1))
    )
    if (recent or 0) >= per_day:
        raise ReviewError(
            f"You have suggested {counted(recent or 0, 'paper')} in the last 24 hours, the most "
            f"this server allows ({per_day}); try again later."
        )


async def member_suggest(
    session: AsyncSession,
    paper: FeedPaper,
    *,
    member_id: int | None,
    member_name: str | None,
    note: str | None,
    per_day: int,
    now: datetime,
) -> MemberSuggestion:
    """Put *paper* into the review queue for a member, or say what became of it already."""
    state = await known(session, paper.arxiv_id)
    if state is not None:
        return state
    await _check_limit(session, member_id, per_day, now)
    scored = score_paper(paper.title, paper.abstract, paper.categories, model=await active_model(session))
    note = " ".join((note or "").split())[:NOTE_MAX] or None
    values = {
        "status": SuggestionStatus.PENDING,
        "score": min(1.0, max(0.0, scored.score)),
        "reasons": ["suggested by a member", *scored.reasons],
        "threshold": scored.threshold,
        "proposed_kind": scored.kind,
        "proposed_name": scored.name[:300],
        "proposed_topics": list(scored.topics),
        "suggested_at": now,
        "suggested_by": member_id,
        "suggested_by_name": (member_name or "")[:200] or None,
        "member_note": note,
        "listed": False,
    }
    row = await session.scalar(select(m.Suggestion).where(m.Suggestion.arxiv_id == paper.arxiv_id))
    if row is None:  # never seen by a poll
        row = m.Suggestion(
            arxiv_id=paper.arxiv_id,
            version=paper.version,
            title=paper.title,
            norm_title=norm_title(paper.title),
            authors=list(paper.authors),
            categories=list(paper.categories),
            abstract=paper.abstract,
            url=f"https://arxiv.org/abs/{paper.arxiv_id}",
            first_seen_at=now,
            **values,
        )
        session.add(row)
        await session.flush()
    else:  # seen by a poll below the line (or waiting for a cap): the member brings it forward
        await session.execute(update(m.Suggestion).where(m.Suggestion.id == row.id).values(**values))
        await session.refresh(row)
    return MemberSuggestion("suggested", paper.arxiv_id, SuggestionView.of(row))


async def claim_notice(session: AsyncSession, suggestion_id: int, now: datetime) -> bool:
    """True once per decided member suggestion: the caller then tells the member (a DM)."""
    result = await session.execute(
        update(m.Suggestion)
        .where(
            m.Suggestion.id == suggestion_id,
            m.Suggestion.suggested_by.is_not(None),
            m.Suggestion.member_notified_at.is_(None),
            m.Suggestion.status.in_((SuggestionStatus.APPROVED, SuggestionStatus.REJECTED)),
        )
        .values(member_notified_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


# Older decisions are not announced any more (a member would not expect a DM weeks later).
NOTICE_HORIZON = timedelta(days=14)


async def awaiting_notice(session: AsyncSession, now: datetime, limit: int = 25) -> list[SuggestionView]:
    """Members' suggestions decided where no card was touched (``ptm-bot ask``, another process):
    decided in the last two weeks, the member not told yet; oldest first."""
    rows = await session.scalars(
        select(m.Suggestion)
        .where(
            m.Suggestion.suggested_by.is_not(None),
            m.Suggestion.member_notified_at.is_(None),
            m.Suggestion.status.in_((SuggestionStatus.APPROVED, SuggestionStatus.REJECTED)),
            m.Suggestion.decided_at >= now - NOTICE_HORIZON,
        )
        .order_by(m.Suggestion.id)
        .limit(limit)
    )
    return [SuggestionView.of(row) for row in rows]
