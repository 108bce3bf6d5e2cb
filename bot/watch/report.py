"""What a poll reports: one :class:`Candidate` per paper, one :class:`FeedStatus` per source, and the
:class:`PollReport` that holds them with its counts (``ptm-bot poll --json`` prints it as is).

Pure data: every step of the poll (:mod:`bot.watch.poll`) fills these in, nothing here reads the
database or the network.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from db.enums import FeedHealth

__all__ = [
    "ABSTRACT_EXCERPT",
    "RELISTED",
    "Candidate",
    "CandidateStatus",
    "FeedStatus",
    "PollReport",
    "excerpt",
]

ABSTRACT_EXCERPT = 400


def excerpt(abstract: str) -> str:
    """The abstract as a candidate carries it: at most :data:`ABSTRACT_EXCERPT` characters."""
    if len(abstract) > ABSTRACT_EXCERPT:
        return abstract[: ABSTRACT_EXCERPT - 1].rstrip() + "…"
    return abstract


class CandidateStatus:
    NEW = "new"  # never seen before
    DUPLICATE = "duplicate"  # already seen, suggested or decided (a suggestions row exists)
    KNOWN = "known"  # already in the catalog
    # Exactly the title of an entry's paper under another arXiv id (the issue-20 duplicate check):
    # never suggested; why_not names the entry.
    SAME_TITLE = "same_title"
    REPLACEMENT = "replacement"  # a new version of a paper not otherwise known: never suggested
    WAITING = "waiting"  # relevant, over a cap in an earlier poll: not in this feed, suggested now


# A duplicate whose stored row changed only its reasons: Hugging Face Daily Papers lists it after an
# earlier poll stored it (``why_not`` in ``poll --json``; the bot redraws a pending paper's card).
RELISTED = "stored by an earlier poll; now on Hugging Face Daily Papers: its upvotes noted"


@dataclass(slots=True)
class Candidate:
    """One paper of the input, as ``ptm-bot poll --json`` prints it."""

    arxiv_id: str
    version: int | None
    title: str
    authors: list[str]
    categories: list[str]
    announce_type: str
    status: str
    score: float
    relevant: bool
    suggest: bool
    reasons: list[str]
    kind: str
    name: str
    topics: list[str]
    url: str
    abstract: str  # an excerpt
    published: str | None = None
    suggestion_id: int | None = None  # the stored row, when one was written for a suggested paper
    why_not: str | None = None  # for relevant papers not suggested: "per-poll cap", "daily cap", ...
    threshold: float = 0.0  # the threshold this paper was held to (with or without an abstract)
    exploration: bool = False  # suggested just below the threshold, to learn from the decision
    model_version: str = ""
    gate: str | None = None  # "always" / "never": a moderator's gate decided (its reason is first)
    # What a suggested paper may duplicate (bot.catalog.duplicates.Related.as_dict): the card warns.
    related: list[dict[str, Any]] = field(default_factory=list)
    # The review budget (review.cards_per_poll): a suggested paper is a "card" or "listed" in the
    # poll's compact "also above the line" message; rank is its place among the poll's suggested
    # papers above the line, best first (1 = best), of ``ranked`` (the exploration card has none).
    placement: str | None = None
    rank: int | None = None
    ranked: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class FeedStatus:
    """What happened to one source during a poll."""

    source: str
    kind: str  # 'url' | 'file'
    outcome: str  # 'ok' | 'partial' (papers lost: error says what) | 'not_modified' | 'failed' | 'skipped'
    lost: int = 0  # entries skipped for lack of an arXiv id (a truncated document says so in error)
    papers: int = 0
    error: str | None = None
    health: str = FeedHealth.OK
    previous_health: str = FeedHealth.OK
    consecutive_failures: int = 0
    first_poll: bool = False
    http_status: int | None = None
    announce: bool = False  # health differs from the last announced one: tell the review channel
    unreachable: bool = False  # failed because the host did not answer (the network, exit status 3)

    def as_dict(self) -> dict[str, Any]:
        """As shown (``ptm-bot poll --json``): the source and error redacted (bot.redact)."""
        from bot.redact import redact

        out = asdict(self)
        out["source"], out["error"] = redact(self.source), self.error and redact(self.error)
        return out


@dataclass(slots=True)
class PollReport:
    candidates: list[Candidate] = field(default_factory=list)
    feeds: list[FeedStatus] = field(default_factory=list)
    dry_run: bool = False

    @property
    def suggested_ids(self) -> list[int]:
        """Ids of the ``pending`` suggestions this poll created (for the review poster)."""
        return [c.suggestion_id for c in self.candidates if c.suggest and c.suggestion_id is not None]

    @property
    def listed_ids(self) -> list[int]:
        """Ids of the suggestions this poll listed (above the line, over the card budget)."""
        return [
            c.suggestion_id
            for c in self.candidates
            if c.placement == "listed" and c.suggestion_id is not None
        ]

    @property
    def health_changes(self) -> list[FeedStatus]:
        return [f for f in self.feeds if f.announce]

    @property
    def failed(self) -> list[FeedStatus]:
        return [f for f in self.feeds if f.outcome == "failed"]

    @property
    def partial(self) -> list[FeedStatus]:
        """Sources that answered but lost papers: reported (and announced) like a failure."""
        return [f for f in self.feeds if f.outcome == "partial"]

    @property
    def counts(self) -> dict[str, int]:
        waited = sum(c.status == CandidateStatus.WAITING for c in self.candidates)
        out = {"papers": len(self.candidates) - waited, "suggested": sum(c.suggest for c in self.candidates)}
        out["waited"] = waited  # suggested from earlier polls' waiting list (included in "suggested")
        for status in ("new", "duplicate", "known", "same_title", "replacement"):
            out[status] = sum(c.status == status for c in self.candidates)
        out["relevant"] = sum(c.relevant for c in self.candidates)
        # New papers a never-gate kept off the review channel / an always-gate put forward.
        out["gated"] = sum(c.gate == "never" and c.status == CandidateStatus.NEW for c in self.candidates)
        out["gated_always"] = sum(
            c.gate == "always" and c.status == CandidateStatus.NEW for c in self.candidates
        )
        out["cards"] = sum(c.placement == "card" for c in self.candidates)
        out["listed"] = sum(c.placement == "listed" for c in self.candidates)
        out["feeds_failed"] = len(self.failed)
        out["feeds_partial"] = len(self.partial)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "candidates": [c.as_dict() for c in self.candidates],
            "feeds": [f.as_dict() for f in self.feeds],
            "counts": self.counts,
            "dry_run": self.dry_run,
        }
