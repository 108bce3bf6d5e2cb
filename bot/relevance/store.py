"""Relevance models in the database, and learning from moderators' decisions.

- The **active model** scores every poll: the ``relevance_models`` row with status ``active``, or
  the shipped model when there is none. Rows are parsed once per version and cached.
- **Labels from decisions** (:mod:`bot.relevance.labels`): approved core 1, approved
  borderline-keep 1 (borderline), rejected 0; undo withdraws the label.
- **Retraining** (:func:`retrain`): the shipped corpus's training part plus the local decisions,
  trained in a worker thread (no transaction is held while it runs). The new model becomes active
  only when it is not worse beyond the noise on the slices the bot scores (per whole day) and on
  the newer decisions, forward in time (:mod:`bot.relevance.guard`); otherwise it is stored as
  ``kept_aside`` with the check that failed and its figures. Nothing new since the latest version:
  nothing is trained.
- **Versions** (:func:`activate`, :func:`rollback`): moderators choose; every change of the active
  version is audited in ``relevance_model_events``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.actor import Actor
from bot.errors import UserFacingError
from bot.relevance.active import _CACHE, active_model, active_row
from bot.relevance.guard import train_and_compare
from bot.relevance.labels import decision_items, fingerprint
from bot.relevance.model import RelevanceModel, shipped_model
from bot.relevance.train import Item, TrainConfig, load_corpus
from db import models as m
from db.models import ModelStatus, SuggestionStatus

if TYPE_CHECKING:
    from bot.database import Database

__all__ = [
    "Actor",
    "ModelSummary",
    "NothingNew",
    "RetrainResult",
    "VersionChange",
    "activate",
    "active_model",
    "active_row",
    "decision_items",
    "quality",
    "retrain",
    "rollback",
    "summary",
]

log = logging.getLogger(__name__)

# One retraining at a time per process (it takes a core for up to a minute).
_RETRAINING = asyncio.Lock()


def quality(metrics: dict[str, Any]) -> float:
    """One number summarising a model's figures on the frozen split (kept for ``relevance show``
    and the tests): per slice, recall minus the clear false-positive rate minus half the
    borderline flag rate, summed over the slices present. The guard does not use it any more:
    it compares the two models paper by paper (:mod:`bot.relevance.guard`)."""
    total = 0.0
    for name in ("abstract", "title_only", "days"):
        s = metrics.get(name)
        if not s or s.get("recall") is None:
            continue
        total += s["recall"] - (s.get("fpr_clear") or 0.0) - 0.5 * (s.get("borderline_flag_rate") or 0.0)
    return round(total, 4)


@dataclass(slots=True)
class RetrainResult:
    version: str
    activated: bool
    reason: str
    metrics: dict[str, Any]
    previous_version: str
    previous_quality: float | None
    quality: float | None
    recent_accuracy: float | None  # the forward-in-time check: a model trained without the newer decisions
    previous_recent_accuracy: float | None
    decisions: int
    items: int
    checks: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False  # nothing stored: ``activated`` says what a real retrain would do

    @property
    def failed(self) -> list[str]:
        return [c["name"] for c in self.checks if c.get("passed") is False]

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "activated": self.activated,
            "dry_run": self.dry_run,
            "reason": self.reason,
            "failed": self.failed,
            "previous_version": self.previous_version,
            "quality": self.quality,
            "previous_quality": self.previous_quality,
            "recent_accuracy": self.recent_accuracy,
            "previous_recent_accuracy": self.previous_recent_accuracy,
            "decisions": self.decisions,
            "items": self.items,
            "checks": self.checks,
            "fingerprint": self.fingerprint,
            "metrics": self.metrics,
        }


def _train_and_compare(
    corpus: list[Item],
    decisions: list[tuple[Item, datetime]],
    current: RelevanceModel,
    cfg: TrainConfig,
    now: datetime,
) -> tuple[RelevanceModel, RetrainResult]:
    """Train and judge (:func:`bot.relevance.guard.train_and_compare`), as a :class:`RetrainResult`."""
    candidate, verdict, counts = train_and_compare(corpus, decisions, current, cfg, now)
    by_name = {c.name: c for c in verdict.checks}
    split, forward = by_name.get("scored slices"), by_name.get("newer decisions")
    result = RetrainResult(
        version=candidate.version,
        activated=verdict.activated,
        reason=verdict.reason,
        metrics=dict(candidate.metrics),
        previous_version=current.version,
        previous_quality=split.old if split else None,
        quality=split.new if split else None,
        recent_accuracy=forward.new if forward else None,
        previous_recent_accuracy=forward.old if forward else None,
        decisions=counts["decisions"],
        items=counts["items"],
        checks=[c.as_dict() for c in verdict.checks],
        fingerprint=fingerprint(decisions, corpus),
    )
    return candidate, result


class NothingNew(UserFacingError):
    """A retrain with the same decisions and corpus as the latest stored version."""


async def retrain(
    db: Database,
    *,
    corpus_path: Path | None = None,
    cfg: TrainConfig | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    actor: Actor | None = None,
) -> RetrainResult:
    """Retrain from the corpus plus this server's decisions; activate the new model if no worse.

    *db* is the open :class:`bot.database.Database`. Reads in one unit of work, trains in a worker
    thread, writes in another unit of work: no transaction is held while the model trains. With
    nothing new since the latest stored version (same decisions, same corpus) nothing is trained:
    :class:`NothingNew` says so (``--dry-run`` trains anyway).
    """
    if _RETRAINING.locked():
        raise UserFacingError("The relevance model is already being retrained; try again in a minute.")
    async with _RETRAINING:
        return await _retrain(db, corpus_path=corpus_path, cfg=cfg, now=now, dry_run=dry_run, actor=actor)


async def _retrain(
    db: Database,
    *,
    corpus_path: Path | None,
    cfg: TrainConfig | None,
    now: datetime | None,
    dry_run: bool,
    actor: Actor | None,
) -> RetrainResult:
    now = now or datetime.now(UTC)
    actor = actor or Actor(None, None, "cli")
    async with db.begin() as session:
        decisions = await decision_items(session)
        current = await active_model(session)
        latest = (
            await session.execute(
                select(m.RelevanceModelRow.version, m.RelevanceModelRow.metrics)
                .order_by(m.RelevanceModelRow.created_at.desc(), m.RelevanceModelRow.id.desc())
                .limit(1)
            )
        ).first()
    try:
        corpus = await asyncio.to_thread(load_corpus, corpus_path)
    except (OSError, ValueError, KeyError) as exc:  # a missing file, bad JSON, a row without a field
        raise UserFacingError(f"cannot read the corpus {corpus_path}: {exc}") from None
    if latest is not None and not dry_run:
        version, metrics = latest
        if (metrics or {}).get("fingerprint") == fingerprint(decisions, corpus):
            raise NothingNew(
                f"nothing new to learn from since version {version} (the same {len(decisions)} decisions "
                "and corpus); decide more suggestions first, or use /ptm-admin relevance activate to "
                "choose a stored version"
            )
    candidate, result = await asyncio.to_thread(
        _train_and_compare, corpus, decisions, current, cfg or TrainConfig(), now
    )
    if dry_run:
        return replace(result, dry_run=True)
    async with db.begin() as session:
        previous = await active_row(session)
        if result.activated:
            await session.execute(
                update(m.RelevanceModelRow)
                .where(m.RelevanceModelRow.status == ModelStatus.ACTIVE)
                .values(status=ModelStatus.RETIRED)
            )
            session.add(
                _event(
                    "retrain",
                    candidate.version,
                    previous.version if previous else None,
                    actor,
                    now,
                    result.reason,
                )
            )
        session.add(
            m.RelevanceModelRow(
                version=candidate.version,
                status=ModelStatus.ACTIVE if result.activated else ModelStatus.KEPT_ASIDE,
                created_at=now,
                body=candidate.dumps(),
                metrics=result.as_dict(),
                note=result.reason,
            )
        )
    if result.activated:
        _CACHE[candidate.version] = candidate
    log.info("relevance model %s: %s", candidate.version, result.reason)
    return result


# --------------------------------------------------------------------------------------------
# Moderators choose the version: activate a stored one, roll back to the one before


@dataclass(frozen=True, slots=True)
class VersionChange:
    action: str  # 'activate' | 'rollback'
    version: str  # now scoring (the shipped model's version when no stored one is active)
    previous: str
    source: str  # 'database' | 'shipped'
    note: str


def _event(
    action: str, version: str | None, previous: str | None, actor: Actor, now: datetime, note: str
) -> m.RelevanceModelEvent:
    return m.RelevanceModelEvent(
        version=version,
        previous_version=previous,
        action=action,
        actor_id=actor.id,
        actor_name=actor.name,
        via=actor.via,
        at=now,
        note=note[:2000],
    )


async def activate(db: Database, version: str, actor: Actor, *, now: datetime | None = None) -> VersionChange:
    """Make a stored version (kept aside or retired) the active one; the current one is retired."""
    now = now or datetime.now(UTC)
    version = version.strip()
    async with db.begin() as session:
        row = await session.scalar(select(m.RelevanceModelRow).where(m.RelevanceModelRow.version == version))
        if row is None:
            known = list(
                await session.scalars(
                    select(m.RelevanceModelRow.version)
                    .order_by(m.RelevanceModelRow.created_at.desc())
                    .limit(5)
                )
            )
            shown = ", ".join(known) if known else "none stored yet"
            raise UserFacingError(f"No stored relevance model {version!r}; versions: {shown}.")
        if row.status == ModelStatus.ACTIVE:
            raise UserFacingError(f"Relevance model {version} is already active.")
        current = await active_row(session)
        previous = current.version if current else shipped_model().version
        await session.execute(
            update(m.RelevanceModelRow)
            .where(m.RelevanceModelRow.status == ModelStatus.ACTIVE)
            .values(status=ModelStatus.RETIRED)
        )
        was = row.status
        row.status = ModelStatus.ACTIVE
        note = f"activated by {actor.name or 'the terminal'} (was {was}; {previous} before)"
        session.add(_event("activate", version, current.version if current else None, actor, now, note))
    log.info("relevance model %s %s", version, note)
    return VersionChange("activate", version, previous, "database", note)


async def rollback(db: Database, actor: Actor, *, now: datetime | None = None) -> VersionChange:
    """Go back to the version that was active before the current one (the shipped model when none
    was): read from the audit, else the latest retired version."""
    now = now or datetime.now(UTC)
    async with db.begin() as session:
        current = await active_row(session)
        if current is None:
            raise UserFacingError(
                f"The shipped model {shipped_model().version} is in use: there is nothing to roll back."
            )
        before = await session.scalar(
            select(m.RelevanceModelEvent.previous_version)
            .where(m.RelevanceModelEvent.version == current.version)
            .order_by(m.RelevanceModelEvent.id.desc())
            .limit(1)
        )
        if before is None:
            before = await session.scalar(
                select(m.RelevanceModelRow.version)
                .where(m.RelevanceModelRow.status == ModelStatus.RETIRED)
                .order_by(m.RelevanceModelRow.created_at.desc(), m.RelevanceModelRow.id.desc())
                .limit(1)
            )
        target = None
        if before is not None:
            target = await session.scalar(
                select(m.RelevanceModelRow).where(m.RelevanceModelRow.version == before)
            )
        current.status = ModelStatus.RETIRED
        if target is not None:
            await session.flush()
            target.status = ModelStatus.ACTIVE
        version = target.version if target else shipped_model().version
        note = f"rolled back by {actor.name or 'the terminal'} from {current.version} to {version}"
        session.add(_event("rollback", target.version if target else None, current.version, actor, now, note))
    log.info("relevance model: %s", note)
    return VersionChange("rollback", version, current.version, "database" if target else "shipped", note)


@dataclass(frozen=True, slots=True)
class ModelSummary:
    """What ``relevance show`` and ``/ptm-admin relevance show`` print."""

    version: str
    source: str  # 'shipped' | 'database'
    metrics: dict[str, Any]
    strongest: dict[str, dict[str, list[tuple[str, float]]]]
    history: list[dict[str, Any]]
    decisions: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "source": self.source,
            "metrics": self.metrics,
            "strongest": {
                part: {sign: [[f, w] for f, w in feats] for sign, feats in signs.items()}
                for part, signs in self.strongest.items()
            },
            "models": self.history,
            "decisions": self.decisions,
        }


def _strongest(model: RelevanceModel, n: int) -> dict[str, dict[str, list[tuple[str, float]]]]:
    out = {}
    for part, title_only in (("with_abstract", False), ("title_only", True)):
        ranked = model.strongest(n, title_only=title_only)
        out[part] = {
            "positive": [(model.name(f), w) for f, w in ranked[:n] if w > 0],
            "negative": [(model.name(f), w) for f, w in ranked[n:] if w < 0],
        }
    return out


def _change(event: tuple[str, str | None, str, datetime] | None) -> str | None:
    """``activate by mod (command) 2026-12-07 03:30``: who last made a version active."""
    if event is None:
        return None
    action, who, via, at = event
    return f"{action} by {who or 'the terminal'} ({via}) {at:%Y-%m-%d %H:%M}"


async def summary(db: Database, *, strongest: int = 8) -> ModelSummary:
    """The active model's figures (on the frozen split), strongest features and the version history
    (``/ptm-admin relevance show``, ``ptm-bot relevance show``): a read, in one unit of work."""
    return await db.run(lambda session: _summary(session, strongest))


async def _summary(session: AsyncSession, strongest: int) -> ModelSummary:
    row = await active_row(session)
    model = await active_model(session)
    rows = (
        await session.execute(
            select(
                m.RelevanceModelRow.version,
                m.RelevanceModelRow.status,
                m.RelevanceModelRow.created_at,
                m.RelevanceModelRow.note,
                m.RelevanceModelRow.metrics,
            ).order_by(m.RelevanceModelRow.created_at.desc(), m.RelevanceModelRow.id.desc())
        )
    ).all()
    events = (
        await session.execute(
            select(
                m.RelevanceModelEvent.version,
                m.RelevanceModelEvent.action,
                m.RelevanceModelEvent.actor_name,
                m.RelevanceModelEvent.via,
                m.RelevanceModelEvent.at,
            ).order_by(m.RelevanceModelEvent.id)
        )
    ).all()
    last_event = {v: (a, who, via, at) for v, a, who, via, at in events if v is not None}
    decided = await session.scalar(
        select(func.count())
        .select_from(m.Suggestion)
        .where(m.Suggestion.status.in_([SuggestionStatus.APPROVED, SuggestionStatus.REJECTED]))
    )
    return ModelSummary(
        version=model.version,
        source="database" if row is not None and row.version == model.version else "shipped",
        metrics=dict(model.metrics),
        strongest=_strongest(model, strongest),
        history=[
            {
                "version": v,
                "status": s,
                "created_at": c.isoformat() if c else None,
                "note": note,
                # Which check kept it aside (the note gives the figures); the JSON column reads
                # back what ``RetrainResult.as_dict`` wrote, a list of names.
                "failed": list(cast("list[str]", (metrics or {}).get("failed") or [])),
                "last_change": _change(last_event.get(v)),
            }
            for v, s, c, note, metrics in rows
        ],
        decisions=int(decided or 0),
    )
