"""Opening the catalog database: engine, migrations, first fill from the shipped list."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import unquote

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.errors import UserFacingError
from db.guard import CatalogState, DatabaseRefused, check_sqlite_file, drop_half_created
from db.reader import SQLiteReader
from db.reads import ConnectionReads, Reads
from db.session import create_engine, create_sessionmaker, migrate

log = logging.getLogger(__name__)

__all__ = [
    "CatalogFileGone",
    "Database",
    "DatabaseRefused",
    "check_url",
    "is_lock_error",
    "open_database",
    "sqlite_path",
]

# Drivers that speak asyncio, by backend: a URL naming none of them is refused with the fix. The
# backends SQLAlchemy ships are all here: without a driver named, SQLAlchemy would import its default
# (blocking) driver, and fail with a traceback when that is not installed (mysql:// -> MySQLdb).
_ASYNC_DRIVERS = {
    "sqlite": ("aiosqlite",),
    "postgresql": ("asyncpg", "psycopg"),
    "mysql": ("aiomysql", "asyncmy"),
    "mariadb": ("aiomysql", "asyncmy"),
    "mssql": ("aioodbc",),
    "oracle": ("oracledb",),
}

T = TypeVar("T")
P = ParamSpec("P")

# A unit of work that meets a lock is run again this many times (see Database.run).
LOCK_ATTEMPTS = 10


def is_lock_error(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "busy": another writer holds the lock, or committed after
    this transaction began reading (then SQLite refuses at once, without the busy timeout); or a
    table locked by another connection of the same cache ("database table is locked")."""
    text = str(getattr(exc, "orig", exc)).lower()
    return isinstance(exc, OperationalError) and any(
        phrase in text for phrase in ("database is locked", "database is busy", "database table is locked")
    )


class CatalogFileGone(UserFacingError):
    """The database path no longer names the file a long write opened (deleted, moved or
    replaced meanwhile): the write is rolled back rather than committed into a file nobody sees."""


def file_identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file at *path*; ``None`` when there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


@dataclass(slots=True)
class Database:
    """An open database: the engine, its sessionmaker and, for a SQLite file, the read threads
    (:meth:`read`). ``close()`` disposes the engine and closes the readers."""

    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    reader: SQLiteReader | None = None
    lock_wait_ms: int | None = None
    """For a command someone waits for: how long :meth:`run` keeps trying a unit of work that meets a
    lock, all tries together (``database.busy_timeout_ms``). ``None`` (the running bot): up to
    :data:`LOCK_ATTEMPTS` tries, so an approval or the poll rides out a long import's write."""
    # A SQLite file: its path and (device, inode) when opened (``check_same_file``).
    path: str | None = None
    file_id: tuple[int, int] | None = None

    def check_same_file(self, what: str) -> None:
        """Raise :class:`CatalogFileGone` when the path no longer names the file opened: called by
        long writes (``import``, ``revert``) just before they commit, inside their unit of work."""
        if self.path is None or self.file_id is None:
            return
        if file_identity(self.path) != self.file_id:
            raise CatalogFileGone(
                f"the catalog file {self.path} was deleted or replaced during the {what}; "
                "nothing was written to it (run the command again)"
            )

    async def read(
        self,
        query: Callable[Concatenate[Reads, P], Coroutine[Any, Any, T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``await query(reads, *args, **kwargs)`` for a read-only query (:class:`db.reads.Reads`):
        on a SQLite file in one trip to a read thread with its own connection (:mod:`db.reader`);
        elsewhere (PostgreSQL, an in-memory SQLite, ``read_threads = 0``) on a plain connection
        (:class:`db.reads.ConnectionReads`: no ORM session). It sees what is committed; a unit of
        work reads its own changes through :class:`db.reads.SessionReads` on its session."""
        if self.reader is not None:
            return await self.reader.run(query, *args, **kwargs)
        async with self.engine.connect() as conn:
            return await query(ConnectionReads(conn), *args, **kwargs)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        """One unit of work: commits on success, rolls back on error."""
        async with self.sessions() as session, session.begin():
            yield session

    async def run(self, work: Callable[[AsyncSession], Awaitable[T]], *, attempts: int = LOCK_ATTEMPTS) -> T:
        """Run ``work(session)`` as one unit of work; if the database is locked (a long import is
        writing), roll back, wait a little and run it again. ``work`` must be safe to repeat:
        it only touches the database (no messages sent from inside it).

        With :attr:`lock_wait_ms` (the commands), all the tries together stay within it: a statement
        that waited the busy timeout for the lock is not tried again (ten tries of five seconds each
        made a command's locked write give up after some fifty seconds); a lock refused at once (a
        transaction that read before another one committed) is tried again within that time."""
        wait = self.lock_wait_ms
        deadline = None if wait is None else time.monotonic() + wait / 1000
        for attempt in range(attempts):
            try:
                async with self.begin() as session:
                    return await work(session)
            except OperationalError as exc:
                if not is_lock_error(exc) or attempt == attempts - 1:
                    raise
                delay = min(0.05 * 2**attempt, 1.0)
                if deadline is not None:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise
                    delay = min(delay, left)
                log.info("database locked; unit of work retried in %.2f s (attempt %d)", delay, attempt + 2)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def close(self) -> None:
        if self.reader is not None:
            await asyncio.to_thread(self.reader.close)
        await self.engine.dispose()


def check_url(url: str) -> URL:
    """Parse *url* or raise :class:`DatabaseRefused` with one line (malformed, no async driver)."""
    if not url or not url.strip():
        raise DatabaseRefused("the database URL is empty")
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise DatabaseRefused(f"malformed database URL: {exc}") from None
    # From the URL's text: asking SQLAlchemy for the default driver would import it.
    backend, _, driver = parsed.drivername.partition("+")
    drivers = _ASYNC_DRIVERS.get(backend)
    if drivers is not None and driver not in drivers:
        scheme = f"{backend}+{drivers[0]}"
        raise DatabaseRefused(
            f"database URL {parsed.drivername}:// names no asyncio driver; write {scheme}://... instead"
            if not driver
            else f"database driver {driver} does not speak asyncio; write {scheme}://... instead"
        )
    return parsed


def sqlite_path(parsed: URL) -> str | None:
    """The file path of a SQLite URL (``None`` for an in-memory database or another backend)."""
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database or ""
    if database in ("", ":memory:") or "mode=memory" in database:
        return None
    if database.startswith("file:"):  # a URI filename (``?uri=true``): the path without its query
        return unquote(database[len("file:") :].split("?", 1)[0])
    return database


async def open_database(
    url: str,
    *,
    seed: bool = True,
    echo: bool = False,
    busy_timeout_ms: int = 5000,
    create: bool = True,
    migrate_schema: bool = True,
    read_threads: int = 2,
    lock_timeout_ms: int = 0,
    statement_timeout_ms: int = 0,
    lock_wait_ms: int | None = None,
) -> Database:
    """Open and migrate the database; fill an empty catalog from the shipped list.

    A SQLite file is checked first, read-only (:mod:`db.guard`): someone else's database is refused
    untouched, and a missing one is created only when *create* is true. With *migrate_schema* false a
    catalog that is not at the newest revision is refused instead of migrated (a dry run writes nothing).
    A SQLite file gets *read_threads* read threads (:meth:`Database.read`; 0: reads on a plain connection).
    PostgreSQL sessions get *lock_timeout_ms* and *statement_timeout_ms* (0: wait as long as it takes).
    *lock_wait_ms*: see :attr:`Database.lock_wait_ms` (a command passes its busy timeout).
    """
    parsed = check_url(url)
    path = sqlite_path(parsed)
    state = check_sqlite_file(path, create=create) if path is not None else None
    if state is CatalogState.HALF_CREATED:
        log.warning("%s: removing the empty tables of an interrupted first init", path)
        drop_half_created(path)  # type: ignore[arg-type]
    try:
        engine = create_engine(
            url,
            echo=echo,
            busy_timeout_ms=busy_timeout_ms,
            lock_timeout_ms=lock_timeout_ms,
            statement_timeout_ms=statement_timeout_ms,
        )
    except ModuleNotFoundError as exc:  # a third-party dialect whose driver is missing
        raise DatabaseRefused(
            f"the database driver for {parsed.drivername}:// is not installed (no module {exc.name})"
        ) from None
    reader: SQLiteReader | None = None
    try:
        if migrate_schema:
            await migrate(engine, busy_timeout_ms=busy_timeout_ms)
        else:
            await _require_head(engine, url if path is None else path)
        reader = (
            SQLiteReader(path, threads=read_threads, busy_timeout_ms=busy_timeout_ms, echo=echo)
            if path is not None and read_threads > 0
            else None
        )
        db = Database(
            url=url,
            engine=engine,
            sessions=create_sessionmaker(engine),
            reader=reader,
            lock_wait_ms=lock_wait_ms,
            path=path,
            # After the migration: the file the engine's connections opened.
            file_id=file_identity(path) if path is not None else None,
        )
        if seed and await _is_empty(db):
            # The catalog's door, imported here: the import code is only needed to fill a new
            # catalog, and every CLI call opens the database (start-up time, issue 11).
            from bot.catalog import actions as catalog_actions

            await catalog_actions.seed(db)
    except BaseException:
        if reader is not None:
            reader.close()
        await engine.dispose()
        raise
    return db


async def _is_empty(db: Database) -> bool:
    from sqlalchemy import select

    from db import models as m

    async def probe(session: AsyncSession) -> bool:
        return await session.scalar(select(m.Entry.id).limit(1)) is None

    return await db.run(probe)


async def _require_head(engine: AsyncEngine, where: str) -> None:
    from db.session import current_revision, head_revision

    current = await current_revision(engine)
    if current != head_revision():
        raise DatabaseRefused(
            f"the catalog at {where} needs migrating (revision {current or 'none'}); run ptm-bot init first"
        )
