"""Catalog revisions: the history of every change, and going back to the state before one.

A whole-list change (an import, a revert, the first fill) records the catalog's export from just
before it (``catalog_revisions.before``). A moderator's change (an approval, its undo, an edit, a
removal, new topics) records only the change itself (``change``, JSON: cheap, one small row per
decision), so the history is complete without an export per decision.

Reverting (:func:`bot.catalog.actions.revert`) makes the catalog exactly the export from before a
whole-list revision again, in one transaction, through the importer's exact mode (matched entries
keep their ids, so suggestions stay linked), and is itself a revision, so a revert can be
reverted. Everything recorded after that revision is undone with it: :func:`later_work` names it
(the later revisions, and the approvals whose entries the revert removes), a revert refuses
without ``--force`` while there is any, and a forced one sends those approvals' suggestions back
to pending (:func:`reopen`, audited in ``review_decisions``) so none is left "approved" with no
entry.
"""

from __future__ import annotations

import logging
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actor import Actor
from bot.errors import UserFacingError
from db import models as m
from db.models import SuggestionStatus

log = logging.getLogger(__name__)

__all__ = [
    "LaterWork",
    "NotRevertible",
    "ReopenedApproval",
    "RevertRefused",
    "RevisionInfo",
    "UnknownRevision",
    "history_in",
    "later_work",
    "record_change",
    "reopen",
    "target",
]


class UnknownRevision(LookupError):
    """No revision has this number."""


class NotRevertible(UserFacingError):
    """The revision is a moderator's change: it has no export to go back to."""


@dataclass(frozen=True, slots=True)
class RevisionInfo:
    id: int
    at: datetime
    action: str
    source: str
    summary: str
    change: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "action": self.action,
            "source": self.source,
            "summary": self.summary,
            "change": self.change,
        }

    def line(self) -> str:
        return f"{self.id:>5}  {self.at:%Y-%m-%d %H:%M:%S}  {self.action:<7}  {self.source}: {self.summary}"


@dataclass(frozen=True, slots=True)
class ReopenedApproval:
    """An approval a revert undoes: its entry leaves the catalog, its suggestion goes back to pending."""

    suggestion_id: int
    arxiv_id: str
    entry: str

    def line(self) -> str:
        return f"  approval of arXiv {self.arxiv_id} ({self.entry!r}): its suggestion goes back to pending"


@dataclass(frozen=True, slots=True)
class LaterWork:
    """What reverting to before ``revision`` undoes besides that revision itself."""

    revision: int
    revisions: list[RevisionInfo] = field(default_factory=list)  # newest first
    approvals: list[ReopenedApproval] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.revisions or self.approvals)

    def headline(self) -> str:
        parts = []
        if self.revisions:
            n = len(self.revisions)
            parts.append(f"{n} later revision{'s' * (n != 1)}")
        if self.approvals:
            n = len(self.approvals)
            parts.append(f"{n} approval{'s' * (n != 1)}")
        return " and ".join(parts)

    def lines(self) -> list[str]:
        if not self:
            return []
        head = f"reverting to before revision {self.revision} also undoes {self.headline()}:"
        return [
            head,
            *(f"  {r.line().lstrip()}" for r in self.revisions),
            *(a.line() for a in self.approvals),
        ]

    def change(self) -> dict[str, Any] | None:
        """What a forced revert records in its own revision."""
        if not self:
            return None
        return {
            "undid_revisions": [r.id for r in self.revisions],
            "reopened": [a.arxiv_id for a in self.approvals],
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "revisions": [r.as_dict() for r in self.revisions],
            "approvals": [
                {"suggestion_id": a.suggestion_id, "arxiv_id": a.arxiv_id, "entry": a.entry}
                for a in self.approvals
            ],
        }


class RevertRefused(UserFacingError):
    """A revert that would undo later work, asked for without ``force``."""

    def __init__(self, later: LaterWork) -> None:
        rev = later.revision
        super().__init__(
            f"revision {rev} is followed by {later.headline()} that reverting would undo; "
            f"'ptm-bot revert {rev} --force' undoes them too ('--dry-run --diff' shows everything)"
        )
        self.later = later


_COLUMNS = (
    m.CatalogRevision.id,
    m.CatalogRevision.at,
    m.CatalogRevision.action,
    m.CatalogRevision.source,
    m.CatalogRevision.summary,
    m.CatalogRevision.change,
)


async def history_in(session: AsyncSession, *, limit: int | None = None) -> list[RevisionInfo]:
    """Revisions, newest first (the door: :func:`bot.catalog.actions.history`)."""
    stmt = select(*_COLUMNS).order_by(m.CatalogRevision.id.desc())
    if limit is not None:
        stmt = stmt.limit(limit)
    return [RevisionInfo(*r) for r in (await session.execute(stmt)).all()]


async def target(session: AsyncSession, revision: int) -> str:
    """The catalog's export from just before ``revision``, which a revert imports back. Raises
    :class:`UnknownRevision` (no such revision) or :class:`NotRevertible` (a moderator's change)."""
    row = (
        await session.execute(
            select(m.CatalogRevision.action, m.CatalogRevision.source, m.CatalogRevision.before).where(
                m.CatalogRevision.id == revision
            )
        )
    ).first()
    if row is None:
        raise UnknownRevision(revision)
    action, source, before = row
    if before is None:
        raise NotRevertible(
            f"revision {revision} is a moderator's {action} ({source}), not a whole-list change: "
            f"undo it where it was made (e.g. /ptm-admin undo, /ptm-admin edit), or revert an import "
            f"before it"
        )
    return str(before)


async def later_work(session: AsyncSession, revision: int, deleted: Collection[int]) -> LaterWork:
    """Every revision recorded after ``revision``, and every approved suggestion whose entry is in
    ``deleted`` (the entries the revert's plan removes)."""
    later = (
        await session.execute(
            select(*_COLUMNS).where(m.CatalogRevision.id > revision).order_by(m.CatalogRevision.id.desc())
        )
    ).all()
    gone = set(deleted)
    approvals: list[ReopenedApproval] = []
    if gone:
        rows = await session.execute(
            select(m.Suggestion.id, m.Suggestion.arxiv_id, m.Suggestion.entry_id, m.Entry.name)
            .join(m.Entry, m.Entry.id == m.Suggestion.entry_id)
            .where(m.Suggestion.status == SuggestionStatus.APPROVED)
            .order_by(m.Suggestion.id)
        )
        approvals = [ReopenedApproval(sid, aid, name) for sid, aid, eid, name in rows if eid in gone]
    return LaterWork(revision, [RevisionInfo(*r) for r in later], approvals)


async def reopen(
    session: AsyncSession, later: LaterWork, actor: Actor, *, now: datetime | None = None
) -> None:
    """The approvals a forced revert undoes: their suggestions back to pending (no suggestion
    stays "approved" without its entry), each audited in ``review_decisions`` as an undo."""
    now = now or datetime.now(UTC)
    reason = f"reverted: the catalog went back to before revision {later.revision}"
    for approval in later.approvals:
        await session.execute(
            update(m.Suggestion)
            .where(
                m.Suggestion.id == approval.suggestion_id, m.Suggestion.status == SuggestionStatus.APPROVED
            )
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
        session.add(
            m.ReviewDecision(
                suggestion_id=approval.suggestion_id,
                action="undo",
                actor_id=actor.id,
                actor_name=actor.name,
                via=actor.via if actor.via in m.REVIEW_DOORS else "cli",
                reason=reason,
                at=now,
            )
        )
    if later.approvals:
        log.info(
            "revert to before revision %d: %d approval(s) reopened", later.revision, len(later.approvals)
        )


def actor_label(actor_name: str | None, actor_id: int | None, via: str) -> str:
    return f"by {actor_name or actor_id or 'someone'} via {via}"


async def record_change(
    session: AsyncSession, action: str, *, source: str, summary: str, change: dict[str, Any]
) -> int:
    """A moderator's change as a revision: the change only (no export); its id."""
    revision = m.CatalogRevision(action=action, source=source, summary=summary, before=None, change=change)
    session.add(revision)
    await session.flush()
    return revision.id
