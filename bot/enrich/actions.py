"""The enrichment's door: ask the Hub about papers (:mod:`bot.enrich.hub`) and store what it says.

For each arXiv id: the stored validators are read (``db.read``), the Hub is asked conditionally,
and one unit of work (``db.run``) writes the ``hub_papers`` row, copies the links onto the
paper's suggestion (``suggestions.hub``, what the review card shows) and, when the Hub lists a
model for the first time, wakes the suggestion if a moderator snoozed it ("needs info": the
weights were what was missing), audited as ``wake``. Nothing is changed for a paper the Hub did
not answer about.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config, EnrichConfig
from bot.database import Database
from bot.enrich.hub import Outcome, model_url, read_paper
from bot.enrich.paper import HubPaper
from bot.review.service import SuggestionView
from bot.review.service.snooze import wake_one
from bot.watch.fetch import PoliteFetcher, Validators
from db import models as m
from db.enums import SuggestionStatus
from db.reads import Reads

__all__ = ["EnrichReport", "arxiv_ids_of", "enrich", "make_hub_fetcher", "targets"]

log = logging.getLogger(__name__)

WAKE_REASON = "weights released on the Hugging Face Hub"

_STORED_SQL = "SELECT etag, last_modified FROM hub_papers WHERE arxiv_id = :id"
_PENDING_SQL = "SELECT arxiv_id FROM suggestions WHERE status = 'pending' ORDER BY id"
_ENTRIES_SQL = "SELECT DISTINCT arxiv_id FROM entries WHERE arxiv_id IS NOT NULL ORDER BY arxiv_id"
_UNASKED_SQL = (
    "SELECT DISTINCT e.arxiv_id FROM entries e LEFT JOIN hub_papers h ON h.arxiv_id = e.arxiv_id "
    "WHERE e.arxiv_id IS NOT NULL AND h.arxiv_id IS NULL ORDER BY e.arxiv_id"
)


@dataclass(slots=True)
class EnrichReport:
    """What one enrichment run did (``ptm-bot enrich --json`` prints it)."""

    checked: int = 0
    found: int = 0
    absent: int = 0
    not_modified: int = 0
    with_weights: int = 0
    new_weights: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # arXiv id, why
    woken: list[SuggestionView] = field(default_factory=list)
    changed: list[SuggestionView] = field(default_factory=list)  # pending papers whose card changes

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "found": self.found,
            "absent": self.absent,
            "not_modified": self.not_modified,
            "with_weights": self.with_weights,
            "new_weights": self.new_weights,
            "failed": [{"arxiv_id": a, "error": e} for a, e in self.failed],
            "woken": [s.arxiv_id for s in self.woken],
        }


def make_hub_fetcher(session: Any, config: Config) -> PoliteFetcher:
    """The Hub's fetcher around the bot's (or the CLI's) aiohttp session, from ``[enrich]``."""
    e = config.enrich
    return PoliteFetcher(
        session,
        user_agent=config.user_agent,
        min_interval=e.min_interval_seconds,
        timeout=e.timeout_seconds,
        max_attempts=e.max_attempts,
        backoff_base=1.0,
        max_backoff=60.0,
        expected_statuses=frozenset({404}),  # no Hub page for the paper (yet): an answer, not a fault
    )


_PENDING_IDS_SQL = "SELECT id, arxiv_id FROM suggestions WHERE status = 'pending' ORDER BY id"


async def arxiv_ids_of(db: Database, suggestion_ids: Iterable[int]) -> list[str]:
    """The arXiv ids of suggestions (a poll's new pending ones)."""
    wanted = set(suggestion_ids)

    async def read(reads: Reads) -> list[str]:
        return [r["arxiv_id"] for r in await reads.rows(_PENDING_IDS_SQL) if r["id"] in wanted]

    return await db.read(read) if wanted else []


async def _validators(reads: Reads, arxiv_id: str) -> Validators:
    rows = await reads.rows(_STORED_SQL, {"id": arxiv_id})
    if not rows:
        return Validators()
    return Validators(etag=rows[0]["etag"], last_modified=rows[0]["last_modified"])


async def targets(db: Database, *, every_entry: bool = False) -> list[str]:
    """The papers to ask about: every pending suggestion (snoozed ones included), then the
    entries never asked about (*every_entry*: all of them)."""

    async def read(reads: Reads) -> list[str]:
        pending = [r["arxiv_id"] for r in await reads.rows(_PENDING_SQL)]
        entries = [r["arxiv_id"] for r in await reads.rows(_ENTRIES_SQL if every_entry else _UNASKED_SQL)]
        return list(dict.fromkeys([*pending, *entries]))

    return await db.read(read)


async def enrich(
    db: Database,
    fetcher: PoliteFetcher,
    config: EnrichConfig,
    arxiv_ids: Iterable[str],
    *,
    now: datetime | None = None,
) -> EnrichReport:
    """Ask the Hub about each paper, politely and one at a time, and store what it says."""
    report = EnrichReport()
    for arxiv_id in dict.fromkeys(arxiv_ids):
        answer = await read_paper(fetcher, config.hub_url, arxiv_id, await db.read(_validators, arxiv_id))
        report.checked += 1
        if answer.outcome is Outcome.FAILED:
            report.failed.append((arxiv_id, answer.error or "no answer"))
            log.warning("Hub enrichment of arXiv %s failed: %s", arxiv_id, answer.error)
            continue
        if answer.outcome is Outcome.NOT_MODIFIED:
            report.not_modified += 1
            continue
        when = now or datetime.now(UTC)
        paper = answer.paper or HubPaper()
        # Stored as the models' page URLs (the card's Weights button, an approved paper's docs link).
        paper = dataclasses.replace(
            paper, top_models=tuple(model_url(config.hub_url, r) for r in paper.top_models)
        )
        found = answer.outcome is Outcome.FOUND
        await db.run(
            functools.partial(
                _store,
                arxiv_id=arxiv_id,
                paper=paper,
                found=found,
                validators=answer.validators,
                now=when,
                report=report,
            )
        )
    return report


async def _store(
    session: AsyncSession,
    arxiv_id: str,
    paper: HubPaper,
    found: bool,
    validators: Validators,
    now: datetime,
    report: EnrichReport,
) -> None:
    row = await session.get(m.HubPaper, arxiv_id)
    first_weights = paper.weights and (row is None or row.weights_seen_at is None)
    if row is None:
        row = m.HubPaper(arxiv_id=arxiv_id)
        session.add(row)
    row.found = found
    row.models, row.datasets, row.spaces = paper.models, paper.datasets, paper.spaces
    row.top_models = list(paper.top_models)
    row.github_repo, row.project_page = paper.github_repo, paper.project_page
    row.etag, row.last_modified = validators.etag, validators.last_modified
    row.checked_at = now
    if first_weights:
        row.weights_seen_at = now
    report.found += row.found
    report.absent += not row.found
    report.with_weights += paper.weights
    await session.flush()
    await _onto_suggestion(session, arxiv_id, paper if row.found else None, first_weights, now, report)
    if first_weights:
        report.new_weights.append(arxiv_id)


async def _onto_suggestion(
    session: AsyncSession,
    arxiv_id: str,
    paper: HubPaper | None,
    first_weights: bool,
    now: datetime,
    report: EnrichReport,
) -> None:
    """The links onto the paper's suggestion; a snoozed one wakes when weights first appear."""
    s = await session.scalar(select(m.Suggestion).where(m.Suggestion.arxiv_id == arxiv_id))
    if s is None:
        return
    links = (
        paper.as_dict()
        if paper is not None and (paper.models or paper.github_repo or paper.project_page)
        else None
    )
    if s.hub != links:
        await session.execute(update(m.Suggestion).where(m.Suggestion.id == s.id).values(hub=links))
        if s.status == SuggestionStatus.PENDING:
            await session.refresh(s)
            report.changed.append(SuggestionView.of(s))
    if first_weights and s.status == SuggestionStatus.PENDING and s.snoozed_until is not None:
        woken = await wake_one(session, s.id, now=now, reason=WAKE_REASON)
        if woken is not None:
            report.woken.append(woken)
            report.changed = [c for c in report.changed if c.id != woken.id] + [woken]
            log.info("arXiv %s is back in the review queue: %s", arxiv_id, WAKE_REASON)
