"""Prometheus metrics for ``ptm-bot run`` (``metrics.address``; off by default).

What is measured where it happens: slash commands and autocomplete (by wrapping the command tree's
dispatch, so every outcome is seen: success, a user's mistake, a bug) and polls (by wrapping the
watcher's poll job: scheduled and ``/ptm-admin poll``). What lives in the database is read from it
every :data:`REFRESH_SECONDS` and after each poll, so the figures are right across restarts and
across processes sharing the database: candidates by status, suggestions posted, decisions by kind,
feed health.

The registry is private to one :class:`Metrics` (not prometheus_client's global one), so tests and
several bots in one process never share counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import func, select

from bot.config import listen_address

__all__ = ["REFRESH_SECONDS", "Metrics", "start_metrics"]

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
                health.add_metric([url, candidate], 1 if state == candidate else 0)
        yield health


class Metrics:
    """The bot's metrics: instruments, the database snapshot and the HTTP endpoint."""

    def __init__(self) -> None:
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

    # --- instrumentation --------------------------------------------------------------------

    def instrument_tree(self, tree: Any) -> None:
        """Time every interaction the tree dispatches (commands and autocomplete) and count outcomes."""
        from discord import InteractionType

        from bot.client.tree import user_message

        call = tree._call  # the one place discord.py runs a command or an autocomplete callback
        on_error = tree.on_error  # where _call hands a command's error (it does not raise it)

        async def noting_on_error(interaction: Any, error: Exception) -> None:
            interaction.extras["ptm_bot_error"] = error
            await on_error(interaction, error)

        async def timed_call(interaction: Any) -> None:
            start = time.perf_counter()
            error: BaseException | None = None
            try:
                await call(interaction)
            except Exception as exc:
                error = exc
                raise
            finally:
                elapsed = time.perf_counter() - start
                name = _command_name(interaction)
                if interaction.type is InteractionType.autocomplete:
                    self.autocomplete_seconds.labels(name).observe(elapsed)
                else:
                    error = interaction.extras.get("ptm_bot_error", error)
                    outcome = "ok" if error is None else "user_error" if user_message(error) else "error"
                    self.command_seconds.labels(name).observe(elapsed)
                    self.commands.labels(name, outcome).inc()

        tree.on_error = noting_on_error
        tree._call = timed_call

    def instrument_poll_job(self, job: Any, db: Any) -> None:
        """Time every poll the job runs (scheduled or asked for) and refresh the snapshot after it."""
        run = job.run

        async def timed_run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            outcome = "error"
            try:
                report = await run(*args, **kwargs)
                outcome = "feed_failed" if report.failed else "ok"
                return report
            finally:
                self.poll_seconds.observe(time.perf_counter() - start)
                self.polls.labels(outcome).inc()
                with contextlib.suppress(Exception):
                    await self.refresh(db)

        job.run = timed_run

    # --- the database snapshot ---------------------------------------------------------------

    async def refresh(self, db: Any) -> None:
        from db import models as m

        async with db.sessions() as session:
            candidates = dict(
                (
                    await session.execute(
                        select(m.Suggestion.status, func.count()).group_by(m.Suggestion.status)
                    )
                ).all()
            )
            posted = await session.scalar(select(func.count()).where(m.Suggestion.posted_at.is_not(None)))
            decisions = {
                (action, via): count
                for action, via, count in (
                    await session.execute(
                        select(m.ReviewDecision.action, m.ReviewDecision.via, func.count()).group_by(
                            m.ReviewDecision.action, m.ReviewDecision.via
                        )
                    )
                ).all()
            }
            feeds = dict((await session.execute(select(m.Feed.url, m.Feed.health))).all())
        self.snapshot = _Snapshot(candidates, int(posted or 0), decisions, feeds)

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


def _command_name(interaction: Any) -> str:
    command = interaction.command
    if command is not None:
        return str(command.qualified_name)
    data = interaction.data or {}
    return str(data.get("name", "?"))


async def start_metrics(bot: Any) -> Metrics:
    """Instrument *bot* (its tree and the watcher's poll job) and serve ``metrics.address``."""
    metrics = Metrics()
    metrics.instrument_tree(bot.tree)
    watcher = bot.get_cog("Watcher")
    if watcher is not None and getattr(watcher, "job", None) is not None:
        metrics.instrument_poll_job(watcher.job, bot.db)
    metrics.serve(bot.config.metrics.address)
    metrics._refresher = asyncio.create_task(metrics._refresh_forever(bot.db), name="ptm-bot-metrics")
    return metrics
