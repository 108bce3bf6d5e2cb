"""An experiment for issue 18's loop: a second stage fitted on moderators' decisions only.

    python bench/relevance_stage2.py [--last 8] [--first 4] [--l2 1.0]

The moderator loop retrains the whole model on corpus + decisions, and a few dozen decisions among
thousands of corpus papers move about one paper a day (docs/relevance.md). This replays the *N*
latest training days (never the frozen ones) in date order with a fixed base model (trained on the
corpus without those days); moderators decide every flagged paper plus the exploration paper of each
day by the true label. After the first *F* days, a small logistic regression is fitted on those
decisions only: inputs are the base model's logit and its structure and category features, L2
pulled toward "change nothing" (weight 1 on the logit, 0 elsewhere). The next days are flagged
when the second stage's logit clears the base line. Prints, for the days after the first F,
flagged / precision / recall (label 1) and core recall with and without the second stage.

A bench experiment, not the product: it says whether the idea is worth building.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.relevance.corpus import Item, frozen_test, load_corpus  # noqa: E402
from bot.relevance.model import RelevanceModel, feature_set  # noqa: E402
from bot.relevance.train import TrainConfig, train_model  # noqa: E402


def _logit(model: RelevanceModel, item: Item) -> tuple[float, float, set[str]]:
    ws = model.with_abstract if item.abstract else model.title_only
    feats, _ = feature_set(item.title, item.abstract, item.categories)
    z = ws.logit(feats)
    line = math.log(ws.threshold / (1 - ws.threshold))
    return ws.calib_a * z + ws.calib_b, line, feats


def _design(rows: list[tuple[float, set[str]]], names: list[str]) -> np.ndarray:
    x = np.zeros((len(rows), len(names) + 2))
    for r, (z, feats) in enumerate(rows):
        x[r, 0], x[r, 1] = z, 1.0
        for j, name in enumerate(names):
            x[r, j + 2] = name in feats
    return x


def _fit(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    prior = np.zeros(x.shape[1])
    prior[0] = 1.0  # the base logit as it is: no change without evidence
    w = prior.copy()
    for _ in range(50):  # Newton
        p = 1 / (1 + np.exp(-(x @ w)))
        g = x.T @ (p - y) + l2 * (w - prior)
        h = x.T @ (x * (p * (1 - p))[:, None]) + l2 * np.eye(len(w))
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def _figures(flags: list[bool], items: list[Item]) -> dict[str, float | int | None]:
    flagged = [i for f, i in zip(flags, items, strict=True) if f]
    pos = [f for f, i in zip(flags, items, strict=True) if i.label == 1]
    core = [f for f, i in zip(flags, items, strict=True) if i.label == 1 and not i.borderline]
    return {
        "flagged": len(flagged),
        "precision": round(sum(i.label for i in flagged) / len(flagged), 3) if flagged else None,
        "recall": round(sum(pos) / len(pos), 3) if pos else None,
        "core_recall": round(sum(core) / len(core), 3) if core else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--last", type=int, default=8)
    parser.add_argument("--first", type=int, default=4)
    parser.add_argument("--l2", type=float, default=1.0)
    args = parser.parse_args(argv)
    corpus = load_corpus()
    days = sorted({i.slice for i in corpus if i.slice.startswith("day:") and not frozen_test(i)})[
        -args.last :
    ]
    replayed = {i.id for i in corpus if i.slice in days}
    base = train_model(
        [i for i in corpus if not frozen_test(i) and i.id not in replayed],
        cfg=TrainConfig(l2_grid=(0.01,), folds=3),
        version="stage2-base",
    )
    names = sorted({f for f in base.with_abstract.weights if f.startswith(("s:", "cat:"))})
    decided: list[tuple[float, set[str]]] = []
    labels: list[int] = []
    before: list[tuple[list[bool], list[Item]]] = []
    after: list[tuple[list[bool], list[Item]]] = []
    w: np.ndarray | None = None
    for n, day in enumerate(days):
        items = sorted((i for i in corpus if i.slice == day), key=lambda i: i.id)
        scored = [_logit(base, i) for i in items]
        flags = [z >= line for z, line, _ in scored]
        if w is not None:
            x = _design([(z, f) for z, _, f in scored], names)
            flags2 = [bool(v >= line) for v, (_, line, _) in zip(x @ w, scored, strict=True)]
            before.append((flags, items))
            after.append((flags2, items))
        # moderators decide the flagged papers and the one closest below the line (a poll's exploration)
        below = sorted((line - z, k) for k, (z, line, _) in enumerate(scored) if z < line)
        chosen = [k for k, f in enumerate(flags) if f] + [k for _, k in below[:1]]
        for k in chosen:
            decided.append((scored[k][0], scored[k][2]))
            labels.append(items[k].label)
        if n + 1 == args.first:
            w = _fit(_design(decided, names), np.array(labels, dtype=float), args.l2)
            print(
                f"second stage fitted on {len(labels)} decisions of {args.first} days: "
                f"logit weight {w[0]:.2f}, offset {w[1]:+.2f}"
            )

    def pooled(rows: list[tuple[list[bool], list[Item]]]) -> dict[str, float | int | None]:
        return _figures([f for fl, _ in rows for f in fl], [i for _, its in rows for i in its])

    print(f"the {len(after)} days after the first {args.first}: base only {pooled(before)}")
    print(f"{'':>{len(str(len(after))) + 24}}second stage {pooled(after)}")
    for (fb, items), (fa, _) in zip(before, after, strict=True):
        print(f"  {items[0].slice}: {_figures(fb, items)} -> {_figures(fa, items)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
