"""routes moderators add: review cards and digest entries of a topic to their own channel

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 14:30:00

``routes``: one row per ``/ptm-admin route add`` (the config's ``[[routes]]`` come first): a topic or
a query (exactly one, a CHECK), the channel and the role as given, whether the route takes review
cards and/or digest entries (at least one, a CHECK), who added it and when.

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(64), nullable=True),
        sa.Column("query", sa.String(200), nullable=True),
        sa.Column("channel", sa.String(200), nullable=False),
        sa.Column("role", sa.String(200), nullable=True),
        sa.Column("tag", sa.String(100), nullable=True),
        sa.Column("cards", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.Boolean(), nullable=False),
        sa.Column("added_by", sa.String(100), nullable=False),
        sa.Column("added_by_name", sa.String(200), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("(topic IS NULL) <> (query IS NULL)", name="ck_routes_topic_or_query"),
        sa.CheckConstraint("cards OR digest", name="ck_routes_takes_something"),
        sa.PrimaryKeyConstraint("id", name="pk_routes"),
    )


def downgrade() -> None:
    op.drop_table("routes")
