"""Heavy modules are imported only by the commands that need them (issue 11: fast start-up)."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("discord", "sqlalchemy", "aiohttp", "alembic", "matplotlib", "feedparser")

# Runs ``main`` on its arguments but the last, then prints which of the modules named by the last
# argument (comma-separated) were imported.
PROBE = """
import contextlib, io, sys
from bot.cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        main(sys.argv[1:-1])
    except SystemExit:
        pass
print(" ".join(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[-1].split(",")))))
"""


def imported(*argv: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *argv, ",".join(HEAVY)], capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


def test_help_imports_nothing_heavy() -> None:
    assert imported("--help") == set()
    assert imported("model", "--help") == set()


def test_a_query_on_sqlite_imports_nothing_heavy(db_path) -> None:
    """A current SQLite catalog is read from a read thread on the standard library (issue 19)."""
    assert imported("model", "DeBERTa", "--json", "--db", str(db_path)) == set()


@pytest.mark.parametrize(
    "argv", [["stats", "--db", "missing.sqlite3"], ["export", "--db", "missing.sqlite3"]]
)
def test_a_refused_database_imports_no_network_or_discord(argv, tmp_path) -> None:
    argv = [a if a != "missing.sqlite3" else str(tmp_path / a) for a in argv]
    assert imported(*argv) <= {"sqlalchemy"}


def test_scoring_a_poll_imports_neither_the_trainer_nor_numpy() -> None:
    """The watcher scores with the model at run time; training (NumPy) loads only to retrain."""
    probe = "import sys, bot.watch.poll; print(sorted({'numpy', 'bot.relevance.train'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# What a read on SQLite must not load (issue 19): the ORM (and SQLAlchemy's asyncio layer, which
# imports it), the models, the importer and the catalog service that imports it, migrations,
# discord.py and the handlers that render for it.
NOT_FOR_A_READ = (
    "sqlalchemy.orm",
    "sqlalchemy.ext.asyncio",
    "db.models",
    "db.session",
    "bot.catalog.importer",
    "bot.catalog.importing",
    "bot.catalog.service",
    "bot.database",
    "bot.commands.member",
    "bot.present.render",
    "alembic",
    "discord",
)

FULL_NAMES = """
import contextlib, io, sys
from bot.cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    code = main(sys.argv[1:-1])
wanted = sys.argv[-1].split(",")
print(code, " ".join(sorted(m for m in sys.modules if any(m == w or m.startswith(w + ".") for w in wanted))))
"""


def imported_modules(*argv: str) -> tuple[int, set[str]]:
    """The exit status of ``main(argv)`` and which of :data:`NOT_FOR_A_READ` (or their submodules)
    it imported."""
    out = subprocess.run(
        [sys.executable, "-c", FULL_NAMES, *argv, ",".join(NOT_FOR_A_READ)],
        capture_output=True,
        text=True,
        check=True,
    )
    code, _, names = out.stdout.strip().partition(" ")
    return int(code), set(names.split())


@pytest.mark.parametrize(
    "argv",
    [
        ["model", "DeBERTa", "--json"],
        ["model", "nystomformer"],  # not found: the closest names, in the same read
        ["recent", "speech"],
        ["search", "knowledge", "distillation"],
        ["survey", "--json"],
        ["org", "VinAI"],
        ["author", "Kaiming", "He", "--json"],
    ],
)
def test_a_read_on_sqlite_imports_neither_the_orm_nor_the_importer(argv, db_path) -> None:
    code, found = imported_modules(*argv, "--db", str(db_path))
    assert code in (0, 1) and found == set()


def test_ask_still_runs_the_handlers(db_path) -> None:
    """``ptm-bot ask`` builds the bot and its handlers: the registry loads them on first use."""
    code, found = imported_modules("ask", "/ptm search knowledge distillation", "--db", str(db_path))
    assert code == 0 and {"bot.commands.member", "discord", "bot.present.render"} <= found
