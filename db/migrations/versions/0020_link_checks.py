"""link checks: the state of every catalog link

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 13:30:00

``link_checks``: one row per URL of the catalog (entries' docs and paper URLs, their extra links;
identical URLs once), written by ``ptm-bot links check`` and the weekly link check: its status
(``ok``, ``redirected``, ``moved``, ``failing``, ``dead``), the last HTTP status, where redirects
led (``final_url``), the last error, since when it fails (``first_failed_at``), when it was last
checked and how many checks in a row failed. The invariants are CHECK constraints: a failing or
dead link has the time of its first failure and at least one failure (a dead one two), a link
that answers has neither; a move or a redirect names where it leads. (The constraints are copied
here as text, not imported: a released migration does not change with ``db/models.py``.)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_CHECKS = (
    ("status", "status IN ('ok', 'redirected', 'moved', 'failing', 'dead')"),
    ("failures", "consecutive_failures >= 0"),
    (
        "failed_since",
        "(status IN ('failing', 'dead') AND first_failed_at IS NOT NULL AND consecutive_failures >= 1)"
        " OR (status NOT IN ('failing', 'dead') AND first_failed_at IS NULL AND consecutive_failures = 0)",
    ),
    ("dead_twice", "status <> 'dead' OR consecutive_failures >= 2"),
    ("moved_to", "status NOT IN ('moved', 'redirected') OR final_url IS NOT NULL"),
    ("http_status", "http_status IS NULL OR (http_status BETWEEN 100 AND 599)"),
    ("checked_after", "first_failed_at IS NULL OR first_failed_at <= last_checked_at"),
)


def upgrade() -> None:
    op.create_table(
        "link_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_checked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        *(sa.CheckConstraint(sql, name=f"ck_link_checks_{name}") for name, sql in _CHECKS),
        sa.PrimaryKeyConstraint("id", name="pk_link_checks"),
        sa.UniqueConstraint("url", name="uq_link_checks_url"),
    )


def downgrade() -> None:
    op.drop_table("link_checks")
