"""The catalog for one read-only command of ``ptm-bot``, opened on its first read.

A SQLite file that is already a current, filled catalog is read straight from a read thread
(:class:`db.reader.SQLiteReader`, the bot's own read path) on the standard library's ``sqlite3``:
no engine, no ORM, no migration check through SQLAlchemy, so a query subcommand starts in a
fraction of the time (issue 19). Anything else (another backend, a URL with options, a catalog
to migrate or to fill, read threads switched off, a file the guard refuses) is opened as every
command opens it (:func:`bot.cli.opening.open_catalog`), with the same checks and messages.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from bot.config import Config

if TYPE_CHECKING:
    from bot.database import Database
    from db.reader import SQLiteReader
    from db.reads import Reads

__all__ = ["CatalogForReading", "plain_sqlite_file"]

T = TypeVar("T")
P = ParamSpec("P")

_PREFIX = "sqlite+aiosqlite:///"


def plain_sqlite_file(url: str) -> str | None:
    """The path of a SQLite file URL as ``--db PATH`` writes it (``sqlite+aiosqlite:///<path>``,
    no query, no escapes), else ``None`` (the URL is left to SQLAlchemy to read)."""
    if not url.startswith(_PREFIX):
        return None
    path = url[len(_PREFIX) :]
    if not path or path == ":memory:" or path.startswith("file:") or any(c in path for c in "?%#"):
        return None
    return path


class CatalogForReading:
    """Stands in for :class:`bot.database.Database` in read-only commands: :meth:`read` only."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._reader: SQLiteReader | None = None
        self._db: Database | None = None

    def _direct_reader(self) -> SQLiteReader | None:
        settings = self.config.database
        path = plain_sqlite_file(settings.url)
        if path is None or settings.read_threads < 1:
            return None
        from db.guard import CatalogState, check_sqlite_file, ready_to_read

        # Refusals (missing file, someone else's database) raise here with their usual message.
        if check_sqlite_file(path, create=False) is not CatalogState.CATALOG or not ready_to_read(path):
            return None
        from db.reader import SQLiteReader

        return SQLiteReader(
            path, threads=settings.read_threads, busy_timeout_ms=settings.busy_timeout_ms, echo=settings.echo
        )

    async def read(
        self,
        query: Callable[Concatenate[Reads, P], Coroutine[Any, Any, T]],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``await query(reads, *args, **kwargs)`` as :meth:`bot.database.Database.read`."""
        if self._reader is None and self._db is None:
            self._reader = self._direct_reader()
            if self._reader is None:
                from bot.cli.opening import open_catalog

                self._db = await open_catalog(self.config)
        if self._reader is not None:
            return await self._reader.run(query, *args, **kwargs)
        assert self._db is not None
        return await self._db.read(query, *args, **kwargs)

    async def close(self) -> None:
        if self._reader is not None:
            await asyncio.to_thread(self._reader.close)
        if self._db is not None:
            await self._db.close()
