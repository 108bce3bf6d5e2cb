"""The feedback loop simulated on a stream of labelled papers (``bench/relevance_simulate.py``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from bot.relevance.corpus import Item
from bot.relevance.evaluate import evaluate
from bot.relevance.train import TrainConfig, train_model

__all__ = ["simulate_feedback"]


def simulate_feedback(
    seed: Sequence[Item],
    stream: Sequence[Item],
    test: Sequence[Item],
    *,
    every: int = 50,
    poll_size: int = 25,
    cfg: TrainConfig | None = None,
) -> list[dict[str, Any]]:
    """Replay *stream* as polls of *poll_size* papers: moderators decide every paper the current
    model suggests, plus one exploration paper per poll (the best one scoring at least half of the
    threshold, as a real poll does); every *every* new decisions the model is retrained on *seed*
    plus all decisions so far. Returns the figures on *test* (never decided, never trained on)
    before the first decision and after each retraining."""
    cfg = cfg or TrainConfig()
    model = train_model(seed, cfg=cfg, version="sim-0")
    history = [{"decisions": 0, **_summary(evaluate(model, test))}]
    decided: list[Item] = []
    since = 0
    for start in range(0, len(stream), poll_size):
        batch = stream[start : start + poll_size]
        scored = [(i, model.score(i.title, i.abstract, i.categories, reasons=0)) for i in batch]
        chosen = [i for i, s in scored if s.relevant]
        below = [
            (s.threshold - s.probability, i.id, i)
            for i, s in scored
            if not s.relevant and s.probability >= 0.5 * s.threshold
        ]
        if below:
            chosen.append(min(below)[2])
        decided.extend(replace(i, source=f"decision:{'approved' if i.label else 'rejected'}") for i in chosen)
        since += len(chosen)
        if since >= every:
            since = 0
            model = train_model([*seed, *decided], cfg=cfg, version=f"sim-{len(decided)}")
            history.append({"decisions": len(decided), **_summary(evaluate(model, test))})
    return history


def _summary(metrics: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("abstract", "title_only", "days"):
        s = metrics.get(name)
        if s:
            out[name] = {k: s.get(k) for k in ("recall", "fpr_clear", "borderline_flag_rate", "precision")}
    return out
