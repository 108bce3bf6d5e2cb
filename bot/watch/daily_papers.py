"""Hugging Face Daily Papers as a second source (issue 22, part 4): ``GET {hub}/api/daily_papers``.

The answer is a JSON list, one item per paper of the day, in the shape ``huggingface_hub``'s
``HfApi.list_daily_papers`` reads (huggingface/huggingface_hub@ee0a4510f4bc15e26cb722be2efc2bdb01383ca0:
src/huggingface_hub/hf_api.py: each item goes to ``PaperInfo(**item)``): the paper in ``paper``
(``id`` = the arXiv id, ``authors`` with ``name``, ``summary``, ``upvotes``, ``publishedAt``), the
title at the top level (``title``). Papers become :class:`bot.watch.arxiv.FeedPaper` with their
upvotes and the source named, so the poll merges a paper seen in both with its arXiv twin (one
suggestion, both sources) and the feeds table keeps the source's health like any feed's.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from bot.catalog.arxiv_ids import normalise_arxiv_id
from bot.watch.arxiv import FeedError, FeedPaper, ParsedFeed
from bot.words import counted

__all__ = ["SOURCE", "looks_like_json", "parse_daily_papers", "upvotes_text"]

SOURCE = "Hugging Face Daily Papers"


def looks_like_json(data: bytes) -> bool:
    return data.lstrip()[:1] in (b"[", b"{")


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _paper(item: Any) -> FeedPaper | None:
    if not isinstance(item, dict):
        return None
    nested = item.get("paper")
    paper: dict[str, Any] = nested if isinstance(nested, dict) else item
    arxiv_id = normalise_arxiv_id(str(paper.get("id") or ""))
    title = " ".join(str(item.get("title") or paper.get("title") or "").split())
    if arxiv_id is None or not title:
        return None
    authors = tuple(
        " ".join(str(a.get("name", "")).split())
        for a in paper.get("authors") or ()
        if isinstance(a, dict) and a.get("name")
    )
    upvotes = paper.get("upvotes")
    return FeedPaper(
        arxiv_id=arxiv_id,
        version=None,
        title=title,
        abstract=" ".join(str(paper.get("summary") or "").split()),
        authors=authors,
        categories=(),
        primary_category=None,
        announce_type="new",
        url=f"https://arxiv.org/abs/{arxiv_id}",
        published=_when(paper.get("publishedAt")),
        sources=(SOURCE,),
        upvotes=upvotes if isinstance(upvotes, int) and upvotes >= 0 else None,
    )


def upvotes_text(upvotes: int) -> str:
    """``"42 upvotes"``, ``"1 upvote"``: how a card's reason and a stored row say it."""
    return counted(upvotes, "upvote")


def parse_daily_papers(data: bytes) -> ParsedFeed:
    """The day's papers; an item without an arXiv id or title is skipped and reported."""
    try:
        items = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FeedError(f"not JSON: {exc}") from None
    if not isinstance(items, list):
        raise FeedError("not a list of daily papers")
    papers, skipped = [], []
    for n, item in enumerate(items, start=1):
        paper = _paper(item)
        if paper is None:
            skipped.append(f"item {n}: no arXiv id or title")
        else:
            papers.append(paper)
    return ParsedFeed(format="hf-daily", papers=tuple(papers), skipped=tuple(skipped))
