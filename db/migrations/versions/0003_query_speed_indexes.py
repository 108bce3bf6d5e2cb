"""indexes and a search-index trigger for the query commands at 100,000 entries

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 10:00:00

* ``ix_entries_date_desc`` on ``entries (year DESC, month DESC, name, id)``: the order of every
  "newest first" list. ``/ptm recent`` on a large topic walks it and stops after one page
  instead of sorting all of the topic's entries (bot/catalog/queries/ chooses per query).
* SQLite: a trigger drops an entry's search-index row when the entry is deleted, by any
  statement (bulk ``DELETE`` bypasses the ORM's flush listener), so the index never holds a
  row without its entry and :func:`db.search.search` counts hits without joining ``entries``.
  Rows left behind before this revision are purged here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# A frozen copy (migrations do not import the live db.search): the index's table name.
_FTS_TABLE = "entry_search"

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    order: list[str | sa.TextClause]
    if bind.dialect.name == "sqlite":
        order = [sa.text("year DESC"), sa.text("month DESC"), "name", "id"]
    else:  # the queries' own order there: NULLS LAST (bot/catalog/queries/, date order)
        order = [sa.text("year DESC NULLS LAST"), sa.text("month DESC NULLS LAST"), "name", "id"]
    # IF NOT EXISTS: see 0002 (finishing an upgrade that an older version left half done).
    op.create_index("ix_entries_date_desc", "entries", order, unique=False, if_not_exists=True)
    if bind.dialect.name != "sqlite":
        return
    op.execute(f"DELETE FROM {_FTS_TABLE} WHERE rowid NOT IN (SELECT id FROM entries)")
    op.execute(
        f"CREATE TRIGGER IF NOT EXISTS entries_search_delete AFTER DELETE ON entries BEGIN "
        f"DELETE FROM {_FTS_TABLE} WHERE rowid = old.id; END"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS entries_search_delete")
    op.drop_index("ix_entries_date_desc", table_name="entries")
