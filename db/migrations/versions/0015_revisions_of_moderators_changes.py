"""moderators' changes are catalog revisions too (the change only, no export)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 06:00:00

* ``catalog_revisions.action`` also takes ``approve``, ``undo``, ``edit``, ``remove`` and ``tag``:
  an approval, its undo and a moderator's correction are revisions, so ``ptm-bot history`` is
  complete and ``ptm-bot revert`` can name the later work it would undo.
* ``catalog_revisions.before`` (the export before a whole-list revision) may be NULL: a
  moderator's change stores only ``change`` (JSON: what changed), not a whole export.
* ``catalog_revisions.change``: that change, or what a revert undid.

Downgrading deletes the moderators' revisions (an older version cannot read them).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

NEW_ACTIONS = "action IN ('import', 'revert', 'seed', 'approve', 'undo', 'edit', 'remove', 'tag')"
OLD_ACTIONS = "action IN ('import', 'revert', 'seed')"
NAME = "ck_catalog_revisions_action"


def _revisions_table(actions: str, *, new: bool) -> sa.Table:
    columns: list[sa.schema.SchemaItem] = [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("before", sa.Text(), nullable=new),
    ]
    if new:
        columns.append(sa.Column("change", sa.JSON(), nullable=True))
    return sa.Table(
        "catalog_revisions",
        sa.MetaData(),
        *columns,
        sa.CheckConstraint(actions, name=NAME),
        sa.PrimaryKeyConstraint("id", name="pk_catalog_revisions"),
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # SQLite cannot alter a CHECK nor a NOT NULL: copy the table with the new definition.
        with op.batch_alter_table(
            "catalog_revisions", copy_from=_revisions_table(OLD_ACTIONS, new=False), recreate="always"
        ) as batch:
            batch.alter_column("before", existing_type=sa.Text(), nullable=True)
            batch.add_column(sa.Column("change", sa.JSON(), nullable=True))
            batch.drop_constraint(op.f(NAME), type_="check")
            batch.create_check_constraint(op.f(NAME), NEW_ACTIONS)
        return
    op.alter_column("catalog_revisions", "before", existing_type=sa.Text(), nullable=True)
    op.add_column("catalog_revisions", sa.Column("change", sa.JSON(), nullable=True))
    # op.f(): the name is final (the naming convention would prefix it again).
    op.drop_constraint(op.f(NAME), "catalog_revisions", type_="check")
    op.create_check_constraint(op.f(NAME), "catalog_revisions", NEW_ACTIONS)


def downgrade() -> None:
    op.execute("DELETE FROM catalog_revisions WHERE before IS NULL")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(
            "catalog_revisions", copy_from=_revisions_table(NEW_ACTIONS, new=True), recreate="always"
        ) as batch:
            batch.drop_column("change")
            batch.alter_column("before", existing_type=sa.Text(), nullable=False)
            batch.drop_constraint(op.f(NAME), type_="check")
            batch.create_check_constraint(op.f(NAME), OLD_ACTIONS)
        return
    op.drop_constraint(op.f(NAME), "catalog_revisions", type_="check")
    op.create_check_constraint(op.f(NAME), "catalog_revisions", OLD_ACTIONS)
    op.drop_column("catalog_revisions", "change")
    op.alter_column("catalog_revisions", "before", existing_type=sa.Text(), nullable=False)
