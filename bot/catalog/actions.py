"""The one door for catalog writes: each function is one unit of work on the :class:`Database`.

A slash command (:mod:`bot.commands.admin`), the terminal (``ptm-bot init|import|revert|export``,
``ptm-bot ask '/ptm-admin edit ...'``) and opening a new database (the first fill) all change the
catalog through here, so a correction is checked, written and audited the same way whoever asks.
Every write runs through :meth:`Database.run` (one transaction, retried whole when the database
is locked: the work inside only touches the database); nothing here knows about Discord or renders
anything. A request that cannot be carried out raises :class:`~bot.errors.UserFacingError`.

Review decisions that add entries have their own door (:mod:`bot.review.actions`).
"""

from __future__ import annotations

import copy
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actor import SYSTEM, Actor
from bot.catalog import edit_checks, importer, queries, revisions
from bot.catalog import service as catalog
from bot.catalog.arxiv_ids import arxiv_id_from_url
from bot.catalog.importer import ImportOptions, ImportReport, Plan, Progress
from bot.catalog.listformat import ParseProblem, render_entry
from bot.catalog.model import DateStyle, Entry, EntryHit, Link, format_date
from bot.catalog.revisions import (
    LaterWork,
    NotRevertible,
    RevertRefused,
    RevisionInfo,
    UnknownRevision,
    actor_label,
)
from bot.database import Database
from bot.errors import UserFacingError
from bot.suggest import did_you_mean
from db import models as m
from db.normalize import norm_key
from db.reads import SessionReads

log = logging.getLogger(__name__)

__all__ = [
    "EDITABLE",
    "PLAN_ATTEMPTS",
    "NotRevertible",
    "RevertRefused",
    "Reverted",
    "Tagged",
    "UnknownRevision",
    "edit",
    "export",
    "history",
    "import_list",
    "remove",
    "replace_link",
    "revert",
    "seed",
    "start_empty",
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


def _field_value(entry: Entry, field: str) -> Any:
    """One editable field as the revision's change records it (JSON)."""
    if field == "date":
        return format_date(entry.year, entry.month)
    if field == "authors":
        return list(entry.authors)
    return getattr(entry, field)


async def _record(
    session: AsyncSession, action: str, actor: Actor, *, source: str, summary: str, change: dict[str, Any]
) -> None:
    """A moderator's correction as a revision (the change only): ``ptm-bot history`` shows it, and a
    revert to before an earlier revision names it."""
    who = {"actor_id": actor.id, "actor_name": actor.name, "via": actor.via}
    await revisions.record_change(
        session,
        action,
        source=source,
        summary=f"{summary} {actor_label(actor.name, actor.id, actor.via)}",
        change={**change, **who},
    )


async def edit(db: Database, name: str, field: str, value: str, actor: Actor) -> str:
    """Change one field (one of :data:`EDITABLE`) of the entry called ``name``; returns the
    entry's name after the change."""
    if field not in EDITABLE:
        hint = did_you_mean(field, EDITABLE, quote=True)
        raise UserFacingError(f"Unknown field {field!r}{hint}; one of: {', '.join(EDITABLE)}.")
    value = edit_checks.clean_value(value)  # never an escape sequence or a bidi override stored
    date = edit_checks.parse_edit_date(value) if field == "date" else None
    if field in ("docs_url", "paper_url") and value:
        edit_checks.check_url(field, value)

    async def work(session: AsyncSession) -> str:
        row = await _entry_row(session, name)
        entry = catalog.to_domain(row)
        before = copy.deepcopy(entry)
        old = _field_value(entry, field)
        if date is not None:
            entry.year, entry.month = date
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
            if field == "paper_url":  # what the list's reader takes from the URL
                entry.arxiv_id = arxiv_id_from_url(entry.paper_url)
        edit_checks.check_line_reads_back(before, entry, field, value)
        await catalog.update_entry(session, row, entry)
        new = _field_value(entry, field)
        await _record(
            session,
            "edit",
            actor,
            source=f"{row.kind} {entry.name!r}",
            summary=f"{field} {old!r} -> {new!r}",
            change={"entry_id": row.id, "field": field, "old": old, "new": new},
        )
        return entry.name

    shown = await db.run(work)
    _audit(f"{field} of {shown!r} edited", actor)
    return shown


def _replace_in(entry: Entry, old_url: str, new_url: str) -> list[str]:
    """Point every place of *entry* that holds *old_url* at *new_url*; the fields changed."""
    fields: list[str] = []
    for field_name in ("docs_url", "paper_url"):
        if getattr(entry, field_name) == old_url:
            setattr(entry, field_name, new_url)
            fields.append(field_name)
    if any(link.url == old_url for link in entry.links):
        entry.links = [
            Link(new_url, link.label, link.label_own_line) if link.url == old_url else link
            for link in entry.links
        ]
        fields.append("links")
    return fields


async def replace_link(db: Database, entry_id: int, old_url: str, new_url: str, actor: Actor) -> str:
    """Point the entry *entry_id*'s link *old_url* (its docs or paper URL, or an extra link) at
    *new_url*: a moderator's edit (a revision, audited), e.g. a link check's permanent move. Only
    if the entry still holds *old_url*: someone who changed it since wins. Returns the entry's name."""
    new_url = edit_checks.clean_value(new_url)
    if not new_url or new_url == old_url:
        raise UserFacingError("The new URL is empty or the same as the old one.")
    edit_checks.check_url("The new URL", new_url)

    async def work(session: AsyncSession) -> str:
        row = await session.scalar(
            select(m.Entry).where(m.Entry.id == entry_id).options(*catalog.entry_load_options())
        )
        if row is None:
            raise UserFacingError("That entry is no longer in the catalog; nothing changed.")
        entry = catalog.to_domain(row)
        fields = _replace_in(entry, old_url, new_url)
        if not fields:
            raise UserFacingError(f"**{entry.name}** no longer links to that URL; nothing changed.")
        await catalog.update_entry(session, row, entry)
        await _record(
            session,
            "edit",
            actor,
            source=f"{row.kind} {entry.name!r}",
            summary=f"{', '.join(fields)} {old_url!r} -> {new_url!r}",
            change={"entry_id": row.id, "field": fields[0], "fields": fields, "old": old_url, "new": new_url},
        )
        return entry.name

    shown = await db.run(work)
    _audit(f"link of {shown!r} replaced", actor)
    return shown


async def remove(db: Database, name: str, actor: Actor) -> str:
    """Remove the entry called ``name``; returns its name. A removed paper is not suggested again:
    its suggestion (if any) stays decided."""

    async def work(session: AsyncSession) -> str:
        row = await _entry_row(session, name)
        lines = render_entry(catalog.to_domain(row))
        await catalog.remove_entries(session, [row.id])
        await _record(
            session,
            "remove",
            actor,
            source=f"{row.kind} {row.name!r}",
            summary="removed",
            change={"entry_id": row.id, "section": row.section_key, "lines": lines},
        )
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
        reads = SessionReads(session)  # the look-up reads in this unit of work
        hits = await queries.find_model(reads, name, limit=1)
        if not hits:
            return Tagged(None, await queries.closest_names(reads, name, limit=5))
        old = list(hits[0].entry.topics)
        hit = await queries.set_topics(session, hits[0].id, slugs)
        new = list(hit.entry.topics)
        await _record(
            session,
            "tag",
            actor,
            source=f"model {hit.entry.name!r}",
            summary=f"topics {old} -> {new}",
            change={"entry_id": hit.id, "old": old, "new": new},
        )
        return Tagged(hit)

    tagged = await db.run(work)
    if tagged.hit is not None:
        _audit(f"topics of {tagged.hit.entry.name!r} set to {list(slugs)}", actor)
    return tagged


async def export(db: Database, fmt: str = "md") -> str:
    """The catalog in the export format *fmt* (:data:`bot.catalog.exports.FORMATS`; ``md``, the
    list's markdown, by default): a read, one unit of work that writes nothing."""
    if fmt == "md":
        return await db.run(catalog.export_markdown)
    return await db.run(functools.partial(catalog.export_as, fmt=fmt))


# --------------------------------------------------------------------------------------------
# Whole lists: import, revert, the first fill


# Run inside an import's write, before the plan is applied: what else the write records (a
# revert's undone work) as (change, note), or refuses by raising.
BeforeWrite = Callable[[AsyncSession, Plan], Awaitable[tuple[dict[str, Any] | None, str]]]
# Run inside an import's write, after the plan is applied (a revert's approvals made again).
AfterApply = Callable[[AsyncSession, Plan], Awaitable[None]]


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
    before_write: BeforeWrite | None = None,
    after_apply: AfterApply | None = None,
) -> Plan:
    """Read and plan in a short read transaction, then write in one short write transaction.

    The write starts only when the plan is ready, so other writers (an approval, the poll) wait
    for milliseconds, not for the parse; if the catalog changed in between, the import plans
    again; if the database is locked, ``db.run`` waits and retries. A plan that changes nothing
    is not written: no revision (``report.revision`` stays ``None``). Just before the commit the
    database path must still name the file opened (:meth:`Database.check_same_file`). Raises
    :class:`~bot.catalog.importer.ImportRefused`, :class:`~bot.database.CatalogFileGone`.
    """
    for _ in range(PLAN_ATTEMPTS):
        state = await db.run(importer.load_state)
        if progress is not None:
            progress("reading", 0, 0)
        plan = importer.plan_text(state, text, source=source, options=options, extra=extra, refuse=refuse)
        if dry_run:
            return plan
        if not plan.changes:  # nothing to write: the run is recorded, no revision

            async def record_run(session: AsyncSession, plan: Plan = plan) -> None:
                importer.record_run(session, plan)

            await db.run(record_run)
            return plan

        async def write(session: AsyncSession, plan: Plan = plan) -> None:
            change, note = await before_write(session, plan) if before_write else (None, "")
            # apply_plan looked up at call time: tests replace it to inject a race.
            await importer.apply_plan(session, plan, progress=progress)
            if after_apply is not None:
                await after_apply(session, plan)
            await importer.record_revision(session, plan, action=action, change=change, note=note)
            db.check_same_file(action)

        try:
            await db.run(write)
        except importer.CatalogChanged:
            log.info("the catalog changed while %s was planned; planning again", source)
            continue
        _audit(f"{action} of {source}", actor)
        return plan
    raise RuntimeError(f"the catalog kept changing while importing {source}; try again")


async def history(db: Database, *, limit: int | None = None) -> list[RevisionInfo]:
    """Revisions, newest first (``limit``: the newest N only; at least 1)."""
    if limit is not None and limit < 1:
        raise UserFacingError(
            f"--limit must be at least 1 (it was {limit}); leave it out to list every revision"
        )
    return await db.run(lambda session: revisions.history_in(session, limit=limit))


def _added_papers(plan: Plan) -> dict[str, str]:
    """The papers a plan adds to the catalog: arXiv id -> the entry's name."""
    return {e.arxiv_id: e.name for e, _ in plan.add if e.arxiv_id}


@dataclass(frozen=True, slots=True)
class Reverted:
    """What :func:`revert` did (or, in a dry run, would do): the plan, and the later work undone."""

    plan: Plan
    later: LaterWork


async def revert(
    db: Database, revision: int, actor: Actor, *, dry_run: bool = False, force: bool = False
) -> Reverted:
    """Bring the catalog back to its state before ``revision`` (its export byte for byte), through
    the importer's exact mode; the revert is itself a revision (unless it changes nothing).

    Whatever was recorded after ``revision`` (later revisions; approvals whose entries the revert
    removes) is undone with it: without ``force`` the revert refuses (:class:`RevertRefused`,
    which names that work); with it, those approvals' suggestions go back to pending, audited,
    and the revert's revision records what it undid. The check is made inside the write, so work
    recorded while the revert was planned is not missed. Raises :class:`UnknownRevision`,
    :class:`NotRevertible`."""
    before = await db.run(lambda session: revisions.target(session, revision))
    found: list[LaterWork] = []

    async def settle(session: AsyncSession, plan: Plan) -> tuple[dict[str, Any] | None, str]:
        later = await revisions.later_work(session, revision, plan.delete, _added_papers(plan))
        if later.needs_force and not force:
            raise RevertRefused(later)
        await revisions.reopen(session, later, actor)
        found[:] = [later]
        return later.change(), (f"undid {later.headline()}" if later else "")

    async def restore(session: AsyncSession, plan: Plan) -> None:
        await revisions.restore(session, found[0], _added_papers(plan), actor)

    plan = await import_list(
        db,
        before,
        actor,
        source=f"revert to before revision {revision}",
        options=ImportOptions(exact=True),
        dry_run=dry_run,
        refuse=False,
        action="revert",
        before_write=settle,
        after_apply=restore,
    )
    if not found:  # a dry run (what it would undo, read now), or nothing to change (nothing undone)
        found.append(
            await db.run(
                lambda session: revisions.later_work(session, revision, plan.delete, _added_papers(plan))
            )
            if dry_run
            else LaterWork(revision)
        )
    return Reverted(plan, found[0])


async def seed(db: Database, actor: Actor = SYSTEM) -> ImportReport | None:
    """Fill a new catalog from the shipped list (not one left empty on purpose); ``None`` when
    there was nothing to do."""
    report = await db.run(catalog.seed_if_empty)
    if report is not None:
        log.info("new catalog filled from the shipped list: %s", report.counts)
        _audit("seed from the shipped list", actor)
    return report


async def start_empty(db: Database, actor: Actor) -> bool:
    """Mark a new, empty catalog as empty on purpose (``ptm-bot init --empty``: it is never filled
    from the shipped list); ``False`` when it holds entries or was marked before."""
    started = await db.run(catalog.start_empty)
    if started:
        _audit("catalog started empty", actor)
    return started
