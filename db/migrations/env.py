"""Alembic environment: run with a connection handed over by ``db.session.migrate``.

Standalone use (``alembic -c db/alembic.ini ...``) reads the URL from ``PTM_BOT_DATABASE_URL``.
"""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from db.models import Base

config = context.config
target_metadata = Base.metadata


def _include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    # The FTS5 search index (db/search/) is managed by its migration, not by the models.
    return not (type_ == "table" and name and name.startswith("entry_search"))


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=_include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = os.environ.get("PTM_BOT_DATABASE_URL", "sqlite:///ptm-bot.sqlite3")
    url = url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()
