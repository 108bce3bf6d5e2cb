"""The poll's second step: one candidate per paper, and whether the paper is new.

Dedup is by the version-less arXiv id: within the batch (a paper cross-listed in several category
feeds is one candidate with merged categories), against ``suggestions`` (a row exists once per
paper, whatever its status) and against the catalog (entries' arXiv ids, or the normalised title of
entries' papers without an id). A paper under a new id whose title is exactly an entry's paper's
is ``same_title``: not suggested, counted in the report, ``why_not`` names the entry. ``replace`` / ``replace-cross`` announcements never create
suggestions.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.duplicates import Known
from bot.catalog.related_rows import load_related_index
from bot.watch.arxiv import ARXIV, FeedPaper
from bot.watch.report import Candidate, CandidateStatus
from db import models as m
from db.normalize import norm_title

if TYPE_CHECKING:
    from bot.watch.feeds import Fetched

__all__ = [
    "Catalog",
    "dedup_status",
    "existing_suggestions",
    "load_catalog",
    "merge_fetched",
    "merge_papers",
    "note_related",
]

_IN_CHUNK = 500  # ids per IN (...) query: well under every backend's bound-parameter limit
# When one paper comes from several feeds with different announce types, the most "new" one wins.
_TYPE_RANK = {"new": 0, "cross": 1, "replace": 2, "replace-cross": 3}
_REPLACEMENTS = frozenset({"replace", "replace-cross"})


def _rank(paper: FeedPaper) -> tuple[int, int]:
    """Which record of a paper seen twice speaks for it: an arXiv feed's before another source's
    (Hugging Face Daily Papers calls every paper "new", a new version included), then the most "new"
    announce type."""
    return (0 if ARXIV in paper.sources else 1, _TYPE_RANK.get(paper.announce_type, 9))


def merge_papers(papers: Iterable[FeedPaper]) -> list[FeedPaper]:
    """One paper per version-less arXiv id, in first-seen order; categories merged (first feed's
    order first), the highest version kept, and the announce type of an arXiv feed's record (the most
    "new" of them; another source's only when no arXiv feed had the paper)."""
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
        better = paper if _rank(paper) < _rank(earlier) else earlier
        version = max((v for v in (earlier.version, paper.version) if v is not None), default=None)
        upvotes = [u for u in (earlier.upvotes, paper.upvotes) if u is not None]
        merged[paper.arxiv_id] = _with(
            better,
            version=version,
            primary_category=earlier.primary_category or paper.primary_category,
            abstract=better.abstract or earlier.abstract or paper.abstract,
            # A paper on arXiv and on Hugging Face Daily Papers is one candidate with both sources.
            sources=tuple(dict.fromkeys([*earlier.sources, *paper.sources])),
            upvotes=max(upvotes) if upvotes else None,
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


def merge_fetched(fetched: Sequence[Fetched]) -> tuple[list[FeedPaper], set[str]]:
    """Every fetched feed's papers merged, and the ids of those seen only in feeds polled for the
    first time (limited to the backfill count: a new feed's backlog is not news)."""
    papers_by_feed = [(f.status, f.papers) for f in fetched if f.papers]
    merged = merge_papers(p for _, papers in papers_by_feed for p in papers)
    established = {p.arxiv_id for status, papers in papers_by_feed if not status.first_poll for p in papers}
    return merged, {p.arxiv_id for p in merged if p.arxiv_id not in established}


@dataclass(slots=True)
class Catalog:
    """What the catalog already holds, for the dedup check."""

    ids: set[str]
    titles: set[str]  # norm_title of papers of entries without an arXiv id
    # norm_title of papers of entries with an arXiv id -> "Name (arXiv id)": the same title under
    # another id is a duplicate of that entry, never suggested (CandidateStatus.SAME_TITLE)
    entry_titles: dict[str, str] = field(default_factory=dict)


async def load_catalog(session: AsyncSession) -> Catalog:
    # ``is not None`` holds already (the WHERE); it tells the type checker.
    ids = {
        i
        for i in await session.scalars(select(m.Entry.arxiv_id).where(m.Entry.arxiv_id.is_not(None)))
        if i is not None
    }
    ids |= {
        i
        for i in await session.scalars(select(m.Paper.arxiv_id).where(m.Paper.arxiv_id.is_not(None)))
        if i is not None
    }
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
    entry_titles: dict[str, str] = {}
    rows = await session.execute(
        select(m.Paper.norm_title, m.Entry.name, m.Entry.arxiv_id)
        .join(m.Entry, m.Entry.paper_id == m.Paper.id)
        .where(m.Entry.arxiv_id.is_not(None))
        .order_by(m.Entry.id)
    )
    for title, name, arxiv_id in rows:
        if title:
            entry_titles.setdefault(title, f"{name} ({arxiv_id})")
    return Catalog(ids=ids, titles=titles, entry_titles=entry_titles)


async def existing_suggestions(session: AsyncSession, ids: Sequence[str]) -> dict[str, str]:
    """arXiv id -> status of the ``suggestions`` rows among *ids*."""
    found: dict[str, str] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        rows = await session.execute(
            select(m.Suggestion.arxiv_id, m.Suggestion.status).where(m.Suggestion.arxiv_id.in_(chunk))
        )
        found.update({a: s for a, s in rows.all()})
    return found


async def note_related(session: AsyncSession, candidates: Sequence[Candidate]) -> None:
    """For each suggested candidate, what it may duplicate (an entry or a pending suggestion, by a
    similar title or the same name or family: :mod:`bot.catalog.duplicates`), in
    ``Candidate.related``; the card warns with it. Papers suggested earlier in the same poll count
    as pending. Reads nothing when the poll suggests nothing."""
    suggested = [c for c in candidates if c.suggest]
    if not suggested:
        return
    index = await load_related_index(session)
    for cand in suggested:
        found = index.match(cand.title, cand.name, arxiv_id=cand.arxiv_id)
        cand.related = [r.as_dict() for r in found]
        index.add(Known(cand.name or cand.title, cand.title, cand.arxiv_id, suggestion_id=cand.suggestion_id))


def dedup_status(paper: FeedPaper, paper_norm_title: str, catalog: Catalog, existing: dict[str, str]) -> str:
    """The paper's :class:`CandidateStatus` before the caps: known, duplicate, replacement or new."""
    if paper.arxiv_id in catalog.ids or paper_norm_title in catalog.titles:
        return CandidateStatus.KNOWN
    if paper.arxiv_id in existing:
        return CandidateStatus.DUPLICATE
    if paper_norm_title in catalog.entry_titles:
        return CandidateStatus.SAME_TITLE
    if paper.announce_type in _REPLACEMENTS:
        return CandidateStatus.REPLACEMENT
    return CandidateStatus.NEW
