"""The one door for review decisions: each function is one unit of work on the :class:`Database`.

A reaction (:mod:`bot.client.review.reactions`), a slash command (:mod:`bot.commands.admin`) and the terminal
(``ptm-bot ask '/ptm-admin approve ...'``) all decide through here, so a decision is taken,
audited and refused the same way whoever asks. Each function opens ONE transaction
(:meth:`Database.begin`) around the state machine in :mod:`bot.review.service`; nothing here
knows about Discord or renders anything. A request that cannot be carried out raises
:class:`~bot.review.service.ReviewError` (a :class:`~bot.errors.UserFacingError`), which the
callers show as one line.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actor import Actor
from bot.catalog.arxiv_ids import arxiv_id_from_paste
from bot.catalog.related_rows import load_related_index
from bot.catalog.topics import parse_topic, topic_hint
from bot.database import Database
from bot.relevance.propose import propose_kind, propose_name, propose_topics
from bot.review import service as review
from bot.review.service import Decision, DecisionOutcome, ReviewError, SuggestionView, member
from bot.watch.arxiv import FeedPaper
from db import models as m
from db.models import SuggestionStatus

log = logging.getLogger(__name__)

__all__ = [
    "Actor",
    "Undone",
    "add",
    "arxiv_ref",
    "claim_member_notice",
    "decide",
    "decide_into",
    "decide_on_message",
    "edit_proposal",
    "known_to_members",
    "listing",
    "mark_listing_posted",
    "mark_posted",
    "member_suggestions",
    "members_to_tell",
    "pending",
    "pending_by_arxiv",
    "promote",
    "refresh_replaced",
    "snooze",
    "stored_paper",
    "suggest",
    "suggestion",
    "suggestion_on_message",
    "undo",
    "unposted",
    "unposted_listed",
    "wake_due",
]


def arxiv_ref(ref: str) -> str:
    """An arXiv id from an id or URL as a moderator typed it; a clear error otherwise."""
    arxiv_id = arxiv_id_from_paste(ref)
    if arxiv_id is None:
        raise ReviewError(
            f"{ref!r} is not an arXiv id or URL (e.g. 2106.07447, https://arxiv.org/abs/2106.07447, "
            "https://huggingface.co/papers/2106.07447)."
        )
    return arxiv_id


async def pending(db: Database, *, limit: int = 10, offset: int = 0) -> tuple[list[SuggestionView], int]:
    """Suggestions waiting for a decision, highest scores first, and how many there are."""
    async with db.begin() as session:
        return await review.list_pending(session, limit=limit, offset=offset)


async def pending_by_arxiv(db: Database, arxiv_ids: Sequence[str]) -> list[SuggestionView]:
    """The pending suggestions among *arxiv_ids* (a poll changed what their cards show)."""
    if not arxiv_ids:
        return []
    async with db.begin() as session:
        rows = await session.scalars(
            select(m.Suggestion)
            .where(
                m.Suggestion.arxiv_id.in_(list(arxiv_ids)), m.Suggestion.status == SuggestionStatus.PENDING
            )
            .order_by(m.Suggestion.id)
        )
        return [SuggestionView.of(row) for row in rows]


async def unposted(db: Database, *, limit: int = 50) -> list[SuggestionView]:
    """Pending suggestions without a review message yet."""
    async with db.begin() as session:
        return await review.unposted(session, limit=limit)


async def unposted_listed(db: Database) -> list[SuggestionView]:
    """Listed suggestions (over their poll's card budget) not yet in a compact listing message."""
    async with db.begin() as session:
        return await review.unposted_listed(session)


async def listing(db: Database, message_id: int) -> list[SuggestionView]:
    """The suggestions a compact "also above the line" message names, as they stand now."""
    async with db.begin() as session:
        return await review.listing(session, message_id)


async def mark_listing_posted(
    db: Database, suggestion_ids: Sequence[int], *, channel_id: int, message_id: int
) -> None:
    """Record the compact message listing these suggestions."""
    async with db.begin() as session:
        await review.mark_listing_posted(
            session, suggestion_ids, channel_id=channel_id, message_id=message_id
        )


async def promote(db: Database, suggestion_id: int, actor: Actor) -> DecisionOutcome:
    """A moderator gives a listed paper a review card (``applied`` False: already a card or decided)."""
    async with db.begin() as session:
        outcome = await review.promote(session, suggestion_id)
    if outcome.applied:
        log.info(
            "arXiv %s promoted to a review card by %s via %s",
            outcome.suggestion.arxiv_id,
            actor.name or actor.id,
            actor.via,
            extra={"arxiv_id": outcome.suggestion.arxiv_id, "user": actor.id},
        )
    return outcome


async def mark_posted(db: Database, suggestion_id: int, *, channel_id: int, message_id: int) -> None:
    """Record where a suggestion's review message is (so reactions on it decide it)."""
    async with db.begin() as session:
        await review.mark_posted(session, suggestion_id, channel_id=channel_id, message_id=message_id)


async def suggestion_on_message(db: Database, message_id: int) -> SuggestionView | None:
    """The suggestion a review message shows, or None for any other message."""
    async with db.begin() as session:
        return await review.suggestion_by_message(session, message_id)


async def decide(
    db: Database,
    ref: str | int,
    decision: Decision,
    actor: Actor,
    *,
    reason: str | None = None,
    name: str | None = None,
    kind: str | None = None,
    approval: str | None = None,
) -> DecisionOutcome:
    """Approve or reject a suggestion named by arXiv id / URL (``str``) or by its id (``int``);
    *approval* is the kind of yes (``core`` or ``borderline``).

    The first decision wins: ``outcome.applied`` is False when someone else decided first. A paper
    the watcher saw but did not suggest is not a suggestion: the answer points to ``add``.
    """
    arxiv_id = None if isinstance(ref, int) else arxiv_ref(ref)

    async def work(session: AsyncSession) -> DecisionOutcome:
        if arxiv_id is None:
            suggestion_id = int(ref)
        else:
            current = await review.get_suggestion(session, arxiv_id)
            if current is None:
                raise ReviewError(
                    f"No suggestion for arXiv {arxiv_id}. Use /ptm-admin add to add a paper directly."
                )
            if current.status == SuggestionStatus.SEEN and decision == Decision.REJECT:
                raise ReviewError(
                    f"{current.arxiv_id} scored {current.score:.2f}, below the line, so it was never suggested "
                    "and is not waiting for review: there is nothing to reject, and nothing changed"
                )
            if current.status == SuggestionStatus.SEEN:
                raise ReviewError(
                    f"{current.arxiv_id} was seen but not suggested (score {current.score:.2f}); use "
                    f"/ptm-admin add {current.arxiv_id} to add it — that also teaches the model"
                )
            suggestion_id = current.id
        return await review.decide(
            session,
            suggestion_id,
            decision,
            actor_id=actor.id,
            actor_name=actor.name,
            via=actor.via,
            reason=reason,
            name=name,
            kind=kind,
            approval=approval,
        )

    # Retried when the database is locked (a long import writing): the decision is not lost.
    return await db.run(work)


async def decide_into(db: Database, ref: str | int, mode: str, actor: Actor) -> DecisionOutcome:
    """Approve a possible duplicate (by arXiv id / URL or suggestion id) into the entry it repeats:
    as a new ``version`` of it (the entry points at this paper, one line) or as an ``alias`` (one
    more name). The first decision wins, as for :func:`decide`; undo puts the entry back."""
    arxiv_id = None if isinstance(ref, int) else arxiv_ref(ref)

    async def work(session: AsyncSession) -> DecisionOutcome:
        suggestion_id = ref if isinstance(ref, int) else None
        if arxiv_id is not None:
            current = await review.get_suggestion(session, arxiv_id)
            if current is None or current.status == SuggestionStatus.SEEN:
                raise ReviewError(f"No suggestion for arXiv {arxiv_id} waits for review.")
            suggestion_id = current.id
        assert suggestion_id is not None
        return await review.approve_into(
            session, suggestion_id, mode, actor_id=actor.id, actor_name=actor.name, via=actor.via
        )

    return await db.run(work)


async def suggest(
    db: Database,
    paper: FeedPaper,
    actor: Actor,
    *,
    note: str | None,
    per_day: int,
    enabled: bool = True,
    now: datetime | None = None,
) -> member.MemberSuggestion:
    """A member's ``/ptm suggest``: the paper into the review queue (a card marked with who
    suggested it), or its state when it is known already. Refused when members' suggestions are
    off (config or a moderator) or the member reached the daily limit."""
    moment = now or datetime.now(UTC)

    async def work(session: AsyncSession) -> member.MemberSuggestion:
        off = await member.member_suggestions_off(session)
        if not enabled or off is not None:
            raise ReviewError("Members' suggestions are turned off on this server; ask a moderator.")
        return await member.member_suggest(
            session, paper, member_id=actor.id, member_name=actor.name, note=note, per_day=per_day, now=moment
        )

    return await db.run(work)


async def known_to_members(db: Database, ref: str) -> member.MemberSuggestion | None:
    """What ``/ptm suggest`` answers without reading arXiv: the paper's state when it is in the
    catalog, pending or decided; None otherwise."""
    arxiv_id = arxiv_ref(ref)
    return await db.run(lambda session: member.known(session, arxiv_id))


async def member_suggestions(db: Database, on: bool | None, actor: Actor) -> str | None:
    """Turn members' suggestions on or off (*on* None: only ask); who turned them off, or None."""

    async def work(session: AsyncSession) -> str | None:
        if on is not None:
            by = f"{actor.name or actor.id} via {actor.via} at {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
            await member.set_member_suggestions(session, on, by)
            log.info(
                "members' suggestions turned %s by %s via %s",
                "on" if on else "off",
                actor.name or actor.id,
                actor.via,
            )
        return await member.member_suggestions_off(session)

    return await db.run(work)


async def members_to_tell(db: Database, now: datetime | None = None) -> list[SuggestionView]:
    """Members' suggestions decided without their card (``ptm-bot ask``): the member not told yet."""
    async with db.begin() as session:
        return await member.awaiting_notice(session, now or datetime.now(UTC))


async def claim_member_notice(db: Database, suggestion_id: int) -> bool:
    """True once per decided member suggestion: then tell the member."""
    return await db.run(lambda session: member.claim_notice(session, suggestion_id, datetime.now(UTC)))


async def decide_on_message(
    db: Database, message_id: int, decision: Decision, actor: Actor
) -> DecisionOutcome | None:
    """A reaction's decision on a review message; None when the message shows no suggestion."""

    async def work(session: AsyncSession) -> DecisionOutcome | None:
        current = await review.suggestion_by_message(session, message_id)
        if current is None:
            return None
        return await review.decide(
            session, current.id, decision, actor_id=actor.id, actor_name=actor.name, via=actor.via
        )

    return await db.run(work)


@dataclasses.dataclass(frozen=True, slots=True)
class Undone:
    """A decision undone: the suggestion, pending again, and the decision it had (``approved`` or
    ``rejected``: only an approval changed the catalog, so only its undo changes it back)."""

    suggestion: SuggestionView
    was: str


async def undo(db: Database, ref: str, actor: Actor) -> Undone:
    """Return a decided suggestion to pending; an approved paper leaves the catalog."""
    arxiv_id = arxiv_ref(ref)
    async with db.begin() as session:
        before = await review.get_suggestion(session, arxiv_id)
        view = await review.undo(session, arxiv_id, actor_id=actor.id, actor_name=actor.name, via=actor.via)
    assert before is not None  # review.undo refuses a paper it does not know
    return Undone(view, before.status)


async def stored_paper(db: Database, ref: str) -> FeedPaper | None:
    """The metadata a poll stored for a paper (seen, suggested or decided), or None: ``add`` needs
    no network for a paper the watcher saw and did not suggest (a missed paper)."""
    arxiv_id = arxiv_ref(ref)
    async with db.begin() as session:
        row = await session.scalar(select(m.Suggestion).where(m.Suggestion.arxiv_id == arxiv_id))
        if row is None or not row.title:
            return None
        return FeedPaper(
            arxiv_id=row.arxiv_id,
            version=row.version,
            title=row.title,
            abstract=row.abstract or "",
            authors=tuple(row.authors or ()),
            categories=tuple(row.categories or ()),
            primary_category=row.categories[0] if row.categories else None,
            announce_type=row.announce_type or "new",
            url=row.url or f"https://arxiv.org/abs/{row.arxiv_id}",
            published=None,
        )


async def add(
    db: Database,
    paper: FeedPaper,
    actor: Actor,
    *,
    name: str | None = None,
    kind: str | None = None,
    approval: str | None = None,
) -> DecisionOutcome:
    """Add a paper (arXiv's metadata for it) straight into the catalog, as an approved suggestion;
    a paper the watcher saw and did not suggest becomes a missed positive for the model. What the
    new entry may duplicate (:mod:`bot.catalog.duplicates`) comes back as ``outcome.warnings``: the
    moderator decided to add it, so it is added, and told."""
    proposed = propose_name(paper.title)
    async with db.begin() as session:
        index = await load_related_index(session)
        related = index.match(paper.title, name or proposed, arxiv_id=paper.arxiv_id)
        outcome = await review.add_paper(
            session,
            paper,
            kind=kind or propose_kind(paper.title, paper.abstract),
            name=name or proposed,
            topics=list(propose_topics(paper.title, paper.abstract, proposed)),
            actor_id=actor.id,
            actor_name=actor.name,
            via=actor.via,
            approval=approval,
        )
    return dataclasses.replace(outcome, warnings=tuple(r.line() for r in related))


async def suggestion(db: Database, suggestion_id: int) -> SuggestionView | None:
    """One suggestion by its id (a review button names it in its custom id)."""
    async with db.begin() as session:
        row = await session.get(m.Suggestion, suggestion_id)
        return SuggestionView.of(row) if row else None


async def snooze(
    db: Database,
    suggestion_id: int,
    actor: Actor,
    *,
    days: int,
    reason: str | None = None,
    now: datetime | None = None,
) -> DecisionOutcome:
    """ "Needs info": out of the queue for *days* (or until arXiv announces a new version)."""
    now = now or datetime.now(UTC)

    async def work(session: AsyncSession) -> DecisionOutcome:
        return await review.snooze(
            session,
            suggestion_id,
            until=now + timedelta(days=days),
            actor_id=actor.id,
            actor_name=actor.name,
            via=actor.via,
            reason=reason,
            now=now,
        )

    return await db.run(work)


async def wake_due(db: Database, *, now: datetime | None = None) -> list[SuggestionView]:
    """Snoozed suggestions whose time is up, back in the queue."""
    moment = now or datetime.now(UTC)

    async def work(session: AsyncSession) -> list[SuggestionView]:
        return await review.wake_due(session, now=moment)

    return await db.run(work)


async def refresh_replaced(db: Database, papers: Sequence[review.NewVersion]) -> list[SuggestionView]:
    """New versions of pending papers: refreshed, and their snooze ended."""
    if not papers:
        return []

    async def work(session: AsyncSession) -> list[SuggestionView]:
        return await review.refresh_replaced(session, papers)

    return await db.run(work)


def parse_topics(text: str) -> list[str]:
    """Topics as a moderator typed them (comma separated, labels or slugs); unknown ones refused."""
    slugs: list[str] = []
    unknown: list[str] = []
    for part in (p.strip() for p in text.replace(";", ",").split(",")):
        if not part:
            continue
        slug = parse_topic(part)
        if slug is None:
            unknown.append(part)
        elif slug not in slugs:
            slugs.append(slug)
    if unknown:
        hints = "".join(topic_hint(part) for part in unknown[:1])
        raise ReviewError(f"unknown topic(s): {', '.join(unknown)}{hints} (see /ptm recent for the topics)")
    return slugs


async def edit_proposal(
    db: Database,
    suggestion_id: int,
    actor: Actor,
    *,
    name: str,
    kind: str,
    topics: str,
    org: str | None,
) -> DecisionOutcome:
    """Correct the proposed entry before approving (the Edit button's modal)."""
    kind = kind.strip().casefold()
    slugs = parse_topics(topics)

    async def work(session: AsyncSession) -> DecisionOutcome:
        return await review.edit_proposal(
            session,
            suggestion_id,
            name=name,
            kind=kind,
            topics=slugs,
            org=org,
            actor_id=actor.id,
            actor_name=actor.name,
            via=actor.via,
        )

    return await db.run(work)
