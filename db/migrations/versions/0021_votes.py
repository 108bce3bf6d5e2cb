"""members' votes for entries (issue 22, part 2: votes and a top list)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-14 10:00:00

* ``votes``: one row per member and entry (``UNIQUE(entry_id, member_id)``: a second vote by the
  same member is refused by the schema, never counted twice), deleted with its entry
  (``ON DELETE CASCADE``), with the time it was cast (``voted_at``), which ``/ptm top`` counts by
  period (``ix_votes_voted_at_entry_id``: the period's votes read from the index alone). Only the
  member's id is stored, never a name.

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.BigInteger(), nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name="fk_votes_entry_id_entries", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_votes"),
        sa.UniqueConstraint("entry_id", "member_id", name="uq_votes_entry_id_member_id"),
    )
    op.create_index("ix_votes_voted_at_entry_id", "votes", ["voted_at", "entry_id"])


def downgrade() -> None:
    op.drop_index("ix_votes_voted_at_entry_id", table_name="votes")
    op.drop_table("votes")
