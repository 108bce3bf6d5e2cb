"""Opening the catalog database: engine, migrations, first fill from the shipped list."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.catalog import service as catalog
from db.session import create_engine, create_sessionmaker, migrate

log = logging.getLogger(__name__)


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
