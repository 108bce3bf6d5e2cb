"""Tables beside the catalog's own, fed from outside it (``db/models.py`` re-exports them): what the
Hugging Face Hub's paper pages link to each arXiv paper (``hub_papers``, migration 0018), the last
check of each catalog link (``link_checks``, migration 0020) and members' votes (``votes``, 0021). Import them from
``db.models``, which re-exports them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import JSON

from db.base import Base, UTCDateTime, utcnow
from db.enums import LINK_STATUSES

__all__ = ["LINK_CHECK_CONSTRAINTS", "HubPaper", "LinkCheck", "Route", "Vote"]


class HubPaper(Base):
    """What the Hugging Face Hub's paper page says of one arXiv paper (issue 20: enrichment), for
    suggestions and entries alike: linked models, datasets and Spaces, the top models, the code and
    project page; the validators for the next conditional GET; when weights were first seen."""

    __tablename__ = "hub_papers"
    __table_args__ = (
        CheckConstraint("models >= 0 AND datasets >= 0 AND spaces >= 0", name="counts"),
        CheckConstraint("found OR models = 0", name="absent_has_nothing"),
    )

    arxiv_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    found: Mapped[bool] = mapped_column(Boolean, default=False)  # the Hub has a page for the paper
    models: Mapped[int] = mapped_column(Integer, default=0)
    datasets: Mapped[int] = mapped_column(Integer, default=0)
    spaces: Mapped[int] = mapped_column(Integer, default=0)
    top_models: Mapped[list[str]] = mapped_column(JSON, default=list)  # repo ids, most downloaded first
    github_repo: Mapped[str | None] = mapped_column(Text)
    project_page: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    weights_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# The invariants of a link check (migration 0020), as CHECK constraints: a failing or dead link has
# the time of its first failure and at least one failure (dead: two), a link that answers has
# neither; a move or a redirect names where it leads.
LINK_CHECK_CONSTRAINTS = (
    ("status", f"status IN {LINK_STATUSES!r}"),
    ("failures", "consecutive_failures >= 0"),
    (
        "failed_since",
        "(status IN ('failing', 'dead') AND first_failed_at IS NOT NULL AND consecutive_failures >= 1)"
        " OR (status NOT IN ('failing', 'dead') AND first_failed_at IS NULL AND consecutive_failures = 0)",
    ),
    ("dead_twice", "status <> 'dead' OR consecutive_failures >= 2"),
    ("moved_to", "status NOT IN ('moved', 'redirected') OR final_url IS NOT NULL"),
    ("http_status", "http_status IS NULL OR (http_status BETWEEN 100 AND 599)"),
    ("checked_after", "first_failed_at IS NULL OR first_failed_at <= last_checked_at"),
)


class LinkCheck(Base):
    """The last check of one catalog URL (``ptm-bot links check``, the weekly job): its state
    (:class:`LinkStatus`), the last HTTP status and where redirects led, since when it fails and
    how many checks in a row failed. Once per URL, whichever entries hold it."""

    __tablename__ = "link_checks"
    __table_args__ = tuple(CheckConstraint(sql, name=name) for name, sql in LINK_CHECK_CONSTRAINTS)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    status: Mapped[str] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column(Integer)
    final_url: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    first_failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)


class Vote(Base):
    """A member's vote for an entry (issue 22): one per member per entry (a second vote is refused
    by the schema, so it never counts twice), gone with the entry, with the time it was cast (the
    period of ``/ptm top``). Only the member's id is kept: a vote is never shown with a name."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("entry_id", "member_id"),
        Index("ix_votes_voted_at_entry_id", "voted_at", "entry_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(BigInteger)
    voted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Route(Base):
    """A route a moderator added with ``/ptm-admin route add`` (beside the config's ``[[routes]]``,
    which come first): a topic or a query (exactly one), the channel and role as given (an id or a
    name), and what it takes (cards, digest entries); who added it and when."""

    __tablename__ = "routes"
    __table_args__ = (
        CheckConstraint("(topic IS NULL) <> (query IS NULL)", name="topic_or_query"),
        CheckConstraint("cards OR digest", name="takes_something"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str | None] = mapped_column(String(64))
    query: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(200))
    tag: Mapped[str | None] = mapped_column(String(100))  # a forum tag's name (a forum channel)
    cards: Mapped[bool] = mapped_column(Boolean, default=True)
    digest: Mapped[bool] = mapped_column(Boolean, default=True)
    added_by: Mapped[str] = mapped_column(String(100))
    added_by_name: Mapped[str | None] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
