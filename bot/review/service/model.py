"""The review's domain types: a suggestion as the review sees it, a decision and its outcome, the
kinds of yes, and the error a moderator sees. Pure data, no queries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.errors import UserFacingError
from db import models as m
from db.models import SuggestionStatus

__all__ = [
    "APPROVAL_KINDS",
    "ApprovalKind",
    "Decision",
    "DecisionOutcome",
    "ReviewError",
    "SuggestionView",
    "approval_kind",
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
    # What the paper may duplicate (bot.catalog.duplicates.Related as dicts), and for an approval
    # into an existing entry: {"entry_id", "as": "version" | "alias", "name", "before", "alias"}.
    related: tuple[Mapping[str, Any], ...] = ()
    approved_into: Mapping[str, Any] | None = None
    # What the Hugging Face Hub links to the paper (bot.enrich.hub.HubPaper.as_dict; top_models are
    # the models' page URLs), or None when the Hub was not asked or knows nothing.
    hub: Mapping[str, Any] | None = None
    suggested_by: int | None = None  # a member's /ptm suggest (None: the watcher's)
    suggested_by_name: str | None = None
    member_note: str | None = None

    @property
    def duplicate_of(self) -> Mapping[str, Any] | None:
        """The catalog entry this paper most likely repeats (the first related entry), if any: the
        card offers to approve it as a new version or an alias of that entry."""
        return next((r for r in self.related if r.get("entry_id") is not None), None)

    @property
    def weights_url(self) -> str | None:
        """The most downloaded Hub model of the paper, if the Hub lists one."""
        top = (self.hub or {}).get("top_models") or ()
        return str(top[0]) if top else None

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
            related=tuple(row.related or ()),
            approved_into=row.approved_into,
            hub=row.hub,
            suggested_by=row.suggested_by,
            suggested_by_name=row.suggested_by_name,
            member_note=row.member_note,
        )


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    applied: bool  # False: someone else decided first (or it was not pending)
    suggestion: SuggestionView
    entry_name: str | None = None
    warnings: tuple[str, ...] = ()  # e.g. what a paper a moderator added may duplicate
