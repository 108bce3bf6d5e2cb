"""The one read API: a read-only query is ``async def fn(reads: Reads, ...)``, run by
``await db.read(fn, ...)`` (:meth:`bot.database.Database.read`).

A query runs its statements with ``await reads.rows(statement, params)`` and reads each row by
column name (``row["id"]``); ``reads.dialect`` names the backend (``"sqlite"``,
``"postgresql"``) where a query picks a plan by backend; ``reads.info`` is a cache for this
one read (on a unit of work's session: the session's own ``info``, dropped at every flush).

Statements are module-level constants and are never rewritten at run time: SQL text with
``:name`` parameters, the same text on every backend, or a :class:`Spelled` holding SQLite's
and PostgreSQL's own text where they differ (a few statements build their two spellings once,
at import, from fixed fragments; each says so where it is defined). A list value is bound as
ONE parameter, so a statement's text never depends on a list's length and its prepared form
is reused (preparing a thousand-item ``IN`` list cost ~10 ms on SQLite, 16 ms on PostgreSQL):
on SQLite the list is bound as JSON text and read with ``IN (SELECT value FROM
json_each(:name))``; on PostgreSQL it is bound as an array, ``= ANY(CAST(:name AS TEXT[]))``.

Three implementations of :class:`Reads`, one protocol:

- :class:`ReadConnection`: a SQLite read thread's stdlib ``sqlite3`` connection
  (:mod:`db.reader`, what ``db.read`` uses on a SQLite file): the one fast path, kept because
  the benchmark needs it (docs/benchmarks.md, "One read path"). ``rows`` runs the statement at
  once and never suspends, so :func:`db.reader.run_to_end` drives a whole query in one step.
  Standard library only: a read on it imports no SQLAlchemy (CLI start-up).
- :class:`ConnectionReads`: a plain SQLAlchemy connection, what ``db.read`` uses everywhere
  else (PostgreSQL, an in-memory SQLite, ``database.read_threads = 0``).
- :class:`SessionReads`: a unit of work's session, for a door that looks something up before
  it writes (``/ptm-admin tag``); pending changes are flushed first, so it reads its own writes.

Both SQLAlchemy implementations wrap each SQL text in ``text()`` once (a cache keyed by the
text) and log through SQLAlchemy's engine logger when the engine echoes; a read connection
logs each statement to the same logger (``sqlalchemy.engine.Engine``) itself.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
    from sqlalchemy.sql import Executable
    from sqlalchemy.sql.elements import TextClause

__all__ = [
    "ConnectionReads",
    "ReadConnection",
    "Reads",
    "Row",
    "SessionReads",
    "Spelled",
    "Statement",
]

# SQLAlchemy's own statement logger: what ``create_engine(echo=True)`` switches on.
engine_log = logging.getLogger("sqlalchemy.engine.Engine")


class Row(Protocol):
    """A row read by column name (``row["id"]``): ``sqlite3.Row`` or SQLAlchemy's ``RowMapping``
    (``sqlite3.Row`` reads by name but is no ``Mapping``, hence a Protocol)."""

    def __getitem__(self, key: str, /) -> Any: ...


@dataclass(frozen=True, slots=True)
class Spelled:
    """One statement spelt for each backend: SQLite's text and PostgreSQL's."""

    sqlite: str
    postgresql: str

    def text(self, dialect: str) -> str:
        return self.sqlite if dialect == "sqlite" else self.postgresql


Statement: TypeAlias = "str | Spelled | Executable"
"""What :meth:`Reads.rows` runs: SQL text, a :class:`Spelled` pair, or (on the SQLAlchemy
implementations only: the portable ``ILIKE`` search) a Core ``select()``."""


class Reads(Protocol):
    """What a read-only query function takes (see the module's docstring)."""

    @property
    def dialect(self) -> str:
        """The backend's name: ``"sqlite"``, ``"postgresql"`` ..."""
        ...

    @property
    def info(self) -> dict[str, Any]:
        """A cache for this read (dropped at the end of the read, or at a unit of work's flush)."""
        ...

    async def rows(self, statement: Statement, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
        """The rows of a read-only statement, by column name."""
        ...


_LISTS = (list, tuple, set, frozenset)


def bound(params: Mapping[str, Any] | None, dialect: str) -> dict[str, Any]:
    """The parameters as the driver gets them: a list is one value, JSON text on SQLite (read
    with ``json_each``), a list (an array) on PostgreSQL."""
    if not params:
        return {}
    if dialect == "sqlite":
        return {k: json.dumps(list(v)) if isinstance(v, _LISTS) else v for k, v in params.items()}
    return {k: list(v) if isinstance(v, _LISTS) else v for k, v in params.items()}


class ReadConnection:
    """A read thread's read-only stdlib ``sqlite3`` connection (:class:`db.reader.SQLiteReader`):
    statements run here at once, in the caller's thread, and :meth:`rows` never suspends."""

    __slots__ = ("echo", "info", "raw")

    dialect = "sqlite"

    def __init__(self, raw: sqlite3.Connection, *, echo: bool = False) -> None:
        self.raw = raw
        self.echo = echo
        self.info: dict[str, Any] = {}

    async def rows(self, statement: Statement, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
        if isinstance(statement, Spelled):
            statement = statement.sqlite
        elif not isinstance(statement, str):
            raise TypeError("a SQLite read thread runs SQL text, not a SQLAlchemy statement")
        values = bound(params, "sqlite")
        if self.echo:
            engine_log.info("%s", statement)
            engine_log.info("[read connection] %r", values)
        return self.raw.execute(statement, values).fetchall()


@functools.lru_cache(maxsize=512)
def _text(sql: str) -> TextClause:
    from sqlalchemy import text

    return text(sql)


async def _execute(
    executor: AsyncSession | AsyncConnection,
    dialect: str,
    statement: Statement,
    params: Mapping[str, Any] | None,
) -> Sequence[Row]:
    if isinstance(statement, Spelled):
        statement = statement.text(dialect)
    stmt = _text(statement) if isinstance(statement, str) else statement
    return (await executor.execute(stmt, bound(params, dialect))).mappings().all()


class ConnectionReads:
    """A read on a plain SQLAlchemy connection (:meth:`bot.database.Database.read` when there is
    no read thread): no ORM session to open, flush or close around a few statements. ``info``
    is this read's own cache (a connection's ``info`` outlives the read)."""

    __slots__ = ("conn", "dialect", "info")

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.dialect: str = conn.dialect.name
        self.info: dict[str, Any] = {}

    async def rows(self, statement: Statement, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
        return await _execute(self.conn, self.dialect, statement, params)


class SessionReads:
    """Reads inside a unit of work, on its session: they see its own changes (pending ones are
    flushed first, as the ORM's autoflush would). ``info`` is the session's (the unit of work's
    read cache, dropped by every flush and at the end of the transaction)."""

    __slots__ = ("dialect", "session")

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.dialect: str = session.get_bind().dialect.name

    @property
    def info(self) -> dict[str, Any]:
        return self.session.info

    async def rows(self, statement: Statement, params: Mapping[str, Any] | None = None) -> Sequence[Row]:
        session = self.session
        if session.new or session.deleted or session.dirty:
            await session.flush()
        return await _execute(session, self.dialect, statement, params)
