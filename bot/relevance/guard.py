"""Whether a retrained relevance model may replace the active one.

Two checks, each a paired comparison of the new model and the current one with an interval, so a
model is kept aside only when it is worse **beyond the noise** (the upper end of the 90% interval
of the difference is below zero: worse with 95% confidence):

- **scored slices** of the frozen test split: only what the bot actually scores, papers with an
  abstract (RSS and the API always carry one), one group per whole arXiv day (``slice`` ``day:...``)
  plus one for the other papers. Per group the figure is recall - clear false-positive rate - half
  the borderline flag rate; the groups are averaged. The interval comes from a paired bootstrap
  inside each group and each kind of paper (positives, clear and borderline negatives), so the
  counts stay those of the split. A title-only slice is not used: polls never score titles alone.
- **newer decisions**, forward in time: the decisions are ordered by when they were taken; a probe
  model is trained on the corpus plus the older ones only (everything but the newest 30%, at least
  5), and its accuracy on the newer ones is compared with the current model's. Scoring the new
  model on decisions it was trained on could never veto it. Below 10 decisions the check is
  skipped, and says so.

The message names the check that failed with its figures:
``kept aside: newer decisions accuracy 0.71 vs 0.80 (n=14; difference -0.09, 90% interval ...)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from bot.relevance.model import RelevanceModel
from bot.relevance.train import Item, TrainConfig, frozen_test, train_model

__all__ = [
    "Check",
    "Verdict",
    "compare_on_decisions",
    "compare_on_split",
    "forward_split",
    "judge",
    "scored_groups",
    "simulate_days",
    "train_and_compare",
]

#: Share of the decisions (the newest) held out for the forward-in-time check, and its floor.
NEWER_SHARE = 0.3
MIN_NEWER = 5
#: Fewer decisions than this: the forward check is skipped (says so).
MIN_DECISIONS = 10
#: Bootstrap resamples (deterministic: a fixed seed).
RESAMPLES = 2000
#: Two-sided interval level; a veto needs the whole interval below zero (95% one-sided).
LEVEL = 0.90

# Weight of each kind of paper in a group's figure: recall - FPR(clear) - 0.5 x borderline rate.
_KINDS = (("positives", 1.0), ("clear", -1.0), ("borderline", -0.5))


@dataclass(slots=True)
class Check:
    """One comparison of the new model with the current one; ``passed`` None: skipped."""

    name: str  # 'scored slices' | 'newer decisions'
    passed: bool | None
    new: float | None = None
    old: float | None = None
    low: float | None = None  # interval of new - old
    high: float | None = None
    n: int = 0
    note: str = ""
    groups: list[dict[str, Any]] = field(default_factory=list)

    @property
    def difference(self) -> float | None:
        return None if self.new is None or self.old is None else round(self.new - self.old, 4)

    def line(self) -> str:
        """``newer decisions accuracy 0.71 vs 0.80 (n=14; difference -0.09, 90% interval -0.21..+0.02)``."""
        if self.passed is None:
            return f"{self.name}: {self.note}"
        what = "accuracy" if self.name == "newer decisions" else "quality"
        interval = f"{LEVEL:.0%} interval {self.low:+.2f}..{self.high:+.2f}"
        out = f"{self.name} {what} {self.new:.2f} vs {self.old:.2f} (n={self.n}; difference {self.difference:+.2f}, {interval}"
        return out + (f"; {self.note})" if self.note else ")")

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "new": self.new,
            "old": self.old,
            "difference": self.difference,
            "interval": [self.low, self.high] if self.low is not None else None,
            "n": self.n,
            "note": self.note,
            "groups": self.groups,
        }


@dataclass(slots=True)
class Verdict:
    activated: bool
    reason: str
    checks: list[Check]

    @property
    def failed(self) -> list[str]:
        return [c.name for c in self.checks if c.passed is False]


def _interval(samples: np.ndarray) -> tuple[float, float]:
    tail = (1 - LEVEL) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return round(float(low), 4), round(float(high), 4)


def _flags(model: RelevanceModel, items: Sequence[Item]) -> np.ndarray:
    return np.array(
        [model.score(i.title, i.abstract, i.categories, reasons=0).relevant for i in items], dtype=float
    )


def scored_groups(test: Sequence[Item]) -> dict[str, list[Item]]:
    """The frozen split as the bot scores it: papers with an abstract, one group per whole day
    (``day:YYYY-MM-DD``) and one for the other papers (``abstract``)."""
    groups: dict[str, list[Item]] = {}
    for item in test:
        if not item.abstract:
            continue
        key = item.slice if item.slice.startswith("day:") else "abstract"
        groups.setdefault(key, []).append(item)
    return dict(sorted(groups.items(), key=lambda kv: (kv[0] == "abstract", kv[0])))


def _kind(item: Item) -> str:
    if item.label == 1:
        return "positives"
    return "borderline" if item.borderline else "clear"


def _rate(flags: np.ndarray) -> float | None:
    return round(float(flags.mean()), 4) if len(flags) else None


def compare_on_split(
    new: RelevanceModel, old: RelevanceModel, test: Sequence[Item], *, seed: int = 0
) -> Check:
    """The scored slices, per day, paired bootstrap inside each group and kind of paper."""
    groups = scored_groups(test)
    if not groups:
        return Check("scored slices", None, note="no papers with an abstract in the frozen split")
    rng = np.random.default_rng(seed)
    total_new = total_old = 0.0
    boot = np.zeros(RESAMPLES)
    rows: list[dict[str, Any]] = []
    for name, items in groups.items():
        f_new, f_old = _flags(new, items), _flags(old, items)
        kinds = np.array([_kind(i) for i in items])
        labels = np.array([i.label for i in items])
        q_new = q_old = 0.0
        for kind, weight in _KINDS:
            mask = kinds == kind
            if not mask.any():
                continue
            q_new += weight * float(f_new[mask].mean())
            q_old += weight * float(f_old[mask].mean())
            d = (f_new - f_old)[mask]
            idx = rng.integers(0, len(d), size=(RESAMPLES, len(d)))
            boot += weight * d[idx].mean(axis=1) / len(groups)
        total_new += q_new / len(groups)
        total_old += q_old / len(groups)
        pos = labels == 1
        rows.append(
            {
                "group": name,
                "n": len(items),
                "positives": int(pos.sum()),
                "flagged": [int(f_new.sum()), int(f_old.sum())],
                "recall": [_rate(f_new[pos]), _rate(f_old[pos])],
                "precision": [
                    round(float(labels[f_new > 0].mean()), 4) if f_new.any() else None,
                    round(float(labels[f_old > 0].mean()), 4) if f_old.any() else None,
                ],
                "quality": [round(q_new, 4), round(q_old, 4)],
            }
        )
    low, high = _interval(boot)
    days = sum(1 for g in groups if g.startswith("day:"))
    worst = min(rows, key=lambda r: r["quality"][0] - r["quality"][1])
    note = f"{days} whole day(s) + {len(groups) - days} other group(s)"
    if worst["quality"][0] < worst["quality"][1]:
        note += f"; worst {worst['group']} {worst['quality'][0]:.2f} vs {worst['quality'][1]:.2f} (n={worst['n']})"
    return Check(
        "scored slices",
        passed=not high < 0,
        new=round(total_new, 4),
        old=round(total_old, 4),
        low=low,
        high=high,
        n=sum(len(v) for v in groups.values()),
        note=note,
        groups=rows,
    )


def forward_split(decisions: Sequence[tuple[Item, datetime]]) -> tuple[list[Item], list[Item]]:
    """(older, newer) by decision time: the newest 30% (at least 5) held out; all older when there
    are fewer than :data:`MIN_DECISIONS`."""
    ordered = [i for i, _ in sorted(decisions, key=lambda d: d[1])]
    if len(ordered) < MIN_DECISIONS:
        return ordered, []
    k = max(MIN_NEWER, math.ceil(NEWER_SHARE * len(ordered)))
    return ordered[:-k], ordered[-k:]


def compare_on_decisions(
    probe: RelevanceModel, old: RelevanceModel, newer: Sequence[Item], *, seed: int = 0
) -> Check:
    """Accuracy on the newer decisions of a model trained without them, against the current one."""
    right_new = np.array(
        [f == i.label for f, i in zip(_flags(probe, newer), newer, strict=True)], dtype=float
    )
    right_old = np.array([f == i.label for f, i in zip(_flags(old, newer), newer, strict=True)], dtype=float)
    d = right_new - right_old
    idx = np.random.default_rng(seed).integers(0, len(d), size=(RESAMPLES, len(d)))
    low, high = _interval(d[idx].mean(axis=1))
    return Check(
        "newer decisions",
        passed=not high < 0,
        new=round(float(right_new.mean()), 4),
        old=round(float(right_old.mean()), 4),
        low=low,
        high=high,
        n=len(newer),
    )


def judge(checks: Sequence[Check], current_version: str) -> Verdict:
    """Activated unless a check failed; the reason names the failed check(s) with their figures."""
    failed = [c for c in checks if c.passed is False]
    if failed:
        return Verdict(False, "kept aside: " + "; ".join(c.line() for c in failed), list(checks))
    lines = "; ".join(c.line() for c in checks)
    return Verdict(True, f"no worse than {current_version} beyond the noise: {lines}", list(checks))


def _versioned(model: RelevanceModel, now: datetime) -> RelevanceModel:
    return replace(model, version=f"{now:%Y%m%d-%H%M%S}-{model.version.rsplit('-', 1)[-1]}")


def train_and_compare(
    corpus: Sequence[Item],
    decisions: Sequence[tuple[Item, datetime]],
    current: RelevanceModel,
    cfg: TrainConfig,
    now: datetime,
) -> tuple[RelevanceModel, Verdict, dict[str, int]]:
    """Train on the corpus's training part plus every decision; judge it against *current*.

    A decision on a paper of the frozen split is not trained on; a decision replaces the corpus
    label of the same paper. Returns the candidate, the verdict and counts (training items,
    decisions trained on, newer decisions held out).
    """
    test = [i for i in corpus if frozen_test(i)]
    test_ids = {i.id for i in test}
    base = [i for i in corpus if not frozen_test(i)]

    def training(labelled: Sequence[Item]) -> list[Item]:
        used = [i for i in labelled if i.id not in test_ids]
        ids = {i.id for i in used}
        return [i for i in base if i.id not in ids] + used

    every = [i for i, _ in decisions]
    train = training(every)
    candidate = _versioned(train_model(train, cfg=cfg, evaluate_on=test, version=None), now)
    checks = [compare_on_split(candidate, current, test)]
    older, newer = forward_split(decisions)
    if newer:
        probe = train_model(training(older), cfg=cfg, version="probe")
        checks.append(compare_on_decisions(probe, current, newer))
    else:
        checks.append(
            Check(
                "newer decisions",
                None,
                n=len(every),
                note=f"too few decisions to test forward in time ({len(every)} < {MIN_DECISIONS})",
            )
        )
    verdict = judge(checks, current.version)
    counts = {
        "items": len(train),
        "decisions": sum(1 for i in every if i.id not in test_ids),
        "newer": len(newer),
    }
    return candidate, verdict, counts


# --------------------------------------------------------------------------------------------
# The loop replayed over whole days, forward in time


def _day_figures(model: RelevanceModel, items: Sequence[Item]) -> dict[str, Any]:
    flags = _flags(model, items)
    labels = np.array([i.label for i in items])
    core = np.array([i.label == 1 and not i.borderline for i in items])
    pos = labels == 1
    return {
        "flagged": int(flags.sum()),
        "precision": round(float(labels[flags > 0].mean()), 4) if flags.any() else None,
        "recall": _rate(flags[pos]),
        "core_recall": _rate(flags[core]),
    }


def _explore(model: RelevanceModel, items: Sequence[Item], k: int) -> list[Item]:
    """The *k* papers closest below the line (at least half of it), as a poll explores them."""
    below = []
    for item in items:
        s = model.score(item.title, item.abstract, item.categories, reasons=0)
        if not s.relevant and s.probability >= 0.5 * s.threshold:
            below.append((s.threshold - s.probability, item.id, item))
    return [i for _, _, i in sorted(below)[:k]]


def simulate_days(
    corpus: Sequence[Item],
    days: Sequence[Item],
    *,
    every: int = 2,
    explore: int = 1,
    cfg: TrainConfig | None = None,
    start: RelevanceModel | None = None,
) -> dict[str, Any]:
    """Replay the moderator loop over whole days, in date order: poll a day with the active model,
    moderators decide every paper above the line plus *explore* papers just below it (by the true
    label; a label-1 borderline paper is a borderline-keep), and after every *every* days retrain
    through the guard (:func:`train_and_compare`): the new model scores the next days only if the
    guard activates it.

    *corpus* is the labelled corpus (its training part is trained on, its frozen part judges; a
    day being replayed is removed from it); *days* are items whose ``slice`` is ``day:YYYY-MM-DD``.
    *start* is the model of the first day (default: trained on the corpus's training part).
    Returns per day the figures of the model that scored it (``after``, learning) and of the
    starting model (``before``, never retrained), and each retrain's verdict.
    """
    cfg = cfg or TrainConfig()
    by_day: dict[str, list[Item]] = {}
    for item in days:
        if item.slice.startswith("day:"):
            by_day.setdefault(item.slice, []).append(item)
    replayed = {i.id for items in by_day.values() for i in items}
    base = [i for i in corpus if i.id not in replayed]
    initial = start or train_model([i for i in base if not frozen_test(i)], cfg=cfg, version="day-0")
    model = initial
    decisions: list[tuple[Item, datetime]] = []
    rows: list[dict[str, Any]] = []
    retrains: list[dict[str, Any]] = []
    for n, (day, items) in enumerate(sorted(by_day.items())):
        items = sorted(items, key=lambda i: i.id)
        when = datetime.fromisoformat(day.split(":")[1]).replace(tzinfo=UTC)
        flagged = [i for i in items if model.score(i.title, i.abstract, i.categories, reasons=0).relevant]
        chosen = flagged + _explore(model, [i for i in items if i not in flagged], explore)
        for k, item in enumerate(chosen):
            status = "approved" if item.label else "rejected"
            decided = replace(
                item, slice="", source=f"decision:{status}", borderline=item.borderline and item.label == 1
            )
            decisions.append((decided, when + timedelta(seconds=k)))
        rows.append(
            {
                "day": day,
                "papers": len(items),
                "positives": sum(i.label for i in items),
                "core": sum(1 for i in items if i.label == 1 and not i.borderline),
                "model": model.version,
                "decided": len(chosen),
                "after": _day_figures(model, items),
                "before": _day_figures(initial, items),
            }
        )
        if (n + 1) % every == 0 and n + 1 < len(by_day):
            candidate, verdict, counts = train_and_compare(base, decisions, model, cfg, when)
            retrains.append(
                {
                    "after_day": day,
                    "decisions": len(decisions),
                    "held_out_newer": counts["newer"],
                    "activated": verdict.activated,
                    "reason": verdict.reason,
                    "version": candidate.version,
                }
            )
            if verdict.activated:
                model = candidate
    return {"days": rows, "retrains": retrains, "summary": _replay_summary(rows, retrains)}


def _replay_summary(rows: Sequence[dict[str, Any]], retrains: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Precision of flagged and recall pooled over the days after the first retrain: the
    starting model (before) against the model the loop had (after)."""
    first = retrains[0]["after_day"] if retrains else None
    later = [r for r in rows if first is not None and r["day"] > first]
    out: dict[str, Any] = {"days_after_first_retrain": len(later)}
    for side in ("before", "after"):
        flagged = sum(r[side]["flagged"] for r in later)
        hits = sum((r[side]["precision"] or 0.0) * r[side]["flagged"] for r in later)
        found = sum((r[side]["recall"] or 0.0) * r["positives"] for r in later)
        positives = sum(r["positives"] for r in later)
        out[side] = {
            "flagged": flagged,
            "precision": round(hits / flagged, 4) if flagged else None,
            "recall": round(found / positives, 4) if positives else None,
        }
    return out
