"""Migration 0020 (``link_checks``) on SQLite: it upgrades and downgrades, and the table's CHECK
constraints hold the link-check invariants (a dead link failed twice, a failing one says since
when, a move names where it leads)."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sqlalchemy import create_engine

from db.session import _alembic_config, head_revision

NOW = "2026-12-07 10:00:00.000000"
LATER = "2026-12-08 11:00:00.000000"
INSERT = (
    "INSERT INTO link_checks (url, status, http_status, final_url, first_failed_at, last_checked_at, "
    "consecutive_failures) VALUES (?, ?, ?, ?, ?, ?, ?)"
)


def _tables(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _migrate(path, action: str, revision: str) -> None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        getattr(command, action)(_alembic_config(conn), revision)
    engine.dispose()


@pytest.mark.parametrize(
    "row",
    [
        ("https://a/1", "dead", 404, None, NOW, LATER, 1),  # dead after one failure
        ("https://a/2", "failing", 404, None, None, NOW, 1),  # failing, but since when?
        ("https://a/3", "ok", 200, None, NOW, NOW, 0),  # answers, yet "failing since"
        ("https://a/4", "ok", 200, None, None, NOW, 2),  # answers with failures counted
        ("https://a/5", "moved", 301, None, None, NOW, 0),  # a move to nowhere
        ("https://a/6", "lost", 200, None, None, NOW, 0),  # no such status
        ("https://a/7", "failing", 999, None, NOW, NOW, 1),  # no such HTTP status
        ("https://a/8", "failing", 404, None, LATER, NOW, 1),  # failed after its last check
    ],
)
def test_0020_refuses_rows_that_break_an_invariant(db_path, row) -> None:
    with sqlite3.connect(db_path) as conn, pytest.raises(sqlite3.IntegrityError, match="CHECK"):
        conn.execute(INSERT, row)


def test_0020_upgrades_and_downgrades(db_path) -> None:
    assert "link_checks" in _tables(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
        conn.execute(INSERT, ("https://a/ok", "ok", 200, None, None, NOW, 0))
        conn.execute(INSERT, ("https://a/moved", "moved", 301, "https://b/", None, NOW, 0))
        conn.execute(INSERT, ("https://a/failing", "failing", None, None, NOW, NOW, 1))
        conn.execute(INSERT, ("https://a/dead", "dead", 410, None, NOW, LATER, 2))
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # once per URL
            conn.execute(INSERT, ("https://a/ok", "ok", 200, None, None, NOW, 0))

    _migrate(db_path, "downgrade", "0019")
    assert "link_checks" not in _tables(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] > 0  # the catalog is untouched
    _migrate(db_path, "upgrade", "head")
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM link_checks").fetchone() == (0,)
