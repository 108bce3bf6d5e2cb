"""Approving a possible duplicate into the entry it repeats, and undoing that.

A card whose paper may duplicate an entry (:mod:`bot.catalog.duplicates`) offers two more yeses:

- **new version**: the entry now points at this paper (arXiv id, paper link and title, date; a
  docs link that was the old paper's arXiv page follows it); still one line in the list;
- **alias**: the proposed name becomes one more name the entry answers to.

Both are approvals (first decision wins, audited, a catalog revision of the change only); the
suggestion keeps the entry's fields before the change (``approved_into``), so an undo puts the
entry back as it was instead of deleting it.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import service as catalog
from bot.catalog.model import DateStyle, Entry
from bot.catalog.revisions import actor_label, record_change
from bot.review.service.audit import audit_row
from bot.review.service.model import DecisionOutcome, ReviewError, SuggestionView
from db import models as m
from db.dml import rowcount
from db.models import SuggestionStatus
from db.normalize import norm_key

__all__ = ["INTO_MODES", "approve_into", "restore_entry"]

log = logging.getLogger("bot.review.service")

INTO_MODES = ("version", "alias")
_FIELDS = ("arxiv_id", "paper_url", "paper_title", "year", "month", "date_style", "docs_url")
_TITLE_UNSAFE = str.maketrans({"[": "(", "]": ")", "\n": " "})


async def _entry_row(session: AsyncSession, entry_id: int) -> m.Entry | None:
    return await session.scalar(
        select(m.Entry).options(*catalog.entry_load_options()).where(m.Entry.id == entry_id)
    )


def _fields(entry: Entry) -> dict[str, Any]:
    return {f: str(getattr(entry, f)) if f == "date_style" else getattr(entry, f) for f in _FIELDS}


def _as_version(entry: Entry, s: SuggestionView) -> None:
    """The entry points at the suggested paper (one line in the list, the newer paper)."""
    old_id = entry.arxiv_id
    url = f"https://arxiv.org/abs/{s.arxiv_id}"
    if entry.docs_url and old_id and old_id in entry.docs_url and "arxiv.org" in entry.docs_url:
        entry.docs_url = url
    entry.arxiv_id, entry.paper_url = s.arxiv_id, url
    entry.paper_title = " ".join(s.title.translate(_TITLE_UNSAFE).split())
    stamp = re.match(r"^(\d{2})(\d{2})\.", s.arxiv_id)
    if stamp:
        entry.year, entry.month = 2000 + int(stamp.group(1)), int(stamp.group(2))
        entry.date_style = DateStyle.YYMM


def _as_alias(entry: Entry, s: SuggestionView) -> str | None:
    """The proposed name as one more alias; ``None`` when the entry answers to it already."""
    alias = " ".join(s.proposed_name.split())
    if not norm_key(alias) or norm_key(alias) in {norm_key(a) for a in (entry.name, *entry.aliases)}:
        return None
    entry.aliases = [*entry.aliases, alias]
    return alias


async def approve_into(
    session: AsyncSession,
    suggestion_id: int,
    mode: str,
    *,
    actor_id: int | None,
    actor_name: str | None,
    via: str,
    now: datetime | None = None,
) -> DecisionOutcome:
    """Approve a pending suggestion into the entry it may duplicate, as a new ``version`` of it or
    an ``alias``. The first decision wins; a later one changes nothing (``applied=False``)."""
    if mode not in INTO_MODES:
        raise ReviewError(f"approve as 'version' or 'alias', not {mode!r}")
    now = now or datetime.now(UTC)
    row = await session.get(m.Suggestion, suggestion_id, populate_existing=True)
    if row is None:
        raise ReviewError(f"no suggestion with id {suggestion_id}")
    view = SuggestionView.of(row)
    if row.status != SuggestionStatus.PENDING:
        return DecisionOutcome(applied=False, suggestion=view)
    target = view.duplicate_of
    entry_row = None if target is None else await _entry_row(session, int(target["entry_id"]))
    if target is None or entry_row is None:
        what = "no entry it may duplicate" if target is None else f"{target.get('name')!r} is gone"
        raise ReviewError(f"arXiv {row.arxiv_id}: {what}; approve it as a new entry instead")
    entry = catalog.to_domain(entry_row)
    how = "new version" if mode == "version" else "alias"
    result = await session.execute(
        update(m.Suggestion)
        .where(m.Suggestion.id == suggestion_id, m.Suggestion.status == SuggestionStatus.PENDING)
        .values(
            status=SuggestionStatus.APPROVED,
            approval_kind="core",
            decided_by=actor_id,
            decided_at=now,
            decision_reason=f"{how} of {entry.name}",
            snoozed_until=None,
            snoozed_by=None,
            entry_id=entry_row.id,
        )
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        await session.refresh(row)
        return DecisionOutcome(applied=False, suggestion=SuggestionView.of(row))
    before = _fields(entry)
    alias = None
    if mode == "version":
        _as_version(entry, view)
    else:
        alias = _as_alias(entry, view)
    await catalog.update_entry(session, entry_row, entry)
    into = {"entry_id": entry_row.id, "as": mode, "name": entry.name, "before": before, "alias": alias}
    await session.execute(
        update(m.Suggestion).where(m.Suggestion.id == suggestion_id).values(approved_into=into)
    )
    by = actor_label(actor_name, actor_id, via)
    await record_change(
        session,
        "approve",
        source=f"arXiv {row.arxiv_id}",
        summary=f"arXiv {row.arxiv_id} approved as {how} of {entry.name!r} {by}",
        change={"suggestion_id": row.id, "arxiv_id": row.arxiv_id, "by": by, **into},
    )
    session.add(audit_row(row.id, "approve", actor_id, actor_name, via, f"{how} of {entry.name}", now))
    await session.flush()
    await session.refresh(row)
    log.info(
        "suggestion %s approved as %s of %r by %s via %s",
        row.arxiv_id,
        how,
        entry.name,
        actor_name or actor_id,
        via,
        extra={"arxiv_id": row.arxiv_id, "outcome": "approved", "user": actor_id},
    )
    return DecisionOutcome(applied=True, suggestion=SuggestionView.of(row), entry_name=entry.name)


async def restore_entry(session: AsyncSession, into: dict[str, Any]) -> str | None:
    """Undo an approval into an entry: its fields as they were (a new version), or the alias
    removed. The entry's name, or ``None`` when the entry is gone meanwhile."""
    entry_row = await _entry_row(session, int(into["entry_id"]))
    if entry_row is None:
        return None
    entry = catalog.to_domain(entry_row)
    if into.get("as") == "version":
        for name, value in (into.get("before") or {}).items():
            setattr(entry, name, DateStyle(value) if name == "date_style" else value)
    elif into.get("alias"):
        gone = norm_key(str(into["alias"]))
        entry.aliases = [a for a in entry.aliases if norm_key(a) != gone]
    await catalog.update_entry(session, entry_row, entry)
    return entry.name
