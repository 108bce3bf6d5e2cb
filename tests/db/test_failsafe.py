"""The database is ours or left alone, and a migration lands whole or not at all (issue 11)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event

import db.session as db_session
from bot.cli.main import main
from bot.database import open_database
from db.session import head_revision

# Every statement that changes the schema or the revision marker: a failure is injected after each.
SCHEMA_CHANGE = re.compile(
    r"^\s*(CREATE|DROP|ALTER|INSERT INTO alembic_version|UPDATE alembic_version|DELETE FROM entry_search)",
    re.IGNORECASE,
)


class InjectedFailure(Exception):
    pass


def url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def schema(path: Path) -> list[tuple[str, str, str | None]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
        ).fetchall()
        version = []
        if any(r[1] == "alembic_version" for r in rows):
            version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
        counts = []
        if any(r[1] == "entries" for r in rows):
            counts = conn.execute("SELECT count(*) FROM entries").fetchall()
    finally:
        conn.close()
    # A batch-rebuilt table lists its constraints in no fixed order: compare the lines as a set.
    rows = [
        (t, n, "\n".join(sorted(x.rstrip(", ") for x in sql.splitlines())) if sql else sql)
        for t, n, sql in rows
    ]
    return [*rows, ("version", str(version), None), ("entries", str(counts), None)]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def journal_mode(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        conn.close()


def inject(monkeypatch: pytest.MonkeyPatch, fail_at: int | None, seen: list[str]) -> None:
    """Count schema statements run by migrations; raise right after the *fail_at*-th one."""
    real = db_session._migration_engine

    def wrapped(u, busy_timeout_ms):  # type: ignore[no-untyped-def]
        engine = real(u, busy_timeout_ms)

        @event.listens_for(engine.sync_engine, "after_cursor_execute")
        def _after(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            if SCHEMA_CHANGE.match(statement):
                seen.append(statement)
                if fail_at is not None and len(seen) == fail_at:
                    raise InjectedFailure(statement[:60])

        return engine

    monkeypatch.setattr(db_session, "_migration_engine", wrapped)


async def migrate_only(path: Path) -> None:
    db = await open_database(url(path), seed=False)
    await db.close()


def count_statements(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, prepare) -> int:  # type: ignore[no-untyped-def]
    probe = tmp_path / "probe.sqlite3"
    prepare(probe)
    seen: list[str] = []
    inject(monkeypatch, None, seen)
    asyncio.run(migrate_only(probe))
    monkeypatch.undo()
    return len(seen)


@pytest.mark.slow
def test_an_interrupted_first_init_leaves_nothing_and_init_then_works(tmp_path, monkeypatch, capsys):
    total = count_statements(tmp_path, monkeypatch, lambda p: None)
    assert total >= 30  # every CREATE of 0001..0003 and the revision marker
    reference = tmp_path / "reference.sqlite3"
    asyncio.run(migrate_only(reference))
    for n in range(1, total + 1):
        path = tmp_path / f"fresh{n}.sqlite3"
        seen: list[str] = []
        inject(monkeypatch, n, seen)
        with pytest.raises(InjectedFailure):
            asyncio.run(migrate_only(path))
        monkeypatch.undo()
        # As before: not one table, no revision.
        assert schema(path) == [("version", "[]", None), ("entries", "[]", None)], seen[-1]
        if n in (1, total // 2, total):  # init proper (which also fills the catalog: slow)
            assert main(["init", "--db", str(path)]) == 0
            assert "catalog ready" in capsys.readouterr().out
        else:  # the same start as a new file: the migration alone shows it finishes
            asyncio.run(migrate_only(path))
            assert schema(path) == schema(reference)


def _catalog_at_0001(path: Path, shipped: Path) -> None:
    """A populated catalog as an older ptm-bot left it (revision 0001)."""
    shutil.copyfile(shipped, path)
    from alembic import command

    from db.session import _alembic_config

    async def down() -> None:
        engine = db_session.create_engine(url(path))
        async with engine.begin() as conn:
            await conn.run_sync(lambda c: command.downgrade(_alembic_config(c), "0001"))
        await engine.dispose()

    asyncio.run(down())


@pytest.mark.slow
def test_an_interrupted_upgrade_of_a_populated_catalog_is_all_or_nothing(
    tmp_path, monkeypatch, shipped_db_file, capsys
):
    old = tmp_path / "old.sqlite3"
    _catalog_at_0001(old, shipped_db_file)
    before = schema(old)
    assert ("version", "[('0001',)]", None) in before
    total = count_statements(tmp_path, monkeypatch, lambda p: shutil.copyfile(old, p))
    assert total >= 5
    for n in range(1, total + 1):
        path = tmp_path / f"up{n}.sqlite3"
        shutil.copyfile(old, path)
        inject(monkeypatch, n, [])
        with pytest.raises(InjectedFailure):
            asyncio.run(migrate_only(path))
        monkeypatch.undo()
        assert schema(path) == before  # as before, entries included
        assert main(["init", "--db", str(path)]) == 0
        capsys.readouterr()
        after = schema(path)
        assert (("version", f"[('{head_revision()}',)]", None)) in after
        assert main(["search", "BERT", "--db", str(path)]) == 0
        assert "BERT" in capsys.readouterr().out


def test_a_catalog_left_half_created_by_an_older_version_is_finished_by_init(tmp_path, capsys):
    from sqlalchemy import create_engine

    from db.models import Base

    path = tmp_path / "half.sqlite3"
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)  # tables, no revision: what the old, non-atomic init could leave
    engine.dispose()
    assert main(["stats", "--db", str(path)]) == 2
    assert "interrupted (run ptm-bot init)" in capsys.readouterr().err
    assert main(["init", "--db", str(path)]) == 0
    assert "catalog ready" in capsys.readouterr().out


def _other_app_db(path: Path, *, wal: bool = False, table: str = "notes") -> None:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"CREATE TABLE {table} (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute(f"INSERT INTO {table} (body) VALUES ('keep me')")
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    "command",
    [
        ["stats"],
        ["export"],
        ["init"],
        ["search", "x"],
        ["feeds"],
        ["import", "-"],
        ["health"],
        ["health", "--json"],
    ],
)
@pytest.mark.parametrize("table", ["notes", "entries"])
def test_another_applications_database_is_refused_and_left_byte_identical(tmp_path, capsys, command, table):
    path = tmp_path / "notes.db"
    _other_app_db(path, table=table)
    digest, mode = sha(path), journal_mode(path)
    if command == ["import", "-"]:
        listing = tmp_path / "list.md"
        listing.write_text("# list\n", encoding="utf-8")
        command = ["import", str(listing)]
    if command[0] == "health":  # the same words, as a problem line: exit 1, never 2 (issue 21)
        assert main([*command, "--db", str(path)]) == 1
        out, err = capsys.readouterr()
        says = f"{path} is not a ptm-bot catalog (it holds other tables: {table}); left unchanged"
        if "--json" in command:
            assert f"database: {says}" in json.loads(out)["problems"]
        else:
            assert f"PROBLEM  database: {says}" in out.splitlines()
        assert err == ""
    else:
        assert main([*command, "--db", str(path)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is not a ptm-bot catalog" in err and table in err
    assert sha(path) == digest and journal_mode(path) == mode == "delete"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["notes.db", *(["list.md"] if "import" in command else [])]
    )


def test_a_foreign_database_in_wal_mode_keeps_its_bytes(tmp_path, capsys):
    path = tmp_path / "wal.db"
    _other_app_db(path, wal=True)
    digest = sha(path)
    assert main(["init", "--db", str(path)]) == 2
    assert sha(path) == digest and journal_mode(path) == "wal"


@pytest.mark.parametrize("command", [["stats"], ["export"], ["search", "BERT"], ["feeds"], ["model", "BERT"]])
def test_other_commands_do_not_create_a_catalog(tmp_path, capsys, command):
    path = tmp_path / "typo-prod.sqlit3"
    assert main([*command, "--db", str(path)]) == 2
    assert capsys.readouterr().err == f"ptm-bot: no catalog at {path} (run ptm-bot init)\n"
    assert list(tmp_path.iterdir()) == []


def test_no_parent_directory_is_created(tmp_path, capsys):
    path = tmp_path / "missing" / "dir" / "c.sqlite3"
    assert main(["init", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err
    assert list(tmp_path.iterdir()) == []


def test_import_dry_run_on_a_new_path_writes_nothing(tmp_path, capsys):
    listing = tmp_path / "list.md"
    listing.write_text(
        "# List\n\n## PTM\n\n1906: [NewNet](https://example.org/newnet) released with the paper "
        "[NewNet: a model](https://arxiv.org/abs/1906.00001) by Ada Lovelace.\n",
        encoding="utf-8",
    )
    path = tmp_path / "new.sqlite3"
    assert main(["import", str(listing), "--dry-run", "--db", str(path)]) == 0
    assert "nothing was written" in capsys.readouterr().out
    assert not path.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["list.md"]


def test_import_dry_run_on_a_catalog_leaves_it_byte_identical(tmp_path, db_path, capsys):
    listing = tmp_path / "list.md"
    listing.write_text(
        "# List\n\n## PTM\n\n1906: [NewNet](https://example.org/newnet) released with the paper "
        "[NewNet: a model](https://arxiv.org/abs/1906.00001) by Ada Lovelace.\n",
        encoding="utf-8",
    )
    digest = sha(db_path)
    assert main(["import", str(listing), "--dry-run", "--db", str(db_path)]) == 0
    assert sha(db_path) == digest


def test_import_dry_run_on_an_old_catalog_does_not_migrate_it(tmp_path, shipped_db_file, capsys):
    old = tmp_path / "old.sqlite3"
    _catalog_at_0001(old, shipped_db_file)
    listing = tmp_path / "list.md"
    listing.write_text("# List\n", encoding="utf-8")
    digest = sha(old)
    assert main(["import", str(listing), "--dry-run", "--db", str(old)]) == 2
    assert "needs migrating" in capsys.readouterr().err
    assert sha(old) == digest


def test_health_on_an_old_catalog_says_it_needs_migrating_and_changes_nothing(
    tmp_path, shipped_db_file, capsys
):
    old = tmp_path / "old.sqlite3"
    _catalog_at_0001(old, shipped_db_file)
    digest = sha(old)
    assert main(["health", "--db", str(old)]) == 1  # never 2 (issue 21): a problem line
    out, err = capsys.readouterr()
    assert err == "" and (
        f"PROBLEM  database: the catalog at {old} needs migrating (revision 0001); run ptm-bot init first"
        in out.splitlines()
    )
    assert sha(old) == digest


@pytest.mark.parametrize("mode", ["delete", "wal"])
def test_health_never_changes_the_journal_mode(tmp_path, db_path, capsys, mode):
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA journal_mode={mode}")
    conn.close()
    digest = sha(db_path)
    main(["health", "--db", str(db_path)])
    out = capsys.readouterr().out
    assert "ok       database: reachable, at the newest migration" in out and "catalog: 17 surveys" in out
    assert journal_mode(db_path) == mode and sha(db_path) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.sqlite3"]  # no -wal, no -shm left


def test_run_without_a_token_opens_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    path = tmp_path / "bot.sqlite3"
    assert main(["run", "--db", str(path)]) == 2
    assert "no Discord token" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_empty_db_option_is_an_error(capsys):
    assert main(["stats", "--db", ""]) == 2
    assert capsys.readouterr().err == "ptm-bot: --db is empty: give a database file or URL\n"


def test_a_catalog_from_a_newer_version_is_left_alone(db_path, capsys):
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.commit()
    conn.close()
    digest = sha(db_path)
    assert main(["init", "--db", str(db_path)]) == 2
    assert "is at database revision 0099, unknown to this version of ptm-bot" in capsys.readouterr().err
    assert sha(db_path) == digest


def test_poll_dry_run_does_not_migrate_an_old_catalog(tmp_path, shipped_db_file, capsys):
    old = tmp_path / "old.sqlite3"
    _catalog_at_0001(old, shipped_db_file)
    digest = sha(old)
    feed = Path(__file__).resolve().parents[1] / "fixtures" / "feeds" / "rss2-cs.CL-2026-04-27-trimmed.xml"
    assert main(["poll", "--db", str(old), "--feed", str(feed), "--dry-run"]) == 2
    assert "needs migrating" in capsys.readouterr().err
    assert sha(old) == digest


@pytest.mark.parametrize(
    "left_behind",
    [
        ["CREATE INDEX ix_entry_topics_topic_slug ON entry_topics (topic_slug)"],
        [
            "CREATE INDEX ix_entry_topics_topic_slug ON entry_topics (topic_slug)",
            "CREATE INDEX ix_entries_kind_year_month ON entries (kind, year, month)",
            "CREATE VIRTUAL TABLE entry_search USING fts5(names, title, authors, org, body, kind UNINDEXED)",
        ],
    ],
)
def test_init_finishes_an_upgrade_an_older_version_left_half_done(
    tmp_path, shipped_db_file, capsys, left_behind
):
    """Before issue 11 the DDL of 0002/0003 ran outside a transaction: a crash left an index behind
    and every later command failed with "index ... already exists". init now finishes the upgrade."""
    path = tmp_path / "bricked.sqlite3"
    _catalog_at_0001(path, shipped_db_file)
    conn = sqlite3.connect(path)
    for statement in left_behind:
        conn.execute(statement)
    conn.commit()
    conn.close()
    assert main(["init", "--db", str(path)]) == 0
    capsys.readouterr()
    assert ("version", f"[('{head_revision()}',)]", None) in schema(path)
    assert main(["search", "BERT", "--db", str(path)]) == 0
    assert "BERT" in capsys.readouterr().out
