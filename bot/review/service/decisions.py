"""Moderator review of suggestions: the state machine, in the database.

A suggestion moves ``pending -> approved | rejected`` exactly once, by a conditional update
(``UPDATE ... WHERE status = 'pending'``): when two moderators race, the database picks one and
the other learns that the suggestion was already decided. ``undo`` moves a decided suggestion
back to ``pending`` (and takes an approved entry back out of the catalog). Every decision is
written to the ``review_decisions`` audit table. Functions take an open session and never commit.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import service as catalog
from bot.catalog.arxiv_ids import normalise_arxiv_id
from bot.catalog.model import Entry, EntryKind
from bot.errors import UserFacingError
from bot.watch.arxiv import FeedPaper
from db import models as m
from db.dml import rowcount
from db.models import SuggestionStatus
from db.normalize import norm_title

log = logging.getLogger(__name__)

__all__ = [
    "APPROVAL_KINDS",
    "ApprovalKind",
    "Decision",
    "DecisionOutcome",
    "ReviewError",
    "SuggestionView",
    "decide",
    "edit_proposal",
    "entry_from_suggestion",
    "get_suggestion",
    "list_pending",
    "listing",
    "mark_listing_posted",
    "mark_posted",
    "promote",
    "refresh_replaced",
    "snooze",
    "suggestion_by_message",
    "undo",
    "unposted",
    "unposted_listed",
    "wake_due",
]


class ReviewError(UserFacingError, ValueError):
    """A moderator's request that cannot be carried out (unknown id, nothing to undo...): the
    message is the line the moderator sees."""


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class ApprovalKind(StrEnum):
    """The kind of yes: ``core`` (the paper is what the list is for) or ``borderline`` ("keep it,
    but borderline"). Both enter the catalog; the relevance model learns a borderline approval as a
    positive that does not set its threshold (see :mod:`bot.relevance.labels`)."""

    CORE = "core"
    BORDERLINE = "borderline"


APPROVAL_KINDS = tuple(k.value for k in ApprovalKind)


def approval_kind(value: str | None) -> ApprovalKind:
    """``core`` / ``borderline`` (also ``borderline-keep``, ``keep``) as a moderator typed it."""
    text = (value or "core").strip().casefold()
    if text in ("borderline-keep", "keep", "borderline_keep"):
        text = "borderline"
    try:
        return ApprovalKind(text)
    except ValueError:
        raise ReviewError(f"approval must be 'core' or 'borderline-keep', not {value!r}") from None


@dataclass(frozen=True, slots=True)
class SuggestionView:
    id: int
    arxiv_id: str
    version: int | None
    title: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    abstract: str
    url: str
    score: float
    reasons: tuple[str, ...]
    proposed_kind: str
    proposed_name: str
    proposed_topics: tuple[str, ...]
    status: str
    channel_id: int | None
    message_id: int | None
    decided_by: int | None
    decided_at: datetime | None
    decision_reason: str | None
    entry_id: int | None
    exploration: bool = False  # posted although just below the threshold (the card says so)
    snoozed_until: datetime | None = None  # "Needs info": out of the queue until then
    snoozed_by: int | None = None
    proposed_org: str | None = None
    listed: bool = False  # over its poll's card budget: in the compact listing, no card until promoted
    listing_channel_id: int | None = None
    listing_message_id: int | None = None
    threshold: float | None = None  # the line the paper was held to
    poll_rank: int | None = None  # its rank among its poll's papers above the line (1 = best)
    poll_ranked: int | None = None  # how many papers of that poll were above the line
    approval_kind: str | None = None  # 'core' | 'borderline' once approved (None before 0014: core)

    @property
    def snoozed(self) -> bool:
        return self.status == SuggestionStatus.PENDING and self.snoozed_until is not None

    @classmethod
    def of(cls, row: m.Suggestion) -> SuggestionView:
        return cls(
            id=row.id,
            arxiv_id=row.arxiv_id,
            version=row.version,
            title=row.title,
            authors=tuple(row.authors or ()),
            categories=tuple(row.categories or ()),
            abstract=row.abstract or "",
            url=row.url,
            score=row.score,
            reasons=tuple(row.reasons or ()),
            proposed_kind=row.proposed_kind,
            proposed_name=row.proposed_name,
            proposed_topics=tuple(row.proposed_topics or ()),
            status=row.status,
            channel_id=row.channel_id,
            message_id=row.message_id,
            decided_by=row.decided_by,
            decided_at=row.decided_at,
            decision_reason=row.decision_reason,
            entry_id=row.entry_id,
            exploration=bool(row.exploration),
            snoozed_until=row.snoozed_until,
            snoozed_by=row.snoozed_by,
            proposed_org=row.proposed_org,
            listed=bool(row.listed),
            listing_channel_id=row.listing_channel_id,
            listing_message_id=row.listing_message_id,
            threshold=row.threshold,
            poll_rank=row.poll_rank,
            poll_ranked=row.poll_ranked,
            approval_kind=row.approval_kind,
        )


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    applied: bool  # False: someone else decided first (or it was not pending)
    suggestion: SuggestionView
    entry_name: str | None = None


# --------------------------------------------------------------------------------------------
# Reading


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


# --------------------------------------------------------------------------------------------
# Writing


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


_LINK_UNSAFE = str.maketrans({"[": "(", "]": ")", "\n": " "})


def entry_from_suggestion(s: SuggestionView, *, kind: str, name: str) -> Entry:
    """The catalog entry an approved suggestion becomes, in the list's own line format."""
    year = month = None
    m_id = re.match(r"^(\d{2})(\d{2})\.", s.arxiv_id)
    if m_id:
        year, month = 2000 + int(m_id.group(1)), int(m_id.group(2))
    title = " ".join(s.title.translate(_LINK_UNSAFE).split())
    url = f"https://arxiv.org/abs/{s.arxiv_id}"
    authors = [" ".join(a.split()) for a in s.authors if a.strip()]
    if kind == EntryKind.SURVEY:
        return Entry(
            kind=EntryKind.SURVEY,
            name=title,
            year=year,
            month=month,
            paper_title=title,
            paper_url=url,
            arxiv_id=s.arxiv_id,
            authors=authors,
            phrasing={"authors": "comma"},
            topics=list(s.proposed_topics),
        )
    return Entry(
        kind=EntryKind.MODEL,
        name=" ".join(name.translate(_LINK_UNSAFE).split()) or title[:60],
        year=year,
        month=month,
        org=" ".join((s.proposed_org or "").split()) or None,
        docs_url=url,
        paper_title=title,
        paper_url=url,
        arxiv_id=s.arxiv_id,
        authors=authors,
        phrasing={"connector": "paper", "authors": "comma_and"},
        topics=list(s.proposed_topics),
    )


async def _free_name(session: AsyncSession, kind: str, name: str, arxiv_id: str) -> str:
    """The proposed name, or a disambiguated one when (kind, name) is taken."""
    for candidate in (name, f"{name} ({arxiv_id})"):
        taken = await session.scalar(
            select(m.Entry.id).where(m.Entry.kind == kind, m.Entry.name == candidate)
        )
        if taken is None:
            return candidate
    raise ReviewError(f"an entry named {name!r} already exists; approve with another name")


def _audit(
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


async def decide(
    session: AsyncSession,
    suggestion_id: int,
    decision: Decision,
    *,
    actor_id: int | None,
    actor_name: str | None,
    via: str,
    reason: str | None = None,
    name: str | None = None,
    kind: str | None = None,
    approval: str | None = None,
    now: datetime | None = None,
) -> DecisionOutcome:
    """Approve or reject a pending suggestion. The first decision wins; later ones change nothing.

    *approval* is the kind of yes (:class:`ApprovalKind`; core when not given)."""
    now = now or datetime.now(UTC)
    if kind is not None and kind not in ("model", "survey"):
        raise ReviewError(f"kind must be 'model' or 'survey', not {kind!r}")
    yes = approval_kind(approval) if decision is Decision.APPROVE else None
    values: dict[str, Any] = {
        "approval_kind": None if yes is None else yes.value,
        "status": SuggestionStatus.APPROVED if decision is Decision.APPROVE else SuggestionStatus.REJECTED,
        "decided_by": actor_id,
        "decided_at": now,
        "decision_reason": reason,
        "snoozed_until": None,
        "snoozed_by": None,
    }
    if name:
        values["proposed_name"] = name.strip()
    if kind:
        values["proposed_kind"] = kind
    result = await session.execute(
        update(m.Suggestion)
        .where(m.Suggestion.id == suggestion_id, m.Suggestion.status == SuggestionStatus.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    row = await session.get(m.Suggestion, suggestion_id, populate_existing=True)
    if row is None:
        raise ReviewError(f"no suggestion with id {suggestion_id}")
    if rowcount(result) != 1:
        return DecisionOutcome(applied=False, suggestion=SuggestionView.of(row))
    entry_name = None
    if decision is Decision.APPROVE:
        view = SuggestionView.of(row)
        entry = entry_from_suggestion(view, kind=view.proposed_kind, name=view.proposed_name)
        entry.name = await _free_name(session, str(entry.kind), entry.name, view.arxiv_id)
        added = await catalog.add_entry(session, entry, origin="review")
        row.entry_id = added.id
        entry_name = entry.name
    # The audit says which kind of yes a borderline keep was.
    audited = reason or ("borderline-keep" if yes is ApprovalKind.BORDERLINE else None)
    session.add(_audit(row.id, str(decision), actor_id, actor_name, via, audited, now))
    await session.flush()
    log.info(
        "suggestion %s %s by %s via %s",
        row.arxiv_id,
        row.status,
        actor_name or actor_id,
        via,
        extra={"arxiv_id": row.arxiv_id, "outcome": row.status, "user": actor_id},
    )
    return DecisionOutcome(applied=True, suggestion=SuggestionView.of(row), entry_name=entry_name)


async def undo(
    session: AsyncSession,
    arxiv_id: str,
    *,
    actor_id: int | None,
    actor_name: str | None,
    via: str,
    now: datetime | None = None,
) -> SuggestionView:
    """Return a decided suggestion to pending; an approved one's entry leaves the catalog."""
    now = now or datetime.now(UTC)
    current = await get_suggestion(session, arxiv_id)
    if current is None:
        raise ReviewError(f"no suggestion for arXiv {arxiv_id}")
    if current.status not in (SuggestionStatus.APPROVED, SuggestionStatus.REJECTED):
        raise ReviewError(f"arXiv {current.arxiv_id} is {current.status}, not decided: nothing to undo")
    # The entry read above is the one deleted below: a concurrent undo and re-approve between the
    # read and this update must not leave the new entry in the catalog behind a pending suggestion.
    same_entry = (
        m.Suggestion.entry_id.is_(None)
        if current.entry_id is None
        else m.Suggestion.entry_id == current.entry_id
    )
    result = await session.execute(
        update(m.Suggestion)
        .where(m.Suggestion.id == current.id, m.Suggestion.status == current.status, same_entry)
        .values(
            status=SuggestionStatus.PENDING,
            decided_by=None,
            decided_at=None,
            decision_reason=None,
            entry_id=None,
            approval_kind=None,
        )
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise ReviewError(f"arXiv {current.arxiv_id} changed meanwhile; try again")
    if current.status == SuggestionStatus.APPROVED and current.entry_id is not None:
        await session.execute(delete(m.Entry).where(m.Entry.id == current.entry_id))
    session.add(_audit(current.id, "undo", actor_id, actor_name, via, None, now))
    await session.flush()
    row = await session.get(m.Suggestion, current.id, populate_existing=True)
    assert row is not None
    return SuggestionView.of(row)


async def add_paper(
    session: AsyncSession,
    paper: FeedPaper,
    *,
    kind: str,
    name: str,
    topics: list[str],
    actor_id: int | None,
    actor_name: str | None,
    via: str,
    approval: str | None = None,
    now: datetime | None = None,
) -> DecisionOutcome:
    """A moderator adds a paper directly: stored as an approved suggestion (so it is never suggested)."""
    now = now or datetime.now(UTC)
    arxiv_id, title = paper.arxiv_id, paper.title
    existing = await session.scalar(select(m.Suggestion).where(m.Suggestion.arxiv_id == arxiv_id))
    in_catalog = await session.scalar(select(m.Entry.name).where(m.Entry.arxiv_id == arxiv_id).limit(1))
    if in_catalog is not None:
        raise ReviewError(f"arXiv {arxiv_id} is already in the catalog as {in_catalog!r}")
    if existing is None:
        existing = m.Suggestion(
            arxiv_id=arxiv_id,
            version=paper.version,
            title=title,
            norm_title=norm_title(title),
            authors=list(paper.authors),
            categories=list(paper.categories),
            abstract=paper.abstract,
            url=f"https://arxiv.org/abs/{arxiv_id}",
            score=1.0,
            reasons=["added by a moderator"],
            proposed_kind=kind,
            proposed_name=name,
            proposed_topics=topics,
            status=SuggestionStatus.PENDING,
            first_seen_at=now,
            suggested_at=now,
        )
        session.add(existing)
        await session.flush()
    elif existing.status != SuggestionStatus.PENDING:
        await session.execute(
            update(m.Suggestion)
            .where(m.Suggestion.id == existing.id)
            .values(status=SuggestionStatus.PENDING, entry_id=None)
        )
    return await decide(
        session,
        existing.id,
        Decision.APPROVE,
        actor_id=actor_id,
        actor_name=actor_name,
        via=via,
        name=name,
        kind=kind,
        approval=approval,
        now=now,
    )


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
    session.add(_audit(row.id, "snooze", actor_id, actor_name, via, reason, now))
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
    session.add(_audit(suggestion_id, "wake", None, None, "watcher", reason, now))
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
    session.add(_audit(row.id, "edit", actor_id, actor_name, via, "; ".join(changes) or "no change", now))
    await session.flush()
    return DecisionOutcome(applied=True, suggestion=SuggestionView.of(row))


def _shown(value: object) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value)) or "-"
    return str(value) if value else "-"


async def decisions_for(session: AsyncSession, suggestion_id: int) -> list[m.ReviewDecision]:
    return list(
        await session.scalars(
            select(m.ReviewDecision)
            .where(m.ReviewDecision.suggestion_id == suggestion_id)
            .order_by(m.ReviewDecision.id)
        )
    )
