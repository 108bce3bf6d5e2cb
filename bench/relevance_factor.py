"""A factorised score against the plain one, by cross-validation over the TRAINING days only.

    python bench/relevance_factor.py [--l2 0.003] [--pull 0.001] [--betas B ...] [--listwise S ...] [--json]

The day labels carry both factors the issue names: a paper is *about PTMs* when it is core,
borderline-core or "no, but about PTMs" (NB), and among those it *brings a new artefact* when it is a
yes. So two logistic models are fitted on the same features: ``topic`` on every paper (yes or NB
against unrelated) and ``artefact`` on the papers about PTMs only (yes against NB), and the score is
``log P(topic) + beta * log P(artefact | topic)``. ``--listwise S``: the plain model with a
day-ranking loss of strength S added (ListNet over each whole day, ``TrainConfig.listwise``). Out-of-fold over the same whole-day folds as
training; reported on the training days beside the plain model (the shipped design), with the same
figures as ``bench/relevance_cv.py``. The frozen days are never read.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from relevance_cv import _at_recall  # noqa: E402

from bot.relevance import train as t  # noqa: E402


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -z)


def _oof_factors(
    items: list[t.Item], l2: float, cfg: t.TrainConfig, pull: float
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold logits of the topic model (every paper) and the artefact model (papers about
    PTMs only; scored on every paper)."""
    about = [i.label == 1 or i.borderline for i in items]
    topic_items = [
        replace(i, label=1 if a else 0, borderline=False) for i, a in zip(items, about, strict=True)
    ]
    folds = np.array([t._fold(i, cfg.folds) for i in items])
    za, zb = np.zeros(len(items)), np.zeros(len(items))
    for k in range(cfg.folds):
        held = [j for j, f in enumerate(folds) if f == k]
        train_topic = [it for it, f in zip(topic_items, folds, strict=True) if f != k]
        train_new = [
            replace(it, borderline=False)
            for it, f, a in zip(items, folds, about, strict=True)
            if f != k and a
        ]
        bias, weights = t._train_set(train_topic, l2, cfg, pull)
        za[held] = t._logits(bias, weights, [items[j] for j in held])
        bias, weights = t._train_set(train_new, l2, cfg, pull)
        zb[held] = t._logits(bias, weights, [items[j] for j in held])
    return za, zb


def _row(name: str, z: np.ndarray, day_items: list[t.Item]) -> dict[str, object]:
    return {
        "variant": name,
        "papers": len(day_items),
        "mean_day_ap": round(t._mean_day_ap(z, day_items), 3),
        "at_core_recall_0.90": _at_recall(z, day_items, 0.90),
    }


def run(
    l2: float, pull: float, betas: tuple[float, ...], listwise: tuple[float, ...] = ()
) -> list[dict[str, object]]:
    items = sorted((i for i in t.load_corpus() if not t.frozen_test(i) and i.abstract), key=lambda i: i.id)
    mask = np.array([i.slice.startswith("day:") and bool(i.split) for i in items])
    day_items = [i for i, m in zip(items, mask, strict=True) if m]
    cfg = t.TrainConfig()
    rows = [_row("plain (shipped design)", t._oof(items, l2, cfg, pull)[mask], day_items)]
    print(json.dumps(rows[-1]), file=sys.stderr)
    for strength in listwise:
        z = t._oof(items, l2, replace(cfg, listwise=strength), pull)[mask]
        rows.append(_row(f"plain + day ranking {strength}", z, day_items))
        print(json.dumps(rows[-1]), file=sys.stderr)
    if not betas:
        return rows
    za, zb = _oof_factors(items, l2, cfg, pull)
    for beta in betas:
        z = _log_sigmoid(za) + beta * _log_sigmoid(zb)
        rows.append(_row(f"factorised, beta {beta}", z[mask], day_items))
        print(json.dumps(rows[-1]), file=sys.stderr)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--l2", type=float, default=3e-3, help="n-gram penalty (default: the chosen 0.003)")
    parser.add_argument("--pull", type=float, default=1e-3, help="cue pull (default: the chosen 0.001)")
    parser.add_argument("--betas", type=float, nargs="*", default=[0.5, 1.0, 2.0])
    parser.add_argument(
        "--listwise", type=float, nargs="*", default=[], help="strengths of the day-ranking loss to try"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = run(args.l2, args.pull, tuple(args.betas), tuple(args.listwise))
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    print(
        f"{'variant':<26} {'day AP':>6} | at core recall 0.90: precision, recall core, recall c+b, flagged a day"
    )
    for r in rows:
        b = r["at_core_recall_0.90"]
        assert isinstance(b, dict)
        print(
            f"{r['variant']:<26} {r['mean_day_ap']:>6} | {b['precision']} {b['recall_core']} "
            f"{b['recall_core_borderline']} {b['flagged_per_day']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
