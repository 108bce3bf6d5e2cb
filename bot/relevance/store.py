"""Relevance models in the database, and learning from moderators' decisions.

- The **active model** scores every poll: the ``relevance_models`` row with status ``active``, or
  the shipped model when there is none. Rows are parsed once per version and cached.
- **Labels from decisions**: every decided suggestion is a label (approved 1, rejected 0). A paper
  a moderator adds with ``/ptm-admin add`` is stored as an approved suggestion, so a paper the
  watcher saw and did not suggest becomes a missed positive. Undo reopens the suggestion, which
  withdraws its label: labels are read from the suggestions' current state, never copied.
- **Retraining** (:func:`retrain`): the shipped corpus's training part plus the local decisions,
  trained in a worker thread (no transaction is held while it runs). The new model becomes active
  only when it is no worse than the current one on the frozen test split and on the most recent
  decisions; otherwise it is stored as ``kept_aside`` with the reason.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import UserFacingError
from bot.relevance.model import RelevanceModel, shipped_model
from bot.relevance.train import Item, TrainConfig, evaluate, frozen_test, load_corpus, train_model
from db import models as m
from db.models import ModelStatus, SuggestionStatus

if TYPE_CHECKING:
    from bot.database import Database

__all__ = [
    "ModelSummary",
    "RetrainResult",
    "active_model",
    "active_row",
    "decision_items",
    "quality",
    "retrain",
    "summary",
]

log = logging.getLogger(__name__)

#: How many of the latest decisions the comparison of two models looks at.
RECENT_DECISIONS = 50
#: "No worse" allows this much noise on the figures (a single paper moves them by more).
TOLERANCE = 0.005

_CACHE: dict[str, RelevanceModel] = {}
# One retraining at a time per process (it takes a core for up to a minute).
_RETRAINING = asyncio.Lock()


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
            log.warning("stored relevance model %s cannot be used (%s); scoring with the shipped one", version, exc)
            return shipped_model()
        _CACHE[version] = model
    return model


async def decision_items(session: AsyncSession) -> list[tuple[Item, datetime]]:
    """Every decided suggestion as a labelled item, with when it was decided (oldest first)."""
    rows = (
        await session.execute(
            select(
                m.Suggestion.arxiv_id,
                m.Suggestion.title,
                m.Suggestion.abstract,
                m.Suggestion.categories,
                m.Suggestion.status,
                m.Suggestion.decided_at,
            )
            .where(m.Suggestion.status.in_([SuggestionStatus.APPROVED, SuggestionStatus.REJECTED]))
            .order_by(m.Suggestion.decided_at, m.Suggestion.arxiv_id)
        )
    ).all()
    out = []
    for arxiv_id, title, abstract, categories, status, decided_at in rows:
        label = 1 if status == SuggestionStatus.APPROVED else 0
        item = Item(
            id=arxiv_id,
            title=" ".join(title.split()),
            abstract=" ".join((abstract or "").split()),
            label=label,
            categories=tuple(categories or ()),
            source=f"decision:{status}",
        )
        out.append((item, decided_at or datetime.min.replace(tzinfo=UTC)))
    return out


def quality(metrics: dict[str, Any]) -> float:
    """One number to compare two models on the frozen split: per slice, recall minus the clear
    false-positive rate minus half the borderline flag rate, summed over the slices present."""
    total = 0.0
    for name in ("abstract", "title_only", "days"):
        s = metrics.get(name)
        if not s or s.get("recall") is None:
            continue
        total += s["recall"] - (s.get("fpr_clear") or 0.0) - 0.5 * (s.get("borderline_flag_rate") or 0.0)
    return round(total, 4)


def _accuracy(model: RelevanceModel, items: Sequence[Item]) -> float | None:
    if not items:
        return None
    right = sum(
        model.score(i.title, i.abstract, i.categories, reasons=0).relevant == bool(i.label) for i in items
    )
    return round(right / len(items), 4)


@dataclass(slots=True)
class RetrainResult:
    version: str
    activated: bool
    reason: str
    metrics: dict[str, Any]
    previous_version: str
    previous_quality: float
    quality: float
    recent_accuracy: float | None
    previous_recent_accuracy: float | None
    decisions: int
    items: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "activated": self.activated,
            "reason": self.reason,
            "previous_version": self.previous_version,
            "quality": self.quality,
            "previous_quality": self.previous_quality,
            "recent_accuracy": self.recent_accuracy,
            "previous_recent_accuracy": self.previous_recent_accuracy,
            "decisions": self.decisions,
            "items": self.items,
            "metrics": self.metrics,
        }


def _train_and_compare(
    corpus: list[Item],
    decisions: list[tuple[Item, datetime]],
    current: RelevanceModel,
    cfg: TrainConfig,
    now: datetime,
) -> tuple[RelevanceModel, RetrainResult]:
    test = [i for i in corpus if frozen_test(i)]
    test_ids = {i.id for i in test}
    labelled = [i for i, _ in decisions if i.id not in test_ids]
    local_ids = {i.id for i in labelled}
    # A moderator's decision overrides the corpus label of the same paper.
    train = [i for i in corpus if not frozen_test(i) and i.id not in local_ids] + labelled
    candidate = train_model(train, cfg=cfg, evaluate_on=test, version=None)
    candidate = RelevanceModel(
        version=f"{now:%Y%m%d-%H%M%S}-{candidate.version.rsplit('-', 1)[-1]}",
        with_abstract=candidate.with_abstract,
        title_only=candidate.title_only,
        metrics=candidate.metrics,
        trained_on=candidate.trained_on,
        examples=candidate.examples,
    )
    current_metrics = evaluate(current, test)
    recent = [i for i, _ in decisions[-RECENT_DECISIONS:]]
    q_new, q_old = quality(candidate.metrics), quality(current_metrics)
    acc_new, acc_old = _accuracy(candidate, recent), _accuracy(current, recent)
    reasons = []
    if q_new < q_old - TOLERANCE:
        reasons.append(f"worse on the frozen test split ({q_new:.3f} < {q_old:.3f})")
    if acc_new is not None and acc_old is not None and acc_new < acc_old - TOLERANCE:
        reasons.append(f"worse on the {len(recent)} latest decisions ({acc_new:.3f} < {acc_old:.3f})")
    activated = not reasons
    reason = (
        f"no worse than {current.version} on the frozen split ({q_new:.3f} vs {q_old:.3f})"
        + (f" and on the {len(recent)} latest decisions ({acc_new:.3f} vs {acc_old:.3f})" if recent else "")
        if activated
        else "kept aside: " + "; ".join(reasons)
    )
    result = RetrainResult(
        version=candidate.version,
        activated=activated,
        reason=reason,
        metrics=dict(candidate.metrics),
        previous_version=current.version,
        previous_quality=q_old,
        quality=q_new,
        recent_accuracy=acc_new,
        previous_recent_accuracy=acc_old,
        decisions=len(labelled),
        items=len(train),
    )
    return candidate, result


async def retrain(
    db: Database,
    *,
    corpus_path: Path | None = None,
    cfg: TrainConfig | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
) -> RetrainResult:
    """Retrain from the corpus plus this server's decisions; activate the new model if no worse.

    *db* is the open :class:`bot.database.Database`. Reads in one unit of work, trains in a worker
    thread, writes in another unit of work: no transaction is held while the model trains.
    """
    if _RETRAINING.locked():
        raise UserFacingError("The relevance model is already being retrained; try again in a minute.")
    async with _RETRAINING:
        return await _retrain(db, corpus_path=corpus_path, cfg=cfg, now=now, dry_run=dry_run)


async def _retrain(
    db: Database, *, corpus_path: Path | None, cfg: TrainConfig | None, now: datetime | None, dry_run: bool
) -> RetrainResult:
    now = now or datetime.now(UTC)
    async with db.begin() as session:
        decisions = await decision_items(session)
        current = await active_model(session)
    try:
        corpus = await asyncio.to_thread(load_corpus, corpus_path)
    except (OSError, ValueError, KeyError) as exc:  # a missing file, bad JSON, a row without a field
        raise UserFacingError(f"cannot read the corpus {corpus_path}: {exc}") from None
    candidate, result = await asyncio.to_thread(
        _train_and_compare, corpus, decisions, current, cfg or TrainConfig(), now
    )
    if dry_run:
        return result
    async with db.begin() as session:
        if result.activated:
            await session.execute(
                update(m.RelevanceModelRow)
                .where(m.RelevanceModelRow.status == ModelStatus.ACTIVE)
                .values(status=ModelStatus.RETIRED)
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


async def summary(session: AsyncSession, *, strongest: int = 8) -> ModelSummary:
    """The active model's figures (on the frozen split), strongest features and the version history."""
    row = await active_row(session)
    model = await active_model(session)
    rows = (
        await session.execute(
            select(
                m.RelevanceModelRow.version,
                m.RelevanceModelRow.status,
                m.RelevanceModelRow.created_at,
                m.RelevanceModelRow.note,
            ).order_by(m.RelevanceModelRow.created_at.desc(), m.RelevanceModelRow.id.desc())
        )
    ).all()
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
            {"version": v, "status": s, "created_at": c.isoformat() if c else None, "note": note}
            for v, s, c, note in rows
        ],
        decisions=int(decided or 0),
    )
