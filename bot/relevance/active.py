"""The model a poll scores with: the active stored version, else the shipped one.

Its own module so that scoring imports neither the trainer nor NumPy (:mod:`bot.relevance.store`,
which retrains, re-exports these names).
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.relevance.model import RelevanceModel, shipped_model
from db import models as m
from db.models import ModelStatus

__all__ = ["active_model", "active_row"]

log = logging.getLogger("bot.relevance.store")  # the name its lines have always carried

_CACHE: dict[str, RelevanceModel] = {}


async def active_row(session: AsyncSession) -> m.RelevanceModelRow | None:
    return await session.scalar(
        select(m.RelevanceModelRow).where(m.RelevanceModelRow.status == ModelStatus.ACTIVE).limit(1)
    )


async def active_model(session: AsyncSession) -> RelevanceModel:
    """The model polls score with: the active stored one, else the shipped one."""
    version = await session.scalar(
        select(m.RelevanceModelRow.version).where(m.RelevanceModelRow.status == ModelStatus.ACTIVE).limit(1)
    )
    if version is None:
        return shipped_model()
    model = _CACHE.get(version)
    if model is None:
        body = await session.scalar(
            select(m.RelevanceModelRow.body).where(m.RelevanceModelRow.version == version)
        )
        try:
            model = RelevanceModel.loads(body or "")
        except (ValueError, KeyError) as exc:  # written by another version of the bot
            log.warning(
                "stored relevance model %s cannot be used (%s); scoring with the shipped one", version, exc
            )
            return shipped_model()
        _CACHE[version] = model
    return model
