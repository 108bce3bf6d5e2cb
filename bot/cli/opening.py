"""Opening the catalog for a subcommand: with the checks and messages every command shares."""

from __future__ import annotations

import os

from bot.config import Config

__all__ = ["open_catalog", "open_for_dry_run"]


async def open_catalog(config: Config, *, seed: bool = True, create: bool = False, migrate: bool = True):  # type: ignore[no-untyped-def]
    """Open the configured catalog. Only ``init``, ``run`` and ``import`` pass *create*: for every
    other command a missing file is ``no catalog at PATH (run ptm-bot init)`` (bot.database)."""
    from bot.database import open_database

    return await open_database(
        config.database.url,
        seed=seed,
        create=create,
        migrate_schema=migrate,
        echo=config.database.echo,
        busy_timeout_ms=config.database.busy_timeout_ms,
        read_threads=config.database.read_threads,
        lock_timeout_ms=config.database.lock_timeout_ms,
        statement_timeout_ms=config.database.statement_timeout_ms,
        lock_wait_ms=config.database.busy_timeout_ms,  # a person waits: the busy timeout is the whole wait
    )


async def open_for_dry_run(config: Config):  # type: ignore[no-untyped-def]
    """A dry run writes nothing: an existing catalog is opened but not migrated (nor seeded); a
    missing one is stood in for by a new in-memory catalog, as ``import`` would have created it."""
    from bot.database import check_url, open_database, sqlite_path

    path = sqlite_path(check_url(config.database.url))
    if path is not None and not os.path.exists(path):
        from db.guard import check_sqlite_file

        check_sqlite_file(path, create=True)  # a missing directory is still an error
        return await open_database("sqlite+aiosqlite:///:memory:", seed=True)
    return await open_catalog(config, seed=False, migrate=False)
