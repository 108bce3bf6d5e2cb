"""learned relevance models and exploration suggestions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 06:00:00

* ``relevance_models``: every trained model version with its weights, figures and status
  (``active`` / ``kept_aside`` / ``retired``); at most one is active (the bot scores with the
  shipped model when none is).
* ``suggestions.exploration``: a paper posted just below the threshold to learn from (its card
  says so).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relevance_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("status IN ('active', 'kept_aside', 'retired')", name="ck_relevance_models_status"),
        sa.PrimaryKeyConstraint("id", name="pk_relevance_models"),
        sa.UniqueConstraint("version", name="uq_relevance_models_version"),
    )
    op.create_index("ix_relevance_models_status", "relevance_models", ["status"])
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("exploration", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("exploration")
    op.drop_index("ix_relevance_models_status", table_name="relevance_models")
    op.drop_table("relevance_models")
