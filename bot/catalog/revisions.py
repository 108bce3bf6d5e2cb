"""Catalog revisions: the history of imports, and going back to the state before one.

Every import records the catalog's export from just before it (``catalog_revisions``).
Reverting (:func:`bot.catalog.actions.revert`) makes the catalog exactly that export again, in
one transaction, through the importer's exact mode (matched entries keep their ids, so
suggestions stay linked), and is itself a revision, so a revert can be reverted.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import models as m

log = logging.getLogger(__name__)

__all__ = ["RevisionInfo", "UnknownRevision", "before", "history_in"]


class UnknownRevision(LookupError):
    """No revision has this number."""


@dataclass(frozen=True, slots=True)
class RevisionInfo:
    id: int
    at: datetime
    action: str
    source: str
    summary: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "action": self.action,
            "source": self.source,
            "summary": self.summary,
        }


async def history_in(session: AsyncSession, *, limit: int | None = None) -> list[RevisionInfo]:
    """Revisions, newest first (the door: :func:`bot.catalog.actions.history`)."""
    stmt = select(
        m.CatalogRevision.id,
        m.CatalogRevision.at,
        m.CatalogRevision.action,
        m.CatalogRevision.source,
        m.CatalogRevision.summary,
    ).order_by(m.CatalogRevision.id.desc())
    if limit:
        stmt = stmt.limit(limit)
    return [RevisionInfo(*r) for r in (await session.execute(stmt)).all()]


async def before(session: AsyncSession, revision: int) -> str | None:
    """The catalog's export from just before ``revision`` (``None``: no such revision); the door
    :func:`bot.catalog.actions.revert` imports it back."""
    return await session.scalar(select(m.CatalogRevision.before).where(m.CatalogRevision.id == revision))
