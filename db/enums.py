"""The schema's enumerations, free of SQLAlchemy: what a renderer, the fetcher or a test needs to
name a status without importing the ORM. :mod:`db.models` uses (and re-exports) them; the
database stores their values (``CHECK`` constraints in the migrations).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ENTRY_KINDS",
    "FEED_HEALTH",
    "LINK_STATUSES",
    "MODEL_STATUSES",
    "SUGGESTION_STATUSES",
    "FeedHealth",
    "LinkStatus",
    "ModelStatus",
    "SuggestionStatus",
]

ENTRY_KINDS = ("survey", "model", "resource")


class SuggestionStatus(StrEnum):
    """Where a watched paper stands: ``seen`` (scored, not suggested), ``waiting`` (relevant but over
    a cap: a later poll suggests it), ``pending`` (waiting for a moderator), ``approved`` or
    ``rejected`` (decided)."""

    SEEN = "seen"
    WAITING = "waiting"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class FeedHealth(StrEnum):
    """A watched feed's health: ``ok``, ``degraded`` (answered, but papers were lost: a truncated
    document, entries without an id), ``failing`` (recent polls failed), ``disabled`` (too many)."""

    OK = "ok"
    DEGRADED = "degraded"
    FAILING = "failing"
    DISABLED = "disabled"


class ModelStatus(StrEnum):
    """A relevance model version: ``active`` (scores polls), ``kept_aside`` (trained but not better),
    ``retired`` (was active before a newer one)."""

    ACTIVE = "active"
    KEPT_ASIDE = "kept_aside"
    RETIRED = "retired"


class LinkStatus(StrEnum):
    """A catalog link's state after its checks (``link_checks``, migration 0018): ``ok``,
    ``redirected`` (a temporary redirect, 302/303/307: reported, the link kept), ``moved`` (a
    permanent move, 301/308: the new URL is proposed as an edit), ``failing`` (the last checks
    failed, since ``first_failed_at``), ``dead`` (failed on two checks at least a day apart)."""

    OK = "ok"
    REDIRECTED = "redirected"
    MOVED = "moved"
    FAILING = "failing"
    DEAD = "dead"


SUGGESTION_STATUSES = tuple(s.value for s in SuggestionStatus)
FEED_HEALTH = tuple(h.value for h in FeedHealth)
MODEL_STATUSES = tuple(s.value for s in ModelStatus)
LINK_STATUSES = tuple(s.value for s in LinkStatus)
