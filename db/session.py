"""Engine and session factories. Nothing is built at import time; the caller owns and disposes."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from db.guard import head_revision, may_write, reading_target
from db.search import track_index

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(
    url: str,
    *,
    echo: bool = False,
    busy_timeout_ms: int = 5000,
    read_only: bool = False,
    lock_timeout_ms: int = 0,
    statement_timeout_ms: int = 0,
) -> AsyncEngine:
    """An async engine; SQLite gets WAL, foreign keys and a busy timeout on every connection.

    *read_only*: a probe that must not change what it reads (``ptm-bot health``). A SQLite file is
    opened to read only (:func:`db.guard.reading_target`: no journal-mode switch, ``query_only``, no
    ``-wal`` / ``-shm`` left behind), and so is a file this user may not write; PostgreSQL sessions
    start with ``default_transaction_read_only``. *lock_timeout_ms* and *statement_timeout_ms* (0: none)
    are PostgreSQL's ``lock_timeout`` and ``statement_timeout`` for every session of the engine."""
    kwargs: dict[str, Any] = {"echo": echo}
    sqlite = is_sqlite(url)
    if sqlite:
        # No directory is created here: db.guard settled beforehand that the file may be opened.
        kwargs["connect_args"] = {"timeout": busy_timeout_ms / 1000}
        path = make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:") and os.path.exists(path):
            # A probe (read_only), or a user who may not write the file or create the -wal / -shm
            # files beside it: opened to read only, so that no -wal / -shm file of this user is left
            # beside the catalog (db.guard.reading_target).
            if read_only or not may_write(path):
                name, uri = reading_target(path)
                read_only = True
                if uri:
                    kwargs["async_creator"] = _read_only_sqlite(name, busy_timeout_ms)
    else:
        kwargs["pool_pre_ping"] = True
        settings = {
            name: str(value)
            for name, value in (
                ("lock_timeout", lock_timeout_ms),
                ("statement_timeout", statement_timeout_ms),
                ("default_transaction_read_only", "on" if read_only else ""),
            )
            if value
        }
        connect_args = _server_settings(make_url(url).get_driver_name(), settings)
        if connect_args:
            kwargs["connect_args"] = connect_args
    engine = create_async_engine(url, **kwargs)
    if not sqlite:
        # Core executemany INSERTs go as multi-row INSERT ... VALUES pages of up to 1,000 rows, as
        # psycopg2's dialect sends them: asyncpg's executemany runs the statement once per row, and
        # the counters' statement-level triggers (migration 0016) would then fire once per row.
        engine.sync_engine.dialect.use_insertmanyvalues_wo_returning = True
    if sqlite:

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            if read_only:
                cur.execute("PRAGMA query_only=ON")
            else:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


def _server_settings(driver: str, settings: dict[str, str]) -> dict[str, Any]:
    """PostgreSQL session settings as the driver takes them at connect time."""
    if not settings:
        return {}
    if driver == "asyncpg":
        return {"server_settings": settings}
    if driver == "psycopg":
        return {"options": " ".join(f"-c {name}={value}" for name, value in settings.items())}
    return {}


def _read_only_sqlite(uri: str, busy_timeout_ms: int) -> Any:
    """aiosqlite's connect for a read-only *uri* (:func:`db.guard.reading_target`)."""

    async def connect() -> Any:
        import aiosqlite

        return await aiosqlite.connect(uri, uri=True, timeout=busy_timeout_ms / 1000)

    return connect


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions with ``expire_on_commit=False`` that keep the search index current
    (:func:`db.search.track_index`: a flush listener on this factory's sessions only)."""
    # A Session class of this factory's own: the listeners reach its sessions and no others.
    session_class = type("CatalogSession", (Session,), {})
    track_index(session_class)
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


def _alembic_config(connection: Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["connection"] = connection
    return cfg


def _upgrade(connection: Connection) -> None:
    from alembic import command

    command.upgrade(_alembic_config(connection), "head")


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _stored_revision(connection: Connection) -> str | None:
    """The database's revision, read without Alembic (None for a database without migrations)."""
    from sqlalchemy import inspect

    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def _migration_engine(url: Any, busy_timeout_ms: int) -> AsyncEngine:
    """A private SQLite engine whose transactions really include DDL.

    pysqlite (and aiosqlite on top of it) only opens a transaction before INSERT/UPDATE/DELETE, so
    ``CREATE TABLE`` and ``CREATE INDEX`` would each commit on their own and an interrupted migration
    would leave half a schema. Here the driver's own transaction handling is switched off and every
    transaction starts with an explicit ``BEGIN IMMEDIATE`` (SQLAlchemy docs, "Serializable isolation /
    Savepoints / Transactional DDL" for pysqlite/aiosqlite), so a migration commits whole or not at all.
    """
    from sqlalchemy.pool import NullPool

    engine = create_async_engine(url, poolclass=NullPool, connect_args={"timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # no implicit BEGIN/COMMIT from the driver
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")  # outside any transaction, as SQLite requires
        # Off while tables are rebuilt (SQLite's "make other kinds of table schema changes"
        # procedure): a batch migration's DROP TABLE must not cascade; checked before commit.
        cur.execute("PRAGMA foreign_keys=OFF")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def refuse_foreign_tables(connection: Connection) -> None:
    """A database without our revision but with tables of its own is someone else's: leave it alone."""
    from sqlalchemy import inspect

    from db.guard import DatabaseRefused, our_tables

    foreign = sorted(set(inspect(connection).get_table_names()) - our_tables())
    if foreign:
        raise DatabaseRefused(
            f"the database is not a ptm-bot catalog (it holds other tables: {', '.join(foreign[:5])}); "
            "left unchanged"
        )


def _upgrade_checked(connection: Connection) -> tuple[str | None, str | None]:
    before = _current(connection)
    if before is None:
        refuse_foreign_tables(connection)
    _upgrade(connection)
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration left {len(broken)} broken foreign key(s), e.g. {broken[0]}")
    return before, _current(connection)


async def migrate(engine: AsyncEngine, *, busy_timeout_ms: int = 5000) -> None:
    """Apply every Alembic migration that the database lacks (idempotent), all in one transaction:
    an interruption at any point leaves the database as it was before."""
    async with engine.connect() as conn:
        before = await conn.run_sync(_stored_revision)
    if before is not None and before == head_revision():
        return  # the common case, decided without importing Alembic
    url = engine.url
    private = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    runner = _migration_engine(url, busy_timeout_ms) if private else engine
    try:
        async with runner.begin() as conn:
            before, after = await conn.run_sync(_upgrade_checked)
    finally:
        if private:
            await runner.dispose()
    if before != after:
        log.info("database migrated from %s to %s", before or "empty", after)


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        return await conn.run_sync(_stored_revision)
