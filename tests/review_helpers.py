"""Shared by the review tests: a pending suggestion stored the way the watcher stores one."""

from __future__ import annotations

from db import models as m

XLSR_TITLE = "XLS-R: Self-supervised Cross-lingual Speech Representation Learning at Scale"


async def add_pending(
    db, arxiv_id: str = "2111.09296", title: str = XLSR_TITLE, kind: str = "model", name: str = "XLS-R 2"
) -> int:
    """Store one pending suggestion (as a poll would) and return its id."""
    async with db.begin() as s:
        row = m.Suggestion(
            arxiv_id=arxiv_id,
            title=title,
            norm_title=title.lower(),
            authors=["Arun Babu", "Changhan Wang", "Michael Auli"],
            categories=["cs.CL", "cs.SD"],
            abstract="We present a large-scale model for cross-lingual speech representation learning.",
            url=f"https://arxiv.org/abs/{arxiv_id}",
            score=0.91,
            reasons=['phrase "pre-train" in abstract (+1.2)'],
            proposed_kind=kind,
            proposed_name=name,
            proposed_topics=["speech", "multilingual"],
            status="pending",
        )
        s.add(row)
        await s.flush()
        return row.id
