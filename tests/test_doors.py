"""Writes through ``db.run``, reads through ``db.read``, nothing else opens a session.

Scans the source of ``bot/`` and ``cogs/`` (AST, no import): a unit of work is opened only by
:class:`bot.database.Database` itself and by the rooms' doors. Anything else that calls
``.begin()``, ``.sessions()``, a sessionmaker, ``AsyncSession(...)`` or ``db.run(...)`` fails
here, with the file and line. ``PENDING`` lists the modules that still open their own unit of
work (issue 19 part 4 moved the last ones behind a door: it is empty now); it may only shrink: an
entry that no longer opens a session fails too, so that it is struck off.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("bot", "cogs")

# The Database (which defines begin / run / read) and the doors: the only places a unit of work
# is opened. ``db/`` (the engine and sessionmaker factories, migrations) is below the rule.
DOORS = {
    "bot/database.py": "Database.begin / run / read themselves; the emptiness probe before the first fill",
    "bot/review/actions.py": "review decisions",
    "bot/catalog/actions.py": "catalog edits, removals, tags, export, import, history, revert, seed",
    "bot/digest/actions.py": "the digest's window and delivery record, follows and their pause",
    "bot/relevance/store.py": "model versions: retrain, activate, rollback (audited with an Actor)",
    "bot/relevance/gate_store.py": "moderators' gates: add, remove, the gates in force",
    "bot/watch/actions.py": "the poll's feed states and its one write unit of work, feed rows, health announced",
    "bot/ops/actions.py": "the publish record: the export with the last publish's records, a publish recorded",
    "bot/enrich/actions.py": "what the Hugging Face Hub links to a paper, stored; a snoozed paper woken",
    "bot/links/actions.py": "the link checks recorded (after the network), a moved link's fix via the catalog's door",
    "bot/review/route_store.py": "routes moderators add and remove (beside the config's [[routes]])",
    "bot/votes/actions.py": "members' votes for entries: cast, withdrawn, toggled",
}

# Still opening their own unit of work: to move behind a door (then strike the line off). Empty since
# publish went behind bot/ops/actions.py and health reads on its own read-only connection (issue 19).
PENDING: dict[str, str] = {}

SESSION_FACTORIES = {"sessionmaker", "async_sessionmaker", "create_sessionmaker", "AsyncSession", "Session"}


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def session_openings(source: str) -> list[tuple[int, str]]:
    """Where ``source`` opens a session or a unit of work: (line, what)."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(("sqlalchemy", "db.")):
            for alias in node.names:
                if alias.name in SESSION_FACTORIES - {"AsyncSession", "Session"}:
                    found.append((node.lineno, f"imports {alias.name}"))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in ("begin", "sessions"):
            found.append((node.lineno, f".{func.attr}()"))
        elif isinstance(func, ast.Attribute) and func.attr == "run" and _name(func.value) == "db":
            found.append((node.lineno, "db.run()"))
        elif _name(func) in SESSION_FACTORIES:
            found.append((node.lineno, f"{_name(func)}()"))
    return sorted(found)


def _modules() -> dict[str, str]:
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for top in SCANNED
        for path in sorted((ROOT / top).rglob("*.py"))
    }


def test_only_the_doors_open_a_session() -> None:
    offenders = [
        f"{module}:{line}: {what}"
        for module, source in _modules().items()
        if module not in DOORS and module not in PENDING
        for line, what in session_openings(source)
    ]
    assert not offenders, (
        "a session or unit of work opened outside the doors (writes through a door's db.run, "
        "reads through db.read; see docs/architecture.md):\n" + "\n".join(offenders)
    )


def test_the_allow_lists_name_real_modules_and_pending_only_shrinks() -> None:
    modules = _modules()
    assert set(DOORS) | set(PENDING) <= set(modules)
    struck = [module for module in PENDING if not session_openings(modules[module])]
    assert not struck, f"no longer opens a session: strike it off PENDING: {struck}"


def test_the_scan_sees_every_way_of_opening_one() -> None:
    source = """
from sqlalchemy.ext.asyncio import async_sessionmaker
async def f(db, bot, engine):
    async with db.begin() as session: pass
    async with bot.db.sessions() as session: pass
    await self.bot.db.run(work)
    AsyncSession(engine)
    create_sessionmaker(engine)()
    await db.read(query)
"""
    assert [what for _, what in session_openings(source)] == [
        "imports async_sessionmaker",
        ".begin()",
        ".sessions()",
        "db.run()",
        "AsyncSession()",
        "create_sessionmaker()",
    ]
