"""Migration 0010: the SQLite search index with prefix indexes, rebuilt in place."""

from __future__ import annotations

import sqlite3

from alembic import command
from sqlalchemy import create_engine

from bot.catalog import queries
from db.reader import SQLiteReader
from db.session import _alembic_config


def _schema(path) -> dict[str, str]:
    with sqlite3.connect(path) as conn:
        return {
            name: sql
            for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        }


async def _answers(path) -> list[object]:
    reader = SQLiteReader(str(path))  # reads whatever the revision (open_database would refuse 0009)
    try:
        out: list[object] = []
        for prefix in ("de", "wav", "ber", "xl", "vi", "nyst"):
            out.append(await reader.run(queries.suggest_names, prefix))
        for words in ("distillation", "speech recognition", "蒸馏", "google", "multi"):
            hits, total = await reader.run(queries.search_entries, words)
            out.append(([h.id for h in hits], total))
        return out
    finally:
        reader.close()


async def test_the_index_has_prefix_indexes_and_answers_as_before_it(db_path):
    schema = _schema(db_path)
    assert "prefix = '2 3 4'" in schema["entry_search"]
    assert "entries_search_delete" in schema
    with_prefixes = await _answers(db_path)

    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "0009")
    engine.dispose()
    schema = _schema(db_path)
    assert "prefix" not in schema["entry_search"] and "entries_search_delete" in schema
    assert await _answers(db_path) == with_prefixes

    engine = create_engine(f"sqlite:///{db_path}")
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "head")
    engine.dispose()
    assert "prefix = '2 3 4'" in _schema(db_path)["entry_search"]
    assert await _answers(db_path) == with_prefixes


async def test_deleting_an_entry_still_drops_its_index_row(db_path):
    with sqlite3.connect(db_path) as conn:
        conn.execute("PRAGMA foreign_keys=ON")
        entry_id = conn.execute("SELECT id FROM entries WHERE name = 'DeBERTa'").fetchone()[0]
        conn.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
        assert (
            conn.execute("SELECT count(*) FROM entry_search WHERE rowid = ?", (entry_id,)).fetchone()[0] == 0
        )
