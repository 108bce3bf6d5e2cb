"""The topic and kind counters' cost on bulk writes (issue 21), side by side in one run.

    python bench/counters.py --pg postgresql+asyncpg://postgres@127.0.0.1:55432/postgres \
        [--entries 20000] [--rounds 2] [--sqlite] [--json]

Each variant builds a new database with :func:`bot.database.open_database` (migrations to head
and the shipped list), sets the counters' triggers, then runs ``bench/commands.py``'s builder
(the same generator, seed and batches; its ``insert_s`` is the insert phase, ``index_s`` the
search index after it). Variants:

- ``none``: the counter triggers dropped (the trigger-free build of migration 0010);
- ``row``: migration 0011's row-level triggers (PostgreSQL; on SQLite the triggers it keeps);
- ``statement``: migration 0016's statement-level triggers with transition tables (PostgreSQL).

On PostgreSQL the app's engine sends a Core executemany INSERT as multi-row ``INSERT ... VALUES``
pages (``db.session.create_engine``); a variant suffixed ``@rows`` turns that off for its build, so
asyncpg runs the statement once per row, as the engine did before issue 21 (``none@rows`` is
the trigger-free build of before, ``row@rows`` 0011's build of before).

Rounds alternate the variants' order (none, row, statement, then reversed) so a shared machine's
load drifts over all of them. After each build with counters the counter tables are compared
with ``count(*) ... GROUP BY`` on the base tables; a mismatch fails the run. PostgreSQL
databases are created under ``ptm_counters_*`` on the given server and dropped after.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_BUILDER = _load(ROOT / "bench" / "commands.py", "bench_commands")
_M0016 = _load(ROOT / "db" / "migrations" / "versions" / "0016_statement_level_counters.py", "m0016")
_SQLITE_TRIGGERS = [
    f"{c}_{s}" for c in ("topic_counts", "kind_counts") for s in ("insert", "delete", "update")
]


def _trigger_sql(dialect: str, variant: str) -> list[str]:
    """Statements turning a database at head into the variant."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER {t}" for t in _SQLITE_TRIGGERS] if variant == "none" else []
    sql: list[str] = []
    for counter, key, table, column in _M0016._COUNTERS:
        if variant != "statement":
            sql += _M0016.drop_statement_triggers(counter, table)
        if variant == "row":
            sql += _M0016.row_triggers(counter, key, table, column)
    return sql


def _counter_triggers(conn: Any) -> list[str]:
    from sqlalchemy import text

    if conn.dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%counts%'"
    else:
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname LIKE '%counts%'"
    return [name for (name,) in conn.execute(text(sql))]


def _counts_exact(conn: Any) -> bool:
    from sqlalchemy import text

    for counter, key, table, column in _M0016._COUNTERS:
        kept = dict(conn.execute(text(f"SELECT {key}, n FROM {counter} WHERE n <> 0")).all())
        real = dict(conn.execute(text(f"SELECT {column}, count(*) FROM {table} GROUP BY {column}")).all())
        if kept != real:
            return False
    return True


async def _pg_admin(server: str, sql: str) -> None:
    import asyncpg
    from sqlalchemy.engine import make_url

    conn = await asyncpg.connect(
        make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def build_one(url: str, build: str, entries: int, seed: int) -> dict[str, Any]:
    from sqlalchemy import text

    from bot.config import database_url_from_path
    from bot.database import open_database

    variant, _, writer = build.partition("@")
    db = await open_database(database_url_from_path(url))
    if writer == "rows":
        db.engine.sync_engine.dialect.use_insertmanyvalues_wo_returning = False
    try:
        async with db.engine.begin() as conn:
            for statement in _trigger_sql(conn.dialect.name, variant):
                await conn.execute(text(statement))
            triggers = sorted(await conn.run_sync(_counter_triggers))
        async with db.engine.begin() as conn:
            info = await conn.run_sync(_BUILDER._bulk_insert, entries, seed)
        exact = None
        if variant != "none":
            async with db.engine.connect() as conn:
                exact = await conn.run_sync(_counts_exact)
    finally:
        await db.close()
    return {
        "variant": build,
        "insert_s": info["insert_s"],
        "index_s": info["index_s"],
        "exact": exact,
        "triggers": triggers,
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    backends: list[tuple[str, tuple[str, ...]]] = []
    if args.pg:
        backends.append(("postgresql", tuple(args.builds.split(","))))
    if args.sqlite:
        backends.append(("sqlite", ("none", "row")))
    results: dict[str, list[dict[str, Any]]] = {}
    for backend, variants in backends:
        for round_ in range(args.rounds):
            for variant in variants if round_ % 2 == 0 else variants[::-1]:
                if backend == "postgresql":
                    name = f"ptm_counters_{variant}_{uuid.uuid4().hex[:8]}"
                    await _pg_admin(args.pg, f'CREATE DATABASE "{name}"')
                    url = make_url(args.pg).set(database=name).render_as_string(hide_password=False)
                    try:
                        result = await build_one(url, variant, args.entries, args.seed)
                    finally:
                        await _pg_admin(args.pg, f'DROP DATABASE "{name}" WITH (FORCE)')
                else:
                    with tempfile.TemporaryDirectory(prefix="ptm-counters-") as tmp:
                        result = await build_one(
                            str(Path(tmp) / "c.sqlite3"), variant, args.entries, args.seed
                        )
                print(
                    json.dumps({"backend": backend, "round": round_, **result}), file=sys.stderr, flush=True
                )
                if result["exact"] is False:
                    raise SystemExit(f"{backend} {variant}: the counters differ from count(*)")
                results.setdefault(f"{backend} {variant}", []).append(result)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server (databases are created and dropped)")
    parser.add_argument("--sqlite", action="store_true", help="measure SQLite too (temp files)")
    parser.add_argument("--entries", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--builds",
        default="none,row,statement,none@rows,row@rows,statement@rows",
        help="PostgreSQL builds, comma-separated (variant, optionally @rows)",
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.pg and not args.sqlite:
        parser.error("give --pg URL, --sqlite or both")
    started = time.perf_counter()
    results = asyncio.run(run(args))
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"{args.entries} entries, {args.rounds} rounds, {time.perf_counter() - started:.0f} s")
    print("| build | insert phase, s (each round) | median | vs none | index, s (median) | counters exact |")
    print("|---|---|---|---|---|---|")
    for label, rows in results.items():
        inserts = [r["insert_s"] for r in rows]
        backend, build = label.split()
        none = f"{backend} none@rows" if build.endswith("@rows") else f"{backend} none"
        base = statistics.median(r["insert_s"] for r in results.get(none, rows))
        exact = "-" if rows[0]["exact"] is None else str(all(r["exact"] for r in rows)).lower()
        print(
            f"| {label} | {' / '.join(f'{v:.1f}' for v in inserts)} | {statistics.median(inserts):.1f} | "
            f"{statistics.median(inserts) / base:.2f}x | {statistics.median(r['index_s'] for r in rows):.1f} | {exact} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
