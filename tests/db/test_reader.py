"""The SQLite read path (db.reader, Database.read): a whole query in one trip to a read thread."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading

import pytest
from sqlalchemy import select

from bot.catalog import queries
from bot.catalog import service as catalog
from bot.catalog.model import Entry, EntryKind
from bot.commands import member
from bot.database import open_database
from db import models as m
from db import search
from db.reader import SQLiteReader, run_to_end
from db.reads import ReadConnection
from tests.db.test_reads import NAMES, SEARCHES


async def read_all(db) -> list[object]:
    """Every catalog read, each through ``db.read`` (the read thread on SQLite)."""
    out: list[object] = []
    for name in NAMES:
        hits = await db.read(queries.find_model, name, limit=5)
        out.append([(h.id, h.entry) for h in hits])
        out.append(await db.read(queries.suggest_names, name[:3]))
        out.append(await db.read(queries.closest_names, name))
        out.append(await db.read(queries.model_answer, name))
    for text in SEARCHES:
        hits, total = await db.read(queries.search_entries, text, limit=10, offset=0)
        out.append(([h.id for h in hits], total))
        for read in (queries.by_org, queries.by_author, queries.surveys):
            hits, total = await db.read(read, text, limit=4, offset=1)
            out.append(([h.id for h in hits], total))
    for topic in ("speech", "vision", "multilingual"):
        hits, total = await db.read(queries.recent, topic, count=7, offset=1)
        out.append(([h.id for h in hits], total))
    for offset in (0, 5, 10_000):
        hits, total = await db.read(queries.surveys, None, limit=5, offset=offset)
        out.append(([h.id for h in hits], total))
    out.append(await db.read(search.search, "model", kinds=["survey"], limit=5))
    return out


async def test_the_read_threads_read_what_a_plain_connection_reads(db_path):
    threaded = await open_database(f"sqlite+aiosqlite:///{db_path}")
    plain = await open_database(f"sqlite+aiosqlite:///{db_path}", read_threads=0)
    try:
        assert threaded.reader is not None and plain.reader is None
        expected = await read_all(plain)
        assert await read_all(threaded) == expected
        # Non-empty answers, so the comparison means something.
        assert any(expected[i] for i in range(0, len(expected), 4))
    finally:
        await threaded.close()
        await plain.close()


async def test_a_read_is_one_call_in_a_read_thread_on_its_own_connection(db):
    seen: list[tuple[str, type]] = []

    async def probe(conn, name):
        seen.append((threading.current_thread().name, type(conn)))
        return await queries.find_model(conn, name, limit=1)

    hits = await db.read(probe, "DeBERTa")
    assert [h.entry.name for h in hits] == ["DeBERTa"]
    ((thread, conn_type),) = seen
    assert thread.startswith("ptm-read") and thread != threading.current_thread().name
    assert conn_type is ReadConnection


async def test_a_read_that_awaits_something_else_fails_clearly_and_the_reader_goes_on(db):
    async def sleeps(conn):
        await asyncio.sleep(0)
        return 1

    with pytest.raises(RuntimeError, match="awaited something that is not a statement"):
        await db.read(sleeps)
    assert [h.entry.name for h in await db.read(queries.find_model, "DeBERTa", limit=1)] == ["DeBERTa"]


async def test_a_read_connection_cannot_write(db):
    async def writes(conn):
        await conn.rows("DELETE FROM entries")
        return "deleted"

    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await db.read(writes)
    async with db.sessions() as s:
        assert await s.scalar(select(m.Entry.id).limit(1)) is not None


async def test_a_read_sees_what_was_committed_just_before(db):
    entry = Entry(kind=EntryKind.MODEL, name="ZebraLM", org="Zoo", paper_title="Zebras all the way down")
    assert await db.read(queries.find_model, "ZebraLM") == []  # the read thread's connection is open
    async with db.begin() as s:
        await catalog.add_entry(s, entry)
    hits = await db.read(queries.find_model, "ZebraLM")
    assert [h.entry.name for h in hits] == ["ZebraLM"]
    found, total = await db.read(queries.search_entries, "zebras")
    assert total == 1 and found[0].entry.name == "ZebraLM"


async def test_a_read_sees_one_snapshot_from_its_first_statement_to_its_last(db, db_path):
    async def count_twice(conn):
        first = (await conn.rows("SELECT count(*) AS n FROM entries"))[0]["n"]
        # Another connection commits a delete between the two statements of this read.
        other = sqlite3.connect(db_path, isolation_level=None)
        try:
            other.execute("PRAGMA foreign_keys=ON")
            other.execute("DELETE FROM entries WHERE id = (SELECT max(id) FROM entries)")
        finally:
            other.close()
        second = (await conn.rows("SELECT count(*) AS n FROM entries"))[0]["n"]
        return first, second

    first, second = await db.read(count_twice)
    assert first == second
    after = await db.read(count_twice)
    assert after[0] == first - 1


async def test_reads_in_flight_together_all_answer(db):
    names = ["DeBERTa", "ViT", "wav2vec 2.0", "GPT", "T5", "BART", "CLIP", "XLNet"] * 4
    pages = await asyncio.gather(*(member.model(db, name) for name in names))
    assert len(pages) == len(names)
    for name, page in zip(names, pages, strict=True):
        assert page.embeds and page.embeds[0].title, name


async def test_echo_logs_the_read_threads_statements(db_path, caplog):
    echoing = await open_database(f"sqlite+aiosqlite:///{db_path}", echo=True)
    try:
        with caplog.at_level(logging.INFO, logger="sqlalchemy.engine.Engine"):
            assert await echoing.read(queries.find_model, "DeBERTa", limit=1)
        lines = [r.getMessage() for r in caplog.records if r.name == "sqlalchemy.engine.Engine"]
        assert any("FROM entries" in line for line in lines)
        assert any(line.startswith("[read connection]") for line in lines)
    finally:
        await echoing.close()


async def _one(conn):
    return await conn.rows("SELECT 1 AS one")


async def test_a_closed_reader_refuses_and_closes_its_connections(db_path):
    reader = SQLiteReader(str(db_path), threads=2)
    assert [tuple(r) for r in await reader.run(_one)] == [(1,)]
    connections = list(reader._connections)
    reader.close()
    with pytest.raises(sqlite3.ProgrammingError):
        connections[0].execute("SELECT 1")
    with pytest.raises(RuntimeError, match="closed"):
        await reader.run(_one)


def test_run_to_end_returns_the_value_of_a_coroutine_that_never_suspends():
    async def plain(x):
        return x * 2

    assert run_to_end(plain(21)) == 42
    with pytest.raises(ValueError, match="at least one thread"):
        SQLiteReader("x.sqlite3", threads=0)
