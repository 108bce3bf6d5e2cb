"""feed health 'degraded': a feed that answered but lost papers (truncated, entries without an id)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 06:10:00

The CHECK constraint on ``feeds.health`` gains ``'degraded'``. SQLite cannot alter a constraint, so
the table is rebuilt (Alembic's batch mode); ``db.session.migrate`` runs it in one transaction.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_OLD = "health IN ('ok', 'failing', 'disabled')"
_NEW = "health IN ('ok', 'degraded', 'failing', 'disabled')"


def _replace_check(condition: str) -> None:
    with op.batch_alter_table("feeds", recreate="auto") as batch:
        batch.drop_constraint(op.f("ck_feeds_health"), type_="check")
        batch.create_check_constraint(op.f("ck_feeds_health"), condition)


def upgrade() -> None:
    _replace_check(_NEW)


def downgrade() -> None:
    op.execute("UPDATE feeds SET health = 'ok' WHERE health = 'degraded'")
    op.execute("UPDATE feeds SET announced_health = 'ok' WHERE announced_health = 'degraded'")
    _replace_check(_OLD)
