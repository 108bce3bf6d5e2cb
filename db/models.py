"""The catalog's schema: typed SQLAlchemy 2.0 ORM models.

Invariants live here, as constraints: a paper's arXiv id is unique, (kind, name) is unique per
entry, a suggestion exists once per arXiv id and has one of a fixed set of statuses, topics and
aliases are unique per entry. ``db/`` never imports ``discord``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import JSON

# The declarative base, its naming convention and the UTC timestamp type live in db/base.py (the
# tables of db/outside.py share them); re-exported here.
from db.base import NAMING_CONVENTION as NAMING_CONVENTION
from db.base import Base as Base
from db.base import UTCDateTime as UTCDateTime
from db.base import utcnow as utcnow

# The enumerations live in a module free of SQLAlchemy (renderers and the fetcher import them from
# there); re-exported here, where the tables that store them are.
from db.enums import ENTRY_KINDS as ENTRY_KINDS
from db.enums import FEED_HEALTH as FEED_HEALTH
from db.enums import LINK_STATUSES as LINK_STATUSES
from db.enums import MODEL_STATUSES as MODEL_STATUSES
from db.enums import SUGGESTION_STATUSES as SUGGESTION_STATUSES
from db.enums import FeedHealth as FeedHealth
from db.enums import LinkStatus as LinkStatus
from db.enums import ModelStatus as ModelStatus
from db.enums import SuggestionStatus as SuggestionStatus

# Tables beside the catalog's own (the Hugging Face Hub's paper pages, link checks, members' votes):
# in db/outside.py, re-exported here (``m.HubPaper``, ``m.LinkCheck``, ``m.Vote`` like every table).
from db.outside import LINK_CHECK_CONSTRAINTS as LINK_CHECK_CONSTRAINTS
from db.outside import HubPaper as HubPaper
from db.outside import LinkCheck as LinkCheck
from db.outside import Route as Route
from db.outside import Vote as Vote


class Section(Base):
    """A heading of the list, in document order (the exporter writes them back)."""

    __tablename__ = "sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    level: Mapped[int] = mapped_column(Integer)
    intro: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)


class Paper(Base):
    """A paper; several entries may share one (LED and Longformer)."""

    __tablename__ = "papers"
    # Titles have no length limit: PostgreSQL indexes them by hash (a B-tree row holds ~2.7 kB at
    # most), so a 1 MB title is stored there as on SQLite. Lookups are by equality only.
    __table_args__ = (Index("ix_papers_norm_title", "norm_title", postgresql_using="hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    arxiv_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(Text)
    norm_title: Mapped[str] = mapped_column(Text)


class Entry(Base):
    __tablename__ = "entries"
    __table_args__ = (
        UniqueConstraint("kind", "name"),
        CheckConstraint(f"kind IN {ENTRY_KINDS!r}", name="kind"),
        CheckConstraint("month IS NULL OR (month BETWEEN 1 AND 12)", name="month"),
        Index("ix_entries_section_position", "section_key", "position"),
        Index("ix_entries_year_month", "year", "month"),
        Index("ix_entries_kind_year_month", "kind", "year", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300))
    norm_name: Mapped[str] = mapped_column(String(300), index=True)
    section_key: Mapped[str] = mapped_column(String(200))
    # Order within the section; new entries get a position between their neighbours.
    position: Mapped[float] = mapped_column(Float)
    year: Mapped[int | None] = mapped_column(Integer)
    month: Mapped[int | None] = mapped_column(Integer)
    date_style: Mapped[str] = mapped_column(String(8), default="yymm")
    org: Mapped[str | None] = mapped_column(String(300))
    docs_url: Mapped[str | None] = mapped_column(Text)
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("papers.id", ondelete="SET NULL"), index=True)
    paper_title: Mapped[str | None] = mapped_column(Text)
    paper_url: Mapped[str | None] = mapped_column(Text)
    arxiv_id: Mapped[str | None] = mapped_column(String(32), index=True)
    description: Mapped[str | None] = mapped_column(Text)
    phrasing: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    source_line: Mapped[int | None] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(16), default="list")  # list | review | admin
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    paper: Mapped[Paper | None] = relationship(lazy="raise")
    authors: Mapped[list[EntryAuthor]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="EntryAuthor.position"
    )
    links: Mapped[list[EntryLink]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="EntryLink.position"
    )
    topics: Mapped[list[EntryTopic]] = relationship(lazy="raise", cascade="all, delete-orphan")
    aliases: Mapped[list[Alias]] = relationship(lazy="raise", cascade="all, delete-orphan")


class Author(Base):
    __tablename__ = "authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    norm_name: Mapped[str] = mapped_column(String(300), index=True)


class EntryAuthor(Base):
    __tablename__ = "entry_authors"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("authors.id", ondelete="RESTRICT"), index=True)

    author: Mapped[Author] = relationship(lazy="raise")


class EntryLink(Base):
    __tablename__ = "entry_links"

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    label: Mapped[str | None] = mapped_column(Text)
    label_own_line: Mapped[bool] = mapped_column(Boolean, default=False)


class Topic(Base):
    __tablename__ = "topics"

    slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")


class EntryTopic(Base):
    __tablename__ = "entry_topics"
    __table_args__ = (CheckConstraint("source IN ('auto', 'moderator')", name="source"),)

    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), primary_key=True)
    topic_slug: Mapped[str] = mapped_column(
        ForeignKey("topics.slug", ondelete="CASCADE"), primary_key=True, index=True
    )
    source: Mapped[str] = mapped_column(String(16), default="auto")


class TopicCount(Base):
    """How many entries each topic has: kept by triggers on ``entry_topics`` (migration 0011), so
    ``/ptm recent`` reads a topic's size in one row however large the catalog. Never written
    by the application."""

    __tablename__ = "topic_counts"

    topic_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class KindCount(Base):
    """How many entries of each kind: kept by triggers on ``entries`` (migration 0011), for the
    survey list's total. Never written by the application."""

    __tablename__ = "kind_counts"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class Alias(Base):
    """Other names an entry answers to (``ViT`` for "Vision Transformer (ViT)")."""

    __tablename__ = "aliases"
    __table_args__ = (UniqueConstraint("entry_id", "norm_alias"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(300))
    norm_alias: Mapped[str] = mapped_column(String(300), index=True)


class Feed(Base):
    __tablename__ = "feeds"
    __table_args__ = (CheckConstraint(f"health IN {FEED_HEALTH!r}", name="health"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text, unique=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    health: Mapped[str] = mapped_column(String(16), default=FeedHealth.OK.value)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_ok_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    polls: Mapped[int] = mapped_column(Integer, default=0)
    # The health last announced in the review channel, so each change is announced once.
    announced_health: Mapped[str] = mapped_column(String(16), default=FeedHealth.OK.value)


class Suggestion(Base):
    """Every arXiv paper the watcher has seen, once per arXiv id (version-less).

    ``seen`` papers were not suggested (not relevant, over a cap, replacements); ``pending``
    ones await a moderator; ``approved`` / ``rejected`` are decided. A paper is never suggested
    twice because the row exists once and the status only moves by conditional updates.
    """

    __tablename__ = "suggestions"
    __table_args__ = (
        CheckConstraint(f"status IN {SUGGESTION_STATUSES!r}", name="status"),
        CheckConstraint("score >= 0 AND score <= 1", name="score"),
        Index("ix_suggestions_status_score", "status", "score"),
        Index("ix_suggestions_norm_title", "norm_title", postgresql_using="hash"),  # see Paper
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(32), unique=True)
    version: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    norm_title: Mapped[str] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    abstract: Mapped[str] = mapped_column(Text, default="")
    announce_type: Mapped[str] = mapped_column(String(32), default="new")
    url: Mapped[str] = mapped_column(Text)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    proposed_kind: Mapped[str] = mapped_column(String(16), default="model")
    proposed_name: Mapped[str] = mapped_column(String(300), default="")
    proposed_topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="seen")
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    suggested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel_id: Mapped[int | None] = mapped_column(BigInteger)
    message_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"))
    # Suggested although just below the threshold, so the model also learns where it is unsure
    # (only suggested papers get labels otherwise): the card says so.
    exploration: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # "Needs info": out of the review queue until then (or until arXiv announces a new version).
    snoozed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    snoozed_by: Mapped[int | None] = mapped_column(BigInteger)
    # Set by a moderator's Edit before approving (the catalog line's organisation).
    proposed_org: Mapped[str | None] = mapped_column(String(300))
    # The review budget (review.cards_per_poll): a pending paper above the line but over its poll's
    # card budget is *listed* in the poll's compact "also above the line" message, not given a card,
    # until a moderator promotes it. Decisions and /ptm-admin pending treat it like any pending one.
    listed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    listing_channel_id: Mapped[int | None] = mapped_column(BigInteger)
    listing_message_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    # Where the paper stood in the poll that suggested it: the line it was held to, its rank among
    # the poll's papers above the line (1 = best) and how many there were ("#2 of 11").
    threshold: Mapped[float | None] = mapped_column(Float)
    poll_rank: Mapped[int | None] = mapped_column(Integer)
    poll_ranked: Mapped[int | None] = mapped_column(Integer)
    # The kind of yes (migration 0014): ``core`` or ``borderline`` ("keep it, but borderline"), set
    # on approval and cleared by undo. The relevance model learns a borderline approval as a
    # positive that does not pull its threshold down (see bot/relevance/labels.py).
    approval_kind: Mapped[str | None] = mapped_column(String(16))
    # Migration 0017: what this paper may duplicate, found when the poll stored it (a list of
    # ``{"why", "name", "arxiv_id", "entry_id" | "suggestion_id"}``; bot.catalog.duplicates), and
    # for an approval into an existing entry (new version / alias) the entry's fields before, so
    # undo puts the entry back instead of deleting it.
    related: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    approved_into: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Migration 0018: the Hub's links for this paper as the card shows them (a copy of hub_papers'
    # row: {"models", "datasets", "spaces", "top_models", "github_repo", "project_page"}), or None.
    hub: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Migration 0019: a member's /ptm suggest (who, their note), and when they were told the outcome.
    suggested_by: Mapped[int | None] = mapped_column(BigInteger, index=True)
    suggested_by_name: Mapped[str | None] = mapped_column(String(200))
    member_note: Mapped[str | None] = mapped_column(Text)
    member_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# What the audit records (``wake``: a snoozed suggestion back in the queue) and through which door.
REVIEW_ACTIONS = ("approve", "reject", "undo", "snooze", "wake", "edit")
REVIEW_DOORS = ("reaction", "command", "cli", "button", "watcher")


class ReviewDecision(Base):
    """Audit trail: every approve / reject / undo / snooze / edit, by whom, how and when. Never updated."""

    __tablename__ = "review_decisions"
    __table_args__ = (
        CheckConstraint(f"action IN {REVIEW_ACTIONS!r}", name="action"),
        CheckConstraint(f"via IN {REVIEW_DOORS!r}", name="via"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    suggestion_id: Mapped[int] = mapped_column(ForeignKey("suggestions.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str | None] = mapped_column(String(200))
    via: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


FOLLOW_KINDS = ("topic", "author", "org", "query")


class Follow(Base):
    """A member's personal alert: approved entries matching it reach them by DM, batched per digest
    period. ``paused_at`` is set when their DMs were closed; ``notice_pending`` until they are told."""

    __tablename__ = "follows"
    __table_args__ = (
        CheckConstraint(f"kind IN {FOLLOW_KINDS!r}", name="kind"),
        UniqueConstraint("user_id", "kind", "norm_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))
    norm_value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    notice_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


GATE_MODES = ("always", "never")
GATE_KINDS = ("term", "author", "org", "category")


class RelevanceGate(Base):
    """A moderator's gate (``/ptm-admin gate add``, ``ptm-bot gate add``): always / never suggest
    papers with a term, author, organisation or category; applied by the poll before the model.
    ``set_by`` (a Discord user id, ``cli:<user>``) and ``set_at`` are the audit; once per
    (kind, mode, normalised value)."""

    __tablename__ = "relevance_gates"
    __table_args__ = (
        CheckConstraint(f"kind IN {GATE_KINDS!r}", name="kind"),
        CheckConstraint(f"mode IN {GATE_MODES!r}", name="mode"),
        UniqueConstraint("kind", "mode", "norm_value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(200))
    norm_value: Mapped[str] = mapped_column(String(200))
    set_by: Mapped[str] = mapped_column(String(100))
    set_by_name: Mapped[str | None] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportRun(Base):
    """One import of a list (``ptm-bot import``, the first fill): what it changed, for the record."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[int] = mapped_column(Integer, default=0)


class RelevanceModelRow(Base):
    """A trained relevance model: its weights (JSON), its figures and why it is or is not in use.
    At most one row is ``active``; without one the shipped model scores."""

    __tablename__ = "relevance_models"
    __table_args__ = (CheckConstraint(f"status IN {tuple(s.value for s in ModelStatus)!r}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    body: Mapped[str] = mapped_column(Text)  # RelevanceModel.dumps()
    metrics: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    note: Mapped[str] = mapped_column(Text, default="")


MODEL_EVENT_ACTIONS = ("retrain", "activate", "rollback")


class RelevanceModelEvent(Base):
    """Audit of the relevance model versions (migration 0014): which version became active, from
    which one, by whom and how (a retrain that activated it, a moderator's activate or rollback).
    Never updated; ``rollback`` reads it to find the version that was active before."""

    __tablename__ = "relevance_model_events"
    __table_args__ = (CheckConstraint(f"action IN {MODEL_EVENT_ACTIONS!r}", name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str | None] = mapped_column(String(64))  # None: back to the shipped model
    previous_version: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    actor_name: Mapped[str | None] = mapped_column(String(200))
    via: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")


class Meta(Base):
    """Small document-level facts (the list's title)."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


# Whole-list revisions (with an export) and moderators' changes (with the change only).
WHOLE_LIST_ACTIONS = ("import", "revert", "seed")
REVISION_ACTIONS = (*WHOLE_LIST_ACTIONS, "approve", "undo", "edit", "remove", "tag")


class CatalogRevision(Base):
    """One change of the catalog: a whole list (an import, a revert, the first fill) with the
    catalog's export from just before it (``ptm-bot revert`` brings that state back), or one
    moderator's change (an approval, an undo, an edit, a removal, new topics) with only the change
    itself (``change``, JSON), so that the history is complete without an export per decision."""

    __tablename__ = "catalog_revisions"
    __table_args__ = (CheckConstraint(f"action IN {REVISION_ACTIONS!r}", name="action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    action: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text, default="")
    # The catalog's export (the list's markdown) before a whole-list revision; NULL for a
    # moderator's change (migration 0015).
    before: Mapped[str | None] = mapped_column(Text)
    # What a moderator's change did, or what a revert undid (JSON); NULL for an import.
    change: Mapped[dict[str, Any] | None] = mapped_column(JSON)
