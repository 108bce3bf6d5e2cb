"""Hugging Face Hub enrichment: what the Hub's paper page says of each arXiv paper

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 13:40:00

* ``hub_papers``: one row per arXiv paper the bot asked the Hub about (suggestions and entries):
  linked models / datasets / Spaces, the top models, the GitHub repository and project page, the
  validators for the next conditional GET, and when weights were first seen (a snoozed suggestion
  wakes then).
* ``suggestions.hub``: the same links as the review card shows them.

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hub_papers",
        sa.Column("arxiv_id", sa.String(32), nullable=False),
        sa.Column("found", sa.Boolean(), nullable=False),
        sa.Column("models", sa.Integer(), nullable=False),
        sa.Column("datasets", sa.Integer(), nullable=False),
        sa.Column("spaces", sa.Integer(), nullable=False),
        sa.Column("top_models", sa.JSON(), nullable=False),
        sa.Column("github_repo", sa.Text(), nullable=True),
        sa.Column("project_page", sa.Text(), nullable=True),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("weights_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("models >= 0 AND datasets >= 0 AND spaces >= 0", name="ck_hub_papers_counts"),
        sa.CheckConstraint("found OR models = 0", name="ck_hub_papers_absent_has_nothing"),
        sa.PrimaryKeyConstraint("arxiv_id", name="pk_hub_papers"),
    )
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("hub", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("hub")
    op.drop_table("hub_papers")
