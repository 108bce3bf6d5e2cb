"""Read-only catalog statements, rows by name; on aiosqlite in one trip to the driver's thread.

:func:`fetch_rows` is the one function the catalog's hand-tuned reads go through
(:mod:`db.search`, :mod:`bot.catalog.queries`). A statement is SQL text with ``:name``
parameters; a list value binds an ``IN :name`` list.

The portable path, used on every database but aiosqlite (and on aiosqlite when
:data:`ONE_TRIP` is off): ``session.execute(text(sql).bindparams(bindparam(name,
expanding=True), ...))``, rows as SQLAlchemy's ``RowMapping``. The ``text()`` construct is built
once per statement text and set of list parameters.

The fast path, fenced in this module: through SQLAlchemy's aiosqlite adapter a statement costs
four round trips to aiosqlite's worker thread (open a cursor, execute, fetch, close), about
0.5-0.7 ms on the 2-core benchmark machine, more than most of the catalog's indexed look-ups
themselves, and ``session.run_sync`` does not change that. Without it the benchmark targets in
docs/benchmarks.md are lost ("Reads through SQLAlchemy", figures there). On aiosqlite,
statements run with ``execute_fetchall`` on the session's own driver connection: one trip, same
connection and transaction (pending ORM changes are flushed first, as autoflush would), rows as
:class:`sqlite3.Row` (by name, like the portable path's; JSON columns come back as text).
Parameters are numbered (``?N``) because the sqlite3 module binds a sequence far faster than a
mapping; a :class:`TextList` becomes one JSON value read with ``json_each``. When the engine
echoes (``database.echo``), each statement and its parameters are logged to the
``sqlalchemy.engine.Engine`` logger, as SQLAlchemy logs its own.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sqlite3
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
    from sqlalchemy.sql.elements import TextClause

# SQLAlchemy is imported by the portable path only (statement()): a read on a SQLite read
# thread (ReadConnection) runs on the standard library alone (issue 19, CLI start-up).

__all__ = [
    "ONE_TRIP",
    "ConnectionReads",
    "ReadConnection",
    "Reads",
    "Row",
    "TextList",
    "dialect_name",
    "fetch_rows",
    "statement",
]

# SQLAlchemy's own statement logger: what ``create_engine(echo=True)`` switches on.
engine_log = logging.getLogger("sqlalchemy.engine.Engine")

# Switch for the one-trip path on aiosqlite (tests and the benchmark turn it off to compare).
ONE_TRIP = True


class Row(Protocol):
    """A row read by column name (``row["id"]``): ``sqlite3.Row`` or SQLAlchemy's ``RowMapping``
    (``sqlite3.Row`` reads by name but is no ``Mapping``, hence a Protocol)."""

    def __getitem__(self, key: str, /) -> Any: ...


_PARAM = re.compile(r"(?<![:\w]):(\w+)")


class TextList(list[str]):
    """A long list of strings for ``IN :name``. On the one-trip path it is bound as one JSON value
    read with ``json_each``, so the statement's text does not change with the list's length and
    the driver's prepared statement is reused (preparing a statement with a thousand-item ``IN``
    costs ~10 ms, more than running it); elsewhere it is an expanding ``IN`` list."""


class ReadConnection:
    """A read-only stdlib ``sqlite3`` connection standing in for a session on the read path
    (:class:`db.reader.SQLiteReader`): :func:`fetch_rows` runs statements on it directly, with
    no trip to another thread, and :func:`dialect_name` and ``info`` (a cache for one call)
    answer as a session's would. Query functions written for a session take one unchanged."""

    __slots__ = ("echo", "info", "raw")

    def __init__(self, raw: sqlite3.Connection, *, echo: bool = False) -> None:
        self.raw = raw
        self.echo = echo
        self.info: dict[str, Any] = {}

    def rows(self, sql: str, params: Mapping[str, Any]) -> list[sqlite3.Row]:
        numbered, values = _numbered(sql, params)
        if self.echo:
            engine_log.info("%s", numbered)
            engine_log.info("[read connection] %r", tuple(values))
        return self.raw.execute(numbered, values).fetchall()


class ConnectionReads:
    """A read-only query's stand-in for a session on a plain connection (PostgreSQL's read path,
    :meth:`bot.database.Database.read`): no ORM session to open, flush or close around a few
    statements. ``info`` is this call's own cache (a connection's ``info`` outlives the call);
    everything else (``execute``, ``scalars``, ``dialect`` ...) is the connection's."""

    __slots__ = ("conn", "info")

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.info: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


Reads: TypeAlias = "AsyncSession | ReadConnection | ConnectionReads"
"""What a read-only query function takes: a session, a read thread's connection, or a plain one."""


def dialect_name(session: Reads) -> str:
    """The backend's name (``sqlite``, ``postgresql``) of a session or a read connection."""
    if isinstance(session, ReadConnection):
        return "sqlite"
    bind = session.conn if isinstance(session, ConnectionReads) else session.get_bind()
    return bind.dialect.name


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple | set | frozenset)


@functools.lru_cache(maxsize=256)
def _text(sql: str, lists: frozenset[str]) -> TextClause:
    from sqlalchemy import bindparam, text

    return text(sql).bindparams(*(bindparam(name, expanding=True) for name in sorted(lists)))


def statement(
    sql: str, params: Mapping[str, Any], *, arrays: bool = False
) -> tuple[TextClause, dict[str, Any]]:
    """``text(sql)`` with an expanding bind parameter for each list value, and the parameters.
    With ``arrays`` (PostgreSQL) a :class:`TextList` is one array parameter instead: ``IN :name``
    becomes ``= ANY(CAST(:name AS TEXT[]))``, so the statement's text, and the server's prepared
    and planned form of it, do not change with the list's length (a thousand "did you mean"
    keys as a thousand parameters took 16 ms, most of it preparing and planning)."""
    if arrays:
        for name, value in params.items():
            if isinstance(value, TextList):
                sql = re.sub(rf"\bIN\s+:{name}\b", f"= ANY(CAST(:{name} AS TEXT[]))", sql)
    lists = frozenset(
        name
        for name, value in params.items()
        if _is_list(value) and not (arrays and isinstance(value, TextList))
    )
    bound = {name: list(value) if _is_list(value) else value for name, value in params.items()}
    return _text(sql, lists), bound


def _numbered(sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """The statement with SQLite's numbered ``?N`` parameters and their values: each name bound
    once however often it occurs, a list value spelt out as ``(?N, ?N+1, ...)`` (empty:
    ``(NULL)``, which matches nothing, as an empty expanding ``IN`` does)."""
    values: list[Any] = []
    spelt: dict[str, str] = {}

    def number(mt: re.Match[str]) -> str:
        name = mt.group(1)
        if name not in params:
            return mt.group(0)
        if name not in spelt:
            value = params[name]
            start = len(values) + 1
            if isinstance(value, TextList):
                values.append(json.dumps(value))
                spelt[name] = f"(SELECT value FROM json_each(?{start}))"
            elif _is_list(value):
                values.extend(value)
                spelt[name] = (
                    "(" + (", ".join(f"?{i}" for i in range(start, len(values) + 1)) or "NULL") + ")"
                )
            else:
                values.append(value)
                spelt[name] = f"?{start}"
        return spelt[name]

    return _PARAM.sub(number, sql), values


async def fetch_rows(session: Reads, sql: str, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
    """The rows of a read-only statement, read in this session's transaction, by column name.
    On a :class:`ReadConnection` the statement runs at once, in the caller's thread, and this
    coroutine never suspends (:func:`db.reader.run_to_end` relies on it)."""
    params = params or {}
    if isinstance(session, ReadConnection):
        return session.rows(sql, params)
    if isinstance(session, ConnectionReads):
        return await _portable(session.conn, session.conn.dialect.name, sql, params)
    bind = session.get_bind()
    if ONE_TRIP and bind.dialect.name == "sqlite" and bind.dialect.driver == "aiosqlite":
        if session.new or session.deleted or session.dirty:
            await session.flush()
        conn = await session.connection()
        raw = (await conn.get_raw_connection()).driver_connection
        assert raw is not None  # a checked-out connection always has its driver's connection
        numbered, values = _numbered(sql, params)
        if bind.engine.echo:
            engine_log.info("%s", numbered)
            engine_log.info("[one trip] %r", tuple(values))
        # The connection is this session's alone for the transaction: nothing else runs on it
        # while the factory is swapped.
        previous = raw.row_factory
        raw.row_factory = sqlite3.Row
        try:
            return await raw.execute_fetchall(numbered, values)
        finally:
            raw.row_factory = previous
    return await _portable(session, bind.dialect.name, sql, params)


async def _portable(
    executor: AsyncSession | AsyncConnection, dialect: str, sql: str, params: Mapping[str, Any]
) -> Sequence[Row]:
    """The portable path: ``text()`` through SQLAlchemy, rows as ``RowMapping``."""
    stmt, bound = statement(sql, params, arrays=dialect == "postgresql")
    return (await executor.execute(stmt, bound)).mappings().all()
