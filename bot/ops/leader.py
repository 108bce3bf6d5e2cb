"""One poller among many: processes sharing a database elect the one that polls arXiv.

Several bot processes may share one catalog (a rolling deploy, a second process for another guild,
a standby). Without coordination each would poll arXiv on the schedule, doubling the load on arXiv
and racing to suggest the same papers. The scheduled poll therefore runs only in the process that
holds the *poller lock*:

- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection kept open for
  as long as the process lives. PostgreSQL releases it when that connection ends, however the process
  died (crash, ``kill -9``, lost network).
- SQLite: an exclusive ``flock`` on a lock file next to the database (``<database>.poller.lock``);
  the kernel releases it when the holder's process ends. A lock is only as good as the path naming
  the locked file: deleting (or replacing) the file would let a second process lock a new file at the
  same path. So a lock counts only while the path names the very file locked (checked after taking
  it, at every scheduled run and by the bot's keeper every :data:`KEEP_SECONDS`): a holder whose file
  is gone locks the path's file again (a new one if nobody took it: the lock is restored, and
  ``ptm-bot health`` sees it), and steps down if another process took it in between.

The lock is tried at start and again at every scheduled run, so when the holder dies another process
takes over at the next schedule. ``schedule.enabled = false`` still turns the schedule off in a process.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url

__all__ = [
    "ADVISORY_LOCK_KEY",
    "KEEP_SECONDS",
    "STEPPED_DOWN",
    "LeaderOnlyJob",
    "PollerLock",
    "SteppedDown",
    "lock_file_for",
    "poller_holder",
]

log = logging.getLogger(__name__)

# A fixed 64-bit key, the same in every process of every version: "ptm-bot arxiv poller".
ADVISORY_LOCK_KEY = int.from_bytes(hashlib.sha256(b"ptm-bot arxiv poller").digest()[:8], "big", signed=True)
# How often a running bot checks that its lock file is still the one it locked (two stat calls).
KEEP_SECONDS = 15


def lock_file_for(url: str) -> Path | None:
    """The lock file next to a SQLite database; ``None`` for an in-memory one or another backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    database = parsed.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).expanduser()
    return path.with_name(path.name + ".poller.lock")


class PollerLock:
    """This process's claim to be the poller. :meth:`acquire` is cheap and safe to call often."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.backend = make_url(url).get_backend_name()
        self._fd: int | None = None
        self._engine: Any = None
        self._conn: Any = None
        self._lock = asyncio.Lock()

    @property
    def held(self) -> bool:
        return self._fd is not None or self._conn is not None or self._alone

    @property
    def _alone(self) -> bool:
        # An in-memory SQLite database is private to this process: no one to share polling with.
        return self.backend == "sqlite" and lock_file_for(self.url) is None

    async def acquire(self) -> bool:
        """Become (or stay) the poller if no other process is; True when this process is the poller."""
        async with self._lock:
            if self.backend == "sqlite":
                return self._acquire_file()
            if self.backend == "postgresql":
                return await self._acquire_advisory()
            return True  # another backend: no lock to take; schedule.enabled decides

    async def keep(self) -> None:
        """While this process holds the lock file, make sure the path still names it (the bot runs
        this every :data:`KEEP_SECONDS`); a no-op otherwise."""
        if self._fd is not None:
            await self.acquire()

    def _acquire_file(self) -> bool:
        path = lock_file_for(self.url)
        if path is None:
            return True
        if self._fd is None:
            return self._lock_path(path)
        if _names(path, self._fd):
            return True
        # Deleted or replaced under us: whoever locks the path's file now is the poller. Take it
        # (a new file if there is none) before letting the old one go, or step down.
        old, self._fd = self._fd, None
        try:
            got = self._lock_path(path)
        finally:
            os.close(old)
        if got:
            log.warning("the poller lock file %s was deleted or replaced; locked it again", path)
        else:
            log.warning(
                "the poller lock file %s was replaced and another process holds it now; this process "
                "stops polling",
                path,
            )
        return got

    def _lock_path(self, path: Path) -> bool:
        import fcntl

        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(5):
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return False
            if not _names(path, fd):
                os.close(fd)  # deleted or replaced between open and lock: lock what is there now
                continue
            # Who holds it, for an operator looking at the file (the lock itself is the flock).
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
            self._fd = fd
            log.info("this process is the arXiv poller (lock file %s)", path)
            return True
        return False

    async def _acquire_advisory(self) -> bool:
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                return True
            except Exception as exc:
                # The connection (and with it the lock) is gone: try again from scratch.
                log.warning("lost the poller lock's database connection (%s); trying to take it again", exc)
                await self._drop_connection()
        if self._engine is None:
            from sqlalchemy.ext.asyncio import create_async_engine
            from sqlalchemy.pool import NullPool

            self._engine = create_async_engine(self.url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
        conn = await self._engine.connect()
        try:
            got = await conn.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
        except BaseException:
            await conn.close()
            raise
        if not got:
            await conn.close()
            return False
        self._conn = conn
        log.info("this process is the arXiv poller (PostgreSQL advisory lock %d)", ADVISORY_LOCK_KEY)
        return True

    async def _drop_connection(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except Exception:  # already broken
                log.debug("closing the poller lock's connection failed", exc_info=True)

    async def release(self) -> None:
        """Give the lock up (at shutdown), so another process can take over at its next schedule."""
        async with self._lock:
            if self._fd is not None:
                os.close(self._fd)  # closing the descriptor releases the flock
                self._fd = None
            if self._conn is not None:
                try:
                    await self._conn.execute(
                        text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY}
                    )
                except Exception:
                    log.debug("unlocking the advisory lock failed", exc_info=True)
                await self._drop_connection()
            if self._engine is not None:
                await self._engine.dispose()
                self._engine = None


class SteppedDown:
    """The lock of a process that took part in the election and left it (its watcher unloaded, the
    bot closing): it is never the poller again, so the catalog's scheduled work is left to the others."""

    async def acquire(self) -> bool:
        return False


STEPPED_DOWN = SteppedDown()


class LeaderOnlyJob:
    """A scheduled job that runs only in the process holding the poller lock.

    *lock* is the lock itself (the poll), or a callable giving the process's poller lock at run time
    (the catalog's other scheduled work: the digest, the Hub enrichment, the link check): ``None``
    there means this process takes no part in the election (``schedule.enabled = false``, an
    in-memory catalog, no watcher), and the job runs as a single process's would;
    :data:`STEPPED_DOWN`, that it took part and left, and the job is skipped.
    """

    def __init__(
        self,
        lock: PollerLock | Callable[[], PollerLock | SteppedDown | None],
        job: Callable[[], Awaitable[Any]],
        *,
        what: str = "poll",
    ) -> None:
        self.lock = lock
        self.job = job
        self.what = what

    async def __call__(self) -> Any:
        lock = self.lock if isinstance(self.lock, PollerLock) else self.lock()
        if lock is None:
            return await self.job()
        try:
            leader = await lock.acquire()
        except Exception:
            log.exception("could not check the poller lock; skipping this scheduled %s", self.what)
            return None
        if not leader:
            log.info(
                "another process is the arXiv poller and runs the scheduled %s; skipping it here",
                self.what,
                extra={"job": self.what},
            )
            return None
        return await self.job()


async def poller_holder(url: str, engine: Any = None) -> tuple[bool | None, str]:
    """Who holds the poller lock: ``(True, "pid 123")``, ``(False, why)``, or ``(None, why)`` when it
    cannot be told (another backend, an in-memory database). Read-only on PostgreSQL (``pg_locks``);
    on SQLite a non-blocking try of the lock file, released at once (a bot that meets it then just
    takes the lock at its next scheduled run)."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        path = lock_file_for(url)
        if path is None:
            return None, "an in-memory database is private to one process"
        return await asyncio.to_thread(_probe_lock_file, path)
    if backend == "postgresql" and engine is not None:
        high, low = (ADVISORY_LOCK_KEY >> 32) & 0xFFFFFFFF, ADVISORY_LOCK_KEY & 0xFFFFFFFF
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT l.pid, a.client_addr, a.application_name FROM pg_locks l "
                        "LEFT JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' "
                        "AND l.granted AND l.classid = CAST(:high AS bigint) AND l.objid = CAST(:low AS bigint) "
                        "AND l.objsubid = 1"
                    ),
                    {"high": high, "low": low},
                )
            ).first()
        if row is None:
            return False, "no process holds the advisory lock"
        where = f" from {row.client_addr}" if row.client_addr else ""
        return True, f"PostgreSQL backend pid {row.pid}{where}"
    return None, f"not tracked on {backend}"


def _names(path: Path, fd: int) -> bool:
    """Does *path* name the file open as *fd* (not deleted, not replaced by another file)?"""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (held.st_dev, held.st_ino)


def _probe_lock_file(path: Path) -> tuple[bool, str]:
    import fcntl

    if not path.exists():
        return False, f"no process holds {path.name}"
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = path.read_text(encoding="utf-8", errors="replace").strip() or "?"
            return True, f"pid {holder} (lock file {path.name})"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False, f"no process holds {path.name}"
    finally:
        os.close(fd)
