"""feed health 'degraded' and suggestion status 'waiting'

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 06:10:00

* ``feeds.health`` gains ``'degraded'``: the feed answered but lost papers (a truncated document,
  entries without an arXiv id); announced like a failure.
* ``suggestions.status`` gains ``'waiting'``: a relevant paper over the per-poll or daily cap. A
  later poll suggests waiting papers first, oldest first, instead of forgetting them as ``seen``.
  Rows a cap turned into ``seen`` before this revision (relevant, never suggested) cannot be told
  apart from papers that were not relevant, so they stay ``seen``.

SQLite cannot alter a CHECK constraint, so both tables are rebuilt (Alembic's batch mode);
``db.session.migrate`` runs the revision in one transaction with foreign keys checked at the end.
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_HEALTH = ("health", "('ok', 'failing', 'disabled')", "('ok', 'degraded', 'failing', 'disabled')")
_STATUS = (
    "status",
    "('seen', 'pending', 'approved', 'rejected')",
    "('seen', 'waiting', 'pending', 'approved', 'rejected')",
)


def _replace_check(table: str, column: str, values: str) -> None:
    name = op.f(f"ck_{table}_{column}")
    with op.batch_alter_table(table, recreate="auto") as batch:
        batch.drop_constraint(name, type_="check")
        batch.create_check_constraint(name, f"{column} IN {values}")


def upgrade() -> None:
    _replace_check("feeds", _HEALTH[0], _HEALTH[2])
    _replace_check("suggestions", _STATUS[0], _STATUS[2])


def downgrade() -> None:
    op.execute("UPDATE feeds SET health = 'ok' WHERE health = 'degraded'")
    op.execute("UPDATE feeds SET announced_health = 'ok' WHERE announced_health = 'degraded'")
    op.execute("UPDATE suggestions SET status = 'seen' WHERE status = 'waiting'")
    _replace_check("feeds", _HEALTH[0], _HEALTH[1])
    _replace_check("suggestions", _STATUS[0], _STATUS[1])
