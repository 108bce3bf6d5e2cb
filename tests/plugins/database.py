"""The catalog database for tests: a real temp-file SQLite filled from the shipped list.

The filled file is built once per test session (``shipped_db_file``) and copied for each test,
so every test gets its own database cheaply: ``db_path`` (the file, for the CLI's ``--db``),
``db`` (an open :class:`~bot.database.Database`), ``session`` (one unit of work on it). Helpers
store a pending suggestion as a poll would and read what a test checks.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.database import Database, open_database
from db import models as m
from db.reads import Reads, SessionReads

__all__ = ["XLSR_TITLE", "add_pending", "reads", "suggestion_rows", "table_counts"]


@pytest.fixture(scope="session")
def shipped_db_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated catalog file filled from the shipped list (do not write to it: copy it)."""
    path = tmp_path_factory.mktemp("shipped") / "shipped.sqlite3"

    async def build() -> None:
        db = await open_database(f"sqlite+aiosqlite:///{path}")
        await db.close()

    asyncio.run(build())
    return path


@pytest.fixture
def db_path(shipped_db_file: Path, tmp_path: Path) -> Path:
    """A private copy of the shipped catalog, as a file path (for the CLI's ``--db``)."""
    path = tmp_path / "t.sqlite3"
    shutil.copyfile(shipped_db_file, path)
    return path


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    """An open :class:`bot.database.Database` on a private copy of the shipped catalog."""
    database = await open_database(f"sqlite+aiosqlite:///{db_path}")
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def session(db: Database) -> AsyncIterator[AsyncSession]:
    """One unit of work on ``db`` (committed at the end of the test)."""
    async with db.begin() as s:
        yield s


def reads(session: AsyncSession | Reads) -> Reads:
    """A read-only query's :class:`db.reads.Reads` on a test's unit of work (its session), as a
    door's look-up reads: :class:`db.reads.SessionReads`."""
    return SessionReads(session) if isinstance(session, AsyncSession) else session


XLSR_TITLE = "XLS-R: Self-supervised Cross-lingual Speech Representation Learning at Scale"


async def add_pending(
    db: Database,
    arxiv_id: str = "2111.09296",
    title: str = XLSR_TITLE,
    kind: str = "model",
    name: str = "XLS-R 2",
) -> int:
    """Store one pending suggestion (as a poll would) and return its id."""
    async with db.begin() as s:
        row = m.Suggestion(
            arxiv_id=arxiv_id,
            title=title,
            norm_title=title.lower(),
            authors=["Arun Babu", "Changhan Wang", "Michael Auli"],
            categories=["cs.CL", "cs.SD"],
            abstract="We present a large-scale model for cross-lingual speech representation learning.",
            url=f"https://arxiv.org/abs/{arxiv_id}",
            score=0.91,
            reasons=['phrase "pre-train" in abstract (+1.2)'],
            proposed_kind=kind,
            proposed_name=name,
            proposed_topics=["speech", "multilingual"],
            status="pending",
        )
        s.add(row)
        await s.flush()
        return row.id


async def suggestion_rows(database: Database) -> dict[str, tuple[str, float]]:
    async with database.begin() as session:
        rows = await session.execute(select(m.Suggestion.arxiv_id, m.Suggestion.status, m.Suggestion.score))
        return {a: (s, sc) for a, s, sc in rows.all()}


async def table_counts(database: Database) -> dict[str, int]:
    out = {}
    async with database.begin() as session:
        for model in (m.Suggestion, m.Feed, m.Entry, m.Paper):
            out[model.__tablename__] = int(await session.scalar(select(func.count()).select_from(model)) or 0)
    return out
