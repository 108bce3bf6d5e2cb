"""Shared fixtures.

``db``: a real temp-file SQLite catalog filled from the shipped list. The filled file is built
once per test session and copied for each test, so every test gets its own database cheaply.
"""

from __future__ import annotations

import asyncio
import shutil

import pytest

from bot.database import open_database


@pytest.fixture(scope="session")
def shipped_db_file(tmp_path_factory):
    """A migrated catalog file filled from the shipped list (do not write to it: copy it)."""
    path = tmp_path_factory.mktemp("shipped") / "shipped.sqlite3"

    async def build() -> None:
        db = await open_database(f"sqlite+aiosqlite:///{path}")
        await db.close()

    asyncio.run(build())
    return path


@pytest.fixture
def db_path(shipped_db_file, tmp_path):
    """A private copy of the shipped catalog, as a file path (for the CLI's ``--db``)."""
    path = tmp_path / "t.sqlite3"
    shutil.copyfile(shipped_db_file, path)
    return path


@pytest.fixture
async def db(db_path):
    """An open :class:`bot.database.Database` on a private copy of the shipped catalog."""
    database = await open_database(f"sqlite+aiosqlite:///{db_path}")
    yield database
    await database.close()


@pytest.fixture
async def session(db):
    """One unit of work on ``db`` (committed at the end of the test)."""
    async with db.begin() as s:
        yield s
