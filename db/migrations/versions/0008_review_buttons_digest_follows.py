"""review buttons (reasons, snooze, edits) and the digest

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 07:00:00

* ``suggestions.snoozed_until`` / ``snoozed_by``: "Needs info" takes a pending suggestion out of
  the queue until then (or until arXiv announces a new version).
* ``suggestions.proposed_org``: the organisation a moderator set with the Edit button.
* ``review_decisions``: the audit also records ``snooze``, ``wake`` (back in the queue) and
  ``edit``, and the ``button`` and ``watcher`` doors.
* ``follows``: members' personal alerts (topic, author, organisation or query), DMed per digest.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

NEW_ACTIONS = "action IN ('approve', 'reject', 'undo', 'snooze', 'wake', 'edit')"
NEW_VIA = "via IN ('reaction', 'command', 'cli', 'button', 'watcher')"
OLD_ACTIONS = "action IN ('approve', 'reject', 'undo')"
OLD_VIA = "via IN ('reaction', 'command', 'cli')"


def _decisions_table(actions: str, via: str) -> sa.Table:
    return sa.Table(
        "review_decisions",
        sa.MetaData(),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("actor_name", sa.String(200), nullable=True),
        sa.Column("via", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(actions, name="ck_review_decisions_action"),
        sa.CheckConstraint(via, name="ck_review_decisions_via"),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["suggestions.id"],
            name="fk_review_decisions_suggestion_id_suggestions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_review_decisions"),
        sa.Index("ix_review_decisions_suggestion_id", "suggestion_id"),
    )


def _replace_checks(actions: str, via: str) -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot alter a CHECK: copy the table with the new definition.
        with op.batch_alter_table(
            "review_decisions", copy_from=_decisions_table(actions, via), recreate="always"
        ):
            pass
        return
    for name, text in (("ck_review_decisions_action", actions), ("ck_review_decisions_via", via)):
        # op.f(): the name is final (the naming convention would prefix it again).
        op.drop_constraint(op.f(name), "review_decisions", type_="check")
        op.create_check_constraint(op.f(name), "review_decisions", text)


def upgrade() -> None:
    with op.batch_alter_table("suggestions") as batch:
        batch.add_column(sa.Column("snoozed_until", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("snoozed_by", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("proposed_org", sa.String(300), nullable=True))
    _replace_checks(NEW_ACTIONS, NEW_VIA)
    op.create_table(
        "follows",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("norm_value", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notice_pending", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.CheckConstraint("kind IN ('topic', 'author', 'org', 'query')", name="ck_follows_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_follows"),
        sa.UniqueConstraint("user_id", "kind", "norm_value", name="uq_follows_user_id_kind_norm_value"),
    )
    op.create_index("ix_follows_user_id", "follows", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_follows_user_id", table_name="follows")
    op.drop_table("follows")
    op.execute(
        "DELETE FROM review_decisions WHERE action NOT IN ('approve', 'reject', 'undo') "
        "OR via NOT IN ('reaction', 'command', 'cli')"
    )
    _replace_checks(OLD_ACTIONS, OLD_VIA)
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("proposed_org")
        batch.drop_column("snoozed_by")
        batch.drop_column("snoozed_until")
