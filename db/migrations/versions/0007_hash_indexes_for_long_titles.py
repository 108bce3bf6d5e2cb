"""PostgreSQL: index titles by hash, so a title of any length is stored as on SQLite

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 06:30:00

A PostgreSQL B-tree row holds at most ~2.7 kB, so a 1 MB paper title failed there ("index row
requires 11488 bytes") while SQLite stored it. ``papers.norm_title`` and ``suggestions.norm_title``
are only ever compared for equality, which a hash index serves at any length. SQLite keeps its
indexes (no such limit); nothing changes there.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_INDEXES = (("ix_papers_norm_title", "papers"), ("ix_suggestions_norm_title", "suggestions"))


def _rebuild(using: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table in _INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, ["norm_title"], unique=False, postgresql_using=using)


def upgrade() -> None:
    _rebuild("hash")


def downgrade() -> None:
    _rebuild("btree")
