"""The decisions: ``pending -> approved | rejected`` exactly once, by a conditional update, the
approved suggestion's catalog entry, ``undo``, and a paper a moderator adds directly."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import service as catalog
from bot.catalog.model import Entry, EntryKind
from bot.catalog.revisions import REOPENED, actor_label, record_change
from bot.review.service.audit import audit_row
from bot.review.service.into import restore_entry
from bot.review.service.model import (
    ApprovalKind,
    Decision,
    DecisionOutcome,
    ReviewError,
    SuggestionView,
    approval_kind,
)
from bot.review.service.queue import get_suggestion
from bot.watch.arxiv import FeedPaper
from db import models as m
from db.dml import rowcount
from db.models import SuggestionStatus
from db.normalize import norm_title

__all__ = ["add_paper", "decide", "entry_from_suggestion", "undo"]

# The review's log lines keep the logger name they had before the service was split by concern:
# operators' log filters select on it.
log = logging.getLogger("bot.review.service")


_LINK_UNSAFE = str.maketrans({"[": "(", "]": ")", "\n": " "})


def entry_from_suggestion(s: SuggestionView, *, kind: str, name: str) -> Entry:
    """The catalog entry an approved suggestion becomes, in the list's own line format."""
    year = month = None
    m_id = re.match(r"^(\d{2})(\d{2})\.", s.arxiv_id)
    if m_id:
        year, month = 2000 + int(m_id.group(1)), int(m_id.group(2))
    title = " ".join(s.title.translate(_LINK_UNSAFE).split())
    url = f"https://arxiv.org/abs/{s.arxiv_id}"
    # The docs link is where the model is (issue 20): the most downloaded Hub model, else the code
    # or project page; the paper's own arXiv page only when the Hub knows nothing of it.
    hub = s.hub or {}
    docs = s.weights_url or hub.get("github_repo") or hub.get("project_page") or url
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
        docs_url=docs,
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


async def _record_approval(
    session: AsyncSession, row: m.Suggestion, entry: Entry, entry_id: int, by: str
) -> None:
    """The approval is a catalog revision too (the change only): history is complete, and a revert
    to before an earlier revision names it."""
    await record_change(
        session,
        "approve",
        source=f"arXiv {row.arxiv_id}",
        summary=f"added {entry.kind} {entry.name!r} {by}",
        change={
            "suggestion_id": row.id,
            "arxiv_id": row.arxiv_id,
            "entry_id": entry_id,
            "kind": str(entry.kind),
            "name": entry.name,
            "by": by,
        },
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
        await _record_approval(session, row, entry, added.id, actor_label(actor_name, actor_id, via))
    # The audit says which kind of yes a borderline keep was.
    audited = reason or ("borderline-keep" if yes is ApprovalKind.BORDERLINE else None)
    session.add(audit_row(row.id, str(decision), actor_id, actor_name, via, audited, now))
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
        .values(**REOPENED)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise ReviewError(f"arXiv {current.arxiv_id} changed meanwhile; try again")
    if current.status == SuggestionStatus.APPROVED and current.approved_into is not None:
        await _undo_into(session, current, actor_id, actor_name, via)
    elif current.status == SuggestionStatus.APPROVED and current.entry_id is not None:
        name = await session.scalar(select(m.Entry.name).where(m.Entry.id == current.entry_id))
        await session.execute(delete(m.Entry).where(m.Entry.id == current.entry_id))
        await record_change(
            session,
            "undo",
            source=f"arXiv {current.arxiv_id}",
            summary=f"approval undone, {name!r} removed {actor_label(actor_name, actor_id, via)}",
            change={
                "suggestion_id": current.id,
                "arxiv_id": current.arxiv_id,
                "entry_id": current.entry_id,
                "name": name,
                "actor_id": actor_id,
                "actor_name": actor_name,
                "via": via,
            },
        )
    session.add(audit_row(current.id, "undo", actor_id, actor_name, via, None, now))
    await session.flush()
    row = await session.get(m.Suggestion, current.id, populate_existing=True)
    assert row is not None
    return SuggestionView.of(row)


async def _undo_into(
    session: AsyncSession, current: SuggestionView, actor_id: int | None, actor_name: str | None, via: str
) -> None:
    """An approval into an existing entry (new version, alias) undone: the entry as it was."""
    into = dict(current.approved_into or {})
    name = await restore_entry(session, into)
    await record_change(
        session,
        "undo",
        source=f"arXiv {current.arxiv_id}",
        summary=f"approval as {into.get('as')} undone, {name or into.get('name')!r} as before "
        f"{actor_label(actor_name, actor_id, via)}",
        change={
            "suggestion_id": current.id,
            "arxiv_id": current.arxiv_id,
            "entry_id": into.get("entry_id"),
            "name": name or into.get("name"),
            "as": into.get("as"),
            "restored": name is not None,
            "actor_id": actor_id,
            "actor_name": actor_name,
            "via": via,
        },
    )


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
