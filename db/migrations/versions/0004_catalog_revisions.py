"""catalog revisions: every import (and revert) with the catalog's export from before it

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 06:00:00

``ptm-bot history`` lists the rows, ``ptm-bot revert REV`` makes the catalog what ``before``
says again (bot/catalog/importer.py, exact mode).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "catalog_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.CheckConstraint("action IN ('import', 'revert', 'seed')", name=op.f("ck_catalog_revisions_action")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_revisions")),
    )


def downgrade() -> None:
    op.drop_table("catalog_revisions")
