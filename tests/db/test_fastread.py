"""The catalog's reads (db.fastread) and the search index's listener (db.session, db.search)."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bot.catalog import queries
from bot.catalog import service as catalog
from bot.catalog.model import Entry, EntryKind
from bot.database import open_database
from db import fastread, search

NAMES = ["DeBERTa", "deberta v2", "wav2vec 2.0", "nystromformer", "vit", "wav2vce", "GPT", "zzzz"]
SEARCHES = ["distillation", "speech recognition", "蒸馏", "Google", "multilingual translation"]


async def read_everything(db) -> list[object]:
    out: list[object] = []
    async with db.sessions() as s:
        for name in NAMES:
            hits = await queries.find_model(s, name, limit=5)
            out.append([(h.id, h.entry) for h in hits])
            out.append(await queries.suggest_names(s, name[:3]))
            out.append(await queries.closest_names(s, name))
            if hits:
                out.append([h.id for h in await queries.related(s, hits[0])])
        for text in SEARCHES:
            hits, total = await queries.search_entries(s, text, limit=10, offset=0)
            out.append(([h.id for h in hits], total))
        for topic in ("speech", "vision", "multilingual"):
            hits, total = await queries.recent(s, topic, count=7, offset=1)
            out.append(([h.id for h in hits], total))
        out.append(await search.search(s, "model", kinds=["survey"], limit=5))
    return out


async def test_the_portable_path_reads_what_the_one_trip_path_reads(db, monkeypatch):
    one_trip = await read_everything(db)
    monkeypatch.setattr(fastread, "ONE_TRIP", False)
    assert await read_everything(db) == one_trip


async def test_echo_logs_the_catalog_reads_on_both_paths(db_path, caplog, monkeypatch):
    echoing = await open_database(f"sqlite+aiosqlite:///{db_path}", echo=True)
    try:
        for one_trip in (True, False):
            monkeypatch.setattr(fastread, "ONE_TRIP", one_trip)
            caplog.clear()
            with caplog.at_level(logging.INFO, logger="sqlalchemy.engine.Engine"):
                async with echoing.sessions() as s:
                    assert await queries.find_model(s, "DeBERTa", limit=1)
            statements = [r.getMessage() for r in caplog.records if r.name == "sqlalchemy.engine.Engine"]
            assert any("FROM entries" in line for line in statements), (one_trip, statements)
            assert any("UNION ALL SELECT 4" in line for line in statements), one_trip  # the load
    finally:
        await echoing.close()


async def test_rows_are_read_by_name(db, monkeypatch):
    sql = "SELECT id AS entry_id, name FROM entries WHERE id IN :ids ORDER BY id"
    for one_trip in (True, False):
        monkeypatch.setattr(fastread, "ONE_TRIP", one_trip)
        async with db.sessions() as s:
            rows = await fastread.fetch_rows(s, sql, {"ids": [1, 2]})
            empty = await fastread.fetch_rows(s, sql, {"ids": []})
        assert [(r["entry_id"], r["name"]) for r in rows][:1] and [r["entry_id"] for r in rows] == [1, 2]
        assert list(empty) == []


async def add_omni(session: AsyncSession) -> None:
    await catalog.add_entry(session, Entry(kind=EntryKind.MODEL, name="Omnivorous-XYZ"))


async def test_the_index_listener_belongs_to_the_databases_own_sessions(db):
    # A session of another factory (here: a bare AsyncSession on the same engine) is not watched.
    async with AsyncSession(db.engine, expire_on_commit=False) as s, s.begin():
        await add_omni(s)
    async with db.sessions() as s:
        assert (await search.search(s, "Omnivorous"))[1] == 0
    # The Database's sessions reindex every entry they write.
    async with db.begin() as s:
        await search.reindex(s)
        assert (await search.search(s, "Omnivorous"))[1] == 1
        await catalog.add_entry(s, Entry(kind=EntryKind.MODEL, name="Herbivorous-XYZ"))
    async with db.sessions() as s:
        assert (await search.search(s, "Herbivorous"))[1] == 1


@pytest.mark.parametrize("one_trip", [True, False])
async def test_reads_see_the_unit_of_works_own_pending_writes(db, monkeypatch, one_trip):
    monkeypatch.setattr(fastread, "ONE_TRIP", one_trip)
    async with db.begin() as s:
        s.add_all([])  # nothing pending: no flush needed
        await add_omni(s)
        hits = await queries.find_model(s, "Omnivorous-XYZ", limit=1)
        assert hits and hits[0].entry.name == "Omnivorous-XYZ"
