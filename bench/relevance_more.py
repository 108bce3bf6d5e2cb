"""More variants of the relevance model against the shipped design, on the TRAINING days only
(issue 18, session 7). None beat it; the table is in docs/relevance.md.

    python bench/relevance_more.py [--only NAME ...] [--json]

Every variant is scored out of fold over the same whole-day folds as training and reported like
``bench/relevance_cv.py``: the mean average precision of a day's ranking, and at the line keeping
out-of-fold core recall 0.9 the precision, recall of core+borderline and papers flagged a day.

- ``weights``: hard negatives 1x / 4x / 8x (shipped: 2x), debatable positives 0.5x, day papers 2x;
- ``sentences``: n-grams of the abstract's first sentence (``f:``), of its last two (``l:``), or both,
  as features of their own beside the whole abstract's (where "we introduce NAME" and "we release
  the weights" usually stand);
- ``day-normalised``: each day's scores less a share of that day's mean or 90th percentile (a
  crowded cs.CL day inflates every score);
- ``stacked``: gradient-boosted trees (scikit-learn's ``HistGradientBoostingClassifier``) over the
  out-of-fold linear score, the structure, cue and category features and the text lengths, to find
  interactions the linear model cannot. Needs ``pip install scikit-learn`` (not a dependency);
- ``authors`` (session 8): how many authors a paper has (RSS carries them), as cumulative bins, from
  ``bench/data/day-authors.jsonl.gz`` (the day files' own archives; only day papers have a count);
- ``more-days`` (session 8): the learning curve: each fold's model trained on a random half or three
  quarters of the other folds' days (three draws each), to see what labelling more days would buy;
- ``category-lines`` (session 8): a line per arXiv category against one line, each day's line chosen
  on the other training days (of its category), keeping core recall 0.9.
The frozen days are never read.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import random
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from relevance_cv import _at_recall  # noqa: E402

from bot.relevance import train as t  # noqa: E402

_WORD = re.compile(r"[a-z0-9]+")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
Extra = Callable[[t.Item], dict[str, str]]


def _grams(prefix: str, text: str) -> dict[str, str]:
    words = _WORD.findall(text.lower())
    out = {prefix + w: "" for w in words}
    out.update({f"{prefix}{a} {b}": "" for a, b in itertools.pairwise(words)})
    return out


def first_sentence(item: t.Item) -> dict[str, str]:
    return _grams("f:", _SENTENCE.split(item.abstract.strip(), maxsplit=1)[0])


def last_sentences(item: t.Item) -> dict[str, str]:
    return _grams("l:", " ".join(_SENTENCE.split(item.abstract.strip())[-2:]))


class Bench:
    def __init__(self) -> None:
        self.items = sorted(
            (i for i in t.load_corpus() if not t.frozen_test(i) and i.abstract), key=lambda i: i.id
        )
        self.mask = np.array([i.slice.startswith("day:") and bool(i.split) for i in self.items])
        self.days = [i for i, m in zip(self.items, self.mask, strict=True) if m]
        self.rows: list[dict[str, object]] = []

    def oof(self, cfg: t.TrainConfig, extra: Extra | None = None) -> np.ndarray:
        t._FEATURES.clear()
        if extra is not None:
            for i in self.items:
                feats = dict(t.features(i.title, i.abstract, i.categories))
                feats.update(extra(i))
                t._FEATURES[(i.title, i.abstract, i.categories)] = feats
        z = t._oof(self.items, 3e-3, cfg, 1e-3)
        t._FEATURES.clear()
        return z

    def report(self, name: str, z_days: np.ndarray) -> None:
        row = {
            "variant": name,
            "mean_day_ap": round(t._mean_day_ap(z_days, self.days), 3),
            "at_core_recall_0.90": _at_recall(z_days, self.days, 0.90),
        }
        self.rows.append(row)
        print(json.dumps(row), file=sys.stderr, flush=True)


def weights(b: Bench, base: np.ndarray) -> None:
    cfg = t.TrainConfig()
    for name, change in (
        ("hard negatives 1x", {"borderline_negative_weight": 1.0}),
        ("hard negatives 4x", {"borderline_negative_weight": 4.0}),
        ("hard negatives 8x", {"borderline_negative_weight": 8.0}),
        ("debatable positives 0.5x", {"borderline_positive_weight": 0.5}),
        ("day papers 2x", {"day_weight": 2.0}),
    ):
        b.report(name, b.oof(replace(cfg, **change))[b.mask])  # type: ignore[arg-type]


def sentences(b: Bench, base: np.ndarray) -> None:
    cfg = t.TrainConfig()
    b.report("+ first sentence n-grams", b.oof(cfg, first_sentence)[b.mask])
    b.report("+ last two sentences n-grams", b.oof(cfg, last_sentences)[b.mask])
    both: Extra = lambda i: {**first_sentence(i), **last_sentences(i)}  # noqa: E731
    b.report("+ both", b.oof(cfg, both)[b.mask])


def day_normalised(b: Bench, base: np.ndarray) -> None:
    z = base[b.mask]
    slices = np.array([i.slice for i in b.days])
    for stat, fn in (("mean", np.mean), ("90th percentile", lambda v: np.quantile(v, 0.9))):
        for beta in (0.25, 0.5):
            adjusted = z.copy()
            for s in set(slices):
                m = slices == s
                adjusted[m] = z[m] - beta * fn(z[m])
            b.report(f"day-normalised: less {beta} x the day's {stat}", adjusted)


def stacked(b: Bench, base: np.ndarray) -> None:
    try:
        from sklearn.ensemble import HistGradientBoostingClassifier  # type: ignore[import-not-found]
    except ImportError:
        print("stacked: needs scikit-learn (pip install scikit-learn); skipped", file=sys.stderr)
        return
    feats = [t._features(i) for i in b.items]
    names = sorted({f for fs in feats for f in fs if f.startswith(("s:", "cue:", "cat:"))})
    index = {n: k for k, n in enumerate(names)}
    x = np.zeros((len(b.items), len(names) + 3))
    for r, fs in enumerate(feats):
        for f in fs:
            if f in index:
                x[r, index[f]] = 1
        item = b.items[r]
        x[r, -3:] = (len(item.title.split()), len(item.abstract.split()), base[r])
    y = np.array([i.label for i in b.items])
    folds = np.array([t._fold(i, t.TrainConfig().folds) for i in b.items])
    for rate, rounds, leaves in ((0.05, 200, 15), (0.1, 100, 7)):
        z = np.zeros(len(b.items))
        for k in sorted(set(folds)):
            clf = HistGradientBoostingClassifier(
                learning_rate=rate,
                max_iter=rounds,
                max_leaf_nodes=leaves,
                l2_regularization=1.0,
                random_state=0,
            )
            clf.fit(x[folds != k], y[folds != k])
            p = np.clip(clf.predict_proba(x[folds == k])[:, 1], 1e-9, 1 - 1e-9)
            z[folds == k] = np.log(p / (1 - p))
        b.report(f"stacked trees ({rounds} rounds, {leaves} leaves)", z[b.mask])


def _author_counts() -> dict[str, int]:
    path = ROOT / "bench" / "data" / "day-authors.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as rows:
        return {r["id"]: len(r["authors"]) for r in map(json.loads, rows)}


def authors(b: Bench, base: np.ndarray) -> None:
    counts = _author_counts()

    def binned(edges: tuple[int, ...]) -> Extra:
        def extra(item: t.Item) -> dict[str, str]:
            n = counts.get(item.id)
            return {} if n is None else {f"au:>={e}": "" for e in edges if n >= e}

        return extra

    for edges in ((16,), (11, 26), (8, 16, 31), (6, 11, 21, 41)):
        b.report(
            f"+ authors at least {', '.join(map(str, edges))}", b.oof(t.TrainConfig(), binned(edges))[b.mask]
        )


def more_days(b: Bench, base: np.ndarray) -> None:
    cfg = t.TrainConfig()
    folds = [t._fold(i, cfg.folds) for i in b.items]
    days = sorted({i.slice for i in b.days})
    for share in (0.5, 0.75):
        runs = []
        for seed in range(3):
            keep = set(random.Random(seed).sample(days, round(share * len(days))))
            z = np.zeros(len(b.items))
            for k in range(cfg.folds):
                train = [
                    i
                    for i, f in zip(b.items, folds, strict=True)
                    if f != k and (not i.slice.startswith("day:") or i.slice in keep)
                ]
                held = [n for n, f in enumerate(folds) if f == k]
                bias, w = t._train_set(train, 3e-3, cfg, 1e-3)
                z[held] = t._logits(bias, w, [b.items[n] for n in held])
            runs.append(z[b.mask])
        for seed, z_days in enumerate(runs):
            b.report(f"{share:.0%} of the training days (draw {seed})", z_days)


def category_lines(b: Bench, base: np.ndarray) -> None:
    z = base[b.mask]
    core = np.array([i.label == 1 and not i.borderline for i in b.days])
    yes = np.array([i.label == 1 for i in b.days])
    day = np.array([i.slice for i in b.days])
    category = np.array([i.slice.split(":")[2] if i.slice.count(":") >= 2 else "other" for i in b.days])
    for name, group in (("one line", np.array(["all"] * len(z))), ("a line per category", category)):
        lines = np.zeros(len(z))
        for d in sorted(set(day)):
            here = day == d
            others = (day != d) & (group == group[here][0])
            if core[others].sum() < 3:  # too few core papers in the category: all other days
                others = day != d
            lines[here] = t._threshold(z[others], core[others].astype(float), 0.9)
        flagged = z >= lines
        row = {
            "variant": f"{name}, each day's chosen on the other days",
            "precision": round(float(yes[flagged].mean()), 3),
            "recall_core": round(float(flagged[core].mean()), 3),
            "recall_core_borderline": round(float(flagged[yes].mean()), 3),
            "flagged_per_day": round(int(flagged.sum()) / len(set(day)), 1),
        }
        b.rows.append(
            {"variant": row["variant"], "mean_day_ap": None, "at_core_recall_0.90": row}
        )  # no new ranking
        print(json.dumps(row), file=sys.stderr, flush=True)


PARTS = {
    "weights": weights,
    "sentences": sentences,
    "day-normalised": day_normalised,
    "stacked": stacked,
    "authors": authors,
    "more-days": more_days,
    "category-lines": category_lines,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", choices=sorted(PARTS), default=sorted(PARTS))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    b = Bench()
    base = b.oof(t.TrainConfig())
    b.report("plain (the shipped design)", base[b.mask])
    for name in args.only:
        PARTS[name](b, base)
    if args.json:
        print(json.dumps(b.rows, indent=1))
        return 0
    print(f"{'variant':<48} {'day AP':>6} | at core recall 0.90: precision, recall c+b, flagged a day")
    for r in b.rows:
        at = r["at_core_recall_0.90"]
        assert isinstance(at, dict)
        print(
            f"{r['variant']:<48} {r['mean_day_ap'] or '-':>6} | {at['precision']} "
            f"{at['recall_core_borderline']} {at['flagged_per_day']}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
