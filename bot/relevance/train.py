"""Training the relevance model (:mod:`bot.relevance.model`): NumPy, imported only to train.

- **Model**: L2-regularised logistic regression over binary n-gram/category/cue/structure features,
  fitted by L-BFGS in NumPy (deterministic: no random state at all), Platt calibration and the
  decision threshold chosen on out-of-fold predictions of the training part only (K folds, a whole
  day always in one fold). The threshold is the highest one whose out-of-fold recall on core papers
  (of the training days, when they hold enough) is at least ``target_recall``. A second weight set
  scores titles alone; it is trained on every training item with its abstract removed.
- The corpus, the days and the frozen split: :mod:`bot.relevance.corpus`; figures:
  :mod:`bot.relevance.evaluate`; the simulated loop: :mod:`bot.relevance.simulate`. Their names are
  importable from here too.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import numpy as np

from bot.relevance.corpus import (
    CORPUS,
    Item,
    days_dir,
    frozen_days,
    frozen_test,
    item_from_row,
    load_corpus,
    shipped_days,
)
from bot.relevance.corpus import fold as _fold
from bot.relevance.cues import cue_priors
from bot.relevance.days import average_precision
from bot.relevance.evaluate import evaluate, reliability
from bot.relevance.model import RelevanceModel, WeightSet, features

__all__ = [
    "CORPUS",
    "Item",
    "TrainConfig",
    "days_dir",
    "evaluate",
    "frozen_days",
    "frozen_test",
    "item_from_row",
    "load_corpus",
    "reliability",
    "shipped_days",
    "train_model",
]


@dataclass(slots=True)
class _Design:
    rows: np.ndarray  # row index of every non-zero
    cols: np.ndarray  # column index of every non-zero
    n: int
    d: int

    def dot(self, w: np.ndarray) -> np.ndarray:
        return np.bincount(self.rows, weights=w[self.cols], minlength=self.n)

    def tdot(self, r: np.ndarray) -> np.ndarray:
        return np.bincount(self.cols, weights=r[self.rows], minlength=self.d)


def _design(feats: Sequence[Iterable[str]], vocab: Mapping[str, int]) -> _Design:
    rows: list[int] = []
    cols: list[int] = []
    for i, fs in enumerate(feats):
        idx = sorted(vocab[f] for f in fs if f in vocab)
        rows.extend([i] * len(idx))
        cols.extend(idx)
    return _Design(np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), len(feats), len(vocab))


class _Listwise:
    """A day's ranking as a loss: for each whole day with a yes, minus the mean log-softmax of its
    yes papers among the day's papers (ListNet with the yes papers as the target), averaged over days.
    ``group[i]`` is the day index of item i, or -1 for papers outside whole days."""

    def __init__(self, group: np.ndarray, y: np.ndarray, strength: float) -> None:
        keep = group >= 0
        counts = np.bincount(group[keep], weights=y[keep]) if keep.any() else np.zeros(0)
        useful = np.flatnonzero(counts > 0)
        self.idx = np.flatnonzero(keep & np.isin(group, useful))
        self.g = np.searchsorted(useful, group[self.idx])
        self.target = y[self.idx] / counts[useful][self.g]
        self.scale = strength / max(1, len(useful))
        self.k = len(useful)

    def __call__(self, z: np.ndarray) -> tuple[float, np.ndarray]:
        dz = np.zeros_like(z)
        if not self.k:
            return 0.0, dz
        zi = z[self.idx]
        top = np.full(self.k, -np.inf)
        np.maximum.at(top, self.g, zi)
        e = np.exp(zi - top[self.g])
        total = np.bincount(self.g, weights=e, minlength=self.k)
        log_total = np.log(total) + top
        loss = float(log_total.sum() - (self.target * zi).sum())
        dz[self.idx] = self.scale * (e / total[self.g] - self.target)
        return self.scale * loss, dz


def _fit(
    x: _Design,
    y: np.ndarray,
    s: np.ndarray,
    l2: np.ndarray,
    prior: np.ndarray,
    *,
    iters: int = 400,
    listwise: _Listwise | None = None,
) -> tuple[float, np.ndarray]:
    """Minimise mean weighted log loss + sum_j l2_j/2 (w_j - prior_j)^2 (bias free) by L-BFGS;
    returns (bias, w). The prior pulls the cue weights toward the hand-set ones. With *listwise*,
    its day-ranking loss is added."""
    total = float(s.sum())

    def value_grad(theta: np.ndarray) -> tuple[float, np.ndarray]:
        b, w = theta[0], theta[1:]
        z = x.dot(w) + b
        # log(1 + e^-z) for y=1 and log(1 + e^z) for y=0, computed stably
        loss = np.logaddexp(0.0, np.where(y > 0, -z, z))
        p = 0.5 * (1.0 + np.tanh(0.5 * z))
        r = s * (p - y) / total
        dw = w - prior
        f = float((s * loss).sum() / total + 0.5 * float((l2 * dw) @ dw))
        if listwise is not None:
            extra, dz = listwise(z)
            f += extra
            r = r + dz
        g = np.empty_like(theta)
        g[0] = r.sum()
        g[1:] = x.tdot(r) + l2 * dw
        return f, g

    theta = np.concatenate(([0.0], prior))
    f, g = value_grad(theta)
    hist_s: list[np.ndarray] = []
    hist_y: list[np.ndarray] = []
    for _ in range(iters):
        # two-loop recursion
        q = g.copy()
        alphas = []
        for s_k, y_k in zip(reversed(hist_s), reversed(hist_y), strict=True):
            rho = 1.0 / float(y_k @ s_k)
            a = rho * float(s_k @ q)
            alphas.append((a, rho))
            q -= a * y_k
        if hist_s:
            q *= float(hist_s[-1] @ hist_y[-1]) / float(hist_y[-1] @ hist_y[-1])
        for (a, rho), s_k, y_k in zip(reversed(alphas), hist_s, hist_y, strict=True):
            beta = rho * float(y_k @ q)
            q += (a - beta) * s_k
        direction = -q
        slope = float(g @ direction)
        if slope >= 0:  # not a descent direction: restart from the gradient
            hist_s.clear()
            hist_y.clear()
            direction, slope = -g, -float(g @ g)
        step = 1.0
        while True:
            new = theta + step * direction
            f_new, g_new = value_grad(new)
            if f_new <= f + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_k, y_k = new - theta, g_new - g
        theta, f_old, f, g = new, f, f_new, g_new
        if float(y_k @ s_k) > 1e-12:
            hist_s.append(s_k)
            hist_y.append(y_k)
            if len(hist_s) > 10:
                hist_s.pop(0)
                hist_y.pop(0)
        if abs(f_old - f) < 1e-10 * max(1.0, abs(f)) or float(np.abs(g).max()) < 1e-7:
            break
    return float(theta[0]), theta[1:]


def _platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Fit ``p = sigmoid(a z + b)`` on out-of-fold logits (Platt's targets avoid 0/1 overfit)."""
    pos, neg = float(y.sum()), float(len(y) - y.sum())
    t = np.where(y > 0, (pos + 1) / (pos + 2), 1 / (neg + 2))
    a, b = 1.0, 0.0
    for _ in range(100):  # Newton on two parameters
        p = 0.5 * (1.0 + np.tanh(0.5 * (a * z + b)))
        g = np.array([((p - t) * z).sum(), (p - t).sum()])
        w = p * (1 - p) + 1e-12
        h = np.array([[(w * z * z).sum(), (w * z).sum()], [(w * z).sum(), w.sum()]]) + 1e-9 * np.eye(2)
        step = np.linalg.solve(h, g)
        a, b = a - step[0], b - step[1]
        if np.abs(step).max() < 1e-9:
            break
    return float(a), float(b)


@dataclass(frozen=True, slots=True)
class TrainConfig:
    target_recall: float = 0.9  # on core papers of the training days, out of fold (bench/relevance_cv.py)
    folds: int = 5
    min_df: int = 2
    l2_grid: tuple[float, ...] = (3e-3, 1e-2, 3e-2)  # n-gram weights, pulled toward 0
    # The pull of the cue and category weights toward their hand-set values, chosen by cross-validation
    # over whole days: a strong pull (0.1) keeps a title's "Pre-training" at +2.6 whatever the data say.
    cue_l2_grid: tuple[float, ...] = (0.1, 0.01, 0.001)
    # With at least this many core papers among the training days, the threshold and the penalties are
    # chosen on the days (out-of-fold, a day at a time), as a moderator meets papers.
    min_day_core: int = 20
    # Feature families left out (by prefix, e.g. ("s:",) for no structure features): ablations only.
    drop_features: tuple[str, ...] = ()
    # Hard negatives (papers that use or evaluate PTMs) count more: they are what floods a review
    # channel, and the rubric is explicit that they are not suggestions.
    borderline_negative_weight: float = 2.0
    borderline_positive_weight: float = 1.0  # debatable positives (the rubric's grey zone)
    # The threshold guarantees recall on core (non-borderline) positives: the grey zone's debatable
    # positives (fine-tuned chat models, surveys of one LLM technique) would drag it down to where
    # papers that merely use LLMs pass too, which is what floods a review channel.
    core_only_threshold: bool = True
    decision_weight: float = 3.0  # a moderator's decision on this server, against a corpus label
    # A paper of a whole day counts this many times: days are the distribution a poll meets, where
    # the keyword-drawn corpus over-represents papers about pre-training.
    day_weight: float = 1.0
    # Strength of a day-ranking (listwise) loss added to the pointwise one: 0 = off (bench only:
    # bench/relevance_factor.py compares it with the plain and the factorised score).
    listwise: float = 0.0
    prune_below: float = 1e-3


def _sample_weight(item: Item, cfg: TrainConfig) -> float:
    if item.source.startswith("decision:"):
        return cfg.decision_weight
    day = cfg.day_weight if item.slice.startswith("day:") else 1.0
    if item.borderline:
        return day * (cfg.borderline_negative_weight if item.label == 0 else cfg.borderline_positive_weight)
    return day


def _vocab(feats: Sequence[Mapping[str, str]], min_df: int) -> dict[str, int]:
    df: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            df[f] = df.get(f, 0) + 1
    return {f: i for i, f in enumerate(sorted(f for f, c in df.items() if c >= min_df))}


_FEATURES: dict[tuple[str, str, tuple[str, ...]], dict[str, str]] = {}


def _features(item: Item) -> dict[str, str]:
    """Features of a training item, memoised for one training run (folds and the grid reuse them)."""
    key = (item.title, item.abstract, item.categories)
    found = _FEATURES.get(key)
    if found is None:
        found = _FEATURES[key] = features(item.title, item.abstract, item.categories)
    return found


def _cue_examples(items: Sequence[Item]) -> dict[str, str]:
    """For each cue feature, the text it most often matched (how ``relevance show`` names it)."""
    seen: dict[str, dict[str, int]] = {}
    for item in items:
        for name, matched in _features(item).items():
            if matched:
                counts = seen.setdefault(name, {})
                counts[matched] = counts.get(matched, 0) + 1
    return {name: max(sorted(c), key=c.__getitem__) for name, c in sorted(seen.items())}


def _train_set(
    items: Sequence[Item], l2: float, cfg: TrainConfig, cue_l2: float = 0.1
) -> tuple[float, dict[str, float]]:
    feats = [_features(i) for i in items]
    vocab = _vocab(feats, cfg.min_df)
    if cfg.drop_features:
        vocab = {f: j for j, f in enumerate(f for f in vocab if not f.startswith(cfg.drop_features))}
    x = _design(feats, vocab)
    y = np.array([i.label for i in items], dtype=float)
    s = np.array([_sample_weight(i, cfg) for i in items])
    names = sorted(vocab, key=vocab.__getitem__)
    priors = cue_priors()
    prior = np.array([priors.get(f, 0.0) for f in names])
    l2s = np.array([cue_l2 if f.startswith(("cue:", "cat:", "s:")) else l2 for f in names])
    listwise = None
    if cfg.listwise:
        days = sorted({i.slice for i in items if i.slice.startswith("day:")})
        index = {d: k for k, d in enumerate(days)}
        group = np.array([index.get(i.slice, -1) for i in items], dtype=np.int64)
        listwise = _Listwise(group, y, cfg.listwise)
    bias, w = _fit(x, y, s, l2s, prior, listwise=listwise)
    return bias, {names[j]: round(float(w[j]), 4) for j in range(len(names)) if abs(w[j]) >= cfg.prune_below}


def _logits(bias: float, weights: Mapping[str, float], items: Sequence[Item]) -> np.ndarray:
    return np.array([bias + sum(weights.get(f, 0.0) for f in _features(i)) for i in items])


def _threshold(p: np.ndarray, y: np.ndarray, target: float) -> float:
    """The highest threshold whose recall on positives is at least *target*."""
    pos = np.sort(p[y > 0])[::-1]
    if not len(pos):
        return 0.5
    k = max(1, math.ceil(target * len(pos)))
    return float(pos[k - 1])


def _threshold_labels(items: Sequence[Item], cfg: TrainConfig) -> np.ndarray:
    """The positives whose recall the threshold guarantees: every label 1, or only the core ones."""
    if cfg.core_only_threshold:
        return np.array([i.label == 1 and not i.borderline for i in items], dtype=float)
    return np.array([i.label for i in items], dtype=float)


def _oof(items: Sequence[Item], l2: float, cfg: TrainConfig, cue_l2: float = 0.1) -> np.ndarray:
    z = np.zeros(len(items))
    folds = np.array([_fold(i, cfg.folds) for i in items])
    for k in range(cfg.folds):
        train = [it for it, f in zip(items, folds, strict=True) if f != k]
        held = [idx for idx, f in enumerate(folds) if f == k]
        bias, weights = _train_set(train, l2, cfg, cue_l2)
        z[held] = _logits(bias, weights, [items[i] for i in held])
    return z


def _is_core(item: Item) -> bool:
    return item.label == 1 and not item.borderline


def _day_mask(items: Sequence[Item], cfg: TrainConfig) -> np.ndarray | None:
    """The training items that belong to whole days, when the days hold enough core papers to
    choose on; else ``None`` (the corpus's other slices decide)."""
    mask = np.array([i.slice.startswith("day:") for i in items])
    core = sum(_is_core(i) for i, m in zip(items, mask, strict=True) if m)
    return mask if core >= cfg.min_day_core else None


def _mean_day_ap(z: np.ndarray, items: Sequence[Item]) -> float:
    """Mean over days of the average precision of the day ranked by *z* (both yes grades relevant)."""
    days: dict[str, list[tuple[float, bool]]] = {}
    for score, item in zip(z, items, strict=True):
        days.setdefault(item.slice, []).append((float(score), item.label == 1))
    ranked = ([yes for _, yes in sorted(rows, key=lambda r: -r[0])] for rows in days.values())
    aps = [ap for ap in map(average_precision, ranked) if ap is not None]
    return sum(aps) / len(aps) if aps else 0.0


def _cv_cost(z: np.ndarray, items: Sequence[Item], cfg: TrainConfig) -> float:
    """Lower is better. On whole days: 1 - the mean average precision of a day's ranking (a
    moderator reads a day from the top). Without days: false positives at the target recall."""
    mask = _day_mask(items, cfg)
    if mask is not None:
        return 1.0 - _mean_day_ap(z[mask], [i for i, m in zip(items, mask, strict=True) if m])
    y = _threshold_labels(items, cfg)
    t = _threshold(z, y, cfg.target_recall)
    neg_clear = np.array([i.label == 0 and not i.borderline for i in items])
    neg_border = np.array([i.label == 0 and i.borderline for i in items])
    fpr = float((z[neg_clear] >= t).mean()) if neg_clear.any() else 0.0
    brd = float((z[neg_border] >= t).mean()) if neg_border.any() else 0.0
    return fpr + brd


def _weight_set(
    items: Sequence[Item], cfg: TrainConfig, log: dict[str, Any], *, pull: bool = True
) -> WeightSet:
    best: tuple[float, float, float, np.ndarray] | None = None
    for cue_l2 in cfg.cue_l2_grid if pull else cfg.cue_l2_grid[:1]:
        for l2 in cfg.l2_grid:
            z = _oof(items, l2, cfg, cue_l2)
            cost = _cv_cost(z, items, cfg)
            log.setdefault("cv", []).append({"l2": l2, "cue_l2": cue_l2, "cost": round(cost, 4)})
            if best is None or cost < best[0] - 1e-9:
                best = (cost, l2, cue_l2, z)
    assert best is not None
    _, l2, cue_l2, z = best
    y = np.array([i.label for i in items], dtype=float)
    a, b = _platt(z, y)
    p = 0.5 * (1.0 + np.tanh(0.5 * (a * z + b)))
    mask = _day_mask(items, cfg)
    if mask is not None:  # the line a moderator meets: core recall on whole days, out of fold
        threshold = _threshold(
            p[mask],
            _threshold_labels([i for i, m in zip(items, mask, strict=True) if m], cfg),
            cfg.target_recall,
        )
        log["threshold_on"] = "training days"
    else:
        threshold = _threshold(p, _threshold_labels(items, cfg), cfg.target_recall)
        log["threshold_on"] = "all training items"
    bias, weights = _train_set(items, l2, cfg, cue_l2)
    log["l2"] = l2
    log["cue_l2"] = cue_l2
    log["items"] = len(items)
    log["positives"] = int(y.sum())
    return WeightSet(
        bias=round(bias, 4),
        weights=weights,
        calib_a=round(a, 4),
        calib_b=round(b, 4),
        threshold=round(threshold, 4),
    )


def train_model(
    items: Sequence[Item],
    *,
    cfg: TrainConfig | None = None,
    version: str | None = None,
    evaluate_on: Sequence[Item] | None = None,
) -> RelevanceModel:
    """Train on *items* (callers pass the training split only); figures on *evaluate_on* if given."""
    cfg = cfg or TrainConfig()
    items = sorted(items, key=lambda i: i.id)  # order-independent, hence deterministic
    with_abstract = [i for i in items if i.abstract]
    log_a: dict[str, Any] = {}
    log_t: dict[str, Any] = {}
    ws_a = _weight_set(with_abstract, cfg, log_a)
    ws_t = _weight_set([i.title_only() for i in items], cfg, log_t, pull=False)
    examples = _cue_examples(items)
    _FEATURES.clear()
    digest = hashlib.sha256(
        json.dumps([ws_a.to_json(), ws_t.to_json()], sort_keys=True).encode()
    ).hexdigest()[:10]
    model = RelevanceModel(
        version=version or f"{datetime.now(UTC):%Y%m%d}-{digest}",
        with_abstract=ws_a,
        title_only=ws_t,
        examples=examples,
        trained_on={
            "items": len(items),
            "decisions": sum(1 for i in items if i.source.startswith("decision:")),
            "with_abstract": log_a,
            "title_only": log_t,
            "target_recall": cfg.target_recall,
        },
    )
    if evaluate_on is not None:
        metrics = evaluate(model, evaluate_on)
        days = [i for i in evaluate_on if i.split == "test"]
        if days:
            from bot.relevance.days import evaluate_days

            metrics["frozen_days"] = evaluate_days(model, days)["pooled"]
        model = replace(model, metrics=metrics)
    return model


def __getattr__(name: str) -> Any:
    """``simulate_feedback`` lives in :mod:`bot.relevance.simulate` (which imports this module)."""
    if name == "simulate_feedback":
        from bot.relevance.simulate import simulate_feedback

        return simulate_feedback
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
