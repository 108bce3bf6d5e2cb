"""The one door for the publish record: each function is one unit of work on the :class:`Database`.

``ptm-bot publish`` and ``/ptm-admin publish`` (:mod:`bot.ops.publish`) read the catalog's export
together with what the last publish recorded, then, after the git and network work, record what was
published and where. Both run through :meth:`Database.run` (one transaction, retried whole when the
database is locked: nothing inside touches git or the network); nothing here renders anything.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from bot.actor import Actor
from bot.catalog import service as catalog
from bot.database import Database
from db import models as m

log = logging.getLogger(__name__)

__all__ = [
    "META_LAST_BASE",
    "META_LAST_BRANCH",
    "META_LAST_EXPORT",
    "META_LAST_REPOSITORY",
    "PublishState",
    "publish_state",
    "record_publish",
]

META_LAST_EXPORT = "publish.last_export"
META_LAST_BRANCH = "publish.last_branch"
# The repository's file that the last publish replaced: its lines are not edits made since.
META_LAST_BASE = "publish.last_base"
# Where it went (redacted: no secret is stored): another repository is never "already published".
META_LAST_REPOSITORY = "publish.last_repository"

_KEYS = (META_LAST_EXPORT, META_LAST_BASE, META_LAST_BRANCH, META_LAST_REPOSITORY)


@dataclass(frozen=True, slots=True)
class PublishState:
    """The catalog's export now, and every ``publish.*`` record (``None`` when never written)."""

    export: str
    last: dict[str, str | None]


async def publish_state(db: Database) -> PublishState:
    """The export and the last publish's records, read in one unit of work (one snapshot)."""

    async def work(session: AsyncSession) -> PublishState:
        export = await catalog.export_markdown(session)
        rows = {key: await session.get(m.Meta, key) for key in _KEYS}
        return PublishState(
            export, {key: (row.value if row is not None else None) for key, row in rows.items()}
        )

    return await db.run(work)


async def record_publish(
    db: Database, export: str, *, branch: str, base: str, repository: str, actor: Actor
) -> None:
    """What was published (``export``), on which ``branch``, over which repository file (``base``),
    where (``repository``, redacted): one unit of work, after the network I/O."""

    async def work(session: AsyncSession) -> None:
        await session.merge(m.Meta(key=META_LAST_EXPORT, value=export))
        await session.merge(m.Meta(key=META_LAST_BRANCH, value=branch))
        await session.merge(m.Meta(key=META_LAST_BASE, value=base))
        await session.merge(m.Meta(key=META_LAST_REPOSITORY, value=repository))

    await db.run(work)
    log.info(
        "publish: recorded branch %s to %s by %s via %s",
        branch,
        repository,
        actor.name or actor.id,
        actor.via,
        extra={"user": actor.id},
    )
