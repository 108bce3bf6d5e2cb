"""The arXiv watcher: poll feeds, dedup exactly, score, store, and pick what to suggest.

One poll is three phases so no transaction is ever held across network I/O:

1. read each feed's stored state (validators, health) in a short read-only unit of work;
2. fetch every feed (politely, through :class:`bot.watch.fetch.PoliteFetcher`) and parse the bytes;
3. one write unit of work: feed rows (health, validators on success only) and the papers.

Dedup is by the version-less arXiv id: within the batch (a paper cross-listed in several category
feeds is one candidate with merged categories), against ``suggestions`` (a row exists once per
paper, whatever its status) and against the catalog (entries' arXiv ids, or the normalised title of
entries' papers without an id). ``replace`` / ``replace-cross`` announcements never create
suggestions.
"""

from __future__ import annotations

import asyncio
import json
import logging
import weakref
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Table, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.database import Database
from bot.relevance.gate_store import gates_in_force
from bot.relevance.gates import GateSet
from bot.relevance.model import score_paper
from bot.relevance.propose import propose_topics
from bot.relevance.store import active_model
from bot.watch.arxiv import FeedError, FeedPaper, parse_feed
from bot.watch.fetch import FeedHealth, FetchOutcome, PoliteFetcher, Validators, next_health
from db import models as m
from db.models import SuggestionStatus
from db.normalize import norm_title

__all__ = [
    "Candidate",
    "CandidateStatus",
    "FeedStatus",
    "PollReport",
    "enable_feed",
    "feed_urls",
    "is_url",
    "list_feeds",
    "make_fetcher",
    "mark_health_announced",
    "merge_papers",
    "poll",
    "process_papers",
    "record_health_announced",
]

log = logging.getLogger(__name__)

# feedparser is CPU-bound; above this many bytes it runs in a worker thread so the bot's loop
# (heartbeats, interactions) keeps going.
PARSE_IN_THREAD_BYTES = 256 * 1024
ABSTRACT_EXCERPT = 400
_IN_CHUNK = 500  # ids per IN (...) query: well under every backend's bound-parameter limit
# When one paper comes from several feeds with different announce types, the most "new" one wins.
_TYPE_RANK = {"new": 0, "cross": 1, "replace": 2, "replace-cross": 3}
_REPLACEMENTS = frozenset({"replace", "replace-cross"})


class CandidateStatus:
    NEW = "new"  # never seen before
    DUPLICATE = "duplicate"  # already seen, suggested or decided (a suggestions row exists)
    KNOWN = "known"  # already in the catalog
    REPLACEMENT = "replacement"  # a new version of a paper not otherwise known: never suggested
    WAITING = "waiting"  # relevant, over a cap in an earlier poll: not in this feed, suggested now


# Why a relevant new paper was not suggested, when a later poll should still suggest it.
_CAP_REASONS = frozenset({"per-poll cap", "daily cap"})


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
        return asdict(self)


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
        for status in ("new", "duplicate", "known", "replacement"):
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


# --------------------------------------------------------------------------------------------
# Feeds


def feed_urls(config: Config) -> list[str]:
    """The configured feed URLs: one combined ``cat+cat`` feed, or one per category."""
    feeds = config.feeds
    if not feeds.categories:
        return []
    if feeds.combined:
        return [feeds.url_template.format(categories="+".join(feeds.categories))]
    return [feeds.url_template.format(categories=cat) for cat in feeds.categories]


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


def make_fetcher(session: Any, config: Config, *, interactive: bool = False) -> PoliteFetcher:
    """The fetcher configured from ``[feeds]`` around the bot's (or the CLI's) aiohttp session.

    *interactive* (``ptm-bot poll``): someone is waiting, so retries back off for seconds, not minutes.
    """
    feeds = config.feeds
    extra: dict[str, float] = {"backoff_base": 1.0, "max_backoff": 5.0} if interactive else {}
    return PoliteFetcher(
        session,
        user_agent=config.user_agent,
        min_interval=feeds.min_interval_seconds,
        timeout=feeds.timeout_seconds,
        max_bytes=feeds.max_bytes,
        max_attempts=feeds.max_attempts,
        **extra,
    )


async def list_feeds(session: AsyncSession) -> list[m.Feed]:
    """Every feed row, for ``/ptm-admin feeds`` and ``ptm-bot feeds``."""
    return list((await session.scalars(select(m.Feed).order_by(m.Feed.url))).all())


async def enable_feed(session: AsyncSession, url: str) -> bool:
    """Reset a failing or disabled feed to ok (a moderator fixed the cause); False if unknown."""
    result = await session.execute(
        update(m.Feed)
        .where(m.Feed.url == url)
        .values(health=FeedHealth.OK, consecutive_failures=0, last_error=None)
    )
    return bool(result.rowcount)


async def mark_health_announced(session: AsyncSession, changes: Iterable[FeedStatus]) -> int:
    """Record that these health changes were announced (conditional: only if still current)."""
    done = 0
    for change in changes:
        if change.kind != "url":
            continue
        result = await session.execute(
            update(m.Feed)
            .where(m.Feed.url == change.source, m.Feed.health == change.health)
            .values(announced_health=change.health)
        )
        done += result.rowcount or 0
    return done


async def record_health_announced(db: Database, changes: Iterable[FeedStatus]) -> int:
    """:func:`mark_health_announced` in a unit of work of its own (after the announcement was sent)."""
    async with db.begin() as session:
        return await mark_health_announced(session, changes)


# --------------------------------------------------------------------------------------------
# Poll


@dataclass(slots=True)
class _Fetched:
    status: FeedStatus
    papers: tuple[FeedPaper, ...] = ()
    validators: Validators | None = None  # new validators to store (successful fetch + parse only)
    succeeded: bool = False
    partial: bool = False  # answered, but lost papers (FeedStatus.error says what)


async def poll(
    db: Database,
    config: Config,
    *,
    fetcher: PoliteFetcher | None,
    sources: Sequence[str] | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    all_topics: bool = False,
) -> PollReport:
    """Poll the configured feeds (or *sources*: URLs and local files) once; see the module docstring.

    Topics are proposed for the suggested papers (the only ones a moderator sees); *all_topics*
    proposes them for every candidate (``ptm-bot poll`` shows them all).

    *db* is a :class:`bot.database.Database`. Failures of single feeds are recorded and reported,
    never raised; the other feeds proceed.
    """
    now = now or datetime.now(UTC)
    sources = list(sources) if sources is not None else feed_urls(config)
    urls = [s for s in sources if is_url(s)]

    # Phase 1: stored state, read-only.
    async with db.begin() as session:
        rows = (
            {
                row.url: (
                    row.etag,
                    row.last_modified,
                    row.health,
                    row.consecutive_failures,
                    row.last_ok_at,
                    row.announced_health,
                )
                for row in (await session.scalars(select(m.Feed).where(m.Feed.url.in_(urls)))).all()
            }
            if urls
            else {}
        )

    # Phase 2: network and parsing, no transaction open.
    fetched: list[_Fetched] = []
    for source in sources:
        if is_url(source):
            state = rows.get(source)
            fetched.append(await _fetch_url(source, state, fetcher, config))
        else:
            fetched.append(await _read_file(source))

    # Phase 3: one write unit of work.
    report = PollReport(feeds=[f.status for f in fetched], dry_run=dry_run)
    papers_by_feed = [(f.status, f.papers) for f in fetched if f.papers]
    merged = merge_papers(p for _, papers in papers_by_feed for p in papers)
    # Papers seen only in feeds polled for the first time are limited to the backfill count.
    established = {p.arxiv_id for status, papers in papers_by_feed if not status.first_poll for p in papers}
    first_poll_ids = {p.arxiv_id for p in merged if p.arxiv_id not in established}

    async def write(session: AsyncSession) -> list[Any]:
        if not dry_run:
            for item in fetched:
                if item.status.kind == "url" and item.status.outcome != "skipped":
                    await _store_feed_state(session, item, now, config.feeds.disable_after_failures)
        candidates = await process_papers(
            session,
            merged,
            config=config,
            first_poll_ids=first_poll_ids,
            now=now,
            dry_run=dry_run,
            all_topics=all_topics,
        )
        if dry_run:
            await session.rollback()
        return candidates

    # Retried from the start if the database is locked (an import writing): the poll is not lost.
    if hasattr(db, "run"):
        report.candidates = await db.run(write)
    else:
        async with db.sessions() as session, session.begin():
            report.candidates = await write(session)
    counts = report.counts
    log.info(
        "poll: %d papers (%d new, %d duplicate, %d known, %d replacement), %d suggested, %d feed(s) failed, "
        "%d partial%s",
        counts["papers"],
        counts["new"],
        counts["duplicate"],
        counts["known"],
        counts["replacement"],
        counts["suggested"],
        counts["feeds_failed"],
        counts["feeds_partial"],
        " (dry run)" if dry_run else "",
    )
    return report


async def _fetch_url(
    url: str, state: tuple[Any, ...] | None, fetcher: PoliteFetcher | None, config: Config
) -> _Fetched:
    etag, last_modified, health, failures, last_ok_at, announced = state or (
        None,
        None,
        FeedHealth.OK,
        0,
        None,
        FeedHealth.OK,
    )
    status = FeedStatus(
        source=url,
        kind="url",
        outcome="skipped",
        health=health,
        previous_health=health,
        consecutive_failures=failures,
        # A feed that never succeeded is new: what it first shows is a backlog, not today's news.
        first_poll=last_ok_at is None,
    )
    if health == FeedHealth.DISABLED:
        status.error = "disabled after repeated failures; re-enable it with /ptm-admin feeds"
        # Not stored this time, but a disable whose announcement failed is reported until it is made.
        status.announce = health != (announced or FeedHealth.OK)
        log.info("feed %s is disabled; skipped", url, extra={"feed": url})
        return _Fetched(status)
    if fetcher is None:
        raise ValueError(f"polling {url} needs a fetcher")
    result = await fetcher.fetch(url, Validators(etag, last_modified))
    status.http_status = result.http_status
    if result.outcome is FetchOutcome.NOT_MODIFIED:
        status.outcome = "not_modified"
        return _Fetched(status, succeeded=True)
    if result.outcome is FetchOutcome.FAILED:
        status.outcome, status.error = "failed", result.error
        status.unreachable = result.unreachable
        return _Fetched(status)
    assert result.body is not None
    try:
        parsed = await _parse(result.body)
    except FeedError as exc:
        log.warning("feed %s: not a usable feed: %s", url, exc, extra={"feed": url})
        status.outcome, status.error = "failed", f"not a feed: {exc}"[:500]
        return _Fetched(status)
    if _mark_partial(status, parsed, url):
        # The validators stay as they were: the next poll fetches the whole document again instead
        # of hearing "304 Not Modified" about the papers this one lost.
        return _Fetched(status, parsed.papers, succeeded=True, partial=True)
    status.outcome, status.papers = "ok", len(parsed.papers)
    return _Fetched(status, parsed.papers, validators=result.validators, succeeded=True)


def _mark_partial(status: FeedStatus, parsed: Any, source: str) -> bool:
    """Record what *parsed* lost on *status*; True when it lost anything."""
    status.papers = len(parsed.papers)
    lost = parsed.lost
    if lost is None:
        return False
    status.outcome, status.error, status.lost = "partial", lost[:500], len(parsed.skipped)
    log.warning("feed %s: partial: %s", source, lost)
    return True


async def _read_file(path: str) -> _Fetched:
    status = FeedStatus(source=path, kind="file", outcome="failed")
    try:
        data = await asyncio.to_thread(Path(path).read_bytes)
    except OSError as exc:
        log.warning("feed file %s: cannot read: %s", path, exc.strerror or exc)
        status.error = f"cannot read: {exc.strerror or exc}"
        return _Fetched(status)
    try:
        parsed = await _parse(data)
    except FeedError as exc:
        log.warning("feed file %s: not a usable feed: %s", path, exc)
        status.error = f"not a feed: {exc}"[:500]
        return _Fetched(status)
    if _mark_partial(status, parsed, path):
        return _Fetched(status, parsed.papers, succeeded=True, partial=True)
    status.outcome, status.papers = "ok", len(parsed.papers)
    return _Fetched(status, parsed.papers, succeeded=True)


async def _parse(data: bytes):  # type: ignore[no-untyped-def]
    if len(data) > PARSE_IN_THREAD_BYTES:
        return await asyncio.to_thread(parse_feed, data)
    return parse_feed(data)


async def _store_feed_state(session: AsyncSession, item: _Fetched, now: datetime, disable_after: int) -> None:
    status = item.status
    row = await session.scalar(select(m.Feed).where(m.Feed.url == status.source))
    if row is None:
        row = m.Feed(
            url=status.source,
            health=FeedHealth.OK,
            consecutive_failures=0,
            polls=0,
            announced_health=FeedHealth.OK,
        )
        session.add(row)
    health, failures = next_health(
        row.consecutive_failures or 0,
        item.succeeded,
        disable_after=disable_after,
    )
    if item.partial:
        health = FeedHealth.DEGRADED  # it answered (no failure counted) but lost papers
    row.health, row.consecutive_failures = str(health), failures
    row.polls = (row.polls or 0) + 1
    row.last_polled_at = now
    if item.succeeded:
        row.last_ok_at = now
        row.last_error = None
        if item.validators is not None:  # only a fetched-and-parsed body moves the validators
            row.etag, row.last_modified = item.validators.etag, item.validators.last_modified
        if item.partial:
            row.last_error = status.error
    else:
        row.last_error = status.error
    status.health, status.consecutive_failures = row.health, failures
    status.announce = row.health != (row.announced_health or FeedHealth.OK)
    if status.health != status.previous_health:
        log.warning(
            "feed %s: health %s -> %s (%d straight failure(s)%s)",
            status.source,
            status.previous_health,
            status.health,
            failures,
            f": {status.error}" if status.error else "",
            extra={"feed": status.source},
        )


# --------------------------------------------------------------------------------------------
# Papers


def merge_papers(papers: Iterable[FeedPaper]) -> list[FeedPaper]:
    """One paper per version-less arXiv id, in first-seen order; categories merged (first feed's
    order first), the highest version kept, and the most "new" announce type."""
    merged: dict[str, FeedPaper] = {}
    extra_cats: dict[str, list[str]] = {}
    for paper in papers:
        earlier = merged.get(paper.arxiv_id)
        if earlier is None:
            merged[paper.arxiv_id] = paper
            extra_cats[paper.arxiv_id] = list(paper.categories)
            continue
        cats = extra_cats[paper.arxiv_id]
        cats.extend(c for c in paper.categories if c not in cats)
        better = earlier
        if _TYPE_RANK.get(paper.announce_type, 9) < _TYPE_RANK.get(earlier.announce_type, 9):
            better = paper
        version = max((v for v in (earlier.version, paper.version) if v is not None), default=None)
        merged[paper.arxiv_id] = _with(
            better,
            version=version,
            primary_category=earlier.primary_category or paper.primary_category,
            abstract=better.abstract or earlier.abstract or paper.abstract,
        )
    out = []
    for arxiv_id, paper in merged.items():
        cats = extra_cats[arxiv_id]
        if paper.primary_category and paper.primary_category in cats:
            cats = [paper.primary_category, *(c for c in cats if c != paper.primary_category)]
        categories = tuple(cats)
        # Most papers come once with their categories in order: keep the record, skip the copy.
        out.append(paper if categories == paper.categories else _with(paper, categories=categories))
    return out


def _with(paper: FeedPaper, **changes: Any) -> FeedPaper:
    return replace(paper, **changes)


@dataclass(slots=True)
class _Catalog:
    ids: set[str]
    titles: set[str]  # norm_title of papers of entries without an arXiv id


async def _load_catalog(session: AsyncSession) -> _Catalog:
    ids = set((await session.scalars(select(m.Entry.arxiv_id).where(m.Entry.arxiv_id.is_not(None)))).all())
    ids |= set((await session.scalars(select(m.Paper.arxiv_id).where(m.Paper.arxiv_id.is_not(None)))).all())
    titles = set(
        (
            await session.scalars(
                select(m.Paper.norm_title)
                .join(m.Entry, m.Entry.paper_id == m.Paper.id)
                .where(m.Entry.arxiv_id.is_(None))
            )
        ).all()
    )
    titles |= {
        norm_title(t)
        for t in (
            await session.scalars(
                select(m.Entry.paper_title).where(
                    m.Entry.arxiv_id.is_(None), m.Entry.paper_title.is_not(None)
                )
            )
        ).all()
        if t
    }
    titles.discard("")
    return _Catalog(ids=ids, titles=titles)


async def _existing_suggestions(session: AsyncSession, ids: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        rows = await session.execute(
            select(m.Suggestion.arxiv_id, m.Suggestion.status).where(m.Suggestion.arxiv_id.in_(chunk))
        )
        found.update({a: s for a, s in rows.all()})
    return found


async def process_papers(
    session: AsyncSession,
    papers: Sequence[FeedPaper],
    *,
    config: Config,
    first_poll_ids: Collection[str] = (),
    now: datetime | None = None,
    dry_run: bool = False,
    all_topics: bool = False,
) -> list[Candidate]:
    """Dedup, score, cap and (unless *dry_run*) store *papers*; one :class:`Candidate` per paper.

    *first_poll_ids* are the papers seen only in feeds polled for the first time; at most
    ``feeds.backfill`` of them are suggested. The caller owns the unit of work; this function
    flushes but never commits.
    """
    now = now or datetime.now(UTC)
    papers = merge_papers(papers)
    catalog = await _load_catalog(session)
    existing = await _existing_suggestions(session, [p.arxiv_id for p in papers])
    rel = config.relevance
    model = await active_model(session)
    # Moderators' gates ([relevance.gates] plus /ptm-admin gate): they decide before the model.
    gates = await gates_in_force(session, rel.gates)

    candidates: list[Candidate] = []
    norm_titles: dict[str, str] = {}  # arxiv id -> norm_title, for the dedup check and the stored row
    for paper in papers:
        norm_titles[paper.arxiv_id] = paper_norm_title = norm_title(paper.title)
        relevance = score_paper(
            paper.title,
            paper.abstract,
            paper.categories,
            model=model,
            threshold=rel.threshold,
            with_topics=False,
        )
        relevant = relevance.relevant
        gated = gates.match(
            title=paper.title,
            abstract=paper.abstract,
            authors=paper.authors,
            categories=paper.categories,
            comment=paper.comment,
        )
        # Topics only matter for papers a moderator sees (classified below, once the caps have
        # chosen them); classifying every paper would double the cost of a poll.
        topics = list(propose_topics(paper.title, paper.abstract, relevance.name)) if all_topics else []
        if paper.arxiv_id in catalog.ids or paper_norm_title in catalog.titles:
            status = CandidateStatus.KNOWN
        elif paper.arxiv_id in existing:
            status = CandidateStatus.DUPLICATE
        elif paper.announce_type in _REPLACEMENTS:
            status = CandidateStatus.REPLACEMENT
        else:
            status = CandidateStatus.NEW
        abstract = paper.abstract
        if len(abstract) > ABSTRACT_EXCERPT:
            abstract = abstract[: ABSTRACT_EXCERPT - 1].rstrip() + "…"
        candidates.append(
            Candidate(
                arxiv_id=paper.arxiv_id,
                version=paper.version,
                title=paper.title,
                authors=list(paper.authors),
                categories=list(paper.categories),
                announce_type=paper.announce_type,
                status=status,
                score=round(relevance.score, 4),
                relevant=relevant,
                suggest=False,
                reasons=[*gated.reasons, *relevance.reasons] if gated else list(relevance.reasons),
                kind=relevance.kind,
                name=relevance.name,
                topics=topics,
                url=paper.url,
                abstract=abstract,
                published=paper.published.isoformat() if paper.published else None,
                threshold=round(relevance.threshold, 4),
                model_version=relevance.model_version,
                gate=gated.mode if gated else None,
                why_not=gated.reasons[0] if gated and gated.mode == "never" else None,
            )
        )

    # Caps: highest scores first (ties by id, so the choice is stable).
    suggested_today = await session.scalar(
        select(func.count())
        .select_from(m.Suggestion)
        .where(m.Suggestion.suggested_at >= now - timedelta(days=1))
    )
    budget = max(0, min(rel.per_poll_cap, rel.daily_cap - int(suggested_today or 0)))
    # Papers an earlier poll could not suggest for a cap come first, oldest first.
    waited = await _take_waiting(session, budget, catalog, now=now, dry_run=dry_run, gates=gates)
    budget -= len(waited)
    backfill_left = config.feeds.backfill
    first_ids = set(first_poll_ids)
    # A never-gate keeps a paper out whatever its score; an always-gate brings one in whatever its
    # score, and takes its place in the caps first (a moderator asked for it), then by score.
    eligible = sorted(
        (
            c
            for c in candidates
            if c.status == CandidateStatus.NEW and c.gate != "never" and (c.relevant or c.gate == "always")
        ),
        key=lambda c: (c.gate != "always", -c.score, c.arxiv_id),
    )
    for cand in eligible:
        backfill = cand.arxiv_id in first_ids
        if backfill and backfill_left <= 0:
            cand.why_not = "first poll of a new feed: over the backfill count"
            continue
        if budget <= 0:
            daily_left = rel.daily_cap - int(suggested_today or 0)
            cand.why_not = "daily cap" if daily_left <= rel.per_poll_cap else "per-poll cap"
            continue
        cand.suggest = True
        budget -= 1
        if backfill:
            backfill_left -= 1

    if rel.exploration and budget > 0:
        _explore(candidates, first_ids)
    rank_for_review([*waited, *candidates], config.review.cards_per_poll)

    if not all_topics:
        by_id = {p.arxiv_id: p for p in papers}
        for cand in candidates:
            if cand.suggest:
                paper = by_id[cand.arxiv_id]
                cand.topics = list(propose_topics(paper.title, paper.abstract, cand.name))
    if not dry_run:
        await _store(session, papers, candidates, norm_titles, now)
        await _store_placement(session, waited)
    return waited + candidates


def rank_for_review(candidates: Sequence[Candidate], cards_per_poll: int) -> None:
    """The review budget: a poll's suggested papers above the line, ranked by calibrated score (best
    first; ties by arXiv id), get a card for the first *cards_per_poll*; the others are listed in
    the poll's compact "also above the line" message. The exploration paper (below the line) is a
    card on top of the budget and has no rank."""
    above = sorted(
        (c for c in candidates if c.suggest and not c.exploration),
        key=lambda c: (-c.score, c.arxiv_id),
    )
    for rank, cand in enumerate(above, start=1):
        cand.rank, cand.ranked = rank, len(above)
        cand.placement = "card" if rank <= cards_per_poll else "listed"
    for cand in candidates:
        if cand.suggest and cand.exploration:
            cand.placement = "card"


async def _store_placement(session: AsyncSession, waited: Sequence[Candidate]) -> None:
    """Papers taken from the waiting list were made pending by :func:`_take_waiting`; their place
    in this poll's ranking is known only now."""
    s = m.Suggestion
    for cand in waited:
        if cand.suggestion_id is None:
            continue
        await session.execute(
            update(s)
            .where(s.id == cand.suggestion_id, s.status == SuggestionStatus.PENDING)
            .values(listed=cand.placement == "listed", poll_rank=cand.rank, poll_ranked=cand.ranked)
        )


async def _take_waiting(
    session: AsyncSession,
    budget: int,
    catalog: Any,
    *,
    now: datetime,
    dry_run: bool,
    gates: GateSet | None = None,
) -> list[Candidate]:
    """Up to *budget* waiting papers (oldest first) made pending, each by a conditional update, so
    of two concurrent polls only one suggests a given paper; one candidate per paper taken. A
    waiting paper that a never-gate set since matches becomes ``seen``."""
    if budget <= 0:
        return []
    s = m.Suggestion
    rows = (
        await session.execute(
            select(s)
            .where(s.status == SuggestionStatus.WAITING)
            .order_by(s.first_seen_at, s.score.desc(), s.id)
            .limit(budget + 20)  # a few spares: some may have reached the catalog meanwhile
            .execution_options(populate_existing=True)
        )
    ).scalars()
    taken: list[Candidate] = []
    for row in rows:
        if len(taken) >= budget:
            break
        never = (
            gates.match(
                title=row.title,
                abstract=row.abstract,
                authors=row.authors or (),
                categories=row.categories or (),
            )
            if gates
            else None
        )
        if (
            row.arxiv_id in catalog.ids
            or row.norm_title in catalog.titles
            or (never and never.mode == "never")
        ):
            if not dry_run:
                await session.execute(
                    update(s)
                    .where(s.id == row.id, s.status == SuggestionStatus.WAITING)
                    .values(status=SuggestionStatus.SEEN)
                )
            continue
        topics = list(propose_topics(row.title, row.abstract, row.proposed_name))
        if not dry_run:
            result = await session.execute(
                update(s)
                .where(s.id == row.id, s.status == SuggestionStatus.WAITING)
                .values(status=SuggestionStatus.PENDING, suggested_at=now, proposed_topics=topics)
            )
            if result.rowcount != 1:
                continue  # another poll took it
        abstract = row.abstract
        if len(abstract) > ABSTRACT_EXCERPT:
            abstract = abstract[: ABSTRACT_EXCERPT - 1].rstrip() + "…"
        since = row.first_seen_at.date().isoformat() if row.first_seen_at else "an earlier poll"
        taken.append(
            Candidate(
                arxiv_id=row.arxiv_id,
                version=row.version,
                title=row.title,
                authors=list(row.authors or ()),
                categories=list(row.categories or ()),
                announce_type=row.announce_type,
                status=CandidateStatus.WAITING,
                score=round(row.score, 4),
                relevant=True,
                suggest=True,
                reasons=[*(row.reasons or ()), f"waited for a cap since {since}"],
                kind=row.proposed_kind,
                name=row.proposed_name,
                topics=topics,
                url=row.url,
                abstract=abstract,
                suggestion_id=None if dry_run else row.id,
                threshold=round(row.threshold, 4) if row.threshold is not None else 0.0,
            )
        )
    return taken


#: How far below its threshold an exploration paper may score (as a fraction of the threshold).
EXPLORATION_FLOOR = 0.5


def _explore(candidates: Sequence[Candidate], first_ids: Collection[str]) -> None:
    """Suggest the best new paper just below the threshold, marked as exploration: without it the
    model would only ever learn from papers it already scores high (selection bias). At most one
    per poll, never a backfill of a newly added feed, never far below the threshold."""
    below = [
        c
        for c in candidates
        if c.status == CandidateStatus.NEW
        and not c.relevant
        and c.gate is None  # gated papers are decided already (never: out; always: suggested)
        and c.arxiv_id not in first_ids
        and c.score >= c.threshold * EXPLORATION_FLOOR
    ]
    if below:
        pick = min(below, key=lambda c: (c.threshold - c.score, c.arxiv_id))
        pick.suggest = pick.exploration = True
        pick.why_not = None
        pick.reasons = [*pick.reasons, "exploration: just below the threshold, to learn from your decision"]


async def _store(
    session: AsyncSession,
    papers: Sequence[FeedPaper],
    candidates: Sequence[Candidate],
    norm_titles: dict[str, str],
    now: datetime,
) -> None:
    rows = []
    by_id = {p.arxiv_id: p for p in papers}
    plain = _PlainSuggestionInsert.for_dialect(session.get_bind().dialect)
    for cand in candidates:
        if cand.status not in (CandidateStatus.NEW, CandidateStatus.REPLACEMENT):
            continue
        paper = by_id[cand.arxiv_id]
        rows.append(
            {
                "arxiv_id": cand.arxiv_id,
                "version": cand.version,
                "title": cand.title,
                "norm_title": norm_titles[cand.arxiv_id],
                "authors": list(paper.authors),
                "categories": list(paper.categories),
                "abstract": paper.abstract,
                "announce_type": cand.announce_type,
                "url": cand.url,
                "score": min(1.0, max(0.0, cand.score)),
                "reasons": cand.reasons,
                "proposed_kind": cand.kind,
                "proposed_name": cand.name[:300],
                "proposed_topics": cand.topics,
                "status": (
                    SuggestionStatus.PENDING
                    if cand.suggest
                    else SuggestionStatus.WAITING
                    if cand.why_not in _CAP_REASONS
                    else SuggestionStatus.SEEN
                ),
                "first_seen_at": now,
                "suggested_at": now if cand.suggest else None,
                "exploration": cand.exploration,
                "listed": cand.placement == "listed",
                "threshold": cand.threshold,
                "poll_rank": cand.rank,
                "poll_ranked": cand.ranked,
            }
        )
    if not rows:
        return
    # A Core executemany on the table: the ORM's bulk-insert bookkeeping buys nothing for plain rows.
    # RETURNING names the rows this poll stored: a row another poll stored meanwhile is skipped by
    # the insert, and this poll neither counts nor posts it.
    if plain is None:
        statement = _insert_ignoring_duplicates(session, m.Suggestion.__table__)
        statement = statement.returning(m.Suggestion.__table__.c.arxiv_id, m.Suggestion.__table__.c.id)
        result = await session.execute(statement, rows)
    else:
        result = await session.execute(plain.statement, plain.render(rows, now))
    stored = {arxiv_id: row_id for arxiv_id, row_id in result.all()}
    for cand in candidates:
        if cand.status not in (CandidateStatus.NEW, CandidateStatus.REPLACEMENT):
            continue
        row_id = stored.get(cand.arxiv_id)
        if row_id is None:
            cand.status = CandidateStatus.DUPLICATE
            if cand.suggest:
                cand.suggest, cand.why_not = False, "stored by a concurrent poll"
        elif cand.suggest:
            cand.suggestion_id = row_id


def _insert_ignoring_duplicates(session: AsyncSession, table: Table):  # type: ignore[no-untyped-def]
    """INSERT that skips rows whose arXiv id another poll stored meanwhile (unique constraint)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table).on_conflict_do_nothing(index_elements=["arxiv_id"])


_JSON_COLUMNS = ("authors", "categories", "reasons", "proposed_topics")
_TIME_COLUMNS = ("first_seen_at", "suggested_at")


def _json_encoder() -> Callable[[Any], str]:
    """``json.dumps`` with its defaults (what the ORM's JSON type writes on SQLite).

    ``JSONEncoder.encode`` sets up a C encoder on every call (a third of its time on a short
    list); this one is set up once, without the circular-reference check that lists of strings
    never need. ``_PlainSuggestionInsert._build`` compares its output with the JSON type's.
    """
    from json import encoder

    defaults = json.JSONEncoder()
    if encoder.c_make_encoder is None:
        return defaults.encode
    chunks = encoder.c_make_encoder(
        None,
        defaults.default,
        encoder.encode_basestring_ascii,
        None,
        defaults.key_separator,
        defaults.item_separator,
        defaults.sort_keys,
        defaults.skipkeys,
        defaults.allow_nan,
    )
    return lambda value: "".join(chunks(value, 0))


@dataclass(frozen=True, slots=True)
class _PlainSuggestionInsert:
    """The bulk INSERT of a poll's suggestions on SQLite with its JSON and timestamp values
    rendered once here rather than per value by the column types: 2,000 rows carry 8,000 JSON
    lists and 4,000 timestamps, all with the same stamp. The stored text is byte-identical to what
    the ORM types write (checked against them once per dialect), and the ORM's JSON type reads it
    back as lists. PostgreSQL keeps the typed path: asyncpg casts every bind to its column's type.
    """

    statement: Any
    encode_json: Callable[[Any], str]
    render_time: Callable[[Any], Any]

    @staticmethod
    def for_dialect(dialect: Any) -> _PlainSuggestionInsert | None:
        if dialect.name != "sqlite":
            return None
        cached = _PLAIN_INSERTS.get(dialect)
        if cached is None and dialect not in _PLAIN_INSERTS:
            cached = _PLAIN_INSERTS[dialect] = _PlainSuggestionInsert._build(dialect)
        return cached

    @staticmethod
    def _build(dialect: Any) -> _PlainSuggestionInsert | None:
        from sqlalchemy import Text, column, table
        from sqlalchemy.dialects.sqlite import insert

        columns = m.Suggestion.__table__.columns
        encode_json = _json_encoder()
        # What the ORM types do on this dialect (dialect_impl: SQLite's DATETIME renders the text).
        json_bind = columns["authors"].type.dialect_impl(dialect).bind_processor(dialect)
        render_time = columns["first_seen_at"].type.dialect_impl(dialect).bind_processor(dialect)
        probe = ['Nyström \u2028 "q" \\', "cs.CL", ""]
        if json_bind is None or json_bind(probe) != encode_json(probe) or json_bind([]) != encode_json([]):
            log.debug("JSON columns are not plain json.dumps text on this engine; typed inserts")
            return None
        if render_time is None or not isinstance(render_time(datetime(2000, 1, 2, tzinfo=UTC)), str):
            return None
        plain = {*_JSON_COLUMNS, *_TIME_COLUMNS}
        shadow = table(
            m.Suggestion.__tablename__,
            *(column(c.name, Text() if c.name in plain else c.type) for c in columns),
        )
        statement = (
            insert(shadow)
            .on_conflict_do_nothing(index_elements=["arxiv_id"])
            .returning(shadow.c.arxiv_id, shadow.c.id)
        )
        return _PlainSuggestionInsert(statement, encode_json, render_time)

    def render(self, rows: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        encode, stamp = self.encode_json, self.render_time(now)
        for row in rows:
            row["authors"] = encode(row["authors"])
            row["categories"] = encode(row["categories"])
            row["reasons"] = encode(row["reasons"])
            row["proposed_topics"] = encode(row["proposed_topics"])
            row["first_seen_at"] = stamp
            if row["suggested_at"] is not None:
                row["suggested_at"] = (
                    stamp if row["suggested_at"] is now else self.render_time(row["suggested_at"])
                )
        return rows


_PLAIN_INSERTS: weakref.WeakKeyDictionary[Any, _PlainSuggestionInsert | None] = weakref.WeakKeyDictionary()
