"""The poll's third step: every paper scored, and the suggested ones ranked for review.

Moderators' gates (``[relevance.gates]`` plus ``/ptm-admin gate``) decide before the model: a
never-gate keeps a paper out whatever its score, an always-gate brings one in whatever its score
(the caps, :mod:`bot.watch.caps`, give it its place first). Every paper gets the model's calibrated
score, its reasons, a proposed kind and name; topics only for the papers a moderator will see.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Config
from bot.relevance.active import active_model
from bot.relevance.gate_store import gates_in_force
from bot.relevance.gates import GateMatch, GateSet
from bot.relevance.model import Relevance, RelevanceModel, score_paper
from bot.relevance.propose import propose_topics
from bot.relevance.upvotes import with_upvotes
from bot.watch.arxiv import ARXIV, FeedPaper
from bot.watch.daily_papers import upvotes_text
from bot.watch.dedup import Catalog, dedup_status
from bot.watch.report import Candidate, CandidateStatus, excerpt
from db.normalize import norm_title

__all__ = ["Scoring", "propose_suggested_topics", "rank_for_review", "score_papers"]


@dataclass(slots=True)
class Scoring:
    """The scored batch: candidates in input order, each paper's normalised title, the gates."""

    candidates: list[Candidate]
    norm_titles: dict[str, str]  # arxiv id -> norm_title, for the dedup check and the stored row
    gates: GateSet  # the gates in force (the waiting list is held to them too)


async def score_papers(
    session: AsyncSession,
    papers: Sequence[FeedPaper],
    catalog: Catalog,
    existing: dict[str, str],
    *,
    config: Config,
    all_topics: bool = False,
) -> Scoring:
    """One :class:`Candidate` per paper (none suggested yet: that is the caps' call).

    *all_topics* proposes topics for every paper (``ptm-bot poll`` shows them all); otherwise
    :func:`propose_suggested_topics` does it once the caps have chosen.
    """
    rel = config.relevance
    model = await active_model(session)
    # Moderators' gates ([relevance.gates] plus /ptm-admin gate): they decide before the model.
    gates = await gates_in_force(session, rel.gates)
    # Pure CPU (about 0.7 ms a paper): in a worker thread, so a big feed does not stall the bot.
    return await asyncio.to_thread(
        _score_all,
        papers,
        catalog,
        existing,
        model,
        gates,
        rel.threshold,
        all_topics=all_topics,
        upvote_weight=rel.daily_papers_weight,
    )


def _score_all(
    papers: Sequence[FeedPaper],
    catalog: Catalog,
    existing: dict[str, str],
    model: RelevanceModel,
    gates: GateSet,
    threshold: float | None,
    *,
    all_topics: bool,
    upvote_weight: float = 0.0,
) -> Scoring:
    candidates: list[Candidate] = []
    norm_titles: dict[str, str] = {}
    for paper in papers:
        norm_titles[paper.arxiv_id] = paper_norm_title = norm_title(paper.title)
        status = dedup_status(paper, paper_norm_title, catalog, existing)
        candidate = _score(
            paper, status, model, gates, threshold, all_topics=all_topics, upvote_weight=upvote_weight
        )
        if status == CandidateStatus.SAME_TITLE:
            candidate.why_not = f"same title as {catalog.entry_titles[paper_norm_title]}"
        candidates.append(candidate)
    return Scoring(candidates, norm_titles, gates)


def _score(
    paper: FeedPaper,
    status: str,
    model: RelevanceModel,
    gates: GateSet,
    threshold: float | None,
    *,
    all_topics: bool,
    upvote_weight: float = 0.0,
) -> Candidate:
    relevance = score_paper(
        paper.title,
        paper.abstract,
        paper.categories,
        model=model,
        threshold=threshold,
        with_topics=False,
    )
    # relevance.daily_papers_weight: the Daily Papers upvotes move the score (off by default).
    relevance, shift = with_upvotes(relevance, paper.upvotes, upvote_weight)
    gated = gates.match(
        title=paper.title,
        abstract=paper.abstract,
        authors=paper.authors,
        categories=paper.categories,
        comment=paper.comment,
    )
    # Topics only matter for papers a moderator sees (classified once the caps have chosen them);
    # classifying every paper would double the cost of a poll.
    topics = list(propose_topics(paper.title, paper.abstract, relevance.name)) if all_topics else []
    return _candidate(paper, status, relevance, gated, topics, shift)


def _candidate(
    paper: FeedPaper,
    status: str,
    relevance: Relevance,
    gated: GateMatch | None,
    topics: list[str],
    shift: float = 0.0,
) -> Candidate:
    return Candidate(
        arxiv_id=paper.arxiv_id,
        version=paper.version,
        title=paper.title,
        authors=list(paper.authors),
        categories=list(paper.categories),
        announce_type=paper.announce_type,
        status=status,
        score=round(relevance.score, 4),
        relevant=relevance.relevant,
        suggest=False,
        reasons=[*(gated.reasons if gated else ()), *_source_reasons(paper, shift), *relevance.reasons],
        kind=relevance.kind,
        name=relevance.name,
        topics=topics,
        url=paper.url,
        abstract=excerpt(paper.abstract),
        published=paper.published.isoformat() if paper.published else None,
        threshold=round(relevance.threshold, 4),
        model_version=relevance.model_version,
        gate=gated.mode if gated else None,
        why_not=gated.reasons[0] if gated and gated.mode == "never" else None,
    )


def _source_reasons(paper: FeedPaper, shift: float = 0.0) -> list[str]:
    """Where else the paper was seen: "on Hugging Face Daily Papers: 42 upvotes", and "+1.5" when
    ``relevance.daily_papers_weight`` scores them (shown only, by default)."""
    others = [s for s in paper.sources if s != ARXIV]
    if not others:
        return []
    votes = f": {upvotes_text(paper.upvotes)}" if paper.upvotes is not None else ""
    also = "also " if ARXIV in paper.sources else ""
    scored = f" {shift:+.1f}" if shift else ""
    return [f"{also}on {', '.join(others)}{votes}{scored}"]


def propose_suggested_topics(candidates: Sequence[Candidate], papers: Sequence[FeedPaper]) -> None:
    """Topics for the suggested papers (the only ones a moderator sees and whose proposal is used)."""
    by_id = {p.arxiv_id: p for p in papers}
    for cand in candidates:
        if cand.suggest:
            paper = by_id[cand.arxiv_id]
            cand.topics = list(propose_topics(paper.title, paper.abstract, cand.name))


def rank_for_review(
    candidates: Sequence[Candidate], cards_per_poll: int, card_min_score: float = 0.0
) -> None:
    """The review budget: a poll's suggested papers above the line, ranked by calibrated score (best
    first; ties by arXiv id), get a card for the first *cards_per_poll* whose score is at least
    *card_min_score* (or that an always-gate put forward); the others are listed in the poll's
    compact "also above the line" message. The exploration paper (below the line) is a card on top
    of the budget and has no rank."""
    above = sorted(
        (c for c in candidates if c.suggest and not c.exploration),
        key=lambda c: (-c.score, c.arxiv_id),
    )
    carded = 0
    for rank, cand in enumerate(above, start=1):
        cand.rank, cand.ranked = rank, len(above)
        worth = cand.score >= card_min_score or cand.gate == "always"
        cand.placement = "card" if worth and carded < cards_per_poll else "listed"
        carded += cand.placement == "card"
    for cand in candidates:
        if cand.suggest and cand.exploration:
            cand.placement = "card"
