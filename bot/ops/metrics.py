"""Prometheus metrics for ``ptm-bot run`` (``metrics.address``; off by default).

What is measured where it happens, through observers the bot registers at start-up: slash commands
and autocomplete (``PTMCommandTree.observers``: every outcome is seen, success, a user's mistake, a
bug) and polls (``PollJob.observers``: scheduled and ``/ptm-admin poll``). This module imports
neither the client nor the watcher: it only offers the two observers. What lives in the database is read from it
(one read-only query through ``db.read``, :func:`read_snapshot`) every :data:`REFRESH_SECONDS` and after each poll, so the figures are right across restarts and
across processes sharing the database: candidates by status, suggestions posted, decisions by kind,
feed health.

The registry is private to one :class:`Metrics` (not prometheus_client's global one), so tests and
several bots in one process never share counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from bot.config import listen_address
from bot.redact import redact
from db.fastread import Reads, fetch_rows

__all__ = ["REFRESH_SECONDS", "Metrics", "read_snapshot", "start_metrics"]

log = logging.getLogger(__name__)

REFRESH_SECONDS = 30.0
_FEED_STATES = ("ok", "failing", "disabled")
_COMMAND_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30)
_AUTOCOMPLETE_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)
_POLL_BUCKETS = (1, 5, 10, 30, 60, 120, 300, 600, 1800)


@dataclass(slots=True)
class _Snapshot:
    """The database's figures at the last refresh."""

    candidates: dict[str, int] = field(default_factory=dict)
    posted: int = 0
    decisions: dict[tuple[str, str], int] = field(default_factory=dict)
    feeds: dict[str, str] = field(default_factory=dict)


# The snapshot's statements (read-only; through db.read).
_CANDIDATES_SQL = "SELECT status, count(*) AS n FROM suggestions GROUP BY status"
_POSTED_SQL = "SELECT count(*) AS n FROM suggestions WHERE posted_at IS NOT NULL"
_DECISIONS_SQL = "SELECT action, via, count(*) AS n FROM review_decisions GROUP BY action, via"
_FEEDS_SQL = "SELECT url, health FROM feeds"


async def read_snapshot(conn: Reads) -> _Snapshot:
    """The database's figures now: candidates by status, posted, decisions by kind and via, feed health."""
    candidates = {row["status"]: int(row["n"]) for row in await fetch_rows(conn, _CANDIDATES_SQL)}
    (posted,) = await fetch_rows(conn, _POSTED_SQL)
    decisions = {(row["action"], row["via"]): int(row["n"]) for row in await fetch_rows(conn, _DECISIONS_SQL)}
    feeds = {row["url"]: row["health"] for row in await fetch_rows(conn, _FEEDS_SQL)}
    return _Snapshot(candidates, int(posted["n"] or 0), decisions, feeds)


class _DatabaseCollector:
    """Exposes the last :class:`_Snapshot` (collection runs in the HTTP thread: no I/O here)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterator[Any]:
        snap = self.metrics.snapshot
        candidates = GaugeMetricFamily(
            "ptm_bot_candidates", "Papers the watcher has stored, by status", labels=["status"]
        )
        for status in ("seen", "pending", "approved", "rejected"):
            candidates.add_metric([status], snap.candidates.get(status, 0))
        yield candidates
        posted = CounterMetricFamily("ptm_bot_suggestions_posted", "Suggestions posted in the review channel")
        posted.add_metric([], snap.posted)
        yield posted
        decisions = CounterMetricFamily(
            "ptm_bot_decisions", "Moderator decisions, by kind and how they were made", labels=["kind", "via"]
        )
        for (kind, via), count in sorted(snap.decisions.items()):
            decisions.add_metric([kind, via], count)
        yield decisions
        health = GaugeMetricFamily(
            "ptm_bot_feed_health", "1 for each feed's current health state", labels=["feed", "state"]
        )
        for url, state in sorted(snap.feeds.items()):
            for candidate in _FEED_STATES:
                health.add_metric([redact(url), candidate], 1 if state == candidate else 0)
        yield health


class Metrics:
    """The bot's metrics: instruments, the database snapshot and the HTTP endpoint."""

    def __init__(self, db: Any = None) -> None:
        self._db = db  # the database the snapshot is read from (after each poll, every REFRESH_SECONDS)
        self.registry = CollectorRegistry()
        self.commands = Counter(
            "ptm_bot_commands",
            "Slash commands run, by command and outcome (ok, user_error, error)",
            ["command", "outcome"],
            registry=self.registry,
        )
        self.command_seconds = Histogram(
            "ptm_bot_command_seconds",
            "Time to handle a slash command",
            ["command"],
            buckets=_COMMAND_BUCKETS,
            registry=self.registry,
        )
        self.autocomplete_seconds = Histogram(
            "ptm_bot_autocomplete_seconds",
            "Time to answer an autocomplete request",
            ["command"],
            buckets=_AUTOCOMPLETE_BUCKETS,
            registry=self.registry,
        )
        self.polls = Counter(
            "ptm_bot_polls",
            "arXiv polls, by outcome (ok, feed_failed, error)",
            ["outcome"],
            registry=self.registry,
        )
        self.poll_seconds = Histogram(
            "ptm_bot_poll_seconds", "Duration of an arXiv poll", buckets=_POLL_BUCKETS, registry=self.registry
        )
        self.snapshot = _Snapshot()
        self.registry.register(_DatabaseCollector(self))
        self._server: Any = None
        self._thread: Any = None
        self._refresher: asyncio.Task[None] | None = None
        self.port: int | None = None

    # --- observers -------------------------------------------------------------------------

    def observe_command(self, command: str, outcome: str, seconds: float) -> None:
        """A command tree observer (``PTMCommandTree.observers``): time and count the interaction."""
        if outcome == "autocomplete":
            self.autocomplete_seconds.labels(command).observe(seconds)
        else:
            self.command_seconds.labels(command).observe(seconds)
            self.commands.labels(command, outcome).inc()

    async def observe_poll(self, outcome: str, seconds: float) -> None:
        """A poll observer (``PollJob.observers``): time and count the poll, then refresh the snapshot."""
        self.poll_seconds.observe(seconds)
        self.polls.labels(outcome).inc()
        if self._db is not None:
            with contextlib.suppress(Exception):
                await self.refresh(self._db)

    # --- the database snapshot ---------------------------------------------------------------

    async def refresh(self, db: Any) -> None:
        """Read the database's figures (one read-only query, :meth:`bot.database.Database.read`)."""
        self.snapshot = await db.read(read_snapshot)

    async def _refresh_forever(self, db: Any) -> None:
        while True:
            try:
                await self.refresh(db)
            except Exception:
                log.warning("refreshing the metrics from the database failed", exc_info=True)
            await asyncio.sleep(REFRESH_SECONDS)

    # --- serving ----------------------------------------------------------------------------

    def serve(self, address: str) -> None:
        host, port = listen_address(address)
        self._server, self._thread = start_http_server(port, addr=host, registry=self.registry)
        self.port = self._server.server_port
        log.info("serving Prometheus metrics at http://%s:%d/metrics", host, self.port)

    async def stop(self) -> None:
        if self._refresher is not None:
            self._refresher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._refresher
            self._refresher = None
        if self._server is not None:
            server, self._server = self._server, None
            await asyncio.to_thread(server.shutdown)
            server.server_close()


async def start_metrics(address: str, db: Any) -> Metrics:
    """Serve ``metrics.address`` and keep the database snapshot fresh.

    The caller (``PTMBot.setup_hook``) adds :meth:`Metrics.observe_command` to the command tree's
    observers and :meth:`Metrics.observe_poll` to the poll job's: this module imports neither.
    """
    metrics = Metrics(db)
    metrics.serve(address)
    metrics._refresher = asyncio.create_task(metrics._refresh_forever(db), name="ptm-bot-metrics")
    return metrics
