"""Evaluate bot.relevance on a labelled JSONL set (default: tests/fixtures/relevance-dev.jsonl).

    python bench/relevance_eval.py [--json] [--threshold X] [--data PATH] [--mistakes N] [--cv-weights K]

Positives are label 1. "FPR clear" is measured on label-0 items with borderline == false, "FPR
borderline" on label-0 items with borderline == true. Categories are taken from the item's source
when it records one (the cn-chat-arxiv primary category, or the feed document it was sampled from);
curated-list items have titles only and no categories.

``--cv-weights K`` cross-validates the hand-set weights of the keyed cues (``key=`` in
``bot/watch/relevance.py``): on each of K stratified folds it re-tunes those weights by coordinate search on the
other folds (at the default threshold: least borderline FPR with recall >= 0.95 and clear FPR <= 0.05)
and measures the tuned weights, and the shipped ones, on the held-out fold.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import random
import sys
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.watch.relevance import BIAS, DEFAULT_THRESHOLD, cue_contributions  # noqa: E402
from support import relevance_set  # noqa: E402
from support.relevance_set import DEFAULT_DATA, Item, load_items, metrics, score_items  # noqa: E402

log = logging.getLogger(__name__)

def best_threshold(items: Sequence[Item], scores: Sequence[float], max_fpr: float = 0.05) -> float:
    """The highest threshold keeping recall >= 0.95, else the one with the best recall at FPR <= max_fpr."""
    candidates = sorted({round(s, 4) for s in scores} | {DEFAULT_THRESHOLD})
    best, best_key = DEFAULT_THRESHOLD, (-1.0, -1.0)
    for t in candidates:
        m = metrics(items, scores, t)
        if (m["fpr_clear"] or 0) > max_fpr:
            continue
        key = (min(m["recall"] or 0, 0.95), t)
        if key > best_key:
            best, best_key = t, key
    return best


def two_fold(items: Sequence[Item], seed: int = 0) -> list[dict[str, Any]]:
    """Pick the threshold on one half and measure on the other (stratified by label/borderline)."""
    rng = random.Random(seed)
    groups: dict[tuple[int, bool, bool], list[int]] = {}
    for k, i in enumerate(items):
        groups.setdefault((i.label, i.borderline, bool(i.abstract)), []).append(k)
    folds: list[list[int]] = [[], []]
    for ks in groups.values():
        rng.shuffle(ks)
        folds[0] += ks[::2]
        folds[1] += ks[1::2]
    out = []
    for a, b in ((0, 1), (1, 0)):
        tune = [items[k] for k in folds[a]]
        test = [items[k] for k in folds[b]]
        t = best_threshold(tune, score_items(tune))
        out.append({"tuned_on": a, "tested_on": b, **metrics(test, score_items(test), t)})
    return out


# --- cross-validation of the keyed cue weights ---------------------------------------------------------

Param = tuple[str, str]  # (cue key, 'title' | 'abstract' | '')
_GRID_STEPS = (-1.0, -0.5, -0.25, 0.25, 0.5, 1.0)


@dataclass(frozen=True, slots=True)
class Features:
    fixed: float  # BIAS plus every weight that is not tuned
    tuned: tuple[tuple[Param, float], ...]  # the tunable weights that fired, with the shipped value


def item_features(items: Sequence[Item], params: Collection[Param]) -> list[Features]:
    out = []
    for i in items:
        title, abstract = " ".join(i.title.split()), " ".join(i.abstract.split())
        fixed, tuned = BIAS, []
        for key, where, weight, _ in cue_contributions(title, abstract, i.categories, ()):
            if (key, where) in params:
                tuned.append(((key, where), weight))
            else:
                fixed += weight
        out.append(Features(fixed, tuple(tuned)))
    return out


def tunable_params(items: Sequence[Item]) -> dict[Param, float]:
    """Every (keyed cue, where) that fires on *items*, with its shipped weight."""
    found: dict[Param, float] = {}
    for i in items:
        title, abstract = " ".join(i.title.split()), " ".join(i.abstract.split())
        for key, where, weight, _ in cue_contributions(title, abstract, i.categories, ()):
            if where and key and key not in ("survey", "known_name", "category", "title_only"):
                found.setdefault((key, where), weight)
    return dict(sorted(found.items()))


def scores_with(features: Sequence[Features], weights: dict[Param, float]) -> list[float]:
    out = []
    for f in features:
        total = f.fixed + sum(weights.get(p, w) for p, w in f.tuned)
        out.append(1.0 / (1.0 + math.exp(-total)))
    return out


def _objective(items: Sequence[Item], scores: Sequence[float], threshold: float) -> float:
    m = metrics(items, scores, threshold)
    penalty = 10 * max(0.0, 0.95 - (m["recall"] or 0)) + 10 * max(0.0, (m["fpr_clear"] or 0) - 0.05)
    return (m["fpr_borderline"] or 0) + penalty


def tune_weights(
    items: Sequence[Item], start: dict[Param, float], threshold: float, rounds: int = 2
) -> dict[Param, float]:
    """Coordinate search: move one weight at a time to the grid value that lowers the objective most."""
    features = item_features(items, start)
    weights = dict(start)
    best = _objective(items, scores_with(features, weights), threshold)
    for _ in range(rounds):
        improved = False
        for param in start:
            current = weights[param]
            for step in _GRID_STEPS:
                weights[param] = round(current + step, 2)
                value = _objective(items, scores_with(features, weights), threshold)
                if value < best - 1e-9:
                    best, current, improved = value, weights[param], True
            weights[param] = current
        if not improved:
            break
    return weights


def cv_weights(items: Sequence[Item], k: int = 2, seed: int = 0) -> dict[str, Any]:
    """K-fold check of the keyed weights: tuned on K-1 folds vs shipped, both on the held-out fold."""
    rng = random.Random(seed)
    groups: dict[tuple[int, bool, bool], list[int]] = {}
    for n, i in enumerate(items):
        groups.setdefault((i.label, i.borderline, bool(i.abstract)), []).append(n)
    folds: list[list[int]] = [[] for _ in range(k)]
    for ks in groups.values():
        rng.shuffle(ks)
        for j, n in enumerate(ks):
            folds[j % k].append(n)
    shipped = tunable_params(items)
    rows = []
    for f in range(k):
        train = [items[n] for g, fold in enumerate(folds) if g != f for n in fold]
        test = [items[n] for n in folds[f]]
        tuned = tune_weights(train, shipped, DEFAULT_THRESHOLD)
        test_features = item_features(test, shipped)
        rows.append(
            {
                "fold": f,
                "tuned": metrics(test, scores_with(test_features, tuned), DEFAULT_THRESHOLD),
                "shipped": metrics(test, scores_with(test_features, shipped), DEFAULT_THRESHOLD),
                "moved": {
                    f"{key}@{where}": [shipped[(key, where)], w]
                    for (key, where), w in tuned.items()
                    if w != shipped[(key, where)]
                },
            }
        )
    return {"k": k, "params": {f"{key}@{where}": w for (key, where), w in shipped.items()}, "folds": rows}


def mistakes(
    items: Sequence[Item], scores: Sequence[float], threshold: float, n: int
) -> dict[str, list[str]]:
    fn = sorted(
        (k for k, i in enumerate(items) if i.label == 1 and scores[k] < threshold), key=lambda k: scores[k]
    )
    fp = sorted(
        (k for k, i in enumerate(items) if i.label == 0 and not i.borderline and scores[k] >= threshold),
        key=lambda k: -scores[k],
    )
    return {
        "missed_positives": [f"{scores[k]:.2f} {items[k].id} {items[k].title[:90]}" for k in fn[:n]],
        "false_positives_clear": [f"{scores[k]:.2f} {items[k].id} {items[k].title[:90]}" for k in fp[:n]],
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="labelled JSONL (default: %(default)s)"
    )
    parser.add_argument("--threshold", type=float, default=DEFAULT_THRESHOLD, help="default: %(default)s")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--mistakes", type=int, default=8, help="how many mistakes of each kind to show")
    parser.add_argument("--no-folds", action="store_true", help="skip the 2-fold threshold check")
    parser.add_argument(
        "--cv-weights", type=int, default=0, metavar="K", help="K-fold check of the keyed cue weights"
    )
    parser.add_argument(
        "--with-catalog-names",
        action="store_true",
        help="pass the shipped catalog's model names found in each item, as a poll does",
    )
    args = parser.parse_args(argv)
    relevance_set.WITH_CATALOG_NAMES = args.with_catalog_names

    items = load_items(args.data)
    scores = score_items(items)
    with_abstract = [k for k, i in enumerate(items) if i.abstract]
    report: dict[str, Any] = {
        "data": str(args.data),
        "all": metrics(items, scores, args.threshold),
        "with_abstract": metrics(
            [items[k] for k in with_abstract], [scores[k] for k in with_abstract], args.threshold
        ),
        "title_only": metrics(
            [i for i in items if not i.abstract],
            [s for i, s in zip(items, scores, strict=True) if not i.abstract],
            args.threshold,
        ),
        "mistakes": mistakes(items, scores, args.threshold, args.mistakes),
    }
    if not args.no_folds:
        report["two_fold"] = two_fold(items)
    if args.cv_weights:
        report["cv_weights"] = cv_weights(items, args.cv_weights)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    for part in ("all", "with_abstract", "title_only"):
        m = report[part]
        print(
            f"{part:14} n={m['n']:4} recall={m['recall']} fpr_clear={m['fpr_clear']} "
            f"fpr_borderline={m['fpr_borderline']} precision={m['precision']} "
            f"(pos={m['positives']} clear_neg={m['clear_negatives']} border_neg={m['borderline_negatives']})"
        )
    for fold in report.get("two_fold", ()):
        print(
            f"2-fold tune {fold['tuned_on']} -> test {fold['tested_on']}: threshold={fold['threshold']} "
            f"recall={fold['recall']} fpr_clear={fold['fpr_clear']} fpr_borderline={fold['fpr_borderline']}"
        )
    if cv := report.get("cv_weights"):
        print(f"{cv['k']}-fold check of {len(cv['params'])} keyed weights (threshold {DEFAULT_THRESHOLD}):")
        for row in cv["folds"]:
            for which in ("shipped", "tuned"):
                m = row[which]
                print(
                    f"  fold {row['fold']} {which:7} recall={m['recall']} fpr_clear={m['fpr_clear']} "
                    f"fpr_borderline={m['fpr_borderline']} precision={m['precision']}"
                )
            print(f"  fold {row['fold']} moved: {row['moved']}")
    for kind, lines in report["mistakes"].items():
        print(f"{kind}:")
        for line in lines:
            print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
