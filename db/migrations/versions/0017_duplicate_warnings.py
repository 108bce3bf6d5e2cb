"""duplicate warnings on suggestions, and approvals into an existing entry

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 13:10:00

* ``suggestions.related``: what the suggestion may duplicate, found when the poll stored it (a
  JSON list: the entry or pending suggestion, and why: same title, similar title, same name, same
  family); the review card warns with it and offers "Approve as new version" / "Approve as alias".
* ``suggestions.approved_into``: set when a suggestion was approved into an existing entry (a JSON
  object: the entry, ``version`` or ``alias``, and the entry's fields before), so undo puts the
  entry back instead of deleting it.

"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("related", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("approved_into", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("approved_into")
        batch.drop_column("related")
