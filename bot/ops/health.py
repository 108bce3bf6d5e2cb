"""``ptm-bot health``: is this deployment working? One check per concern, one line per problem.

Read-only: the database is opened without migrating or filling it, a SQLite file ``mode=ro`` (its
journal mode untouched), a PostgreSQL session read-only, so a health probe never changes what it
probes. A foreign database or a catalog that needs migrating is refused as every other command
refuses it (:class:`db.guard.DatabaseRefused`: one line, exit 2). The checks: the database answers and is at the newest migration; the catalog's
counts (an empty catalog is a note, not a failure); the last successful poll is not older than the
schedule allows; every configured feed is healthy; a bot process holds the poller lock (so something
polls: see :mod:`bot.ops.leader`); a review channel is configured.

The last successful poll is the newest ``feeds.last_ok_at``. A poll counts as overdue when a
scheduled time has passed (plus its jitter and :data:`POLL_GRACE`) with no successful poll since.
A catalog that has never been polled is overdue only once it is older than such a scheduled time,
so a fresh install is healthy until its first poll is due.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.config import Config
from bot.redact import redact
from bot.words import counted

if TYPE_CHECKING:
    from db.reads import Reads

__all__ = ["POLL_GRACE", "Check", "HealthReport", "check_health", "last_due_poll"]

log = logging.getLogger(__name__)

# A scheduled poll may take this long (retries with backoff, a slow arXiv) before it counts as missed.
POLL_GRACE = timedelta(hours=1)
# How far back to look for the schedule's last run (a schedule polls at least once a week).
_LOOKBACK = timedelta(days=15)


@dataclass(slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, **self.data}


@dataclass(slots=True)
class HealthReport:
    checks: list[Check] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def problems(self) -> list[str]:
        return [f"{check.name}: {check.detail}" for check in self.checks if not check.ok]

    def add(self, name: str, ok: bool, detail: str, **data: Any) -> Check:
        """One check; its name, detail and text data redacted (a feed's URL may carry a token)."""
        data = {k: redact(v) if isinstance(v, str) else v for k, v in data.items()}
        check = Check(redact(name), ok, redact(detail), data)
        self.checks.append(check)
        return check

    def as_dict(self) -> dict[str, Any]:
        return {
            "healthy": self.healthy,
            "problems": self.problems,
            "checks": [check.as_dict() for check in self.checks],
        }

    def lines(self) -> list[str]:
        return [f"{'ok' if c.ok else 'PROBLEM':<8} {c.name}: {c.detail}" for c in self.checks]


def last_due_poll(config: Config, now: datetime) -> datetime | None:
    """The latest scheduled poll time whose window (jitter + :data:`POLL_GRACE`) has closed by *now*."""
    from bot.watch.schedule import poll_trigger

    schedule = config.schedule
    trigger = poll_trigger(schedule)
    trigger.jitter = None  # the raw schedule; the jitter is part of the window below
    window = timedelta(seconds=schedule.jitter_seconds) + POLL_GRACE
    last: datetime | None = None
    previous: datetime | None = None
    probe = now - _LOOKBACK
    while True:
        fire = trigger.get_next_fire_time(previous, probe)
        if fire is None or fire + window > now:
            return last
        last = previous = fire
        probe = fire + timedelta(seconds=1)


def _is_file(path: str) -> bool:
    return Path(path).is_file()  # one stat: not worth a thread


def _when(moment: datetime, config: Config) -> str:
    """*moment* in UTC, as labelled, and in the schedule's zone when that is another one."""
    from zoneinfo import ZoneInfo

    utc = moment.astimezone(UTC)
    zone = config.schedule.timezone
    local = moment.astimezone(ZoneInfo(zone))
    if local.utcoffset() == utc.utcoffset() and zone.upper() in ("UTC", "ETC/UTC"):
        return f"{utc:%Y-%m-%d %H:%M} UTC"
    return f"{utc:%Y-%m-%d %H:%M} UTC, {local:%H:%M} {zone}"


def _reason(exc: BaseException) -> str:
    """The first line of what the driver said (not SQLAlchemy's wrapping of it)."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]


def _ago(delta: timedelta) -> str:
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


async def check_health(config: Config, *, now: datetime | None = None) -> HealthReport:
    """Run every check against *config*'s database. Never raises for an unhealthy deployment: a
    database the other commands refuse (someone else's, one needing migration) is a problem line in
    their words (issue 23), and health still answers 0 or 1 (issue 21)."""
    from db.guard import DatabaseRefused

    report = HealthReport()
    try:
        await _check_database(report, config, now or datetime.now(UTC))
    except DatabaseRefused as exc:  # as `stats` says it, but a problem line: exit 1, JSON with --json
        report.add(
            "database",
            False,
            str(exc),
            url=make_url(config.database.url).render_as_string(hide_password=True),
        )
    _check_config(report, config)
    return report


async def _check_database(report: HealthReport, config: Config, now: datetime) -> None:
    from bot.database import check_url
    from db.reads import ConnectionReads
    from db.session import create_engine, current_revision, head_revision, is_sqlite

    url = config.database.url
    check_url(url)  # no asyncio driver named: refused as `stats` says it, before a driver is imported
    shown = make_url(url).render_as_string(hide_password=True)
    where = shown
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:" and not _is_file(database):
            report.add("database", False, f"{database} does not exist (run 'ptm-bot init')", url=shown)
            return
        if database and database != ":memory:" and not database.startswith("file:"):
            from db.guard import check_sqlite_file

            # Someone else's database, not SQLite, a half-created catalog: refused in the words `stats`
            # uses, read with the standard library, read-only.
            check_sqlite_file(database, create=False)
            where = database
    # Read-only: a probe never changes what it probes (no journal-mode switch, no migration).
    settings = config.database
    engine = create_engine(
        url,
        busy_timeout_ms=settings.busy_timeout_ms,
        read_only=True,
        lock_timeout_ms=settings.lock_timeout_ms,
        statement_timeout_ms=settings.statement_timeout_ms,
    )
    try:
        try:
            revision = await current_revision(engine)
        except Exception as exc:  # anything: unreachable host, bad password, not a database
            report.add("database", False, f"cannot connect to {shown}: {_reason(exc)}", url=shown)
            return
        head = head_revision()
        if revision is None:
            await _refuse_foreign(engine)
            report.add(
                "database", False, f"{shown} has no tables yet (run 'ptm-bot init')", revision=None, head=head
            )
            return
        if revision != head:
            from db.guard import DatabaseRefused

            # As every command that must not migrate says it (the dry runs).
            raise DatabaseRefused(
                f"the catalog at {where} needs migrating (revision {revision}); run ptm-bot init first"
            )
        report.add("database", True, f"reachable, at the newest migration ({head})", revision=revision)
        try:
            # Plain reads on the probe's own read-only connection: no session, no unit of work.
            async with engine.connect() as conn:
                reads = ConnectionReads(conn)
                await _check_catalog(report, reads)
                await _check_poll(report, reads, config, now)
                await _check_feeds(report, reads, config)
        except Exception as exc:  # a damaged file ("database disk image is malformed"), a lost server
            report.add("database", False, f"cannot read {shown}: {_reason(exc)}", url=shown)
        await _check_poller(report, config, engine)
    finally:
        await engine.dispose()


async def _refuse_foreign(engine: Any) -> None:
    """A database with tables but no revision of ours is someone else's: a problem line in the words
    the other commands refuse it with (``the database is not a ptm-bot catalog ...``)."""
    from db.session import refuse_foreign_tables

    async with engine.connect() as conn:
        await conn.run_sync(refuse_foreign_tables)


async def _check_catalog(report: HealthReport, reads: Reads) -> None:
    from db import models as m

    kind_rows = await reads.rows(select(m.Entry.kind, func.count().label("n")).group_by(m.Entry.kind))
    kinds = {row["kind"]: row["n"] for row in kind_rows}
    status_rows = await reads.rows(
        select(m.Suggestion.status, func.count().label("n")).group_by(m.Suggestion.status)
    )
    statuses = {row["status"]: row["n"] for row in status_rows}
    counts = ", ".join(counted(kinds.get(k, 0), k) for k in ("survey", "model", "resource"))
    pending = statuses.get("pending", 0)
    detail = f"{counts}; {counted(pending, 'suggestion')} pending"
    if not kinds:
        detail = f"empty ({detail}; 'ptm-bot import LIST' fills it)"
    report.add("catalog", True, detail, entries=kinds, suggestions=statuses)


async def _check_poll(report: HealthReport, reads: Reads, config: Config, now: datetime) -> None:
    from db import models as m

    last_ok = (await reads.rows(select(func.max(m.Feed.last_ok_at).label("at"))))[0]["at"]
    if last_ok is not None and last_ok.tzinfo is None:
        last_ok = last_ok.replace(tzinfo=UTC)
    when = None if last_ok is None else last_ok.isoformat()
    if not config.schedule.enabled:
        detail = "not scheduled (schedule.enabled = false); " + (
            f"last successful poll {_ago(now - last_ok)}" if last_ok else "never polled"
        )
        report.add("poll", True, detail, last_success=when)
        return
    due = last_due_poll(config, now)
    if last_ok is not None and (due is None or last_ok >= due):
        report.add("poll", True, f"last successful poll {_ago(now - last_ok)}", last_success=when)
        return
    if last_ok is None:
        created = (await reads.rows(select(func.min(m.CatalogRevision.at).label("at"))))[0]["at"]
        if created is not None and created.tzinfo is None:
            created = created.replace(tzinfo=UTC)
        if due is None or created is None or created > due:
            report.add(
                "poll", True, "never polled yet; the first scheduled poll is not due", last_success=None
            )
            return
        report.add(
            "poll",
            False,
            f"never polled successfully; a poll was due at {_when(due, config)}",
            last_success=None,
            due=due.isoformat(),
        )
        return
    assert due is not None
    report.add(
        "poll",
        False,
        f"last successful poll {_ago(now - last_ok)} ({_when(last_ok, config)}); the schedule's poll "
        f"at {_when(due, config)} did not succeed",
        last_success=when,
        due=due.isoformat(),
    )


async def _check_feeds(report: HealthReport, reads: Reads, config: Config) -> None:
    from bot.watch.feeds import feed_urls
    from db import models as m

    configured = feed_urls(config)
    columns = (m.Feed.url, m.Feed.health, m.Feed.last_error, m.Feed.consecutive_failures)
    rows = {
        feed["url"]: feed for feed in await reads.rows(select(*columns).where(m.Feed.url.in_(configured)))
    }
    for url in configured:
        feed = rows.get(url)
        if feed is None:
            report.add(f"feed {url}", True, "not polled yet", health=None)
        elif feed["health"] == "ok":
            report.add(f"feed {url}", True, "ok", health="ok")
        else:
            error = (feed["last_error"] or "").strip().splitlines()
            reason = f": {error[0][:200]}" if error else ""
            extra = " ('/ptm-admin feeds' re-enables it)" if feed["health"] == "disabled" else ""
            report.add(
                f"feed {url}",
                False,
                f"{feed['health']} after {feed['consecutive_failures']} failed polls in a row{reason}{extra}",
                health=feed["health"],
                consecutive_failures=feed["consecutive_failures"],
            )


async def _check_poller(report: HealthReport, config: Config, engine: Any) -> None:
    from bot.ops.leader import poller_holder

    if not config.schedule.enabled:
        report.add("poller", True, "not checked (schedule.enabled = false)", holder=None)
        return
    try:
        held, detail = await poller_holder(config.database.url, engine)
    except Exception as exc:
        report.add("poller", False, f"cannot tell who polls: {exc}", holder=None)
        return
    if held is None:
        report.add("poller", True, f"not checked ({detail})", holder=None)
    elif held:
        report.add("poller", True, f"polling is done by {detail}", holder=detail)
    else:
        report.add(
            "poller",
            False,
            f"{detail}: no bot is running with the schedule on, so nothing polls arXiv ('ptm-bot run')",
            holder=None,
        )


def _check_config(report: HealthReport, config: Config) -> None:
    channel = config.discord.review_channel
    if channel is None:
        report.add(
            "review channel",
            False,
            "discord.review_channel is not set: suggestions are stored but never posted",
        )
    else:
        report.add("review channel", True, f"configured ({channel})")
