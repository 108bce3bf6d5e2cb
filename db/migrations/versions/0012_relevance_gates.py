"""moderators' relevance gates

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 03:30:00

``relevance_gates``: always-suggest / never-suggest rules on a term, an author, an organisation
or an arXiv category (``/ptm-admin gate add``, ``ptm-bot gate add``), applied by the poll before
the model. Once per (kind, mode, normalised value); who set it (a Discord user id, ``cli:<user>``)
and when are kept with it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "relevance_gates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("mode", sa.String(16), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("norm_value", sa.String(200), nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_by_name", sa.String(200), nullable=True),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('term', 'author', 'org', 'category')", name="ck_relevance_gates_kind"),
        sa.CheckConstraint("mode IN ('always', 'never')", name="ck_relevance_gates_mode"),
        sa.PrimaryKeyConstraint("id", name="pk_relevance_gates"),
        sa.UniqueConstraint("kind", "mode", "norm_value", name="uq_relevance_gates_kind_mode_norm_value"),
    )


def downgrade() -> None:
    op.drop_table("relevance_gates")
