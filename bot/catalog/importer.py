"""Importing a list into the catalog: the stages in order, kind to the live bot.

An import runs in stages (:mod:`bot.catalog.importing`) so that the live bot keeps working during
a big one: decode -> state -> plan -> apply -> report. The catalog's door
(:func:`bot.catalog.actions.import_list`) reads the state, plans with no transaction open
(:func:`plan_text`), then writes in one short unit of work; :func:`import_in_session` runs the
same stages inside a unit of work the caller already opened (the first fill).

The stages' public names stay importable from here.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog.auto_topics import entry_topics
from bot.catalog.importing.apply import BATCH, CatalogChanged, Progress, apply_plan
from bot.catalog.importing.decode import ImportRefused, decode_list_bytes, refusal, without_controls
from bot.catalog.importing.merge import FIELDS, LAYOUT
from bot.catalog.importing.options import ImportOptions
from bot.catalog.importing.plan import Plan, plan_import, replace_intro
from bot.catalog.importing.record import record_revision, record_run
from bot.catalog.importing.report import Conflict, ImportReport, unified_diff
from bot.catalog.importing.state import CatalogState, Stored, StoredSection, load_state, parse_for_catalog
from bot.catalog.listformat import ParseProblem

log = logging.getLogger(__name__)

__all__ = [
    "BATCH",
    "FIELDS",
    "LAYOUT",
    "CatalogChanged",
    "CatalogState",
    "Conflict",
    "ImportOptions",
    "ImportRefused",
    "ImportReport",
    "Plan",
    "Progress",
    "Stored",
    "StoredSection",
    "apply_plan",
    "decode_list_bytes",
    "entry_topics",
    "import_in_session",
    "load_state",
    "parse_for_catalog",
    "plan_import",
    "plan_text",
    "record_revision",
    "record_run",
    "refusal",
    "replace_intro",
    "unified_diff",
]


def plan_text(
    state: CatalogState,
    text: str,
    *,
    source: str,
    options: ImportOptions,
    extra: Sequence[ParseProblem],
    refuse: bool,
) -> Plan:
    """Parse against the state, refuse what is not a list of this kind, and plan."""
    text, controls = without_controls(text)
    doc = parse_for_catalog(text, state)
    doc.problems[:0] = [*extra, *controls]
    if refuse and not state.empty:
        why = refusal(doc, text)
        if why is not None:
            raise ImportRefused(why)
    elif refuse and not doc.entries:
        raise ImportRefused(refusal(doc, text) or "nothing to import")
    return plan_import(state, doc, source=source, options=options)


async def import_in_session(
    session: AsyncSession,
    text: str,
    *,
    source: str,
    extra: Sequence[ParseProblem] = (),
    options: ImportOptions | None = None,
    action: str = "import",
) -> ImportReport:
    """Merge a list's markdown into the catalog in this session (read, plan, write, record)."""
    state = await load_state(session)
    text, controls = without_controls(text)
    doc = parse_for_catalog(text, state)
    if extra or controls:
        doc.problems[:0] = [*extra, *controls]
    plan = plan_import(state, doc, source=source, options=options or ImportOptions())
    if not plan.changes:  # a plan that changes nothing is not written: its run only, no revision
        record_run(session, plan)
        return plan.report
    await apply_plan(session, plan)
    await record_revision(session, plan, action=action)
    return plan.report
