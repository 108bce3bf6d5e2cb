"""topic and kind counts kept by triggers

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 08:40:00

``/ptm recent`` chooses its plan by the topic's size and shows it, and the survey list shows how
many surveys there are: both were a ``count(*)`` over an index, linear in the catalog (a large
topic at 1,000,000 entries: 4.7 ms of a 7.6 ms command). ``topic_counts`` and ``kind_counts``
hold the numbers, kept by triggers on ``entry_topics`` and ``entries`` (inserts, deletes, a
changed topic or kind, and the deletes a cascade makes), so every writer (the app, an import,
a bulk insert, SQL typed by hand) keeps them right. Filled from the tables here.
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

# (counter table, its key column, the counted table, the counted column, the key's length)
_COUNTERS = (
    ("topic_counts", "topic_slug", "entry_topics", "topic_slug", 64),
    ("kind_counts", "kind", "entries", "kind", 16),
)


def _sqlite_triggers(counter: str, key: str, table: str, column: str) -> list[str]:
    add = (
        f"INSERT INTO {counter} ({key}, n) VALUES (new.{column}, 1) "
        f"ON CONFLICT ({key}) DO UPDATE SET n = n + 1;"
    )
    sub = f"UPDATE {counter} SET n = n - 1 WHERE {key} = old.{column};"
    return [
        f"CREATE TRIGGER {counter}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {counter}_delete AFTER DELETE ON {table} BEGIN {sub} END",
        f"CREATE TRIGGER {counter}_update AFTER UPDATE OF {column} ON {table} "
        f"WHEN new.{column} IS NOT old.{column} BEGIN {sub} {add} END",
    ]


def _postgres_triggers(counter: str, key: str, table: str, column: str) -> list[str]:
    function = f"{counter}_keep"
    return [
        f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        UPDATE {counter} SET n = n - 1 WHERE {key} = OLD.{column};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {counter} ({key}, n) VALUES (NEW.{column}, 1)
        ON CONFLICT ({key}) DO UPDATE SET n = {counter}.n + 1;
    END IF;
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER {counter}_keep AFTER INSERT OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {counter}_keep_update AFTER UPDATE OF {column} ON {table} "
        f"FOR EACH ROW WHEN (NEW.{column} IS DISTINCT FROM OLD.{column}) EXECUTE FUNCTION {function}()",
    ]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for counter, key, table, column, size in _COUNTERS:
        op.execute(f"CREATE TABLE {counter} ({key} VARCHAR({size}) NOT NULL PRIMARY KEY, n INTEGER NOT NULL)")
        op.execute(
            f"INSERT INTO {counter} ({key}, n) SELECT {column}, count(*) FROM {table} GROUP BY {column}"
        )
        triggers = _sqlite_triggers if dialect == "sqlite" else _postgres_triggers
        for statement in triggers(counter, key, table, column):
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for counter, _key, table, _column, _size in _COUNTERS:
        if dialect == "sqlite":
            for suffix in ("insert", "delete", "update"):
                op.execute(f"DROP TRIGGER IF EXISTS {counter}_{suffix}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {counter}_keep ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {counter}_keep_update ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {counter}_keep()")
        op.execute(f"DROP TABLE {counter}")
