"""Moderators' decisions as labels for the relevance model.

Every decided suggestion is a label, read from the suggestions' current state (undo withdraws it):

- approved as **core** (the default; approvals stored before migration 0014 count as core): label 1;
- approved as **borderline-keep** ("keep it, but borderline"): label 1 with ``borderline=True``: a
  positive the model learns from, which the threshold rule ignores (the threshold is the highest
  one keeping 90% recall on *core* positives, :func:`bot.relevance.train._threshold_labels`), so
  grey-zone keeps do not drag the line down to where usage papers pass;
- rejected: label 0.

A paper a moderator adds with ``/ptm-admin add`` is stored as an approved suggestion, so one the
watcher saw and did not suggest becomes a missed positive.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.relevance.corpus import Item
from db import models as m
from db.models import SuggestionStatus

__all__ = ["decision_items", "fingerprint", "label_of"]

_EPOCH = datetime.min.replace(tzinfo=UTC)


def label_of(status: str, approval_kind: str | None) -> tuple[int, bool]:
    """(label, borderline) of a decided suggestion."""
    if status == SuggestionStatus.APPROVED:
        return 1, approval_kind == "borderline"
    return 0, False


async def decision_items(session: AsyncSession) -> list[tuple[Item, datetime]]:
    """Every decided suggestion as a labelled item, with when it was decided (oldest first)."""
    rows = (
        await session.execute(
            select(
                m.Suggestion.arxiv_id,
                m.Suggestion.title,
                m.Suggestion.abstract,
                m.Suggestion.categories,
                m.Suggestion.status,
                m.Suggestion.approval_kind,
                m.Suggestion.decided_at,
            )
            .where(m.Suggestion.status.in_([SuggestionStatus.APPROVED, SuggestionStatus.REJECTED]))
            .order_by(m.Suggestion.decided_at, m.Suggestion.arxiv_id)
        )
    ).all()
    out = []
    for arxiv_id, title, abstract, categories, status, approval_kind, decided_at in rows:
        label, borderline = label_of(status, approval_kind)
        item = Item(
            id=arxiv_id,
            title=" ".join(title.split()),
            abstract=" ".join((abstract or "").split()),
            label=label,
            borderline=borderline,
            categories=tuple(categories or ()),
            source=f"decision:{status}",
        )
        out.append((item, decided_at or _EPOCH))
    return out


def fingerprint(decisions: Sequence[tuple[Item, datetime]], corpus: Iterable[Item]) -> str:
    """What a retrain learns from, in 16 hex digits: the same decisions (paper, label, kind) and the
    same corpus give the same fingerprint, so a retrain with nothing new is refused."""
    h = hashlib.sha256()
    for item in sorted((i for i, _ in decisions), key=lambda i: i.id):
        h.update(f"d|{item.id}|{item.label}|{int(item.borderline)}|{item.title}\n".encode())
    for item in corpus:
        h.update(f"c|{item.id}|{item.label}|{int(item.borderline)}|{item.slice}\n".encode())
    return h.hexdigest()[:16]
