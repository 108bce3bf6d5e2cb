"""The one door for catalog writes: each function is one unit of work on the :class:`Database`.

A slash command (:mod:`bot.commands.admin`), the terminal (``ptm-bot import|revert|export``,
``ptm-bot ask '/ptm-admin edit ...'``) and opening a new database (the first fill) all change the
catalog through here, so a correction is checked, written and audited the same way whoever asks.
Every write runs through :meth:`Database.run` (one transaction, retried whole when the database
is locked: the work inside only touches the database); nothing here knows about Discord or renders
anything. A request that cannot be carried out raises :class:`~bot.errors.UserFacingError`.

Review decisions that add entries have their own door (:mod:`bot.review.actions`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actor import SYSTEM, Actor
from bot.catalog import importer, queries, revisions
from bot.catalog import service as catalog
from bot.catalog.importer import ImportOptions, ImportReport, Plan, Progress
from bot.catalog.listformat import ParseProblem
from bot.catalog.model import DateStyle, EntryHit
from bot.catalog.revisions import RevisionInfo, UnknownRevision
from bot.database import Database
from bot.errors import UserFacingError
from bot.suggest import did_you_mean
from db import models as m
from db.normalize import norm_key

log = logging.getLogger(__name__)

__all__ = [
    "EDITABLE",
    "PLAN_ATTEMPTS",
    "Tagged",
    "UnknownRevision",
    "edit",
    "export",
    "history",
    "import_list",
    "remove",
    "revert",
    "seed",
    "tag",
]

EDITABLE = ("name", "org", "docs_url", "date", "paper_title", "paper_url", "authors", "description")

# Plans made at most when other writers keep changing the catalog between a plan and its write.
# (A locked database is waited for by Database.run, the one retry of a unit of work.)
PLAN_ATTEMPTS = 8

_DEFAULT_OPTIONS = ImportOptions()


def _audit(what: str, actor: Actor) -> None:
    log.info("catalog: %s by %s via %s", what, actor.name or actor.id, actor.via, extra={"user": actor.id})


# --------------------------------------------------------------------------------------------
# Moderators' corrections: edit, remove, tag


async def _find_entry_id(session: AsyncSession, name: str) -> int | None:
    """An entry by exact name, else by its normalised name or alias (moderators' corrections)."""
    exact = await session.scalar(select(m.Entry.id).where(m.Entry.name == name).limit(1))
    if exact is not None:
        return exact
    key = norm_key(name)
    by_norm = await session.scalar(select(m.Entry.id).where(m.Entry.norm_name == key).limit(1))
    if by_norm is not None:
        return by_norm
    return await session.scalar(select(m.Alias.entry_id).where(m.Alias.norm_alias == key).limit(1))


async def _entry_row(session: AsyncSession, name: str) -> m.Entry:
    entry_id = await _find_entry_id(session, name)
    if entry_id is None:
        raise UserFacingError(f"No entry named {name!r}.")
    row = await session.scalar(
        select(m.Entry).where(m.Entry.id == entry_id).options(*catalog.entry_load_options())
    )
    assert row is not None
    return row


async def edit(db: Database, name: str, field: str, value: str, actor: Actor) -> str:
    """Change one field (one of :data:`EDITABLE`) of the entry called ``name``; returns the
    entry's name after the change."""
    if field not in EDITABLE:
        hint = did_you_mean(field, EDITABLE, quote=True)
        raise UserFacingError(f"Unknown field {field!r}{hint}; one of: {', '.join(EDITABLE)}.")
    value = value.strip()

    async def work(session: AsyncSession) -> str:
        row = await _entry_row(session, name)
        entry = catalog.to_domain(row)
        if field == "date":
            dm = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", value)
            if dm is None or (dm.group(2) and not 1 <= int(dm.group(2)) <= 12):
                raise UserFacingError("date must be YYYY-MM or YYYY, e.g. 2021-06.")
            entry.year, entry.month = int(dm.group(1)), int(dm.group(2)) if dm.group(2) else None
            entry.date_style = DateStyle.YYMM if entry.month else DateStyle.YEAR
        elif field == "authors":
            entry.authors = [a.strip() for a in value.split(",") if a.strip()]
        elif field == "name":
            clash = await session.scalar(
                select(m.Entry.id).where(
                    m.Entry.kind == row.kind, m.Entry.name == value, m.Entry.id != row.id
                )
            )
            if clash is not None or not value:
                raise UserFacingError(f"An entry named {value!r} already exists.")
            entry.name = value
            entry.aliases = []
        else:
            setattr(entry, field, value or None)
        await catalog.update_entry(session, row, entry)
        return entry.name

    shown = await db.run(work)
    _audit(f"{field} of {shown!r} edited", actor)
    return shown


async def remove(db: Database, name: str, actor: Actor) -> str:
    """Remove the entry called ``name``; returns its name. A removed paper is not suggested again:
    its suggestion (if any) stays decided."""

    async def work(session: AsyncSession) -> str:
        row = await _entry_row(session, name)
        await catalog.remove_entries(session, [row.id])
        return row.name

    shown = await db.run(work)
    _audit(f"{shown!r} removed", actor)
    return shown


@dataclass(frozen=True, slots=True)
class Tagged:
    """What :func:`tag` did: the entry with its new topics, or (no such entry) the closest names."""

    hit: EntryHit | None
    closest: list[str] = field(default_factory=list)


async def tag(db: Database, name: str, slugs: Sequence[str], actor: Actor) -> Tagged:
    """Replace the topics of the model called ``name`` with ``slugs`` (a moderator correction,
    which later imports keep)."""

    async def work(session: AsyncSession) -> Tagged:
        hits = await queries.find_model(session, name, limit=1)
        if not hits:
            return Tagged(None, await queries.closest_names(session, name, limit=5))
        return Tagged(await queries.set_topics(session, hits[0].id, slugs))

    tagged = await db.run(work)
    if tagged.hit is not None:
        _audit(f"topics of {tagged.hit.entry.name!r} set to {list(slugs)}", actor)
    return tagged


async def export(db: Database) -> str:
    """The catalog as the list's markdown (a read: one unit of work that writes nothing)."""
    return await db.run(catalog.export_markdown)


# --------------------------------------------------------------------------------------------
# Whole lists: import, revert, the first fill


async def import_list(
    db: Database,
    text: str,
    actor: Actor,
    *,
    source: str,
    options: ImportOptions = _DEFAULT_OPTIONS,
    extra: Sequence[ParseProblem] = (),
    dry_run: bool = False,
    refuse: bool = True,
    action: str = "import",
    progress: Progress | None = None,
) -> Plan:
    """Read and plan in a short read transaction, then write in one short write transaction.

    The write starts only when the plan is ready, so other writers (an approval, the poll) wait
    for milliseconds, not for the parse; if the catalog changed in between, the import plans
    again; if the database is locked, ``db.run`` waits and retries. Raises
    :class:`~bot.catalog.importer.ImportRefused`.
    """
    for _ in range(PLAN_ATTEMPTS):
        state = await db.run(importer.load_state)
        if progress is not None:
            progress("reading", 0, 0)
        plan = importer.plan_text(state, text, source=source, options=options, extra=extra, refuse=refuse)
        if dry_run:
            return plan

        async def write(session: AsyncSession, plan: Plan = plan) -> None:
            # apply_plan looked up at call time: tests replace it to inject a race.
            await importer.apply_plan(session, plan, progress=progress)
            await importer.record_revision(session, plan, action=action)

        try:
            await db.run(write)
        except importer.CatalogChanged:
            log.info("the catalog changed while %s was planned; planning again", source)
            continue
        _audit(f"{action} of {source}", actor)
        return plan
    raise RuntimeError(f"the catalog kept changing while importing {source}; try again")


async def history(db: Database, *, limit: int | None = None) -> list[RevisionInfo]:
    """Revisions, newest first."""
    return await db.run(lambda session: revisions.history_in(session, limit=limit))


async def revert(db: Database, revision: int, actor: Actor, *, dry_run: bool = False) -> Plan:
    """Bring the catalog back to its state before ``revision`` (its export byte for byte), through
    the importer's exact mode; the revert is itself a revision. Raises :class:`UnknownRevision`."""
    before = await db.run(lambda session: revisions.before(session, revision))
    if before is None:
        raise UnknownRevision(revision)
    return await import_list(
        db,
        before,
        actor,
        source=f"revert to before revision {revision}",
        options=ImportOptions(exact=True),
        dry_run=dry_run,
        refuse=False,
        action="revert",
    )


async def seed(db: Database, actor: Actor = SYSTEM) -> ImportReport | None:
    """Fill a new catalog from the shipped list (not one left empty on purpose); ``None`` when
    there was nothing to do."""
    report = await db.run(catalog.seed_if_empty)
    if report is not None:
        log.info("new catalog filled from the shipped list: %s", report.counts)
        _audit("seed from the shipped list", actor)
    return report
