"""Is this file our catalog? Answered with the standard library, before SQLAlchemy opens it.

Opening a SQLite file through the engine already changes it (``PRAGMA journal_mode=WAL``, then the
migrations), so the question must be settled first, read-only: another application's database is
refused and left byte-identical, a missing file is created only when the caller asked for that, and
no parent directory is ever created.
"""

from __future__ import annotations

import enum
import os
import re
import sqlite3
import stat
from pathlib import Path
from urllib.parse import quote

__all__ = [
    "CatalogState",
    "DatabaseRefused",
    "check_sqlite_file",
    "drop_half_created",
    "head_revision",
    "known_revisions",
    "our_tables",
    "reading_target",
    "ready_to_read",
]

_SQLITE_HEADER = b"SQLite format 3\x00"
_VERSIONS = Path(__file__).with_name("migrations") / "versions"


class DatabaseRefused(Exception):
    """The database cannot or must not be used; the message is one line for the user."""


class CatalogState(enum.Enum):
    MISSING = "missing"  # no file, an empty file, or a SQLite file without any table
    CATALOG = "catalog"  # our revision table with one of our revisions
    HALF_CREATED = "half-created"  # only our tables, all empty, no revision: an interrupted first init


def known_revisions() -> frozenset[str]:
    """Revision ids of our migrations (file names ``NNNN_description.py``), without importing Alembic."""
    return frozenset(p.name.split("_", 1)[0] for p in _VERSIONS.glob("[0-9]*_*.py"))


_REVISION_RE = re.compile(r"^(down_revision|revision)\s*=\s*['\"]?([^'\"\s]+)['\"]?\s*$", re.MULTILINE)


def head_revision() -> str | None:
    """The newest migration's id, read from the migration files without importing Alembic (whose
    import costs more than half a second on every CLI call): the revision no other one revises."""
    revisions: set[str] = set()
    revised: set[str] = set()
    for path in _VERSIONS.glob("*.py"):
        found = dict((k, v) for k, v in _REVISION_RE.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revisions.add(found["revision"])
            if found.get("down_revision", "None") != "None":
                revised.add(found["down_revision"])
    heads = revisions - revised
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads.pop()


def ready_to_read(path: str) -> bool:
    """Can the catalog at *path* (a :attr:`CatalogState.CATALOG`) be read as it is, with the
    standard library alone: at the newest revision and not empty? If not, opening it through the
    engine migrates it or fills it from the shipped list first (:func:`bot.database.open_database`)."""
    try:
        conn = _connect_read_only(path)
        try:
            revisions = [str(row[0]) for row in conn.execute("SELECT version_num FROM alembic_version")]
            filled = conn.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is not None
        finally:
            conn.close()
    except sqlite3.Error:
        return False  # the engine's path says what is wrong, as it always has
    return filled and revisions == [head_revision()]


def our_tables() -> frozenset[str]:
    """Every table a catalog may hold (models, search index and its shadow tables, Alembic's)."""
    from db.models import Base  # SQLAlchemy's metadata: only needed for a file that is not plainly ours

    names = set(Base.metadata.tables)
    fts = "entry_search"
    names |= {fts, *(f"{fts}_{s}" for s in ("data", "idx", "content", "docsize", "config"))}
    names.add("alembic_version")
    return frozenset(names)


def check_sqlite_file(path: str, *, create: bool) -> CatalogState:
    """Settle what *path* holds, read-only. Raises :class:`DatabaseRefused` with one line when it
    must not be opened: a directory, not SQLite, someone else's database, or missing while *create* is
    false (or its directory is missing)."""
    if path == "":
        raise DatabaseRefused("the database path is empty")
    p = Path(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        parent = p.parent
        if not parent.is_dir():
            raise DatabaseRefused(
                f"no catalog at {path}: directory {parent} does not exist (create it first)"
            ) from None
        if not create:
            raise DatabaseRefused(f"no catalog at {path} (run ptm-bot init)") from None
        return CatalogState.MISSING
    except OSError as exc:
        raise DatabaseRefused(f"cannot use {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise DatabaseRefused(f"{path} is a directory, not a database file")
    if not stat.S_ISREG(st.st_mode):
        raise DatabaseRefused(f"{path} is not a regular file")
    try:
        with open(p, "rb") as f:
            header = f.read(len(_SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseRefused(f"cannot read {path}: {exc.strerror or exc}") from None
    if header == b"":
        if not create:
            raise DatabaseRefused(f"no catalog at {path} (run ptm-bot init)")
        return CatalogState.MISSING
    if header != _SQLITE_HEADER:
        raise DatabaseRefused(f"{path} is not a SQLite database; left unchanged")
    tables, revisions = _read_schema(path)
    if not tables:
        if not create:
            raise DatabaseRefused(f"no catalog at {path} (run ptm-bot init)")
        return CatalogState.MISSING
    known = known_revisions()
    if revisions and all(r in known for r in revisions):
        return CatalogState.CATALOG
    if revisions:
        raise DatabaseRefused(
            f"{path} is at database revision {', '.join(sorted(revisions))}, unknown to this version of "
            "ptm-bot (newer, or another application's); left unchanged"
        )
    foreign = sorted(t for t in tables if t not in our_tables()) or _unlike_ours(path, tables)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise DatabaseRefused(
            f"{path} is not a ptm-bot catalog (it holds other tables: {shown}); left unchanged"
        )
    if not _all_empty(path, tables):
        raise DatabaseRefused(
            f"{path} holds catalog tables with rows but no revision marker; left unchanged "
            "(restore a backup or move it aside and run ptm-bot init)"
        )
    if not create:
        raise DatabaseRefused(f"no catalog at {path}: its creation was interrupted (run ptm-bot init)")
    return CatalogState.HALF_CREATED


def may_write(path: str) -> bool:
    """This user may write the SQLite file *path* and create its ``-wal`` / ``-shm`` files beside it."""
    directory = os.path.dirname(os.path.abspath(path))
    return os.access(path, os.W_OK) and os.access(directory, os.W_OK | os.X_OK)


def reading_target(path: str) -> tuple[str, bool]:
    """How to open the SQLite file *path* only to read it, changing nothing and leaving nothing behind:
    ``(name, uri)`` for ``sqlite3.connect(name, uri=uri)``; a plain path (``uri`` false) is a
    read-write open on which the caller sets ``PRAGMA query_only``.

    - Not in WAL mode: ``mode=ro`` (creates no file; a hot journal is never rolled back by us).
    - WAL mode, and this user may write the file and its directory: a plain open. A ``mode=ro``
      connection would create the ``-wal`` and ``-shm`` files and could not remove them when it closes;
      a read-write one, the last to close, removes them.
    - WAL mode, not writable (a read-only user), ``-wal`` present (the bot runs): ``mode=ro`` on those.
    - WAL mode, not writable, no ``-wal`` (nobody has it open): ``mode=ro&immutable=1``, which creates
      nothing: files of this user left beside the catalog would stop its owner from writing it.
    """
    uri = "file:" + quote(os.path.abspath(path)) + "?mode=ro"
    if not _wal_mode(path):
        return uri, True
    if may_write(path):
        return path, False
    if os.path.exists(path + "-wal"):
        return uri, True
    return uri + "&immutable=1", True


def _wal_mode(path: str) -> bool:
    """The file's header says WAL mode (its read and write versions are 2)."""
    try:
        with open(path, "rb") as f:
            header = f.read(20)
    except OSError:
        return False
    return len(header) == 20 and header[18:20] == b"\x02\x02"


def _connect_read_only(path: str) -> sqlite3.Connection:
    name, uri = reading_target(path)
    conn = sqlite3.connect(name, uri=uri, timeout=5)
    if not uri:
        conn.execute("PRAGMA query_only=ON")
    return conn


def _read_schema(path: str) -> tuple[list[str], list[str]]:
    try:
        conn = _connect_read_only(path)
        try:
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            revisions: list[str] = []
            if "alembic_version" in tables:
                revisions = [str(row[0]) for row in conn.execute("SELECT version_num FROM alembic_version")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise DatabaseRefused(f"{path} cannot be read as a SQLite database ({exc}); left unchanged") from None
    return tables, revisions


def _unlike_ours(path: str, tables: list[str]) -> list[str]:
    """Tables named like ours whose columns are not ours (another application's ``entries``)."""
    from db.models import Base

    conn = _connect_read_only(path)
    try:
        unlike = []
        for table in tables:
            model = Base.metadata.tables.get(table)
            if model is None:
                continue
            quoted = "'" + table.replace("'", "''") + "'"
            columns = {row[1] for row in conn.execute(f"PRAGMA table_info({quoted})")}
            if columns != {c.name for c in model.columns}:
                unlike.append(table)
    finally:
        conn.close()
    return sorted(unlike)


def _all_empty(path: str, tables: list[str]) -> bool:
    conn = _connect_read_only(path)
    try:
        for table in tables:
            if table.startswith("entry_search_"):
                continue  # FTS5 shadow tables hold bookkeeping rows even when the index is empty
            quoted = '"' + table.replace('"', '""') + '"'
            if conn.execute(f"SELECT 1 FROM {quoted} LIMIT 1").fetchone() is not None:
                return False
    finally:
        conn.close()
    return True


def drop_half_created(path: str) -> None:
    """Remove the empty tables an interrupted first ``init`` left behind (checked by the caller)."""
    conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name NOT LIKE 'entry_search_%'"
            )
        ]
        for name in names:
            conn.execute('DROP TABLE IF EXISTS "' + name.replace('"', '""') + '"')
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute('DROP TRIGGER IF EXISTS "' + name.replace('"', '""') + '"')
        conn.execute("COMMIT")
    finally:
        conn.close()
