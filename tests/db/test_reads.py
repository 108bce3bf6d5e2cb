"""The one read API (db.reads): ``db.read(fn)`` hands ``fn`` a ``Reads``, one protocol with three
implementations (a read thread's connection, a plain connection, a unit of work's session) that
read the same; and the search index's listener (db.session, db.search)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import queries
from bot.catalog import service as catalog
from bot.catalog.model import Entry, EntryKind
from bot.catalog.queries import load as load_module
from bot.database import open_database
from db import models as m
from db import search
from db.normalize import norm_key
from db.reads import ConnectionReads, ReadConnection, SessionReads

NAMES = ["DeBERTa", "deberta v2", "wav2vec 2.0", "nystromformer", "vit", "wav2vce", "GPT", "zzzz"]
SEARCHES = ["distillation", "speech recognition", "蒸馏", "Google", "multilingual translation"]


async def read_everything(reads) -> list[object]:
    """Every catalog read on one ``Reads``."""
    out: list[object] = []
    for name in NAMES:
        hits = await queries.find_model(reads, name, limit=5)
        out.append([(h.id, h.entry) for h in hits])
        out.append(await queries.suggest_names(reads, name[:3]))
        out.append(await queries.closest_names(reads, name))
        if hits:
            out.append([h.id for h in await queries.related(reads, hits[0])])
    for text in SEARCHES:
        hits, total = await queries.search_entries(reads, text, limit=10, offset=0)
        out.append(([h.id for h in hits], total))
        for read in (queries.by_org, queries.by_author, queries.surveys):
            hits, total = await read(reads, text, limit=4, offset=1)
            out.append(([h.id for h in hits], total))
    for topic in ("speech", "vision", "multilingual"):
        hits, total = await queries.recent(reads, topic, count=7, offset=1)
        out.append(([h.id for h in hits], total))
    out.append(await search.search(reads, "model", kinds=["survey", "model"], limit=5))
    out.append(await search.search(reads, "bert", kinds=["model"], order="date", limit=5))
    return out


async def test_every_implementation_reads_the_same(db, db_path):
    """A read thread (db.read on a file), a plain connection (read_threads = 0) and a unit of
    work's session answer every catalog read alike."""
    on_thread = await db.read(read_everything)
    plain = await open_database(f"sqlite+aiosqlite:///{db_path}", read_threads=0)
    try:
        assert await plain.read(read_everything) == on_thread
    finally:
        await plain.close()
    async with db.begin() as s:
        assert await read_everything(SessionReads(s)) == on_thread
    assert sum(1 for x in on_thread if x) > len(on_thread) // 2  # answers, not empty lists


async def test_db_read_hands_a_read_connection_or_a_plain_connection(db, db_path):
    """Without read threads (read_threads = 0, an in-memory SQLite) db.read reads on a plain
    connection, never a session: one protocol, no session path."""
    seen: list[type] = []

    async def probe(reads):
        seen.append(type(reads))
        return [h.entry.name for h in await queries.find_model(reads, "DeBERTa", limit=1)]

    assert await db.read(probe) == ["DeBERTa"]
    plain = await open_database(f"sqlite+aiosqlite:///{db_path}", read_threads=0)
    memory = await open_database("sqlite+aiosqlite://")
    try:
        assert plain.reader is None and memory.reader is None
        assert await plain.read(probe) == ["DeBERTa"]
        assert await memory.read(probe) == ["DeBERTa"]
    finally:
        await plain.close()
        await memory.close()
    assert seen == [ReadConnection, ConnectionReads, ConnectionReads]


async def test_an_in_memory_catalog_reads_as_a_file_does(db):
    memory = await open_database("sqlite+aiosqlite://")
    try:
        names = [h.entry.name for h, _ in [await memory.read(queries.model_page, "wav2vec 2.0")]]
        assert names == [h.entry.name for h, _ in [await db.read(queries.model_page, "wav2vec 2.0")]]
        assert await memory.read(queries.closest_names, "wav2vce") == await db.read(
            queries.closest_names, "wav2vce"
        )
        assert await memory.read(read_everything) == await db.read(read_everything)
    finally:
        await memory.close()


async def _by_ids(reads, ids):
    sql = (
        "SELECT id AS entry_id, name FROM entries WHERE id IN (SELECT value FROM json_each(:ids)) ORDER BY id"
    )
    return [(r["entry_id"], r["name"]) for r in await reads.rows(sql, {"ids": ids})]


@pytest.mark.parametrize("ids", [[1, 2], (2, 1), {1, 2}, frozenset({2}), []])
async def test_a_list_is_one_parameter_and_rows_read_by_name(db, db_path, ids):
    expected = await db.read(_by_ids, ids)
    assert [i for i, _ in expected] == sorted(ids)
    plain = await open_database(f"sqlite+aiosqlite:///{db_path}", read_threads=0)
    try:
        assert await plain.read(_by_ids, ids) == expected
    finally:
        await plain.close()
    async with db.sessions() as s:
        assert await _by_ids(SessionReads(s), ids) == expected


async def test_statements_reach_sqlite_as_written_whatever_the_list_length(db_path, caplog):
    """No statement is rewritten at run time: the read thread runs the module's constant itself
    (its echo shows it), the same text for 1 or 40 ids (a list is one JSON parameter)."""
    echoing = await open_database(f"sqlite+aiosqlite:///{db_path}", echo=True)
    try:
        with caplog.at_level(logging.INFO, logger="sqlalchemy.engine.Engine"):
            await echoing.read(load_module.load, [1])
            await echoing.read(load_module.load, list(range(1, 41)))
        lines = [r.getMessage() for r in caplog.records if r.name == "sqlalchemy.engine.Engine"]
        assert lines.count(load_module._LOAD_SQL.sqlite) == 2
        assert "[read connection] {'ids': '[1]'}" in lines
    finally:
        await echoing.close()


async def test_echo_logs_the_catalog_reads_on_every_path(db_path, caplog):
    for threads in (2, 0):
        echoing = await open_database(f"sqlite+aiosqlite:///{db_path}", echo=True, read_threads=threads)
        try:
            caplog.clear()
            with caplog.at_level(logging.INFO, logger="sqlalchemy.engine.Engine"):
                assert await echoing.read(queries.find_model, "DeBERTa", limit=1)
            statements = [r.getMessage() for r in caplog.records if r.name == "sqlalchemy.engine.Engine"]
            assert any("FROM entries" in line for line in statements), (threads, statements)
            assert any("UNION ALL SELECT 4" in line for line in statements), threads  # the load
        finally:
            await echoing.close()


async def test_a_read_thread_refuses_a_core_statement_clearly(db):
    async def core(reads):
        return await reads.rows(select(m.Entry.id).limit(1))

    with pytest.raises(TypeError, match="runs SQL text"):
        await db.read(core)
    async with db.sessions() as s:
        assert [r["id"] for r in await core(SessionReads(s))]


async def add_omni(session: AsyncSession) -> None:
    await catalog.add_entry(session, Entry(kind=EntryKind.MODEL, name="Omnivorous-XYZ"))


async def test_the_index_listener_belongs_to_the_databases_own_sessions(db):
    # A session of another factory (here: a bare AsyncSession on the same engine) is not watched.
    async with AsyncSession(db.engine, expire_on_commit=False) as s, s.begin():
        await add_omni(s)
    assert (await db.read(search.search, "Omnivorous"))[1] == 0
    # The Database's sessions reindex every entry they write.
    async with db.begin() as s:
        await search.reindex(s)
        assert (await search.search(SessionReads(s), "Omnivorous"))[1] == 1
        await catalog.add_entry(s, Entry(kind=EntryKind.MODEL, name="Herbivorous-XYZ"))
    assert (await db.read(search.search, "Herbivorous"))[1] == 1


async def test_a_unit_of_works_reads_see_its_own_pending_writes(db):
    async with db.begin() as s:
        s.add(m.Alias(entry_id=1, alias="Pending-Alias-XYZ", norm_alias=norm_key("Pending-Alias-XYZ")))
        hits = await queries.find_model(SessionReads(s), "Pending-Alias-XYZ", limit=1)
        assert [h.id for h in hits] == [1]
        await add_omni(s)
        hits = await queries.find_model(SessionReads(s), "Omnivorous-XYZ", limit=1)
        assert hits and hits[0].entry.name == "Omnivorous-XYZ"


async def test_a_reindex_replaces_the_rows_of_the_entries_it_is_given(db):
    """The index's delete binds the ids as one parameter: every old row goes, none is doubled."""
    async with db.begin() as s:
        ids = list((await s.scalars(select(m.Entry.id))).all())
        await s.execute(update(m.Entry).values(description="Quuxolite"))  # bulk: the listener does not see it
        assert (await search.search(SessionReads(s), "Quuxolite"))[1] == 0
        await search.reindex(s, ids)
    assert (await db.read(search.search, "Quuxolite", limit=1))[1] == len(ids) > 100

    async def index_rows(reads):
        return (await reads.rows("SELECT count(*) AS n FROM entry_search"))[0]["n"]

    assert await db.read(index_rows) == len(ids)
