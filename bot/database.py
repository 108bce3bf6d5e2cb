"""Opening the catalog database: engine, migrations, first fill from the shipped list."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.catalog import service as catalog
from db.session import create_engine, create_sessionmaker, migrate

log = logging.getLogger(__name__)

T = TypeVar("T")

# A unit of work that meets a lock is run again this many times (see Database.run).
LOCK_ATTEMPTS = 10


def is_lock_error(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "busy": another writer holds the lock, or committed after
    this transaction began reading (then SQLite refuses at once, without the busy timeout)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and ("database is locked" in text or "database is busy" in text)


@dataclass(slots=True)
class Database:
    """An open database: the engine and its sessionmaker. ``close()`` disposes the engine."""

    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], *, attempts: int = LOCK_ATTEMPTS) -> T:
        """Run ``work(session)`` as one unit of work; if the database is locked (a long import is
        writing), roll back, wait a little and run it again. ``work`` must be safe to repeat:
        it only touches the database (no messages sent from inside it)."""
        for attempt in range(attempts):
            try:
                async with self.begin() as session:
                    return await work(session)
            except OperationalError as exc:
                if not is_lock_error(exc) or attempt == attempts - 1:
                    raise
                delay = min(0.05 * 2**attempt, 1.0)
                log.info("database locked; unit of work retried in %.2f s (attempt %d)", delay, attempt + 2)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        await self.engine.dispose()


async def open_database(
    url: str, *, seed: bool = True, echo: bool = False, busy_timeout_ms: int = 5000
) -> Database:
    """Open (creating if needed) and migrate the database; fill an empty catalog from the shipped list."""
    engine = create_engine(url, echo=echo, busy_timeout_ms=busy_timeout_ms)
    try:
        await migrate(engine)
        db = Database(url=url, engine=engine, sessions=create_sessionmaker(engine))
        if seed:
            async with db.begin() as session:
                report = await catalog.seed_if_empty(session)
            if report is not None:
                log.info("new catalog filled from the shipped list: %s", report.counts)
    except BaseException:
        await engine.dispose()
        raise
    return db
