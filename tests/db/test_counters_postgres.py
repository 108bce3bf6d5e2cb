"""Migration 0016 (issue 21): on PostgreSQL the topic and kind counters are kept once per
statement (statement-level triggers with transition tables), and a bulk insert goes as multi-row
pages, so a bulk write rewrites a counter row once per page, not once per row; the counters stay
exactly what ``count(*) ... GROUP BY`` gives. PostgreSQL tests run when
``PTM_BOT_TEST_POSTGRES_URL`` names a server (``.ci/run`` starts one), skipped otherwise."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import uuid
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import case, create_engine, delete, insert, make_url, select, text, update

from bot.cli.main import main
from bot.database import open_database
from db import models as m
from db.session import _alembic_config
from tests.catalog.test_revisions import XLNET
from tests.db.test_counts import counts_match

SERVER = os.environ.get("PTM_BOT_TEST_POSTGRES_URL")
needs_server = pytest.mark.skipif(not SERVER, reason="PTM_BOT_TEST_POSTGRES_URL is not set")
STATEMENT = [f"{c}_{s}" for c in ("kind_counts", "topic_counts") for s in ("delete", "insert", "update")]
ROW = [f"{c}_{s}" for c in ("kind_counts", "topic_counts") for s in ("keep", "keep_update")]
WRITES = (
    "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
    "WHERE relname IN ('topic_counts', 'kind_counts')"
)


async def _admin(sql: str) -> None:
    import asyncpg

    url = make_url(SERVER or "")
    conn = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture
def pg_url():
    """A database of its own on the test server (its URL)."""
    name = f"ptm_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


def _entries(n: int, first: int) -> list[dict]:
    kinds = ("model", "survey", "resource")
    return [
        {
            "id": first + i,
            "kind": kinds[i % 3],
            "name": f"BulkNet-{first + i}",
            "norm_name": f"bulknet-{first + i}",
            "section_key": "ptm",
            "position": float(first + i),
        }
        for i in range(n)
    ]


async def _writes(session, before: dict[str, int] | None = None) -> dict[str, int]:
    """Counter rows written so far (pg_stat_xact_* may hold earlier transactions' counts not yet
    flushed: compare two readings in one transaction)."""
    now = dict((await session.execute(text(WRITES))).all())
    return {k: now.get(k, 0) - (before or {}).get(k, 0) for k in ("kind_counts", "topic_counts")}


async def _bulk_writes(url: str) -> dict[str, int]:
    """1,500 entries and 3,000 topic rows in two executemany INSERTs, checked; returns how many
    counter row writes that transaction made."""
    db = await open_database(url)
    try:
        async with db.begin() as s:
            before = await _writes(s)
            first = (await s.scalar(select(m.Entry.id).order_by(m.Entry.id.desc()).limit(1)) or 0) + 1
            entries = _entries(1500, first)
            await s.execute(insert(m.Entry), entries)
            await s.execute(
                insert(m.EntryTopic),
                [
                    {"entry_id": e["id"], "topic_slug": t, "source": "auto"}
                    for e in entries
                    for t in ("speech", "code")
                ],
            )
            writes = await _writes(s, before)
        await counts_match(db)
    finally:
        await db.close()
    return writes


@needs_server
async def test_a_bulk_insert_writes_each_counter_row_once_per_page_on_postgres(pg_url):
    # Row-level triggers (0011) wrote 1,500 and 3,000 counter rows here.
    writes = await _bulk_writes(pg_url)
    assert writes["kind_counts"] <= 2 * 3  # 2 pages of 1,000 rows, 3 kinds each
    assert writes["topic_counts"] <= 3 * 2  # 3 pages, 2 topics each


@needs_server
async def test_bulk_deletes_and_updates_keep_the_counts_exact_on_postgres(pg_url):
    await _bulk_writes(pg_url)
    db = await open_database(pg_url)
    try:
        async with db.begin() as s:  # one DELETE of many rows across topics
            await s.execute(
                delete(m.EntryTopic).where(
                    m.EntryTopic.entry_id % 7 == 0, m.EntryTopic.topic_slug != "vision"
                )
            )
        await counts_match(db)
        async with db.begin() as s:  # entries moved between kinds, topic rows between topics
            await s.execute(
                update(m.Entry)
                .where(m.Entry.name.like("BulkNet-%"))
                .values(
                    kind=case(
                        (m.Entry.kind == "model", "survey"),
                        (m.Entry.kind == "survey", "resource"),
                        else_="model",
                    )
                )
            )
            await s.execute(
                update(m.EntryTopic)
                .where(m.EntryTopic.topic_slug == "code", m.EntryTopic.entry_id % 2 == 0)
                .values(topic_slug="vision")
            )
        await counts_match(db)
        async with db.begin() as s:  # an update that leaves the counted columns alone writes no counter
            before = await _writes(s)
            await s.execute(update(m.Entry).where(m.Entry.name.like("BulkNet-%")).values(description="x"))
            await s.execute(update(m.EntryTopic).values(source="moderator"))
            assert await _writes(s, before) == {"kind_counts": 0, "topic_counts": 0}
        async with db.begin() as s:  # deleting entries cascades to their topics
            await s.execute(delete(m.Entry).where(m.Entry.id % 3 == 0))
        await counts_match(db)
    finally:
        await db.close()


def _list(tmp_path: Path, name: str, n: int, title: str) -> str:
    words = ("speech recognition", "image classification", "code generation", "machine translation")
    lines = [
        XLNET.replace("[XLNet]", f"[BulkNet-{i}]")
        .replace("1906.08237", f"2101.{i:05d}")
        .replace(
            "XLNet: Generalized Autoregressive Pretraining for Language Understanding",
            title.format(i=i, w=words[i % 4]),
        )
        for i in range(n)
    ]
    path = tmp_path / name
    path.write_text("## PTM\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


async def _counted(url: str) -> tuple[dict, dict]:
    db = await open_database(url)
    try:
        await counts_match(db)
        async with db.sessions() as s:
            topics = dict(
                (
                    await s.execute(
                        select(m.TopicCount.topic_slug, m.TopicCount.n).where(m.TopicCount.n != 0)
                    )
                ).all()
            )
            kinds = dict(
                (await s.execute(select(m.KindCount.kind, m.KindCount.n).where(m.KindCount.n != 0))).all()
            )
    finally:
        await db.close()
    return topics, kinds


def _cli(capsys, *argv: str) -> dict:
    capsys.readouterr()
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@needs_server
def test_an_import_and_its_revert_keep_the_counts_exact_on_postgres(pg_url, tmp_path, capsys):
    assert main(["init", "--db", pg_url]) == 0
    shipped = asyncio.run(_counted(pg_url))
    first = _cli(capsys, "import", _list(tmp_path, "a.md", 400, "BulkNet-{i}: {w} at scale"), "--db", pg_url)
    assert len(first["added"]) == 400
    topics, kinds = asyncio.run(_counted(pg_url))
    assert kinds["model"] == shipped[1]["model"] + 400
    # The same entries with other titles: their automatic topics move.
    second = _cli(
        capsys,
        "import",
        _list(tmp_path, "b.md", 400, "BulkNet-{i}: speech recognition"),
        "--db",
        pg_url,
        "--overwrite",
    )
    assert len(second["updated"]) == 400
    assert asyncio.run(_counted(pg_url))[0] != topics
    _cli(capsys, "revert", str(first["revision"]), "--db", pg_url, "--force")
    assert asyncio.run(_counted(pg_url)) == shipped


def _pg_migrate(url: str, target: str, action: str) -> list[str]:
    async def go() -> list[str]:
        from sqlalchemy.ext.asyncio import create_async_engine

        engine = create_async_engine(url)
        try:
            async with engine.begin() as conn:
                await conn.run_sync(lambda sync: getattr(command, action)(_alembic_config(sync), target))
                rows = await conn.execute(
                    text("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%counts%'")
                )
                return sorted(name for (name,) in rows)
        finally:
            await engine.dispose()

    return asyncio.run(go())


@needs_server
def test_0016_upgrade_and_downgrade_on_postgres(pg_url):
    assert main(["init", "--db", pg_url]) == 0
    assert _pg_migrate(pg_url, "0015", "downgrade") == ROW  # 0011's row-level triggers back
    asyncio.run(_bulk_writes(pg_url))  # counting right at 0015
    assert _pg_migrate(pg_url, "head", "upgrade") == STATEMENT
    writes = asyncio.run(_bulk_writes(pg_url))  # the counts carried over, still exact
    assert writes["kind_counts"] <= 6


def test_0016_leaves_sqlite_alone(db_path):
    def triggers() -> list[str]:
        with sqlite3.connect(db_path) as conn:
            rows = conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%counts%'"
            )
            return sorted(rows)

    at_head = triggers()
    assert [name for name, _ in at_head] == STATEMENT  # 0011's names on SQLite: row triggers
    assert all("FOR EACH STATEMENT" not in sql for _, sql in at_head)
    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0015")
    assert triggers() == at_head
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    engine.dispose()
    assert triggers() == at_head
