"""search index (FTS5, SQLite only) and indexes for the query commands

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 10:00:00
"""

from __future__ import annotations

from alembic import op

# Frozen copies (migrations do not import the live db.search): the index's table name, and its
# rebuild as of revision 0010 (db/migrations/search_index_0010.py).
_FTS_TABLE = "entry_search"

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Portable indexes: /ptm recent (topic -> entries) and /ptm survey (kind, newest first).
    # "IF NOT EXISTS" throughout: versions before issue 11 ran this DDL outside a transaction, so an
    # interrupted upgrade may have left some of it behind; running it again finishes the revision.
    op.create_index(
        "ix_entry_topics_topic_slug", "entry_topics", ["topic_slug"], unique=False, if_not_exists=True
    )
    op.create_index(
        "ix_entries_kind_year_month", "entries", ["kind", "year", "month"], unique=False, if_not_exists=True
    )

    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return  # other backends search with ILIKE (db/search/); nothing to create
    from db.migrations.search_index_0010 import rebuild

    op.execute(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {_FTS_TABLE} USING fts5("
        "names, title, authors, org, body, kind UNINDEXED, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    rebuild(bind)  # every row, whatever an interrupted run left


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(f"DROP TABLE IF EXISTS {_FTS_TABLE}")
    op.drop_index("ix_entries_kind_year_month", table_name="entries")
    op.drop_index("ix_entry_topics_topic_slug", table_name="entry_topics")
