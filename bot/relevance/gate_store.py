"""Moderators' gates in the database, and the gates in force (stored plus ``[relevance.gates]``).

Writes go through :meth:`bot.database.Database.run` (one unit of work, retried when SQLite is
locked), as every decision does (:mod:`bot.review.actions`). Slash commands, ``ptm-bot ask`` and
``ptm-bot gate`` all call these functions, so a gate is refused the same way whoever asks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import GatesConfig
from bot.database import Database
from bot.relevance.gates import Gate, GateError, GateSet, normalise, parse_kind, parse_mode
from db import models as m

__all__ = ["add_gate", "config_gates", "gates_in_force", "list_gates", "remove_gate", "stored_gates"]

log = logging.getLogger(__name__)


def config_gates(gates: GatesConfig) -> list[Gate]:
    """The gates of ``[relevance.gates]`` (already checked when the config was read)."""
    return [
        Gate.of(mode, kind, value, origin="config", set_by="config") for mode, kind, value in gates.items()
    ]


def _gate(row: m.RelevanceGate) -> Gate:
    return Gate(
        row.mode,
        row.kind,
        row.value,
        row.norm_value,
        origin="stored",
        set_by=row.set_by,
        set_by_name=row.set_by_name,
        set_at=row.set_at,
    )


async def stored_gates(session: AsyncSession) -> list[Gate]:
    """Every stored gate: never first, then always; by kind, then as set."""
    g = m.RelevanceGate
    rows = await session.scalars(select(g).order_by(g.mode.desc(), g.kind, g.id))
    return [_gate(row) for row in rows]


async def gates_in_force(session: AsyncSession, gates: GatesConfig) -> GateSet:
    """What the poll applies: the config file's gates plus the stored ones."""
    return GateSet([*config_gates(gates), *await stored_gates(session)])


async def list_gates(db: Database, gates: GatesConfig) -> list[Gate]:
    """Config gates first, then the stored ones (each with its origin)."""
    async with db.begin() as session:
        return [*config_gates(gates), *await stored_gates(session)]


def _same(gates: Sequence[Gate], kind: str, key: str) -> list[Gate]:
    return [g for g in gates if g.kind == kind and g.key == key]


async def add_gate(
    db: Database,
    mode: str,
    kind: str,
    value: str,
    *,
    set_by: str,
    set_by_name: str | None = None,
    config: GatesConfig | None = None,
) -> Gate:
    """Store a gate; :class:`GateError` for bad input, a duplicate (stored or in the config file),
    or a gate of the other mode on the same value (a paper cannot be both always and never)."""
    mode, kind = parse_mode(mode), parse_kind(kind)
    shown, key = normalise(kind, value)
    from_config = _same(config_gates(config or GatesConfig()), kind, key)

    async def work(session: AsyncSession) -> Gate:
        existing = _same([*from_config, *await stored_gates(session)], kind, key)
        for gate in existing:
            where = "in the config file ([relevance.gates])" if gate.origin == "config" else "already"
            if gate.mode == mode:
                raise GateError(f"there is {where} a gate: {gate.label}")
            raise GateError(
                f"there is {where} {'an' if gate.mode == 'always' else 'a'} {gate.mode} gate on {kind} "
                f"'{gate.value}'; "
                f"remove it first (a paper cannot be both always and never suggested)"
            )
        row = m.RelevanceGate(
            kind=kind,
            mode=mode,
            value=shown,
            norm_value=key,
            set_by=set_by[:100],
            set_by_name=(set_by_name or None),
        )
        try:
            async with session.begin_nested():
                session.add(row)
        except IntegrityError:  # the same gate added at the same moment by someone else
            raise GateError(f"there is already a gate: {mode} {kind} '{shown}'") from None
        return _gate(row)

    gate = await db.run(work)
    log.info("gate added: %s by %s (%s)", gate.label, set_by, set_by_name or "-")
    return gate


async def remove_gate(
    db: Database,
    mode: str,
    kind: str,
    value: str,
    *,
    removed_by: str,
    config: GatesConfig | None = None,
) -> Gate:
    """Delete a stored gate; :class:`GateError` when there is none (or it lives in the config file)."""
    mode, kind = parse_mode(mode), parse_kind(kind)
    shown, key = normalise(kind, value)
    in_config = [g for g in _same(config_gates(config or GatesConfig()), kind, key) if g.mode == mode]

    async def work(session: AsyncSession) -> Gate:
        g = m.RelevanceGate
        row = await session.scalar(select(g).where(g.kind == kind, g.mode == mode, g.norm_value == key))
        if row is None:
            if in_config:
                raise GateError(
                    f"the gate {in_config[0].label} is set in the config file: remove it from [relevance.gates]"
                )
            raise GateError(f"there is no gate {mode} {kind} '{shown}'; 'gate list' shows them")
        gate = _gate(row)
        await session.execute(delete(g).where(g.id == row.id))
        return gate

    gate = await db.run(work)
    # The table keeps gates in force; who removed one is in the log.
    log.info("gate removed: %s (set by %s) by %s", gate.label, gate.set_by, removed_by)
    return gate
