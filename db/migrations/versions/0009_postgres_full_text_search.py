"""PostgreSQL full-text search: a weighted tsvector per entry with a GIN index

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 07:00:00

PostgreSQL only (SQLite has the FTS5 table of 0002). ``entry_search`` holds one row per entry:
``doc``, the weighted document (names and aliases A, paper title B, authors and org C, body D;
GIN-indexed), and ``authors`` / ``org`` alone (for the author and org searches, which share
weight C), each GIN-indexed too, and ``kind`` (B-tree). The text search configuration ``ptm`` is ``english`` with a Snowball stemmer that
keeps stop words, as SQLite's porter tokenizer does (``for`` stays searchable). Rows are written
by :func:`db.search.index.reindex_sync`, as on SQLite; ``ON DELETE CASCADE`` drops a deleted entry's row
(0003's trigger on SQLite). ``pg_trgm`` is not needed.
"""

from __future__ import annotations

from alembic import op

# Frozen copies (migrations do not import the live db.search): the table and the text search
# configuration's names.
PG_TABLE = "entry_search"
PG_CONFIG = "ptm"

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE TEXT SEARCH DICTIONARY {PG_CONFIG}_english_stem (TEMPLATE = snowball, Language = english)"
    )
    op.execute(f"CREATE TEXT SEARCH CONFIGURATION {PG_CONFIG} (COPY = english)")
    op.execute(
        f"ALTER TEXT SEARCH CONFIGURATION {PG_CONFIG} ALTER MAPPING REPLACE english_stem WITH {PG_CONFIG}_english_stem"
    )
    op.execute(
        f"CREATE TABLE {PG_TABLE} ("
        "entry_id INTEGER NOT NULL PRIMARY KEY REFERENCES entries (id) ON DELETE CASCADE, "
        "kind VARCHAR(16) NOT NULL, doc TSVECTOR NOT NULL, authors TSVECTOR NOT NULL, org TSVECTOR NOT NULL)"
    )
    op.execute(f"CREATE INDEX ix_{PG_TABLE}_doc ON {PG_TABLE} USING gin (doc)")
    # The author and org searches go straight to their own words; kind narrows a survey search
    # before any row is read (a bitmap AND with the document's index).
    op.execute(f"CREATE INDEX ix_{PG_TABLE}_authors ON {PG_TABLE} USING gin (authors)")
    op.execute(f"CREATE INDEX ix_{PG_TABLE}_org ON {PG_TABLE} USING gin (org)")
    op.execute(f"CREATE INDEX ix_{PG_TABLE}_kind ON {PG_TABLE} (kind)")
    # Filled by 0010, which adds the names vector that db.search now writes with every row (a
    # catalog already at 0009 was filled here by the version that wrote it; 0010 fills it again).


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    op.execute(f"DROP TABLE IF EXISTS {PG_TABLE}")
    op.execute(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {PG_CONFIG}")
    op.execute(f"DROP TEXT SEARCH DICTIONARY IF EXISTS {PG_CONFIG}_english_stem")
