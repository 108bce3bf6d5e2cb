"""Hugging Face Daily Papers upvotes as a feature of the score (``relevance.daily_papers_weight``).

The calibrated log-odds go up by ``weight * ln(1 + upvotes)``; the line stays where the model put
it. Off by default: on labelled whole arXiv days with archived Daily Papers listings, listed papers
are PTM papers more often (13% against 5% of all), but once the words are known a weight fitted
from the 27 training days (0.21) barely moves a day's ranking, and on the 13 frozen days it flags
one paper more at the same precision (``bench/relevance_upvotes.py``, docs/relevance.md "Votes and
upvotes").
"""

from __future__ import annotations

import math
from dataclasses import replace

from bot.relevance.model import Relevance

__all__ = ["upvote_shift", "with_upvotes"]

_EDGE = 1e-6  # a calibrated 0 or 1 has no finite log-odds: moved from just inside


def upvote_shift(upvotes: int | None, weight: float) -> float:
    """How far *upvotes* move the calibrated log-odds (0 without upvotes or weight)."""
    if upvotes is None or upvotes < 0 or weight <= 0:
        return 0.0
    return weight * math.log1p(upvotes)


def with_upvotes(relevance: Relevance, upvotes: int | None, weight: float) -> tuple[Relevance, float]:
    """*relevance* with its score moved by the upvotes, and the shift (0: unchanged)."""
    shift = upvote_shift(upvotes, weight)
    if not shift:
        return relevance, 0.0
    p = min(max(relevance.score, _EDGE), 1 - _EDGE)
    moved = 1.0 / (1.0 + math.exp(-(math.log(p / (1 - p)) + shift)))
    return replace(relevance, score=round(moved, 4)), shift
