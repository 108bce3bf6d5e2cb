"""the kind of yes, and the audit of relevance model versions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 03:30:00

* ``suggestions.approval_kind``: ``core`` or ``borderline`` ("keep it, but borderline"), set when a
  suggestion is approved and cleared by undo. Earlier approvals stay NULL and count as core.
* ``relevance_model_events``: who made which relevance model version active, from which one, and
  how (``retrain``, a moderator's ``activate`` or ``rollback``); ``rollback`` reads it.

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("approval_kind", sa.String(16), nullable=True))
    op.create_table(
        "relevance_model_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(64), nullable=True),
        sa.Column("previous_version", sa.String(64), nullable=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_name", sa.String(200), nullable=True),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "action IN ('retrain', 'activate', 'rollback')", name="ck_relevance_model_events_action"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_relevance_model_events"),
    )


def downgrade() -> None:
    op.drop_table("relevance_model_events")
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("approval_kind")
