"""One line and an exit status for every failure the user can act on (``docs/errors.md``).

:func:`describe` maps an exception escaping a subcommand to ``(message, exit status)``, or ``None``
for a bug (which keeps its traceback). Modules are looked up in :data:`sys.modules` rather than
imported, so ``ptm-bot --help`` does not pay for SQLAlchemy, aiohttp or discord.py.
"""

from __future__ import annotations

import errno
import socket
import sqlite3
import sys

__all__ = ["EXIT_BUSY", "EXIT_NETWORK", "EXIT_USAGE", "describe"]

EXIT_BUSY = 1  # the database was busy or changed under us: nothing written, try again
EXIT_USAGE = 2  # usage, configuration, token, database or file problem
EXIT_NETWORK = 3  # the network: a database server, Discord or arXiv unreachable

_NETWORK_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.ECONNABORTED,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.ETIMEDOUT,
    errno.EHOSTDOWN,
}
_DRIVERS = {"aiosqlite", "asyncpg", "psycopg", "psycopg2", "pymysql", "aiomysql", "asyncmy"}


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or any(e is s for s in seen) or len(seen) > 10:
            continue
        seen.append(e)
        todo += [getattr(e, "orig", None), e.__cause__, e.__context__]
    return seen


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300]


def describe(exc: BaseException) -> tuple[str, int] | None:
    """``(one line, exit status)`` for an expected failure, ``None`` for a bug."""
    from bot.cli.outfile import OutputRefused
    from db.guard import DatabaseRefused

    if isinstance(exc, DatabaseRefused | OutputRefused):
        return str(exc), EXIT_USAGE
    chain = _chain(exc)
    for e in chain:
        found = _sqlite(e) or _postgres_timeout(e) or _network(e)
        if found is not None:
            return found
    for e in chain:
        found = _sqlalchemy(e) or _driver_missing(e) or _file(e)
        if found is not None:
            return found
    return None


def _sqlite(e: BaseException) -> tuple[str, int] | None:
    if not isinstance(e, sqlite3.Error):
        return None
    text = _first_line(e)
    low = text.lower()
    if "locked" in low or "busy" in low:
        return (
            f"the database is locked by another process ({text}); nothing was written, try again",
            EXIT_BUSY,
        )
    if isinstance(e, sqlite3.IntegrityError) and "unique" in low:
        return (
            f"another process changed the catalog at the same moment ({text}); nothing was written, "
            "run the command again",
            EXIT_BUSY,
        )
    if "readonly" in low or "read-only" in low:
        return (
            f"the database is read-only ({text}); check the file's and its directory's permissions",
            EXIT_USAGE,
        )
    if "not a database" in low or "malformed" in low:
        return f"the database file is not a usable SQLite database ({text})", EXIT_USAGE
    if "unable to open" in low:
        return f"cannot open the database file ({text}); check the path and permissions", EXIT_USAGE
    return f"database error: {text}", EXIT_USAGE


# PostgreSQL's SQLSTATEs for a lock not granted within lock_timeout, and a statement cancelled (by
# statement_timeout): the database.lock_timeout_ms and database.statement_timeout_ms of the commands.
_PG_LOCK_TIMEOUT = "55P03"
_PG_CANCELED = "57014"


def _postgres_timeout(e: BaseException) -> tuple[str, int] | None:
    state = getattr(e, "sqlstate", None)
    if state == _PG_LOCK_TIMEOUT:
        return (
            f"the database is locked by another session ({_first_line(e)}, after database.lock_timeout_ms); "
            "nothing was written, try again",
            EXIT_BUSY,
        )
    if state == _PG_CANCELED:
        return (
            f"the database took too long ({_first_line(e)}, after database.statement_timeout_ms); "
            "nothing was written, try again",
            EXIT_BUSY,
        )
    return None


def _network(e: BaseException) -> tuple[str, int] | None:
    aiohttp = sys.modules.get("aiohttp")
    discord = sys.modules.get("discord")
    if aiohttp is not None and isinstance(e, aiohttp.ClientConnectionError):
        return f"cannot connect ({_first_line(e)}); check the network and try again", EXIT_NETWORK
    if discord is not None and isinstance(e, discord.HTTPException):
        return f"Discord refused the request: {e.status} {e.text or e}", EXIT_NETWORK
    if isinstance(e, socket.gaierror):
        return (
            f"cannot resolve the host name ({e.strerror or e}); check the URL and the network",
            EXIT_NETWORK,
        )
    if isinstance(e, ConnectionError | TimeoutError) or (
        isinstance(e, OSError) and e.errno in _NETWORK_ERRNOS
    ):
        return f"cannot connect ({_first_line(e)}); check the network and try again", EXIT_NETWORK
    asyncpg = sys.modules.get("asyncpg")
    if asyncpg is not None and isinstance(e, asyncpg.exceptions.ConnectionDoesNotExistError):
        return f"the database server closed the connection ({_first_line(e)})", EXIT_NETWORK
    return None


def _sqlalchemy(e: BaseException) -> tuple[str, int] | None:
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if sa_exc is None:
        return None
    if isinstance(e, sa_exc.IntegrityError):
        return (
            f"another process changed the catalog at the same moment ({_first_line(e.orig or e)}); "
            "nothing was written, run the command again",
            EXIT_BUSY,
        )
    if isinstance(e, sa_exc.NoSuchModuleError | sa_exc.ArgumentError):
        return f"invalid database URL: {_first_line(e)}", EXIT_USAGE
    if isinstance(e, sa_exc.InvalidRequestError) and "async" in str(e):
        return f"the database URL needs an asyncio driver: {_first_line(e)}", EXIT_USAGE
    asyncpg = sys.modules.get("asyncpg")
    if asyncpg is not None and isinstance(e, asyncpg.exceptions.PostgresError):
        return f"the database server refused: {_first_line(e)}", EXIT_USAGE
    if isinstance(e, sa_exc.DBAPIError):
        return f"database error: {_first_line(e.orig or e)}", EXIT_USAGE
    return None


def _driver_missing(e: BaseException) -> tuple[str, int] | None:
    if isinstance(e, ModuleNotFoundError) and (e.name or "").split(".")[0] in _DRIVERS:
        name = (e.name or "").split(".")[0]
        return f"the database driver {name} is not installed (pip install {name})", EXIT_USAGE
    return None


def _file(e: BaseException) -> tuple[str, int] | None:
    if isinstance(e, OSError) and e.errno is not None:
        where = f" {e.filename}" if e.filename else ""
        return f"cannot use{where}: {e.strerror or e}", EXIT_USAGE
    return None
