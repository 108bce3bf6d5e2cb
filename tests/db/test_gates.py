"""Migration 0012 (``relevance_gates``) on SQLite, the table's invariants, and the gate store on
the same code path PostgreSQL runs (``tests/db/test_postgres.py`` calls :func:`gate_round_trip`)."""

from __future__ import annotations

import sqlite3

import pytest
from alembic import command
from sqlalchemy import create_engine

from bot.config import Config, GatesConfig, RelevanceConfig
from bot.database import Database
from bot.relevance import gate_store
from bot.relevance.gates import GateError
from bot.watch.poll import poll
from db.session import _alembic_config, head_revision
from tests.plugins.feeds import FEEDS


def _tables(path) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _migrate(path, action: str, revision: str) -> None:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        getattr(command, action)(_alembic_config(conn), revision)
    engine.dispose()


def test_0012_upgrades_and_downgrades_and_keeps_the_invariants(db_path) -> None:
    assert "relevance_gates" in _tables(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)
        row = ("author", "always", "Kaiming He", "kaiming he", "123", "mod", "2026-12-07 10:00:00.000000")
        insert = (
            "INSERT INTO relevance_gates (kind, mode, value, norm_value, set_by, set_by_name, set_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        conn.execute(insert, row)
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):  # once per (kind, mode, normalised value)
            conn.execute(insert, ("author", "always", "KAIMING HE", "kaiming he", "cli:x", None, row[-1]))
        conn.execute(insert, ("author", "never", "Kaiming He", "kaiming he", "cli:x", None, row[-1]))
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute(insert, ("planet", "never", "Mars", "mars", "cli:x", None, row[-1]))
        with pytest.raises(sqlite3.IntegrityError, match="CHECK"):
            conn.execute(insert, ("term", "sometimes", "x", "x", "cli:x", None, row[-1]))

    _migrate(db_path, "downgrade", "0011")
    assert "relevance_gates" not in _tables(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0011",)
        assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] > 0  # the catalog is untouched
    _migrate(db_path, "upgrade", "head")
    assert "relevance_gates" in _tables(db_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM relevance_gates").fetchone() == (0,)


async def gate_round_trip(db: Database) -> None:
    """Add, refuse, list, apply and remove gates through the store and a poll (any backend)."""
    config = Config(
        relevance=RelevanceConfig(exploration=False, gates=GatesConfig(never_terms=("Focus Session",)))
    )
    gates = config.relevance.gates
    added = await gate_store.add_gate(
        db, "always", "author", "Michal  Valko", set_by="42", set_by_name="mod", config=gates
    )
    assert (added.value, added.key, added.set_by, added.origin) == (
        "Michal Valko",
        "michal valko",
        "42",
        "stored",
    )
    with pytest.raises(GateError, match="already a gate"):
        await gate_store.add_gate(db, "always", "author", "michal valko", set_by="43", config=gates)
    with pytest.raises(GateError, match="in the config file"):
        await gate_store.add_gate(db, "never", "term", "focus  session", set_by="43", config=gates)
    listed = await gate_store.list_gates(db, gates)
    assert [(g.label, g.origin) for g in listed] == [
        ("never term 'Focus Session'", "config"),
        ("always author 'Michal Valko'", "stored"),
    ]
    assert listed[1].set_at is not None and listed[1].set_at.tzinfo is not None

    report = await poll(db, config, fetcher=None, sources=[str(FEEDS / "rss2-cs.LG-2026-04-27-trimmed.xml")])
    by_id = {c.arxiv_id: c for c in report.candidates}
    assert by_id["2604.21952"].gate == "never" and not by_id["2604.21952"].suggest
    assert by_id["2604.21956"].gate == "always" and by_id["2604.21956"].suggest
    assert report.counts["gated"] == 1

    removed = await gate_store.remove_gate(
        db, "always", "author", "MICHAL VALKO", removed_by="cli:x", config=gates
    )
    assert removed.label == "always author 'Michal Valko'"
    with pytest.raises(GateError, match="no gate"):
        await gate_store.remove_gate(db, "always", "author", "Michal Valko", removed_by="cli:x", config=gates)
    assert [g.origin for g in await gate_store.list_gates(db, gates)] == ["config"]


async def test_gate_round_trip_on_sqlite(db) -> None:
    await gate_round_trip(db)


async def test_a_waiting_paper_a_never_gate_now_matches_is_not_suggested_later(db) -> None:
    from sqlalchemy import update

    from db import models as m
    from tests.plugins.database import add_pending, suggestion_rows

    waiting = await add_pending(db, arxiv_id="2604.40001", title="OmniSpeech: a speech foundation model")
    other = await add_pending(db, arxiv_id="2604.40002", title="WavLM 3: more speech", name="WavLM 3")
    async with db.begin() as s:  # both held back by a cap in an earlier poll
        await s.execute(
            update(m.Suggestion).where(m.Suggestion.id.in_([waiting, other])).values(status="waiting")
        )
    await gate_store.add_gate(db, "never", "term", "omnispeech", set_by="cli:test")
    empty = FEEDS / "rss2-cs-2026-03-29-empty-weekend.xml"
    report = await poll(db, Config(), fetcher=None, sources=[str(empty)])
    assert [c.arxiv_id for c in report.candidates] == ["2604.40002"]  # the other one's turn came
    rows = await suggestion_rows(db)
    assert rows["2604.40001"][0] == "seen" and rows["2604.40002"][0] == "pending"
