"""``/ptm-admin relevance show | retrain | activate | rollback``: payloads for Discord and ``ask``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.actor import TERMINAL, Actor
from bot.present.relevance import render_relevance_summary, render_retrain_result, render_version_change
from bot.present.render import MessagePayload
from bot.relevance import store as relevance_store

if TYPE_CHECKING:
    from bot.database import Database

__all__ = [
    "ask_relevance_activate",
    "ask_relevance_rollback",
    "relevance_activate",
    "relevance_retrain",
    "relevance_rollback",
    "relevance_show",
]


async def relevance_show(db: Database) -> MessagePayload:
    """The current model's figures on the frozen split, its strongest features and its versions."""
    return render_relevance_summary(await relevance_store.summary(db))


async def relevance_retrain(
    db: Database, *, corpus: str | None = None, actor: Actor | None = None
) -> MessagePayload:
    """Retrain from the corpus plus this server's decisions; the new model is used only if no worse."""
    result = await relevance_store.retrain(
        db, corpus_path=Path(corpus) if corpus else None, actor=actor or TERMINAL
    )
    return render_retrain_result(result)


async def relevance_activate(db: Database, version: str, actor: Actor | None = None) -> MessagePayload:
    """Score with a stored version (kept aside or retired); audited."""
    return render_version_change(await relevance_store.activate(db, version, actor or TERMINAL))


async def relevance_rollback(db: Database, actor: Actor | None = None) -> MessagePayload:
    """Back to the version active before the current one (the shipped model if none); audited."""
    return render_version_change(await relevance_store.rollback(db, actor or TERMINAL))


# ``ptm-bot ask`` passes the slash options by name; the terminal is the actor.
async def ask_relevance_activate(db: Database, version: str) -> MessagePayload:
    return await relevance_activate(db, version)


async def ask_relevance_rollback(db: Database) -> MessagePayload:
    return await relevance_rollback(db)
