"""Migration 0015 (moderators' changes as catalog revisions) on SQLite: up from 0014 keeps every
revision, takes the new actions and a NULL export; down deletes the moderators' revisions only."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, make_url, text

from bot.cli.main import main
from db.session import _alembic_config, head_revision

INSERT = "INSERT INTO catalog_revisions (at, action, source, summary, before) VALUES (?, ?, ?, ?, ?)"
AT = "2026-12-07 06:00:00.000000"


def _migrate(path, action: str, revision: str) -> None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        getattr(command, action)(_alembic_config(conn), revision)
    engine.dispose()


def _revisions(path) -> list[tuple]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT id, action, source, before IS NULL FROM catalog_revisions ORDER BY id"
        ).fetchall()


def test_0015_upgrades_from_0014_keeping_every_revision_and_downgrades(db_path, capsys) -> None:
    _migrate(db_path, "downgrade", "0014")
    with sqlite3.connect(db_path) as conn:
        conn.execute(INSERT, (AT, "import", "old.md", "1 added", "# old\n"))
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):  # 0014 knows whole lists only
            conn.execute(INSERT, (AT, "approve", "arXiv 2101.00001", "", "x"))
        with pytest.raises(sqlite3.IntegrityError, match="NOT NULL"):
            conn.execute(INSERT, (AT, "import", "x.md", "", None))
    before = _revisions(db_path)
    assert [r[1] for r in before] == ["seed", "import"]

    _migrate(db_path, "upgrade", "head")
    assert int(head_revision() or 0) >= 15  # 0016 (issue 21) and later build on it
    assert _revisions(db_path) == before  # every revision kept, exports included
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM catalog_revisions WHERE change IS NOT NULL").fetchone() == (
            0,
        )
        conn.execute(
            "INSERT INTO catalog_revisions (at, action, source, summary, before, change) VALUES (?, ?, ?, ?, ?, ?)",
            (AT, "approve", "arXiv 2101.00001", "added", None, '{"arxiv_id": "2101.00001"}'),
        )
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute(INSERT, (AT, "bogus", "x", "", None))
    # The upgraded catalog works: a moderator's edit is a revision, history lists it.
    assert main(["ask", "/ptm-admin edit XLNet org Google Brain", "--db", str(db_path)]) == 0
    capsys.readouterr()
    assert main(["history", "--db", str(db_path), "--limit", "1"]) == 0
    assert " edit " in capsys.readouterr().out

    _migrate(db_path, "downgrade", "0014")
    assert _revisions(db_path) == before  # the moderators' revisions deleted, the rest kept
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0014",)
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute(INSERT, (AT, "approve", "arXiv 2101.00001", "", "x"))
    _migrate(db_path, "upgrade", "head")
    assert _revisions(db_path) == before


SERVER = os.environ.get("PTM_BOT_TEST_POSTGRES_URL")


async def _pg_admin(sql: str) -> None:
    import asyncpg

    url = make_url(SERVER or "")
    conn = await asyncpg.connect(url.set(drivername="postgresql").render_as_string(hide_password=False))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _pg_migrate(url: str, action: str, target: str) -> list[str]:
    """Run a migration on PostgreSQL, then the revisions' actions in order."""
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(lambda sync: getattr(command, action)(_alembic_config(sync), target))
        async with engine.connect() as conn:
            rows = await conn.execute(text("SELECT action FROM catalog_revisions ORDER BY id"))
            return [a for (a,) in rows]
    finally:
        await engine.dispose()


@pytest.fixture
def pg_url():
    """A database of its own on the test PostgreSQL server (its URL)."""
    if not SERVER:
        pytest.skip("PTM_BOT_TEST_POSTGRES_URL is not set")
    name = f"ptm_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(SERVER).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE "{name}" WITH (FORCE)'))


def test_0015_and_a_forced_revert_on_postgres(pg_url, capsys, tmp_path) -> None:
    from tests.catalog.test_revisions import FEED, new_list

    assert main(["init", "--db", pg_url]) == 0
    config = tmp_path / "config.toml"
    config.write_text("[relevance]\nthreshold = 0.001\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["poll", "--feed", str(FEED), "--db", pg_url, "--config", str(config), "--json"]) == 0
    paper = next(c["arxiv_id"] for c in json.loads(capsys.readouterr().out)["candidates"] if c["suggest"])
    assert main(["import", new_list(tmp_path, "PgNetA", "2101.00011"), "--db", pg_url, "--json"]) == 0
    rev = json.loads(capsys.readouterr().out)["revision"]
    assert main(["ask", f"/ptm-admin approve {paper} name=PgApproved", "--db", pg_url]) == 0
    capsys.readouterr()
    assert main(["revert", str(rev), "--db", pg_url]) == 2
    assert f"approval of arXiv {paper} ('PgApproved')" in capsys.readouterr().out
    assert main(["revert", str(rev), "--db", pg_url, "--force"]) == 0
    capsys.readouterr()
    assert main(["ask", "/ptm-admin pending", "--db", pg_url, "--json"]) == 0
    assert paper in capsys.readouterr().out  # pending again

    assert asyncio.run(_pg_migrate(pg_url, "downgrade", "0014")) == ["seed", "import", "revert"]
    assert asyncio.run(_pg_migrate(pg_url, "upgrade", "head")) == ["seed", "import", "revert"]
