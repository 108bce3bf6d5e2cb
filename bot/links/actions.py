"""The link check's door: a check of every catalog link recorded, the report moderators see, and a
moderator's fix applied.

:func:`check_links` reads the catalog's links (``db.read``), asks every host (no transaction is
open meanwhile), then records the results in one short unit of work (``db.run``), where each
link's new state is worked out against its stored one (:func:`bot.links.state.next_check`).
:func:`report` is one read. :func:`apply_move` changes the catalog only through the catalog's own
door (:func:`bot.catalog.actions.replace_link`: a revision, audited), and only when a moderator
asks: nothing here edits an entry by itself.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actor import Actor
from bot.catalog import actions as catalog_actions
from bot.database import Database
from bot.errors import UserFacingError
from bot.links import store
from bot.links.check import MAX_URL_LENGTH, LinkChecker, LinkResult, host_of
from bot.links.state import DEAD_AFTER, StoredCheck, next_check
from bot.links.store import CatalogLink, LinkProblem
from db.enums import LinkStatus
from db.reads import Reads, SessionReads

__all__ = ["CheckReport", "LinkReport", "apply_move", "check_links", "report"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CheckReport:
    """One run of the link check: what each URL answered and the state it is in now."""

    results: list[LinkResult]
    states: dict[str, StoredCheck]  # after the check (a URL whose check changed nothing: its old one)
    links: list[CatalogLink]
    seconds: float = 0.0
    requests: int = 0

    def outcome_counts(self) -> dict[str, int]:
        return dict(Counter(str(r.outcome) for r in self.results).most_common())

    def status_counts(self) -> dict[str, int]:
        return dict(Counter(str(s.status) for s in self.states.values()).most_common())

    def as_dict(self) -> dict[str, object]:
        entries: dict[str, list[str]] = {}
        for link in self.links:
            entries.setdefault(link.url, []).append(link.name)
        links = []
        for result in self.results:
            state = self.states.get(result.url)
            links.append(
                {
                    **result.as_dict(),
                    "entries": sorted(set(entries.get(result.url, []))),
                    **(state.as_dict() if state else {"status": None}),
                }
            )
        return {
            "links": links,
            "counts": {
                "links": len(self.links),
                "urls": len(self.results),
                "requests": self.requests,
                "seconds": round(self.seconds, 3),
                "outcomes": self.outcome_counts(),
                "statuses": self.status_counts(),
            },
        }


def checkable(links: list[CatalogLink]) -> list[str]:
    """The URLs a check asks for: http(s) URLs of sane length, each once, in catalog order."""
    return [
        url
        for url in dict.fromkeys(link.url for link in links)
        if host_of(url) is not None and len(url) <= MAX_URL_LENGTH
    ]


async def check_links(
    db: Database,
    checker: LinkChecker,
    *,
    now: datetime | None = None,
    dead_after: timedelta = DEAD_AFTER,
) -> CheckReport:
    """Check every link of the catalog once and record what each one answered (*now*: the time
    the check counts as made, for "a day apart"; the real time by default)."""
    started = time.perf_counter()
    links = await db.read(store.catalog_links)
    urls = checkable(links)
    sent_before = len(checker.sent)
    results = await checker.check_all(urls)
    when = now or datetime.now(UTC)

    async def record(session: AsyncSession) -> dict[str, StoredCheck]:
        stored = await store.stored_checks(SessionReads(session))
        changed: dict[str, StoredCheck] = {}
        for result in results:
            state = next_check(stored.get(result.url), result, when, dead_after=dead_after)
            if state is not None:
                changed[result.url] = state
        await store.save(session, changed.values())
        return {url: changed.get(url) or stored[url] for url in urls if url in changed or url in stored}

    states = await db.run(record)
    report = CheckReport(
        results,
        states,
        links,
        seconds=time.perf_counter() - started,
        requests=len(checker.sent) - sent_before,
    )
    log.info("link check: %d URLs, outcomes %s", len(results), report.outcome_counts())
    return report


@dataclass(frozen=True, slots=True)
class LinkReport:
    """What ``/ptm-admin links`` shows: the dead and moved links, and how many are in each state."""

    problems: list[LinkProblem]
    counts: dict[str, int] = field(default_factory=dict)


async def _read_report(reads: Reads) -> LinkReport:
    return LinkReport(await store.problems(reads), await store.status_counts(reads))


async def report(db: Database) -> LinkReport:
    """The dead and moved links the catalog holds, from the stored checks (one read)."""
    return await db.read(_read_report)


async def apply_move(db: Database, check_id: int, entry_id: int, actor: Actor) -> tuple[str, StoredCheck]:
    """Use a permanently moved link's new URL on the entry *entry_id* (a moderator's click):
    through the catalog's door, so it is a revision and audited. Returns the entry's name and the
    check it applied."""
    check = await db.read(store.check_by_id, check_id)
    if check is None or check.status is not LinkStatus.MOVED or not check.final_url:
        raise UserFacingError("That link is no longer reported as moved; nothing changed.")
    name = await catalog_actions.replace_link(db, entry_id, check.url, check.final_url, actor)
    return name, check
