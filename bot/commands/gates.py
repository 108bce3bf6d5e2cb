"""``/ptm-admin gate add|remove|list``: moderators' always / never gates (one call, one renderer).

Shared by the cog, ``ptm-bot ask`` and ``ptm-bot gate``. *set_by* is the audit: a Discord user id,
or ``cli:<user>`` from the terminal.
"""

from __future__ import annotations

import getpass
from collections.abc import Awaitable, Callable

from bot.config import Config
from bot.database import Database
from bot.present.gates import render_gate_added, render_gate_list, render_gate_removed
from bot.present.render import MessagePayload
from bot.relevance import gate_store

__all__ = ["HANDLERS", "cli_user", "gate_add", "gate_list", "gate_remove"]


def cli_user() -> str:
    """``cli:<login name>``: who set a gate from the terminal."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no login name (a container without a passwd entry)
        return "cli:unknown"


async def gate_add(
    db: Database,
    config: Config,
    mode: str,
    kind: str,
    value: str,
    *,
    set_by: str,
    set_by_name: str | None = None,
) -> MessagePayload:
    gate = await gate_store.add_gate(
        db, mode, kind, value, set_by=set_by, set_by_name=set_by_name, config=config.relevance.gates
    )
    return render_gate_added(gate)


async def gate_remove(
    db: Database, config: Config, mode: str, kind: str, value: str, *, removed_by: str
) -> MessagePayload:
    gate = await gate_store.remove_gate(
        db, mode, kind, value, removed_by=removed_by, config=config.relevance.gates
    )
    return render_gate_removed(gate)


async def gate_list(db: Database, config: Config) -> MessagePayload:
    return render_gate_list(await gate_store.list_gates(db, config.relevance.gates))


# ``ptm-bot ask '/ptm-admin gate add always author Kaiming He'``: the terminal user sets it.


async def ask_gate_add(db: Database, mode: str, kind: str, value: str, *, config: Config) -> MessagePayload:
    return await gate_add(db, config, mode, kind, value, set_by=cli_user())


async def ask_gate_remove(
    db: Database, mode: str, kind: str, value: str, *, config: Config
) -> MessagePayload:
    return await gate_remove(db, config, mode, kind, value, removed_by=cli_user())


async def ask_gate_list(db: Database, *, config: Config) -> MessagePayload:
    return await gate_list(db, config)


HANDLERS: dict[str, Callable[..., Awaitable[MessagePayload]]] = {
    "ptm-admin gate add": ask_gate_add,
    "ptm-admin gate remove": ask_gate_remove,
    "ptm-admin gate list": ask_gate_list,
}
