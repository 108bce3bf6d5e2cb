"""search index: prefix indexes for 2, 3 and 4 characters (SQLite), a names vector (PostgreSQL)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 08:30:00

SQLite: autocomplete and name look-ups ask the index for words starting with what was typed
(``"terr"*``); without a prefix index FTS5 merges the doclists of every word with that prefix
on each query (0.2-1 ms at 100,000 entries), with one it reads a single doclist (0.04-0.13 ms).
FTS5 cannot add the option to a table, so the table is built again with it: rows are copied
(same rowids, same text), the delete trigger of 0003 is dropped around the swap and recreated.

PostgreSQL: the name look-ups' word search (``names`` column only) read the weight-A part of
``doc``, and GIN does not store weights, so every document holding the words anywhere was read
again from the table to check them (autocomplete p99 60 ms at 100,000 entries). ``names``, the
names' and aliases' own vector with its GIN index, answers that search alone.
"""

from __future__ import annotations

from alembic import op

# Frozen copies (migrations do not import the live db.search): the index's table name, and its
# rebuild as of this revision (db/migrations/search_index_0010.py).
FTS_TABLE = PG_TABLE = "entry_search"

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_COLUMNS = "names, title, authors, org, body, kind"
_TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"


def _rebuild(options: str) -> None:
    op.execute("DROP TRIGGER IF EXISTS entries_search_delete")
    op.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE}_new USING fts5("
        f"names, title, authors, org, body, kind UNINDEXED, {options}{_TOKENIZE})"
    )
    op.execute(f"INSERT INTO {FTS_TABLE}_new (rowid, {_COLUMNS}) SELECT rowid, {_COLUMNS} FROM {FTS_TABLE}")
    op.execute(f"DROP TABLE {FTS_TABLE}")
    op.execute(f"ALTER TABLE {FTS_TABLE}_new RENAME TO {FTS_TABLE}")
    op.execute(
        "CREATE TRIGGER entries_search_delete AFTER DELETE ON entries BEGIN "
        f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id; END"
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _rebuild("prefix = '2 3 4', ")
    elif bind.dialect.name == "postgresql":
        from db.migrations.search_index_0010 import rebuild

        op.execute(f"ALTER TABLE {PG_TABLE} ADD COLUMN names TSVECTOR NOT NULL DEFAULT ''")
        op.execute(f"ALTER TABLE {PG_TABLE} ALTER COLUMN names DROP DEFAULT")
        op.execute(f"CREATE INDEX ix_{PG_TABLE}_names ON {PG_TABLE} USING gin (names)")
        rebuild(bind)
        op.execute(f"ANALYZE {PG_TABLE}")  # the planner's statistics for the new column


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _rebuild("")
    elif bind.dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS ix_{PG_TABLE}_names")
        op.execute(f"ALTER TABLE {PG_TABLE} DROP COLUMN names")
