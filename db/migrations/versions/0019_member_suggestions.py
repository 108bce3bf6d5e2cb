"""members' suggestions: who suggested a paper, their note, and when they were told the outcome

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 13:40:00

* ``suggestions.suggested_by`` / ``suggested_by_name``: the member who suggested the paper with
  ``/ptm suggest`` (None for the watcher's suggestions); ``member_note``: their note.
* ``suggestions.member_notified_at``: when the member was told the moderators' decision by DM
  (set once, before the DM is sent: a member is told once).

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("suggested_by", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("suggested_by_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("member_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("member_notified_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_suggestions_suggested_by", "suggestions", ["suggested_by"])


def downgrade() -> None:
    op.drop_index("ix_suggestions_suggested_by", table_name="suggestions")
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("member_notified_at")
        batch.drop_column("member_note")
        batch.drop_column("suggested_by_name")
        batch.drop_column("suggested_by")
