"""Writing a file the user named (``export -o``, ``stats --chart``) without harming what is there.

The target must be a regular file or not exist yet; a symlink is followed and its target written.
Directories, devices, FIFOs and sockets are refused with one line before anything is computed, and so
is the catalog's own SQLite file (by any name: a symlink, a hard link) and its ``-wal``, ``-shm`` and
``-journal`` companions: an export written there would replace the whole catalog. The bytes go to a temporary file beside the target, then replace it in one step, so a failure leaves
the old file whole and no temporary file behind.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

__all__ = ["OutputRefused", "check_output_path", "database_file", "is_stdout", "write_output"]

# The files SQLite keeps beside a database (WAL mode, then a rollback journal): part of the catalog.
_COMPANIONS = ("", "-wal", "-shm", "-journal")


class OutputRefused(Exception):
    """The output path cannot be written; the message is one line for the user."""


def is_stdout(path: str) -> bool:
    """Does *path* name this process's standard output (``/dev/stdout``, ``/dev/fd/1``, or the very file
    or pipe stdout is)? Then it is written as stdout is, not replaced (a pipe cannot be)."""
    try:
        st, out = os.stat(path), os.fstat(sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # no such path; stdout closed or not a real file
        return False
    return (st.st_dev, st.st_ino) == (out.st_dev, out.st_ino)


def database_file(url: str) -> str | None:
    """The SQLite file of the catalog at *url* (``None``: in memory, another backend, or a URL that
    opening the catalog will refuse with its own message)."""
    from bot.database import check_url, sqlite_path
    from db.guard import DatabaseRefused

    try:
        return sqlite_path(check_url(url))
    except DatabaseRefused:
        return None


def _is_catalog_file(target: Path, database: str) -> bool:
    """Is *target* (a real path) the catalog's file at *database*, or one of its companions?"""
    names = {os.path.realpath(database), os.path.abspath(database)}
    if str(target) in {name + suffix for name in names for suffix in _COMPANIONS}:
        return True
    for suffix in _COMPANIONS:  # another name for the same file (a hard link)
        try:
            if os.path.samefile(target, database + suffix):
                return True
        except OSError:  # either does not exist
            continue
    return False


def check_output_path(path: str, *, database: str | None = None) -> Path:
    """The real file to write for *path* (symlinks followed), or :class:`OutputRefused`; never the
    SQLite file *database* (the catalog) nor its companions."""
    if not path:
        raise OutputRefused("the output path is empty")
    target = Path(os.path.realpath(path))
    if database is not None and _is_catalog_file(target, database):
        raise OutputRefused(f"cannot write {path}: it is the catalog's database; name another file")
    try:
        st = target.stat()
    except FileNotFoundError:
        parent = target.parent
        if not parent.is_dir():
            raise OutputRefused(f"cannot write {path}: directory {parent} does not exist") from None
        if not os.access(parent, os.W_OK):
            raise OutputRefused(f"cannot write {path}: directory {parent} is not writable") from None
        return target
    except OSError as exc:
        raise OutputRefused(f"cannot write {path}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputRefused(f"cannot write {path}: it is a directory")
    if not stat.S_ISREG(st.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise OutputRefused(f"cannot write {path}: it is {kind}, not a regular file")
    return target


def write_output(path: str, data: bytes, *, database: str | None = None) -> Path:
    """Write *data* to *path* atomically (see the module's docstring); returns the file written."""
    target = check_output_path(path, database=database)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputRefused(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.chmod(tmp, stat.S_IMODE(target.stat().st_mode))  # keep the replaced file's permissions
        except FileNotFoundError:
            os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise OutputRefused(f"cannot write {path}: {exc.strerror or exc}") from None
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
