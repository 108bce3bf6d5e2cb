"""review budget: listed suggestions and the poll's ranking

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 09:00:00

``review.cards_per_poll`` caps the review cards of one poll; the other papers above the line are
pending suggestions *listed* in one compact message per poll, from which a moderator promotes a
paper to a card.

* ``suggestions.listed``: pending, above the line, over the poll's card budget: no card (yet);
* ``suggestions.listing_channel_id`` / ``listing_message_id``: the compact message listing it;
* ``suggestions.threshold``, ``poll_rank``, ``poll_ranked``: the line the paper was held to and
  where it ranked in its poll ("0.62 (suggest >= 0.15) · #2 of 11 above the line" on the card).

(Another branch adds 0012; the two are chained when they are merged.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("listed", sa.Boolean(), {"nullable": False, "server_default": sa.false()}),
    ("listing_channel_id", sa.BigInteger(), {"nullable": True}),
    ("listing_message_id", sa.BigInteger(), {"nullable": True}),
    ("threshold", sa.Float(), {"nullable": True}),
    ("poll_rank", sa.Integer(), {"nullable": True}),
    ("poll_ranked", sa.Integer(), {"nullable": True}),
)


def upgrade() -> None:
    for name, type_, options in _COLUMNS:
        op.add_column("suggestions", sa.Column(name, type_, **options))
    op.create_index("ix_suggestions_listing_message_id", "suggestions", ["listing_message_id"])


def downgrade() -> None:
    op.drop_index("ix_suggestions_listing_message_id", table_name="suggestions")
    with op.batch_alter_table("suggestions") as batch:
        for name, _type, _options in reversed(_COLUMNS):
            batch.drop_column(name)
