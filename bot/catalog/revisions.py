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
from collections.abc import Collection, Mapping
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

# A decided suggestion sent back to the queue (an undo, a revert that undoes an approval).
REOPENED: dict[str, Any] = {
    "status": SuggestionStatus.PENDING,
    "decided_by": None,
    "decided_at": None,
    "decision_reason": None,
    "entry_id": None,
    "approval_kind": None,
    "approved_into": None,
}

__all__ = [
    "REOPENED",
    "LaterWork",
    "NotRevertible",
    "ReopenedApproval",
    "RestoredApproval",
    "RevertRefused",
    "RevisionInfo",
    "UnknownRevision",
    "history_in",
    "later_work",
    "record_change",
    "reopen",
    "restore",
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
class RestoredApproval:
    """An undo of an approval a revert undoes: the entry comes back, its suggestion is approved again."""

    suggestion_id: int
    arxiv_id: str
    entry: str
    # Undone after the revision (by a later revision); else by the revision itself (a revert that
    # reopened it), which reverting it undoes as a matter of course.
    later: bool = True

    def line(self) -> str:
        return f"  undo of the approval of arXiv {self.arxiv_id}: approved again, {self.entry!r} is back"


@dataclass(frozen=True, slots=True)
class LaterWork:
    """What reverting to before ``revision`` undoes besides that revision itself."""

    revision: int
    revisions: list[RevisionInfo] = field(default_factory=list)  # newest first
    approvals: list[ReopenedApproval] = field(default_factory=list)
    undos: list[RestoredApproval] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.revisions or self.approvals or self.undos)

    @property
    def needs_force(self) -> bool:
        """Work recorded after the revision: a revert refuses to undo it without ``force``."""
        return bool(self.revisions or self.approvals or any(u.later for u in self.undos))

    def headline(self) -> str:
        parts = []
        if self.revisions:
            n = len(self.revisions)
            parts.append(f"{n} later revision{'s' * (n != 1)}")
        if self.approvals:
            n = len(self.approvals)
            parts.append(f"{n} approval{'s' * (n != 1)}")
        if self.undos:
            n = len(self.undos)
            parts.append(f"{n} undo{'s' * (n != 1)} of an approval")
        return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]

    def lines(self) -> list[str]:
        if not self:
            return []
        head = f"reverting to before revision {self.revision} also undoes {self.headline()}:"
        return [
            head,
            *(f"  {r.line().lstrip()}" for r in self.revisions),
            *(a.line() for a in self.approvals),
            *(u.line() for u in self.undos),
        ]

    def change(self) -> dict[str, Any] | None:
        """What a forced revert records in its own revision."""
        if not self:
            return None
        return {
            "undid_revisions": [r.id for r in self.revisions],
            "reopened": [a.arxiv_id for a in self.approvals],
            "approved_again": [u.arxiv_id for u in self.undos],
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "revisions": [r.as_dict() for r in self.revisions],
            "approvals": [
                {"suggestion_id": a.suggestion_id, "arxiv_id": a.arxiv_id, "entry": a.entry}
                for a in self.approvals
            ],
            "undos": [
                {"suggestion_id": u.suggestion_id, "arxiv_id": u.arxiv_id, "entry": u.entry}
                for u in self.undos
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


async def later_work(
    session: AsyncSession, revision: int, deleted: Collection[int], added: Mapping[str, str]
) -> LaterWork:
    """Every revision recorded after ``revision``; every approved suggestion whose entry is in
    ``deleted`` (the entries the revert's plan removes); and every suggestion whose approval was
    undone (its last decision an ``undo``, now pending) whose paper ``added`` brings back
    (arXiv id -> the entry's name: the entries the plan adds)."""
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
    infos = [RevisionInfo(*r) for r in later]
    return LaterWork(revision, infos, approvals, await _undone(session, added, _undone_later(infos)))


def _undone_later(infos: list[RevisionInfo]) -> set[str]:
    """The papers whose approval a later revision undid (an ``undo``, a revert that reopened it)."""
    papers: set[str] = set()
    for info in infos:
        change = info.change or {}
        if info.action == "undo" and change.get("arxiv_id"):
            papers.add(str(change["arxiv_id"]))
        elif info.action == "revert":
            papers.update(str(a) for a in change.get("reopened", ()))
    return papers


async def _undone(session: AsyncSession, added: Mapping[str, str], later: set[str]) -> list[RestoredApproval]:
    """Pending suggestions for papers the revert brings back whose last decision undid an approval."""
    if not added:
        return []
    found: list[RestoredApproval] = []
    pending = await session.execute(
        select(m.Suggestion.id, m.Suggestion.arxiv_id)
        .where(m.Suggestion.status == SuggestionStatus.PENDING)
        .order_by(m.Suggestion.id)
    )
    for sid, arxiv_id in pending.all():
        if arxiv_id not in added:
            continue
        last = await session.scalar(
            select(m.ReviewDecision.action)
            .where(m.ReviewDecision.suggestion_id == sid, m.ReviewDecision.action.in_(("approve", "undo")))
            .order_by(m.ReviewDecision.id.desc())
            .limit(1)
        )
        if last == "undo":
            found.append(RestoredApproval(sid, arxiv_id, added[arxiv_id], arxiv_id in later))
    return found


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
            .values(**REOPENED)
            .execution_options(synchronize_session=False)
        )
        session.add(_audit(approval.suggestion_id, "undo", actor, reason, now))
    if later.approvals:
        log.info(
            "revert to before revision %d: %d approval(s) reopened", later.revision, len(later.approvals)
        )


async def restore(
    session: AsyncSession,
    later: LaterWork,
    added: Collection[str],
    actor: Actor,
    *,
    now: datetime | None = None,
) -> None:
    """After a forced revert's write: the undone undos' suggestions approved again and linked to
    their entries (audited), and approved suggestions left without an entry (a moderator removed
    it after the revision) linked again to the entry the revert brought back (``added``: the
    arXiv ids of the entries the plan adds)."""
    now = now or datetime.now(UTC)
    reason = f"reverted: the catalog went back to before revision {later.revision}"
    for undo in later.undos:
        entry_id = await _entry_of(session, undo.arxiv_id)
        if entry_id is None:
            continue
        await session.execute(
            update(m.Suggestion)
            .where(m.Suggestion.id == undo.suggestion_id, m.Suggestion.status == SuggestionStatus.PENDING)
            .values(status=SuggestionStatus.APPROVED, entry_id=entry_id, decided_by=actor.id, decided_at=now)
            .execution_options(synchronize_session=False)
        )
        session.add(_audit(undo.suggestion_id, "approve", actor, reason, now))
    orphans = await session.execute(
        select(m.Suggestion.id, m.Suggestion.arxiv_id).where(
            m.Suggestion.status == SuggestionStatus.APPROVED, m.Suggestion.entry_id.is_(None)
        )
    )
    for sid, arxiv_id in orphans.all():
        entry_id = await _entry_of(session, arxiv_id) if arxiv_id in added else None
        if entry_id is not None:
            await session.execute(
                update(m.Suggestion).where(m.Suggestion.id == sid).values(entry_id=entry_id)
            )


async def _entry_of(session: AsyncSession, arxiv_id: str) -> int | None:
    return await session.scalar(select(m.Entry.id).where(m.Entry.arxiv_id == arxiv_id).limit(1))


def _audit(suggestion_id: int, action: str, actor: Actor, reason: str, now: datetime) -> m.ReviewDecision:
    return m.ReviewDecision(
        suggestion_id=suggestion_id,
        action=action,
        actor_id=actor.id,
        actor_name=actor.name,
        via=actor.via if actor.via in m.REVIEW_DOORS else "cli",
        reason=reason,
        at=now,
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
