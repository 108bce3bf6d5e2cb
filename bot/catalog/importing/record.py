"""Recording an import: every import (and revert, and the first fill) is an import run; one that
changes the catalog is also a revision that keeps the catalog's export from just before it (one
that changes nothing is not: :func:`bot.catalog.actions.import_list` writes only its run)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.importing.plan import Plan
from db import models as m

__all__ = ["record_revision", "record_run"]


def record_run(session: AsyncSession, plan: Plan) -> None:
    """The import run (``import_runs``): every import, whether it changed anything or not."""
    report = plan.report
    session.add(
        m.ImportRun(
            source=plan.source,
            added=len(report.added),
            updated=len(report.updated),
            unchanged=report.unchanged,
            problems=len(report.problems),
        )
    )


async def record_revision(
    session: AsyncSession, plan: Plan, *, action: str, change: dict[str, Any] | None = None, note: str = ""
) -> m.CatalogRevision:
    """An import that changes the catalog: its run and a revision (with the export from before
    it); *change* and *note*: what a revert undid besides the catalog's lines (``LaterWork.change``)."""
    report = plan.report
    record_run(session, plan)
    summary = (
        f"{len(report.added)} added, {len(report.updated)} updated, {report.unchanged} unchanged, "
        f"{len(report.conflicts)} conflicts"
        + (f", {len(report.overwritten)} overwritten" if report.overwritten else "")
        + (f", {len(report.deleted)} deleted" if report.deleted else "")
        + (", structure changed" if report.structure and report.structure_applied else "")
        + (f"; {note}" if note else "")
    )
    revision = m.CatalogRevision(
        action=action, source=plan.source, summary=summary, before=plan.before, change=change
    )
    session.add(revision)
    await session.flush()
    report.revision = revision.id
    return revision
