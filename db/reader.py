"""The SQLite read path: a whole read-only query in one trip to a worker thread.

A catalog command on SQLite is a handful of indexed statements that take microseconds each;
through a session every statement is a trip to aiosqlite's thread, and the session's checkout
and rollback cost more than the statements (issue 14: the handler was 100-200x its SQL). Here a
read is one call on a :class:`SQLiteReader` thread, which runs the query function there, on a
stdlib ``sqlite3`` connection of its own, from the first statement to the last.

The query functions are the same for every backend (``async def f(reads, ...)`` reading
through :meth:`db.reads.Reads.rows`). Given a :class:`~db.reads.ReadConnection` they never
suspend (every ``await`` reaches a ``rows`` that runs its statement at once and returns), so
:func:`run_to_end` completes the coroutine with one ``send`` in the worker thread. A function
that awaits anything else fails loudly instead of hanging.

Each worker thread has its own connection, opened on first use: ``query_only`` (a write is an
error, never a change), the bot's busy timeout, autocommit mode with an explicit ``BEGIN``
around each call so all of a command's statements read one snapshot (WAL: writers do not wait
for readers, and a reader sees only committed rows). Several threads let a slow search and a
quick look-up overlap (``sqlite3`` releases the GIL while SQLite works).
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Concatenate, ParamSpec, TypeVar

from db.guard import may_write, reading_target
from db.reads import ReadConnection, Reads

__all__ = ["SQLiteReader", "run_to_end"]

T = TypeVar("T")
P = ParamSpec("P")


def run_to_end(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends to its end and return its value."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("a read on a SQLite read connection awaited something that is not a statement")


class SQLiteReader:
    """Worker threads with a read-only connection each to the SQLite file at ``path``."""

    def __init__(
        self, path: str, *, threads: int = 2, busy_timeout_ms: int = 5000, echo: bool = False
    ) -> None:
        if threads < 1:
            raise ValueError("a reader needs at least one thread")
        self.path = path
        self.echo = echo
        self._busy_timeout_ms = int(busy_timeout_ms)
        self._executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="ptm-read")
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._closed = False

    def _connection(self) -> sqlite3.Connection:
        raw: sqlite3.Connection | None = getattr(self._local, "raw", None)
        if raw is None:
            name, uri = self.path, False
            if not may_write(self.path):
                # A read-only user (or directory): read without leaving -wal / -shm files of theirs
                # beside the catalog.
                name, uri = reading_target(self.path)
            raw = sqlite3.connect(name, uri=uri, isolation_level=None, check_same_thread=False)
            raw.row_factory = sqlite3.Row
            raw.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
            raw.execute("PRAGMA query_only=ON")
            self._local.raw = raw
            with self._lock:
                self._connections.append(raw)
        return raw

    def _call(
        self, fn: Callable[..., Coroutine[Any, Any, T]], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> T:
        raw = self._connection()
        raw.execute("BEGIN")
        try:
            return run_to_end(fn(ReadConnection(raw, echo=self.echo), *args, **kwargs))
        finally:
            raw.execute("COMMIT")

    async def run(
        self,
        fn: Callable[Concatenate[Reads, P], Coroutine[Any, Any, T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``await fn(connection, *args, **kwargs)``, run in a worker thread in one go."""
        if self._closed:
            raise RuntimeError("the database reader is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, functools.partial(self._call, fn, args, kwargs))

    def close(self) -> None:
        """Wait for running reads, then close every connection."""
        self._closed = True
        self._executor.shutdown(wait=True)
        with self._lock:
            for raw in self._connections:
                raw.close()
            self._connections.clear()
