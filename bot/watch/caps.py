"""The poll's fourth step: which scored papers get a place in the review channel.

The places: ``relevance.per_poll_cap`` and ``relevance.daily_cap`` (suggestions with
``suggested_at`` in the last 24 h) bound how many papers one poll suggests; papers an earlier poll
held back for a cap (``waiting``) take the places first, oldest first; papers seen only in feeds
that never succeeded before are limited to ``feeds.backfill``; at most one exploration paper just
below the threshold takes a place left over. Relevant papers left out say why in ``why_not``.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.relevance.gates import GateSet
from bot.relevance.propose import propose_topics
from bot.watch.dedup import Catalog
from bot.watch.report import Candidate, CandidateStatus, excerpt
from db import models as m
from db.dml import rowcount
from db.models import SuggestionStatus

__all__ = ["CAP_REASONS", "EXPLORATION_FLOOR", "apply_caps", "take_waiting"]

# Why a relevant new paper was not suggested, when a later poll should still suggest it.
CAP_REASONS = frozenset({"per-poll cap", "daily cap"})

#: How far below its threshold an exploration paper may score (as a fraction of the threshold).
EXPLORATION_FLOOR = 0.5


async def apply_caps(
    session: AsyncSession,
    candidates: Sequence[Candidate],
    catalog: Catalog,
    gates: GateSet,
    *,
    config: Config,
    first_poll_ids: Collection[str],
    now: datetime,
    dry_run: bool,
) -> list[Candidate]:
    """Mark the candidates to suggest (highest scores first, ties by id, so the choice is stable)
    and take waiting papers from earlier polls first; returns those (made pending unless
    *dry_run*), one candidate each."""
    rel = config.relevance
    suggested_today = await session.scalar(
        select(func.count())
        .select_from(m.Suggestion)
        .where(m.Suggestion.suggested_at >= now - timedelta(days=1))
    )
    budget = max(0, min(rel.per_poll_cap, rel.daily_cap - int(suggested_today or 0)))
    # Papers an earlier poll could not suggest for a cap come first, oldest first.
    waited = await take_waiting(session, budget, catalog, now=now, dry_run=dry_run, gates=gates)
    budget -= len(waited)
    first_ids = set(first_poll_ids)
    # Over the budget: the daily cap when it is the tighter one, else the per-poll cap.
    over = "daily cap" if rel.daily_cap - int(suggested_today or 0) <= rel.per_poll_cap else "per-poll cap"
    budget = _fill_places(candidates, first_ids, budget, config.feeds.backfill, over)
    if rel.exploration and budget > 0:
        _explore(candidates, first_ids)
    return waited


def _fill_places(
    candidates: Sequence[Candidate], first_ids: Collection[str], budget: int, backfill_left: int, over: str
) -> int:
    """Suggest eligible papers while places last; returns the places left."""
    # A never-gate keeps a paper out whatever its score; an always-gate brings one in whatever its
    # score, and takes its place in the caps first (a moderator asked for it), then by score.
    eligible = sorted(
        (
            c
            for c in candidates
            if c.status == CandidateStatus.NEW and c.gate != "never" and (c.relevant or c.gate == "always")
        ),
        key=lambda c: (c.gate != "always", -c.score, c.arxiv_id),
    )
    for cand in eligible:
        backfill = cand.arxiv_id in first_ids
        if backfill and backfill_left <= 0:
            cand.why_not = "first poll of a new feed: over the backfill count"
            continue
        if budget <= 0:
            cand.why_not = over
            continue
        cand.suggest = True
        budget -= 1
        if backfill:
            backfill_left -= 1
    return budget


async def take_waiting(
    session: AsyncSession,
    budget: int,
    catalog: Catalog,
    *,
    now: datetime,
    dry_run: bool,
    gates: GateSet | None = None,
) -> list[Candidate]:
    """Up to *budget* waiting papers (oldest first) made pending, each by a conditional update, so
    of two concurrent polls only one suggests a given paper; one candidate per paper taken. A
    waiting paper that a never-gate set since matches becomes ``seen``."""
    if budget <= 0:
        return []
    s = m.Suggestion
    rows = (
        await session.execute(
            select(s)
            .where(s.status == SuggestionStatus.WAITING)
            .order_by(s.first_seen_at, s.score.desc(), s.id)
            .limit(budget + 20)  # a few spares: some may have reached the catalog meanwhile
            .execution_options(populate_existing=True)
        )
    ).scalars()
    taken: list[Candidate] = []
    for row in rows:
        if len(taken) >= budget:
            break
        if _no_longer_waiting(row, catalog, gates):
            if not dry_run:
                await session.execute(
                    update(s)
                    .where(s.id == row.id, s.status == SuggestionStatus.WAITING)
                    .values(status=SuggestionStatus.SEEN)
                )
            continue
        topics = list(propose_topics(row.title, row.abstract, row.proposed_name))
        if not dry_run:
            result = await session.execute(
                update(s)
                .where(s.id == row.id, s.status == SuggestionStatus.WAITING)
                .values(status=SuggestionStatus.PENDING, suggested_at=now, proposed_topics=topics)
            )
            if rowcount(result) != 1:
                continue  # another poll took it
        taken.append(_waited(row, topics, dry_run=dry_run))
    return taken


def _no_longer_waiting(row: m.Suggestion, catalog: Catalog, gates: GateSet | None) -> bool:
    """The waiting paper reached the catalog meanwhile, or a never-gate set since matches it."""
    never = (
        gates.match(
            title=row.title,
            abstract=row.abstract,
            authors=row.authors or (),
            categories=row.categories or (),
        )
        if gates
        else None
    )
    return bool(
        row.arxiv_id in catalog.ids or row.norm_title in catalog.titles or (never and never.mode == "never")
    )


def _waited(row: m.Suggestion, topics: list[str], *, dry_run: bool) -> Candidate:
    since = row.first_seen_at.date().isoformat() if row.first_seen_at else "an earlier poll"
    return Candidate(
        arxiv_id=row.arxiv_id,
        version=row.version,
        title=row.title,
        authors=list(row.authors or ()),
        categories=list(row.categories or ()),
        announce_type=row.announce_type,
        status=CandidateStatus.WAITING,
        score=round(row.score, 4),
        relevant=True,
        suggest=True,
        reasons=[*(row.reasons or ()), f"waited for a cap since {since}"],
        kind=row.proposed_kind,
        name=row.proposed_name,
        topics=topics,
        url=row.url,
        abstract=excerpt(row.abstract),
        suggestion_id=None if dry_run else row.id,
        threshold=round(row.threshold, 4) if row.threshold is not None else 0.0,
    )


def _explore(candidates: Sequence[Candidate], first_ids: Collection[str]) -> None:
    """Suggest the best new paper just below the threshold, marked as exploration: without it the
    model would only ever learn from papers it already scores high (selection bias). At most one
    per poll, never a backfill of a newly added feed, never far below the threshold."""
    below = [
        c
        for c in candidates
        if c.status == CandidateStatus.NEW
        and not c.relevant
        and c.gate is None  # gated papers are decided already (never: out; always: suggested)
        and c.arxiv_id not in first_ids
        and c.score >= c.threshold * EXPLORATION_FLOOR
    ]
    if below:
        pick = min(below, key=lambda c: (c.threshold - c.score, c.arxiv_id))
        pick.suggest = pick.exploration = True
        pick.why_not = None
        pick.reasons = [*pick.reasons, "exploration: just below the threshold, to learn from your decision"]
