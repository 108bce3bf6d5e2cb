"""topic and kind counts kept once per statement on PostgreSQL

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:45:00

0011's PostgreSQL triggers ran once per row, each rewriting one counter row: a bulk insert of
N topic rows rewrote the same few dozen counter rows N times (each rewrite a new row version),
and bulk writes ran ~4x slower than without them (issue 21: a 100k-entry build, insert phase
298 s against 80 s). Here they become statement-level triggers with transition tables: one
trigger per operation (INSERT, DELETE, UPDATE) reads the statement's old and new rows, and one
upsert per statement applies each key's net change, in key order (two writers lock counter rows
in the same order). PostgreSQL refuses transition tables on an ``UPDATE OF column`` trigger, so
the UPDATE trigger fires on every update of the table and counts old rows out and new rows in:
an update that leaves the column alone nets zero and writes nothing. Cascaded deletes fire the
DELETE trigger too. The counts are carried over (0011's triggers kept them exact). SQLite keeps
0011's row triggers (each a cheap in-process write; see docs/benchmarks.md). Downgrade restores
0011's PostgreSQL triggers.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# (counter table, its key column, the counted table, the counted column), as in 0011
_COUNTERS = (
    ("topic_counts", "topic_slug", "entry_topics", "topic_slug"),
    ("kind_counts", "kind", "entries", "kind"),
)


def statement_triggers(counter: str, key: str, table: str, column: str) -> list[str]:
    """The function and the three statement-level triggers that keep ``counter``."""
    function = f"{counter}_apply"

    def upsert(changes: str) -> str:
        return (
            f"INSERT INTO {counter} ({key}, n) SELECT {column}, sum(d) FROM ({changes}) AS c "
            f"GROUP BY {column} HAVING sum(d) <> 0 ORDER BY {column} "
            f"ON CONFLICT ({key}) DO UPDATE SET n = {counter}.n + excluded.n;"
        )

    added = f"SELECT {column}, 1 AS d FROM new_rows"
    removed = f"SELECT {column}, -1 AS d FROM old_rows"
    return [
        f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {upsert(added)}
    ELSIF TG_OP = 'DELETE' THEN
        {upsert(removed)}
    ELSE
        {upsert(f"{added} UNION ALL {removed}")}
    END IF;
    RETURN NULL;
END $$""",
        f"CREATE TRIGGER {counter}_insert AFTER INSERT ON {table} "
        f"REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {counter}_delete AFTER DELETE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"CREATE TRIGGER {counter}_update AFTER UPDATE ON {table} "
        f"REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
    ]


def drop_statement_triggers(counter: str, table: str) -> list[str]:
    return [
        *(f"DROP TRIGGER IF EXISTS {counter}_{op_} ON {table}" for op_ in ("insert", "delete", "update")),
        f"DROP FUNCTION IF EXISTS {counter}_apply()",
    ]


def row_triggers(counter: str, key: str, table: str, column: str) -> list[str]:
    """0011's row-level function and triggers (copied: a migration does not change)."""
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


def drop_row_triggers(counter: str, table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {counter}_keep ON {table}",
        f"DROP TRIGGER IF EXISTS {counter}_keep_update ON {table}",
        f"DROP FUNCTION IF EXISTS {counter}_keep()",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for counter, key, table, column in _COUNTERS:
        for statement in (
            *drop_row_triggers(counter, table),
            *statement_triggers(counter, key, table, column),
        ):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for counter, key, table, column in _COUNTERS:
        for statement in (
            *drop_statement_triggers(counter, table),
            *row_triggers(counter, key, table, column),
        ):
            op.execute(statement)
