"""Members' follows: a topic, an author, an organisation or a free query; matched against approved
entries and delivered by DM once per digest period. A member sees and changes only their own (every
function takes the member's id). Functions take an open session and never commit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.model import Entry
from bot.catalog.topics import parse_topic, topic_hint, topic_label
from bot.errors import UserFacingError
from db import models as m
from db.dml import rowcount
from db.normalize import norm_key, norm_title

__all__ = [
    "FOLLOW_KINDS",
    "FollowView",
    "add_follow",
    "follows_of",
    "matches",
    "pause_member",
    "remove_follow",
    "take_notice",
]

FOLLOW_KINDS = m.FOLLOW_KINDS
MAX_FOLLOWS = 25


class FollowError(UserFacingError, ValueError):
    """A follow request that cannot be carried out; the message is what the member sees."""


@dataclass(frozen=True, slots=True)
class FollowView:
    kind: str
    value: str
    norm_value: str
    paused: bool

    @property
    def shown(self) -> str:
        return topic_label(self.value) if self.kind == "topic" else self.value

    @classmethod
    def of(cls, row: m.Follow) -> FollowView:
        return cls(row.kind, row.value, row.norm_value, row.paused_at is not None)


def normalise(kind: str, value: str) -> tuple[str, str]:
    """(stored value, match key) of a follow as typed; a clear error when it cannot match anything."""
    if kind not in FOLLOW_KINDS:
        raise FollowError(f"follow a topic, an author, an org or a query, not {kind!r}")
    value = " ".join(value.split())
    if not value:
        raise FollowError("say what to follow")
    if kind == "topic":
        slug = parse_topic(value)
        if slug is None:
            raise FollowError(f"unknown topic {value!r}{topic_hint(value)} (see /ptm recent for the topics)")
        return slug, slug
    key = norm_key(value) if kind == "org" else norm_title(value)
    if not key:
        raise FollowError(f"{value!r} has no letters or digits to match")
    return value[:200], key[:200]


def _words(text: str | None) -> set[str]:
    return set(norm_title(text or "").split())


def matches(kind: str, key: str, entry: Entry) -> bool:
    """Does an approved entry match a follow (its kind and match key)?"""
    if kind == "topic":
        return key in entry.topics
    if kind == "org":
        return bool(entry.org) and key in norm_key(entry.org or "")
    wanted = set(key.split())
    if kind == "author":  # "Hinton" or "Geoffrey Hinton": every word in one author's name
        return any(wanted <= _words(a) for a in entry.authors)
    haystack = " ".join(
        [entry.name, entry.paper_title or "", entry.org or "", entry.description or "", *entry.authors]
    )
    return wanted <= _words(haystack)


async def follows_of(session: AsyncSession, member_id: int) -> list[FollowView]:
    rows = await session.scalars(
        select(m.Follow).where(m.Follow.user_id == member_id).order_by(m.Follow.kind, m.Follow.id)
    )
    return [FollowView.of(r) for r in rows]


async def add_follow(session: AsyncSession, member_id: int, kind: str, value: str) -> tuple[FollowView, bool]:
    """Follow something; returns the follow and whether it is new. Following resumes the member's
    paused follows (they were told their DMs were closed; a new command means they are back)."""
    stored, key = normalise(kind, value)
    await session.execute(
        update(m.Follow).where(m.Follow.user_id == member_id).values(paused_at=None, notice_pending=False)
    )
    existing = await session.scalar(
        select(m.Follow).where(
            m.Follow.user_id == member_id, m.Follow.kind == kind, m.Follow.norm_value == key
        )
    )
    if existing is not None:
        return FollowView.of(existing), False
    count = await session.scalar(
        select(func.count()).select_from(m.Follow).where(m.Follow.user_id == member_id)
    )
    if int(count or 0) >= MAX_FOLLOWS:
        raise FollowError(f"you already follow {MAX_FOLLOWS} things; /ptm unfollow one first")
    row = m.Follow(user_id=member_id, kind=kind, value=stored, norm_value=key)
    try:
        async with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same follow added at the same moment: it exists, which is the goal
        again = await session.scalar(
            select(m.Follow).where(
                m.Follow.user_id == member_id, m.Follow.kind == kind, m.Follow.norm_value == key
            )
        )
        assert again is not None
        return FollowView.of(again), False
    return FollowView.of(row), True


async def remove_follow(session: AsyncSession, member_id: int, kind: str, value: str) -> FollowView:
    _, key = normalise(kind, value)
    row = await session.scalar(
        select(m.Follow).where(
            m.Follow.user_id == member_id, m.Follow.kind == kind, m.Follow.norm_value == key
        )
    )
    if row is None:
        raise FollowError(f"you do not follow {kind} {value!r}; /ptm following lists what you follow")
    view = FollowView.of(row)
    await session.execute(delete(m.Follow).where(m.Follow.id == row.id))
    return view


async def active_follows(session: AsyncSession) -> dict[int, list[FollowView]]:
    """Every member's follows that are not paused, by member id."""
    rows = await session.scalars(
        select(m.Follow).where(m.Follow.paused_at.is_(None)).order_by(m.Follow.user_id, m.Follow.id)
    )
    out: dict[int, list[FollowView]] = {}
    for row in rows:
        out.setdefault(row.user_id, []).append(FollowView.of(row))
    return out


def matching_entries(follows: Sequence[FollowView], entries: Iterable[Entry]) -> list[Entry]:
    """The entries any of a member's follows match, each once, in the digest's order."""
    return [e for e in entries if any(matches(f.kind, f.norm_value, e) for f in follows)]


async def pause_member(session: AsyncSession, member_id: int, *, now: datetime) -> None:
    """Their DMs are closed: pause all their follows until they use a follow command again."""
    await session.execute(
        update(m.Follow)
        .where(m.Follow.user_id == member_id, m.Follow.paused_at.is_(None))
        .values(paused_at=now, notice_pending=True)
    )


async def take_notice(session: AsyncSession, member_id: int) -> bool:
    """True once after the member's follows were paused (the caller tells them).

    Runs after every command: a read first, so the common case takes no write lock."""
    pending = await session.scalar(
        select(m.Follow.id).where(m.Follow.user_id == member_id, m.Follow.notice_pending.is_(True)).limit(1)
    )
    if pending is None:
        return False
    result = await session.execute(
        update(m.Follow)
        .where(m.Follow.user_id == member_id, m.Follow.notice_pending.is_(True))
        .values(notice_pending=False)
        .execution_options(synchronize_session=False)
    )
    return bool(rowcount(result))
