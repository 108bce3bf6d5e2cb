"""``/ptm-admin relevance show`` and ``/ptm-admin relevance retrain``: payloads for Discord and ``ask``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.present.relevance import render_relevance_summary, render_retrain_result
from bot.present.render import MessagePayload
from bot.relevance import store as relevance_store

if TYPE_CHECKING:
    from bot.database import Database

__all__ = ["relevance_retrain", "relevance_show"]


async def relevance_show(db: Database) -> MessagePayload:
    """The current model's figures on the frozen split, its strongest features and its versions."""
    async with db.begin() as session:
        summary = await relevance_store.summary(session)
    return render_relevance_summary(summary)


async def relevance_retrain(db: Database, *, corpus: str | None = None) -> MessagePayload:
    """Retrain from the corpus plus this server's decisions; the new model is used only if no worse."""
    result = await relevance_store.retrain(db, corpus_path=Path(corpus) if corpus else None)
    return render_retrain_result(result)
